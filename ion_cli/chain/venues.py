"""Quotes and calls at the venues leverage goes through, by their public signatures only.

- the wstETH-base markets' flash swap: the LRT's own mint rate (its adapter) gives the ETH an
  exact LRT amount needs (the handler rounds it up), and a QuoterV2-style quoter prices the
  exact-output wstETH -> WETH swap in the Uniswap wstETH/WETH pool (the handler's flash source);
- a Balancer-flash handler's own quote view `simulateGivenOutBalancerSwap` plus the flash fee
  of its `FLASHLOAN_POOL()` (the handler's published interface is its adapter's fact);
- unwinds on the wstETH markets: the LRT/wstETH pool through a SwapRouter02-style router
  (`exactInputSingle`), quoted by the quoter's `quoteExactInputSingle`.

Venue addresses come from the network profile (the devnet's deployment file); a network whose
profile does not name them refuses with one line. No printing, no web3 here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.errors import UsageError
from ion_cli.units import ceil_div

if TYPE_CHECKING:
    from ion_cli.chain.plan import Call
    from ion_cli.chain.rpc import BlockId, Reader
    from ion_cli.networks import NetworkProfile

FEE_DENOMINATOR = 1_000_000  # Uniswap fees are in hundredths of a bip
NO_PRICE_LIMIT = 0  # the router and quoter read 0 as "no limit"


@dataclass(frozen=True)
class Venues:
    """The outside contracts one market's leverage uses."""

    weth: str
    quoter: str | None  # QuoterV2-style
    router: str | None  # SwapRouter02-style
    flash_pool: str | None  # the wstETH/WETH Uniswap pool the direct-mint handlers flash from
    unwind_pool: str | None  # the LRT/wstETH pool (wstETH-base markets)


def venues(profile: NetworkProfile, symbol: str) -> Venues:
    """The venues of market `symbol` as the profile knows them (None where it does not)."""
    deployment: Any = profile.extra.get("deployment") or {}
    shared = deployment.get("shared", {}) if hasattr(deployment, "get") else {}
    markets = deployment.get("markets", {}) if hasattr(deployment, "get") else {}
    market: Any = {}
    for key, value in markets.items():
        if key.lower() == symbol.lower():
            market = value
    return Venues(
        weth=str(shared.get("weth") or ""),
        quoter=shared.get("uniswap_quoter"),
        router=shared.get("uniswap_swap_router"),
        flash_pool=shared.get("uniswap_wsteth_weth_pool"),
        unwind_pool=market.get("unwind_pool") if hasattr(market, "get") else None,
    )


def require(value: str | None, what: str, network: str) -> str:
    if not value:
        raise UsageError(
            f"the {what} address is not known on {network}: leverage needs it "
            "(only the devnet's deployment names it today)"
        )
    return value


def pool_fee(reader: Reader, pool: str, block: BlockId) -> int:
    from ion_cli.chain.contracts import Contract

    return int(
        reader.read_one(
            Contract(pool, interface="UniswapV3Pool").fee(), block, "reading a pool's fee"
        )
    )


def quote_exact_output(
    reader: Reader,
    quoter: str,
    token_in: str,
    token_out: str,
    fee: int,
    amount_out: int,
    block: BlockId,
) -> int:
    """What an exact-output single-pool swap costs in `token_in` (QuoterV2)."""
    from ion_cli.chain.contracts import Contract

    call = Contract(quoter, interface="QuoterV2").quoteExactOutputSingle(
        (token_in, token_out, amount_out, fee, NO_PRICE_LIMIT)
    )
    answer = reader.read_one(call, block, "quoting a swap")
    return int(answer[0])


def quote_exact_input(
    reader: Reader,
    quoter: str,
    token_in: str,
    token_out: str,
    fee: int,
    amount_in: int,
    block: BlockId,
) -> int:
    """What an exact-input single-pool swap gives in `token_out` (QuoterV2)."""
    from ion_cli.chain.contracts import Contract

    call = Contract(quoter, interface="QuoterV2").quoteExactInputSingle(
        (token_in, token_out, amount_in, fee, NO_PRICE_LIMIT)
    )
    answer = reader.read_one(call, block, "quoting a swap")
    return int(answer[0])


def balancer_given_out(
    reader: Reader,
    handler: str,
    interface: str,
    asset_in: str,
    asset_out: str,
    amount_out: int,
    block: BlockId,
) -> int:
    """A Balancer-flash handler's own quote: `asset_in` a given-out Balancer swap costs."""
    from ion_cli.chain.contracts import Contract

    funds = (handler, False, handler, False)
    call = Contract(handler, interface=interface).simulateGivenOutBalancerSwap(
        funds, asset_in, asset_out, amount_out
    )
    return int(reader.read_one(call, block, "quoting the Balancer swap"))


def balancer_flash_pool(reader: Reader, handler: str, interface: str, block: BlockId) -> str:
    """The Uniswap pool a Balancer-flash handler flash-borrows from (its fee is the flash fee)."""
    from ion_cli.chain.contracts import Contract

    call = Contract(handler, interface=interface).FLASHLOAN_POOL()
    return str(reader.read_one(call, block, "reading the handler's flash pool"))


def flash_fee(amount: int, fee: int) -> int:
    """A Uniswap-style flash fee: ceil(amount * fee / 1e6)."""
    return ceil_div(amount * fee, FEE_DENOMINATOR)


def eth_for_lrt(lrt_amount: int, eth_rate: int) -> int:
    """The ETH a direct-mint handler flash-swaps for `lrt_amount` (ceil, as the handler)."""
    return ceil_div(lrt_amount * eth_rate, 10**18)


def exact_input_call(
    router: str,
    token_in: str,
    token_out: str,
    fee: int,
    recipient: str,
    amount_in: int,
    min_out: int,
    description: str,
) -> Call:
    from ion_cli.chain.contracts import Contract

    return Contract(router, interface="SwapRouter02", label="SwapRouter").exactInputSingle(
        (token_in, token_out, fee, recipient, amount_in, min_out, NO_PRICE_LIMIT),
        description=description,
    )
