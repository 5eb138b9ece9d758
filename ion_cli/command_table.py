"""The command tree as data: each top-level command's module and one-line help.

`ion --help` and shell completion list commands from this table, so neither imports nor builds
any command; running one imports and builds only its module (ion_cli.cli). Standard library
only. tests/unit/test_command_table.py keeps it equal to the commands themselves: after adding
or renaming a command, or changing its help's first sentence, update the row.
"""

from __future__ import annotations

from typing import Literal, NamedTuple


class Entry(NamedTuple):
    module: str  # under ion_cli.commands
    kind: Literal["command", "group"]  # group: the module's `app` is the sub-typer
    help: str  # the help's first sentence (what `ion --help` shows, before truncation)


# In the order `ion --help` lists them.
COMMANDS: dict[str, Entry] = {
    "markets": Entry(
        "markets",
        "command",
        "List the markets: LTV, thresholds, reserve rate, spot, supply, debt and rates.",
    ),
    "position": Entry(
        "position",
        "command",
        "Show collateral, debt, health, leverage, LTV and the liquidation exchange rate.",
    ),
    "supply": Entry(
        "lend",
        "command",
        "Supply the market's base asset (wstETH or WETH) and earn the supply rate.",
    ),
    "redeem": Entry(
        "lend", "command", "Withdraw supplied base asset (with the interest it earned)."
    ),
    "deposit": Entry("vault", "command", "Deposit LRT collateral into your vault."),
    "borrow": Entry("vault", "command", "Borrow the base asset against your collateral."),
    "repay": Entry(
        "vault",
        "command",
        "Repay debt; `all` leaves exactly zero debt despite per-second interest.",
    ),
    "withdraw": Entry(
        "vault", "command", "Withdraw collateral from your vault back to your wallet."
    ),
    "leverage": Entry(
        "leverage",
        "command",
        "Lever a vault up to a target leverage or LTV, with a preview before signing.",
    ),
    "deleverage": Entry(
        "leverage",
        "command",
        "Lower a vault's leverage, repay part of its debt, or close it, selling collateral.",
    ),
    "apply": Entry(
        "leverage",
        "command",
        "Send a plan file after re-checking it against the chain (refused if it moved).",
    ),
    "risk": Entry(
        "risk", "command", "The consensus-layer risk of the validators behind an LRT (no proof)."
    ),
    "restaking": Entry(
        "restaking",
        "command",
        (
            "Per operator: its operator sets (AVS, id), magnitude allocated over max, the LRT's "
            "slashable ETH in each, slashes in the window and each pod's beacon-chain slashing "
            "factor; totals: the share slashable by any AVS, by how many AVSs, the largest "
            "single-AVS exposure, queued withdrawals still slashable, pending allocation "
            "changes."
        ),
    ),
    "prove": Entry(
        "prove",
        "command",
        "Fetch, compute the features, prove the model's score, verify it, write a receipt.",
    ),
    "verify": Entry(
        "verify",
        "command",
        (
            "Check the proof, every field of the receipt and every file it names; with a node "
            "at hand, its submission record against the chain (with --onchain, the block root "
            "against the chain's beacon roots contract too)."
        ),
    ),
    "vaults": Entry(
        "vaults",
        "command",
        "List every vault of a market (found from the pool's events), sorted by health.",
    ),
    "liquidate": Entry(
        "liquidate",
        "command",
        (
            "Preview, confirm and liquidate an unsafe vault: repay its debt for discounted "
            "collateral (normal, dust or confiscation branch, as the Liquidation contract "
            "does)."
        ),
    ),
    "watch": Entry(
        "watch",
        "command",
        (
            "Watch validators and positions; alert on slashings, balance drops, low health, "
            "liquidatable vaults and stale risk proofs."
        ),
    ),
    "submit": Entry(
        "submit",
        "command",
        (
            "Submit a risk proof with the feed's bond: the feed verifies it on chain and holds "
            "it pending for its challenge window; `ion oracle finalize` then makes its haircut "
            "final."
        ),
    ),
    "challenge": Entry(
        "challenge",
        "command",
        (
            "Check a pending risk submission against the beacon state at its root and send the "
            "cheapest fraud proof when it is false (exit 0 when it is sound)."
        ),
    ),
    "guard": Entry(
        "guard",
        "group",
        "Guards: automatic repay, boost, stop-loss and take-profit on your vault.",
    ),
    "devnet": Entry(
        "devnet",
        "group",
        "A local devnet: anvil with Ion's four markets, stand-in LRTs and swap venues.",
    ),
    "account": Entry(
        "account", "group", "Named accounts: keys in the OS keyring, else encrypted keystore files."
    ),
    "plugins": Entry(
        "plugins", "group", "Per-token adapters (LRT plugins): list them, check them."
    ),
    "oracle": Entry(
        "oracle",
        "group",
        "The reserve oracles: the exchange rate liquidations use, and its updates.",
    ),
    "tx": Entry(
        "tx", "group", "Transactions ion sent from the account: list, status, speed up or cancel."
    ),
    "validators": Entry(
        "validators",
        "group",
        "Validator state from the beacon chain: balances, statuses, slashings.",
    ),
}
