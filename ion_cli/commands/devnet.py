"""`ion devnet up|down|status|reset|advance|slash|penalize`: a local anvil chain with the
reference Ion deployment, and a beacon API server over a synthetic validator set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from ion_cli.commands._numbers import ascii_int
from ion_cli.commands._write_options import _markets
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.errors import DevnetNotRunning, RefusedError

app = typer.Typer(
    help="A local devnet: anvil with Ion's four markets, stand-in LRTs and swap venues.",
    no_args_is_help=True,
)


def _register_restaking() -> None:
    from ion_cli.commands import devnet_restaking  # avs-slash, allocate (their own module)

    devnet_restaking.register(app)
    from ion_cli.commands import devnet_safe  # safe (its own module)

    devnet_safe.register(app)


PortOption = Annotated[
    int | None,
    typer.Option(
        "--port",
        parser=ascii_int(1, 65535),
        help="Port for anvil (default: the last one, or any).",
    ),
]


@contextmanager
def _spinner(opts: GlobalOptions, first: str) -> Iterator[Callable[[str], None]]:
    """A status line on stderr; the service reports its phases through the callback."""
    with opts.output.err.status(first) as status:

        def say(message: str) -> None:
            status.update(message)

        yield say


ForkUrlOption = Annotated[
    str | None,
    typer.Option(
        "--fork-url",
        help="Fork this chain instead (anvil --fork-url): nothing is deployed, the profile "
        "follows the chain id (1: mainnet's addresses).",
    ),
]
ForkBlockOption = Annotated[
    int | None,
    typer.Option(
        "--fork-block",
        parser=ascii_int(0, 2**63 - 1),
        help="Fork at this block (default: the latest).",
    ),
]


@command(app, "up")
def up(
    port: PortOption = None,
    fork_url: ForkUrlOption = None,
    fork_block: ForkBlockOption = None,
    *,
    opts: GlobalOptions,
) -> None:
    """Start the devnet (or reuse the running one) and deploy Ion when the chain lacks it;
    with --fork-url, fork a chain instead and fund the dev account on it."""
    from ion_cli.devnet import service

    if fork_url is not None:
        from ion_cli.inputs import check_url

        check_url(fork_url, "--fork-url")
    if opts.dry_run:
        current = service.status()
        if current.running:
            would = f"the devnet runs at {current.rpc_url}: nothing would change"
        elif fork_url:
            would = "would start anvil forking the given chain and fund the dev account"
        else:
            would = "would start anvil and deploy Ion if the chain lacks it"
        _dry(opts, {"dry_run": True, "running": current.running, "would": would})
        return
    with _spinner(opts, "starting the devnet") as say:
        result = service.up(port=port, progress=say, fork_url=fork_url, fork_block=fork_block)
    for note in result.notes:
        opts.output.warn(note)
    # No journal is set aside: journals are keyed by the chain's identity (chain id and genesis
    # hash, unique per devnet start: ion_cli.devnet.node.SALT_FILE), so a new chain gets a new
    # journal and another devnet's is never touched.
    opts.output.result(result.to_json(), lambda console: _render_up(console, result))


@command(app, "down")
def down(*, opts: GlobalOptions) -> None:
    """Stop the devnet; its chain state is kept for the next `up`."""
    from ion_cli.devnet import service

    if opts.dry_run:
        current = service.status()
        would = f"would stop anvil (pid {current.pid})" if current.running else "nothing runs"
        _dry(opts, {"dry_run": True, "running": current.running, "would": would})
        return
    stopped = service.down()
    data = {"stopped": stopped is not None, "pid": stopped.pid if stopped else None}
    # (the beacon API server stops with the node)
    opts.output.result(
        data,
        lambda console: console.print(
            f"stopped anvil (pid {stopped.pid}); state kept" if stopped else "devnet not running"
        ),
    )


@command(app, "status")
def status(*, opts: GlobalOptions) -> None:
    """Show whether the devnet runs, where, at which block, and its contract addresses."""
    from ion_cli.devnet import service

    current = service.status()
    if current.running or opts.json:  # scripts get the document either way; people one line
        opts.output.result(current.to_json(), lambda console: _render_status(console, current))
    if not current.running:
        raise DevnetNotRunning(current.note or "the devnet is not running: run `ion devnet up`")


@command(app, "reset")
def reset(port: PortOption = None, *, opts: GlobalOptions) -> None:
    """Stop the devnet, delete its state and deployment, start clean and redeploy (asks first
    unless --yes; refuses without a terminal)."""
    from ion_cli.devnet import service

    plan = service.reset_plan()
    deleted = ", ".join(plan["would_delete"]) or "no state files"
    if opts.dry_run:
        _dry(
            opts,
            {
                **plan,
                "dry_run": True,
                "would": f"would stop the devnet, delete {deleted}, redeploy",
            },
        )
        return
    if not opts.yes:
        from ion_cli.commands._observer import terminal_confirm

        try:
            agreed = terminal_confirm(f"Delete the devnet's state ({deleted}) and redeploy?")
        except RefusedError:
            raise RefusedError(
                "refusing to reset the devnet without confirmation: pass --yes"
            ) from None
        if not agreed:
            raise RefusedError("not confirmed: the devnet was left as it is")
    with _spinner(opts, "resetting the devnet") as say:
        result = service.reset(port=port, progress=say)
    opts.output.result(result.to_json(), lambda console: _render_up(console, result))


LrtOption = Annotated[
    str,
    typer.Option(
        "--lrt",
        help="The token whose validators are hit (weETH, ezETH, rsETH, rswETH).",
        autocompletion=lambda: _markets(),
    ),
]


@command(app, "advance")
def advance(
    epochs: Annotated[
        int,
        typer.Option(
            "--epochs",
            parser=ascii_int(1, 1_000_000),
            help="Epochs to move (32 slots of 12 s each).",
        ),
    ] = 1,
    *,
    opts: GlobalOptions,
) -> None:
    """Move the devnet's clock: anvil jumps and mines a block; the beacon head and finality
    follow (finality trails the head by two epochs)."""
    from ion_cli import consensus_rules as cr
    from ion_cli.devnet import service

    if opts.dry_run:
        current = service.require_running()
        seconds = epochs * cr.SLOTS_PER_EPOCH * cr.SECONDS_PER_SLOT
        _dry(
            opts,
            {
                "dry_run": True,
                "epochs": epochs,
                "seconds": seconds,
                "block": current.block,
                "would": f"would move the clock {epochs} epoch(s) ({seconds} s) and mine a block "
                f"after block {current.block}",
            },
        )
        return
    result = service.advance(epochs)

    def render(console: Any) -> None:
        line = f"advanced {epochs} epoch(s) ({result.seconds} s) to block {result.block}"
        if result.beacon:
            b = result.beacon
            line += (
                f"; beacon head slot {b['head_slot']} (epoch {b['head_epoch']}), "
                f"finalized epoch {b['finalized_epoch']}"
            )
        console.print(line)

    opts.output.result(result.to_json(), render)


@command(app, "slash")
def slash(
    lrt: LrtOption,
    count: Annotated[
        int, typer.Option("--count", parser=ascii_int(1, 100_000), help="How many validators.")
    ] = 1,
    all_rows: Annotated[
        bool, typer.Option("--all", help="List every slashed validator (default: the first 10).")
    ] = False,
    *,
    opts: GlobalOptions,
) -> None:
    """Slash active validators of an LRT on the devnet's beacon chain (Electra rules: 1/4096 of
    the effective balance at once, exit, the correlation penalty 4096 epochs later)."""
    from ion_cli.devnet import service

    if opts.dry_run:
        plan = service.slash(lrt, count, dry_run=True)
        chosen = ", ".join(str(i) for i in plan["would_slash"][:20])
        more = " ..." if len(plan["would_slash"]) > 20 else ""
        _dry(
            opts,
            {
                **plan,
                "would": f"would slash {len(plan['would_slash'])} {plan['lrt']} validator(s) "
                f"after slot {plan['slot']}: {chosen}{more}",
            },
        )
        return
    result = _gwei_keys(service.slash(lrt, count))

    def render(console: Any) -> None:
        from collections import Counter

        from rich.table import Table

        rows = result["validators"]
        statuses = Counter(row["status"] for row in rows)
        console.print(
            f"slashed {len(rows)} {result['lrt']} validator(s) in the block at "
            f"slot {result['slot']} (epoch {result['epoch']}): "
            + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
        )
        shown = rows if all_rows else rows[:SHOWN_ROWS]
        table = Table(title_justify="left")
        for column in ("index", "penalty (Gwei)", "balance (Gwei)", "exit epoch", "status"):
            table.add_column(column, justify="right" if column != "status" else "left")
        for row in shown:
            table.add_row(
                str(row["index"]),
                f"{row['initial_penalty_gwei']:,}",
                f"{row['balance_gwei']:,}",
                str(row["exit_epoch"]),
                row["status"],
            )
        console.print(table)
        if len(shown) < len(rows):
            console.print(f"... and {len(rows) - len(shown)} more (--all lists them; --json too)")

    opts.output.result(result, render)


SHOWN_ROWS = 10  # long lists print counts and their first rows; --all prints every row

_GWEI = {"balance_before": "balance_before_gwei", "balance": "balance_gwei"}


def _gwei_keys(result: dict[str, Any]) -> dict[str, Any]:
    """The output contract's names: Gwei figures end in `_gwei` (as in `validators`)."""
    rows = []
    for row in result["validators"]:
        renamed = {_GWEI.get(k, k): v for k, v in row.items()}
        if "initial_penalty" in renamed:
            renamed["initial_penalty_gwei"] = renamed.pop("initial_penalty")
        rows.append(renamed)
    return {**result, "validators": rows}


@command(app, "penalize")
def penalize(
    lrt: LrtOption,
    gwei: Annotated[
        int,
        typer.Option(
            "--gwei",
            parser=ascii_int(1, 2048 * 10**9),
            help="Gwei taken from each validator (at most 2048 ETH).",
        ),
    ],
    *,
    opts: GlobalOptions,
) -> None:
    """Take GWEI from every active validator of an LRT (as an inactivity leak would)."""
    from ion_cli.devnet import service

    if opts.dry_run:
        plan = service.penalize(lrt, gwei, dry_run=True)
        _dry(
            opts,
            {
                **plan,
                "would": f"would take {gwei:,} Gwei from each of {plan['validators']} active "
                f"{plan['lrt']} validators (balance {plan['balance_before']:,} Gwei now)",
            },
        )
        return
    result = service.penalize(lrt, gwei)
    opts.output.result(
        result,
        lambda console: console.print(
            f"penalized {result['validators']} {result['lrt']} validators {gwei:,} Gwei each "
            f"at slot {result['slot']}: balance {result['balance_before']:,} -> "
            f"{result['balance']:,} Gwei"
        ),
    )


def _dry(opts: GlobalOptions, plan: dict[str, Any]) -> None:
    """--dry-run: what the command would do; nothing changed."""
    opts.output.result(plan, lambda console: console.print(f"dry run: {plan['would']}"))


def _markets_table(deployment: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title_justify="left")
    table.add_column("market")
    table.add_column("contract")
    table.add_column("address", no_wrap=True)  # full checksummed addresses, for copying
    for name, market in deployment.get("markets", {}).items():
        label = f"{name}/{market['base']}"
        for contract, key in (("IonPool", "pool"), ("GemJoin", "gem_join"), ("handler", "handler")):
            table.add_row(label, contract, market[key])
            label = ""
    return table


def _render_up(console: Any, result: Any) -> None:
    verb = "started" if result.started else "already running"
    what = "deployed" if result.deployed else "deployment reused"
    console.print(
        f"devnet {verb} at [bold]{result.rpc_url}[/bold] (chain id {result.chain_id}); "
        f"{what} in {result.seconds:.1f} s"
    )
    if result.beacon_url:
        console.print(f"beacon API: [bold]{result.beacon_url}[/bold]")
    console.print(f"dev account: {result.deployment.dev_account} (ion account name `dev`)")
    console.print(_markets_table(result.deployment.to_json()))


def _render_status(console: Any, current: Any) -> None:
    console.print(
        f"devnet running at [bold]{current.rpc_url}[/bold] (chain id {current.chain_id}, "
        f"block {current.block}, pid {current.pid})"
    )
    if current.beacon_url:
        console.print(f"beacon API at [bold]{current.beacon_url}[/bold] (pid {current.beacon_pid})")
    if current.deployment and current.deployed:
        console.print(_markets_table(current.deployment))
    if current.note:
        console.print(f"[yellow]{current.note}[/yellow]")


_register_restaking()
