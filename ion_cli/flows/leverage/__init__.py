"""Leverage and deleverage of one vault: flash leverage through the market's handler, loop mode
(borrow, mint through the adapter, deposit; round by round), an honest multi-step unwind on the
markets whose handlers have no deleverage, a handler's own flash deleverage, plan files
(`--plan-out`, `ion apply`), and the preview a user sees before anything is signed.

Every figure starts from live quotes read at one block (the market, the vault, the LRT's mint
rate, the venue's price and fee); the pure math (ion_cli.leverage_math) turns a target leverage
into the handler's arguments; the slippage bound becomes the handler's own cap
(`maxResultingDebt`, `maxCollateralToRemove`) or the router's `amountOutMinimum`, so a price that
moved beyond it fails in simulation, before anything is sent. A plan is one pipeline run.

Modules, each importing only those above it in this list: `requests` (inputs), `context` (what a
flow reads at one block, shared checks and calls), `quotes`, `preview`, `loop`, `lever`, `close`,
`flash_deleverage`, `unwind`, `deleverage`, `plan_file`, `run`, `apply`.
"""

from __future__ import annotations

from ion_cli.flows.leverage.apply import apply_plan, check_plan
from ion_cli.flows.leverage.context import Built, Context, next_block_time, read_context
from ion_cli.flows.leverage.deleverage import build_deleverage
from ion_cli.flows.leverage.lever import build_leverage
from ion_cli.flows.leverage.plan_file import content_hash, load_plan, save_plan
from ion_cli.flows.leverage.quotes import Quote, lever_quoter, solve_lever, unwind_quoter
from ion_cli.flows.leverage.requests import DeleverageRequest, LeverageRequest
from ion_cli.flows.leverage.run import deleverage, leverage, run_built

__all__ = [
    "Built",
    "Context",
    "DeleverageRequest",
    "LeverageRequest",
    "Quote",
    "apply_plan",
    "build_deleverage",
    "build_leverage",
    "check_plan",
    "content_hash",
    "deleverage",
    "lever_quoter",
    "leverage",
    "load_plan",
    "next_block_time",
    "read_context",
    "run_built",
    "save_plan",
    "solve_lever",
    "unwind_quoter",
]
