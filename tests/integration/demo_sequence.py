"""The `make demo` walkthrough (.ci/walkthrough) as data, for the output tests: the same commands
in the same order on the test devnet, plus the reads and writes the walkthrough leaves out (tx,
oracle, account, plugins check, a plan file applied). `{tmp}` is the test's folder and
`{last_tx}` the newest journaled transaction's hash (`{last_tx_prefix}`: its first 10 digits)."""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    name: str  # the document's name in reports (several steps may share one)
    args: tuple[str, ...]
    codes: tuple[int, ...] = (0,)


def step(name: str, *args: str, codes: tuple[int, ...] = (0,)) -> Step:
    return Step(name, args, codes)


STEPS: tuple[Step, ...] = (
    step("devnet up", "devnet", "up"),
    step("devnet status", "devnet", "status"),
    step("markets", "markets"),
    step("plugins list", "plugins", "list"),
    step("plugins check", "plugins", "check"),
    step("account list", "account", "list"),
    step("account show", "account", "show", "dev"),
    step("supply", "supply", "weETH", "10", "--yes"),
    step("deposit", "deposit", "weETH", "20", "--yes"),
    step("borrow", "borrow", "weETH", "12", "--yes"),
    step("borrow dry run", "borrow", "weETH", "1", "--dry-run"),
    step("position", "position", "weETH"),
    step("repay", "repay", "weETH", "all", "--yes"),
    step("withdraw", "withdraw", "weETH", "all", "--yes"),
    step("redeem", "redeem", "weETH", "all", "--yes"),
    step("leverage", "leverage", "ezETH", "--deposit", "10", "--to", "3x", "--yes"),
    step("position", "position", "ezETH"),
    step("positions", "position"),
    step("leverage plan", "leverage", "ezETH", "--to", "3.5x", "--plan-out", "{tmp}/p.json"),
    step("apply", "apply", "{tmp}/p.json", "--yes"),
    step("deleverage", "deleverage", "ezETH", "--to", "1.5x", "--yes"),
    step("deleverage close", "deleverage", "ezETH", "--close", "--yes"),
    step("validators summary", "validators", "summary", "--lrt", "weETH"),
    step("validators show", "validators", "show", "0", "1"),
    step("devnet slash", "devnet", "slash", "--lrt", "weETH", "--count", "3"),
    step("devnet advance", "devnet", "advance", "--epochs", "3"),
    step("deposit", "deposit", "weETH", "10", "--yes"),
    step("borrow", "borrow", "weETH", "6", "--yes"),
    step("devnet slash", "devnet", "slash", "--lrt", "weETH", "--count", "40"),
    step("devnet advance", "devnet", "advance", "--epochs", "8"),
    step("risk", "risk", "--lrt", "weETH"),
    step("oracle show", "oracle", "show", "weETH"),
    step("oracle update", "oracle", "update", "weETH", "--dry-run"),
    step("prove", "prove", "--lrt", "weETH", "--out", "{tmp}/weETH"),
    step("verify", "verify", "{tmp}/weETH"),
    step("submit", "submit", "{tmp}/weETH", "--market", "weETH", "--yes"),
    step("position", "position", "weETH"),
    step("tx list", "tx", "list"),
    step("tx status", "tx", "status", "{last_tx}"),
    step("tx status", "tx", "status", "{last_tx_prefix}"),  # a unique prefix is enough
    step("repay", "repay", "weETH", "all", "--yes"),
    step("withdraw", "withdraw", "weETH", "all", "--yes"),
    step("watch", "watch", "--lrt", "weETH", "--once", codes=(0, 6)),
    step("deposit", "deposit", "weETH", "20", "--yes"),
    step("borrow", "borrow", "weETH", "12", "--yes"),
    step("vaults", "vaults", "weETH"),
    step("vaults unsafe", "vaults", "weETH", "--unsafe"),
    step("liquidate", "liquidate", "weETH", "dev", "--yes", codes=(3,)),
    step("restaking", "restaking", "--lrt", "ezETH"),
    step("watch", "watch", "--restaking", "ezETH", "--once", codes=(0, 6)),
    step(
        "devnet avs-slash",
        *("devnet", "avs-slash", "--avs", "avs-a", "--set", "0", "--operator", "op-1"),
        *("--wad", "0.05"),
    ),
    step("restaking", "restaking", "--lrt", "ezETH"),
    step("watch", "watch", "--restaking", "ezETH", "--once", codes=(0, 6)),
)


def last_tx() -> str:
    """The newest journaled transaction of the account on the devnet (through the API)."""
    from ion_cli.api import Ion

    return Ion().transactions()[0].hash


def resolve(args: tuple[str, ...], tmp: str) -> list[str]:
    out = []
    for arg in args:
        if arg == "{last_tx}":
            arg = last_tx()
        elif arg == "{last_tx_prefix}":
            arg = last_tx()[:12]
        out.append(arg.replace("{tmp}", tmp))
    return out
