"""`ion watch`: alerts from the consensus layer (slashings, balance drops) and from positions
(health, liquidatable vaults, reserve rate, risk-proof age). Thin: parse, run the flow, render.

People get a live view (the latest events, alerts in red, and a status line); --json prints one
JSON line per event (for log pipelines). --exec runs a command per alert with the event in its
environment; the command line is split once, with shlex, from what the user typed: nothing from
the chain ever reaches a shell. --once evaluates once and exits 6 if an alert fired or a condition
holds (4 if a node could not be read, 0 otherwise): conditions exit 6 on every run while they
hold, events only on the run that first sees them.
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command
from ion_cli.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from ion_cli.api.watch import WatchEvent

EXEC_TIMEOUT_S = 60.0


def register(app: typer.Typer) -> None:
    @command(app, "watch", rich_help_panel="Keep")
    def watch(
        market: Annotated[
            list[str] | None,
            typer.Option(
                "--market",
                help="Market to watch (repeatable); without --address: its vaults that become "
                "liquidatable.",
                show_default=False,
            ),
        ] = None,
        address: Annotated[
            list[str] | None,
            typer.Option(
                "--address",
                help="Vault owner (address or account name) whose health to watch (repeatable).",
                show_default=False,
            ),
        ] = None,
        min_health: Annotated[
            str, typer.Option("--min-health", help="Alert when a watched vault's health is under.")
        ] = "1.2",
        lrt: Annotated[
            list[str] | None,
            typer.Option(
                "--lrt",
                help="LRT whose validators to watch (repeatable; default: the markets' LRTs).",
                show_default=False,
            ),
        ] = None,
        restaking: Annotated[
            list[str] | None,
            typer.Option(
                "--restaking",
                help="LRT whose EigenLayer operators to watch: AVS slashes, allocation rises, "
                "pod slashing factors (repeatable).",
                show_default=False,
            ),
        ] = None,
        interval: Annotated[
            str, typer.Option("--interval", help="Poll interval (12s, 1m): the longest wait.")
        ] = "12s",
        once: Annotated[
            bool,
            typer.Option(
                "--once",
                help="Evaluate once and exit (6 while an alert or condition holds; for cron).",
            ),
        ] = False,
        exec_: Annotated[
            str | None,
            typer.Option(
                "--exec",
                help="Command run per alert, the event in its environment (ION_EVENT: JSON).",
                show_default=False,
            ),
        ] = None,
        max_proof_age: Annotated[
            str,
            typer.Option(
                "--max-proof-age",
                help="Alert when the latest accepted risk proof is older (markets with a feed); "
                "`off` to skip.",
            ),
        ] = "1d",
        challenge: Annotated[
            bool,
            typer.Option(
                "--challenge",
                help="Send the fraud proof of a false pending risk submission (signs; the "
                "alert fires either way).",
            ),
        ] = False,
        tree: Annotated[
            list[Path] | None,
            typer.Option(
                "--tree",
                help="A submitter's published tree file, or a folder of them (repeatable).",
                show_default=False,
            ),
        ] = None,
        beacon_url: Annotated[
            list[str] | None,
            typer.Option(
                "--beacon-url",
                help="Beacon node API URL; repeat for failover (else ION_BEACON_URL; the "
                "profile's beacon_urls; the devnet's server).",
                show_default=False,
            ),
        ] = None,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Watch validators and positions; alert on slashings, balance drops, low health,
        liquidatable vaults and stale risk proofs."""
        import shlex

        from ion_cli.api.watch import WatchConfig, parse_duration

        try:
            if not min_health.strip().isascii():  # Decimal() takes any Unicode digit
                raise InvalidOperation
            health = Decimal(min_health)
        except InvalidOperation:
            raise UsageError(f"--min-health: {min_health!r} is not a number") from None
        if not health.is_finite() or health <= 0:
            raise UsageError("--min-health must be a positive number")
        from ion_cli.inputs import check_url

        for url in beacon_url or ():  # bad input now, not a node "down" on every cycle
            for part in url.split(","):
                check_url(part, "--beacon-url")
        argv: list[str] | None = None
        if exec_ is not None:
            try:
                argv = shlex.split(exec_)
            except ValueError as exc:
                raise UsageError(f"--exec: {exc}") from None
            if not argv:
                raise UsageError("--exec: the command is empty")
        age = (
            None
            if max_proof_age.strip().lower() == "off"
            else int(parse_duration(max_proof_age, "--max-proof-age"))
        )
        config = WatchConfig(
            markets=tuple(market or ()),
            addresses=tuple(address or ()),
            lrts=tuple(lrt or ()),
            min_health=health,
            interval=parse_duration(interval, "--interval"),
            max_proof_age=age,
            once=once,
            beacon_urls=tuple(beacon_url or ()),
            restaking=tuple(restaking or ()),
            challenge=challenge,
            trees=tuple(str(t) for t in tree or ()),
        )
        watcher = opts.api().watcher(config)
        view = _View(opts)
        alerts = 0
        try:
            for event in watcher.run():
                view.show(event, watcher)
                if event.alert:
                    alerts += 1
                    if argv is not None:
                        _run_exec(opts, argv, event)
        except KeyboardInterrupt:
            view.stop()
            raise typer.Exit(130) from None
        view.stop()
        if once:
            if alerts:
                raise typer.Exit(6)
            if watcher.outage:
                raise typer.Exit(ExitCode.NODE)


def _run_exec(
    opts: GlobalOptions, argv: list[str], event: WatchEvent, schema: str = "watch"
) -> None:
    """Run the user's command for one alert: argv as the user split it, the event in the
    environment; a failure is a warning, never the end of the watch (or guard run: `schema`
    names its document)."""
    import os
    import subprocess

    from ion_cli.json_contract import dumps

    # ION_EVENT is the --json line itself (one serializer, one schema)
    env = {**os.environ, **event.environ(), "ION_EVENT": dumps(event, schema, indent=None)}
    try:
        done = subprocess.run(
            argv, env=env, stdin=subprocess.DEVNULL, timeout=EXEC_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        opts.output.warn(f"--exec {argv[0]}: {exc}")
        return
    if done.returncode != 0:
        opts.output.warn(f"--exec {argv[0]} exited {done.returncode}")


class _View:
    """--json: one line per event on stdout. People: a live view on a terminal (the latest
    events and a status line), plain lines otherwise."""

    KEEP = 15

    def __init__(self, opts: GlobalOptions) -> None:
        self.opts = opts
        self.lines: list[Any] = []
        self.live: Any = None
        self.status = ""

    def show(self, event: WatchEvent, watcher: Any) -> None:
        if self.opts.json:
            from ion_cli.json_contract import dumps

            sys.stdout.write(dumps(event, "watch", indent=None) + "\n")
            sys.stdout.flush()
            return
        from rich.text import Text

        from ion_cli.render import readable

        stamp = _clock(event.time)
        style = "bold red" if event.alert else ("yellow" if "node" in event.kind else "")
        message = readable(event.message)  # at most 6 decimals; --json keeps the event exact
        line = Text(f"{stamp} {'ALERT ' if event.alert else ''}{message}", style=style)
        state = watcher.state
        self.status = (
            f"epoch {state.last_epoch if state.last_epoch >= 0 else '-'} · block "
            f"{state.last_block if state.last_block >= 0 else '-'} · "
            f"{len(state.active)} active alert(s)" + (" · node down" if watcher.outage else "")
        )
        console = self.opts.output.out
        if not console.is_terminal:
            console.print(line)
            return
        self.lines = [*self.lines, line][-self.KEEP :]
        if self.live is None:
            from rich.live import Live

            self.live = Live(self._render(), console=console, auto_refresh=False)
            self.live.start()
        self.live.update(self._render(), refresh=True)

    def _render(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        return Group(*self.lines, Text(self.status, style="dim"))

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def _clock(stamp: int) -> str:
    import time

    return time.strftime("%H:%M:%S", time.localtime(stamp))
