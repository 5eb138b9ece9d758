"""`ion guard`: automatic protection of a vault. `add` a guard (one trigger, its action and its
bounds), `list`, `remove ID`, `history`, and `run` them (long-lived, or `--once` for cron).
Parse, call `ion_cli.api`, render.

`ion guard run` prints one line per event (--json: one JSON document per line, schema
`ion.guard.run/1`); --exec runs a command per alert (an action taken, refused or failed) with the
event in its environment, split once with shell rules from what was typed, never through a
shell. --once exits 6 when an alert fired, 4 when a node could not be read, 0 otherwise.
"""

# No `from __future__ import annotations`: typer reads these annotations at run time.

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands._write_options import MarketArg
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from ion_cli.api.guards import Guard

EXIT_ALERT = 6

app = typer.Typer(
    help="Guards: automatic repay, boost, stop-loss and take-profit on your vault.",
    no_args_is_help=True,
)


def _opt(flag: str, help: str) -> Any:
    return typer.Option(flag, help=help, show_default=False)


@command(app, "add")
def add(
    market: MarketArg,
    repay_below: Annotated[
        str | None,
        _opt("--repay-below", "Health under which to deleverage to --to (a health, or Nx)."),
    ] = None,
    boost_above: Annotated[
        str | None, _opt("--boost-above", "Health over which to lever up to --to.")
    ] = None,
    close_below_rate: Annotated[
        str | None,
        _opt("--close-below-rate", "Reserve rate under which to close the vault (stop-loss)."),
    ] = None,
    take_profit: Annotated[
        str | None,
        _opt("--take-profit", "Reserve rate at or over which to close (or deleverage to --to Nx)."),
    ] = None,
    deleverage_on_slashing: Annotated[
        str | None,
        _opt(
            "--deleverage-on-slashing",
            "Deleverage to --to when the LRT's validators lose more than this share (1%) of "
            "their effective balance to slashings or penalties (finalized epochs; before any "
            "risk proof moves the rate).",
        ),
    ] = None,
    deleverage_on_avs_slashing: Annotated[
        str | None,
        _opt(
            "--deleverage-on-avs-slashing",
            "Deleverage to --to when an AVS slashes an operator of the LRT and it loses more "
            "than this share (0.5%; 0%: any) of its restaked ETH.",
        ),
    ] = None,
    deleverage_on_score: Annotated[
        str | None,
        _opt(
            "--deleverage-on-score",
            "Deleverage to --to when a risk score implies the vault's health under this (1.2); "
            "a pending score only once checked as `ion challenge` does.",
        ),
    ] = None,
    to: Annotated[str | None, _opt("--to", "Target: a health (1.6) or a leverage (2x).")] = None,
    address: Annotated[
        str | None, _opt("--address", "The vault's owner (default: the account).")
    ] = None,
    max_per_action: Annotated[
        str | None, _opt("--max-per-action", "Most base asset one action may move.")
    ] = None,
    max_per_day: Annotated[
        str | None,
        _opt("--max-per-day", "Most base asset the guard may move per day (block time)."),
    ] = None,
    max_slippage: Annotated[
        str, typer.Option("--max-slippage", help="Slippage bound of its trades.")
    ] = "0.5%",
    cooldown: Annotated[
        str, typer.Option("--cooldown", help="Wait after an action (block time): 30m, 1h.")
    ] = "0",
    *,
    opts: GlobalOptions,
) -> None:
    """Add a guard: a trigger, its action and its bounds."""
    chosen = {
        kind: value
        for kind, value in (
            ("repay_below", repay_below),
            ("boost_above", boost_above),
            ("close_below_rate", close_below_rate),
            ("take_profit", take_profit),
            ("slashing", deleverage_on_slashing),
            ("avs_slashing", deleverage_on_avs_slashing),
            ("score", deleverage_on_score),
        )
        if value is not None
    }
    if len(chosen) != 1:
        raise UsageError(
            "give one trigger: --repay-below, --boost-above, --close-below-rate, "
            "--take-profit, --deleverage-on-slashing, --deleverage-on-avs-slashing or "
            "--deleverage-on-score"
        )
    ((kind, value),) = chosen.items()
    guard = opts.api().guards.add(
        market,
        trigger=kind,
        value=value,
        to=to,
        address=address,
        max_per_action=max_per_action,
        max_per_day=max_per_day,
        max_slippage=max_slippage,
        cooldown=cooldown,
    )
    said = "would add (dry run: nothing stored)" if opts.dry_run else "added"
    opts.output.result(guard, lambda console: console.print(f"{said} guard {_line(guard)}"))


@command(app, "list")
def list_(
    address: Annotated[
        str | None, _opt("--address", "Whose guards (default: the account's).")
    ] = None,
    *,
    opts: GlobalOptions,
) -> None:
    """The account's guards on this chain."""
    guards = opts.api().guards.list(address)

    def render(console: Any) -> None:
        if not guards:
            console.print("no guards for this account on this chain (ion guard add)")
        for guard in guards:
            console.print(_line(guard))

    opts.output.result({"guards": guards}, render)


@command(app, "remove")
def remove(
    guard_id: Annotated[str, typer.Argument(help="The guard's id (ion guard list).")],
    *,
    opts: GlobalOptions,
) -> None:
    """Remove a guard (its history is kept)."""
    guard = opts.api().guards.remove(_guard_id(guard_id))
    said = "would remove (dry run)" if opts.dry_run else "removed"
    opts.output.result(guard, lambda console: console.print(f"{said} guard {_line(guard)}"))


@command(app, "history")
def history(
    guard_id: Annotated[
        str | None, typer.Argument(help="One guard's id (default: every guard's).")
    ] = None,
    *,
    opts: GlobalOptions,
) -> None:
    """What the account's guards did: actions, refusals, failures."""
    rows = opts.api().guards.history(None if guard_id is None else _guard_id(guard_id))

    def render(console: Any) -> None:
        from ion_cli.render import readable

        if not rows:
            console.print("nothing yet")
        for row in rows:
            block = f"block {row.block} " if row.block is not None else ""
            console.print(
                f"#{row.guard_id} {row.episode} {row.kind}: {block}{readable(row.message)}"
            )

    opts.output.result({"history": rows}, render)


@command(app, "run", signing=True)
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Evaluate and act once, then exit (for cron).")
    ] = False,
    exec_: Annotated[
        str | None,
        _opt("--exec", "Command run per alert, the event in its environment (ION_EVENT)."),
    ] = None,
    interval: Annotated[
        str, typer.Option("--interval", help="Poll interval (12s, 1m): the longest wait.")
    ] = "12s",
    cross_check: Annotated[
        list[str] | None,
        _opt("--cross-check", "Another execution node's RPC URL that must agree (repeatable)."),
    ] = None,
    beacon_url: Annotated[
        list[str] | None,
        _opt("--beacon-url", "Beacon node API URL (repeat for failover)."),
    ] = None,
    guard: Annotated[list[str] | None, _opt("--guard", "Run only this guard (repeatable).")] = None,
    *,
    opts: GlobalOptions,
) -> None:
    """Run the account's guards: evaluate each new block and epoch, act once per episode."""
    import shlex

    from ion_cli.api.guards import GuardRunConfig
    from ion_cli.api.watch import parse_duration
    from ion_cli.commands.watch import _run_exec
    from ion_cli.inputs import check_url

    argv: list[str] | None = None
    if exec_ is not None:
        try:
            argv = shlex.split(exec_)
        except ValueError as exc:
            raise UsageError(f"--exec: {exc}") from None
        if not argv:
            raise UsageError("--exec: the command is empty")
    for url in cross_check or ():
        check_url(url, "--cross-check")
    for url in beacon_url or ():
        for part in url.split(","):
            check_url(part, "--beacon-url")
    config = GuardRunConfig(
        once=once,
        interval=parse_duration(interval, "--interval"),
        beacon_urls=tuple(beacon_url or ()),
        cross_check=tuple(cross_check or ()),
        guard_ids=tuple(_guard_id(g) for g in guard or ()),
    )
    runner = opts.api().guard_runner(config, dry_run=opts.dry_run)
    alerts = 0
    try:
        for event in runner.run():
            _show(opts, event)
            if event.alert:
                alerts += 1
                if argv is not None:
                    _run_exec(opts, argv, event, "guard.run")
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if once:
        if alerts:
            raise typer.Exit(EXIT_ALERT)
        if runner.outage:
            raise typer.Exit(ExitCode.NODE)


def _show(opts: GlobalOptions, event: Any) -> None:
    import sys

    if opts.json:
        from ion_cli.json_contract import dumps

        sys.stdout.write(dumps(event, "guard.run", indent=None) + "\n")
        sys.stdout.flush()
        return
    from ion_cli.render import readable

    style = "bold red" if event.alert else ""
    prefix = "ALERT " if event.alert else ""
    opts.output.out.print(f"{prefix}{readable(event.message)}", style=style, markup=False)


def _guard_id(text: str) -> int:
    raw = text.strip()
    if not raw.isascii() or not raw.isdigit() or int(raw) <= 0 or len(raw) > 18:
        raise UsageError(f"invalid guard id {text!r}: a number from `ion guard list`")
    return int(raw)


def _line(guard: "Guard") -> str:
    from ion_cli.render import readable

    t, b = guard.trigger, guard.bounds
    params = " ".join(f"{k}={v}" for k, v in sorted(t.params.items()))
    bounds = ", ".join(
        part
        for part in (
            b.max_per_action is not None and f"max/action {_wad(b.max_per_action)}",
            b.max_per_day is not None and f"max/day {_wad(b.max_per_day)}",
            f"slippage {_ray(b.max_slippage)}",
            b.cooldown_s and f"cooldown {b.cooldown_s}s",
        )
        if part
    )
    return readable(
        f"#{guard.id} {guard.market} of {guard.address}: when {t.kind} {params}, "
        f"{guard.action.describe()} ({bounds})"
    )


def _wad(value: int) -> str:
    from ion_cli.amounts import format_amount

    return format_amount(value)


def _ray(value: int) -> str:
    from ion_cli.amounts import format_amount

    return format_amount(value, 27)
