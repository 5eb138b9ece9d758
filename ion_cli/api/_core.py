"""The core of `Ion`: the session, the write options, the journaled guard every write runs
under. The concerns (reads, writes, proofs, transactions, watch) are mixins over it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self

from ion_cli.accounts.sources import Sources
from ion_cli.chain.observer import Observer, combine
from ion_cli.config import Config
from ion_cli.flows.session import Session

if TYPE_CHECKING:
    from ion_cli.flows.writes import WriteOptions
    from ion_cli.results import WriteResult

Confirm = Callable[[str], bool]

__all__ = ["Confirm", "IonCore", "Session"]


class _Warnings(Observer):
    """Collects warnings for `Ion.warnings` (and forwards nothing: the API prints nothing)."""

    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    def on_warning(self, message: str) -> None:
        self.sink.append(message)


class IonCore:
    """One network, one account. `network` is a profile name (devnet, mainnet or one from the
    config file; default: the config's `default_network`), `rpc_url` overrides the profile's,
    `account` names an account of `ion account list` (on the devnet, default: `dev`).
    `password` (or `password_file`) unlocks a keystore account. `confirm` and `observer` apply
    to every write unless a write passes its own."""

    # The handler deadline of a leverage or deleverage given none: minutes for a write signed
    # now, a day for a Safe batch its owners sign later (`Ion.unsigned`).
    default_deadline: str = "10m"

    def __init__(
        self,
        network: str | None = None,
        rpc_url: str | None = None,
        account: str | None = None,
        password: str | None = None,
        *,
        password_file: Path | None = None,
        config: Config | None = None,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
        confirmations: int = 1,
        timeout: float = 120.0,
    ) -> None:
        self.warnings: list[str] = []  # warnings met so far (a broken adapter, a read-back...)
        if config is None:
            from ion_cli.config import load_config

            config = load_config(warn=self.warnings.append)
        self.session = Session(
            network=network,
            rpc_url=rpc_url,
            account_name=account,
            password_file=password_file,
            config=config,
            warn=self._warn,
            password=password,
            # ION_PASSWORD and friends, read once here; never a terminal prompt
            account_sources=Sources(environ=dict(os.environ)),
        )
        self.confirm = confirm
        self.observer = observer
        self.confirmations = confirmations
        self.timeout = timeout
        self.yes: bool | None = None  # None: send unless a confirm callback says no
        self.dry_run = False  # True: every write only simulates (the CLI's --dry-run)

    @classmethod
    def from_session(
        cls,
        session: Session,
        *,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
        confirmations: int = 1,
        timeout: float = 120.0,
        yes: bool | None = None,
        dry_run: bool = False,
    ) -> Self:
        """An API on a session already built (the CLI builds one from its options; its `yes`
        is --yes: without it, `confirm` is asked)."""
        ion = cls.__new__(cls)
        ion.yes = yes
        ion.dry_run = dry_run
        ion.warnings = []
        ion.session = session
        ion.confirm = confirm
        ion.observer = observer
        ion.confirmations = confirmations
        ion.timeout = timeout
        return ion

    @classmethod
    def open(
        cls,
        *,
        network: str | None,
        rpc_url: str | None,
        account: str | None,
        password_file: Path | None,
        config: Config,
        account_sources: Sources,
        confirm: Confirm | None,
        observer: Observer | None,
        confirmations: int,
        timeout: float,
        yes: bool,
        dry_run: bool,
    ) -> Self:
        """The API as the CLI opens it: from its options (config read once by the caller,
        the terminal's account sources), warnings to `observer`, writes asking `confirm`
        unless `yes`."""
        holder: list[IonCore] = []

        def warn(message: str) -> None:
            holder[0]._warn(message)

        session = Session(
            network=network,
            rpc_url=rpc_url,
            account_name=account,
            password_file=password_file,
            config=config,
            warn=warn,
            account_sources=account_sources,
        )
        ion = cls.from_session(
            session,
            confirm=confirm,
            observer=observer,
            confirmations=confirmations,
            timeout=timeout,
            yes=yes,
            dry_run=dry_run,
        )
        holder.append(ion)
        return ion

    @property
    def is_devnet(self) -> bool:
        return self.session.is_devnet

    def target_names(self) -> dict[str, tuple[str, str]]:
        """The network profile's contracts: address -> (label, interface), to name call targets
        in previews."""
        from ion_cli.flows.targets import target_names

        return dict(target_names(self.session.profile))

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.observer is not None:
            self.observer.on_warning(message)

    def _options(
        self,
        dry_run: bool,
        confirm: Confirm | None,
        observer: Observer | None,
        *,
        approve_max: bool = False,
        force: bool = False,
    ) -> WriteOptions:
        from ion_cli.flows.writes import WriteOptions

        confirm = confirm or self.confirm
        return WriteOptions(
            observer=combine(_Warnings(self.warnings), observer or self.observer),
            confirm=confirm,
            # Calling a write is the decision to send, unless a confirm callback is to decide.
            yes=self.yes if self.yes is not None else confirm is None,
            dry_run=dry_run or self.dry_run,
            approve_max=approve_max,
            force=force,
            confirmations=self.confirmations,
            timeout=self.timeout,
        )

    def _guarded(
        self,
        action: str,
        market: str,
        amount: int | None,
        options: WriteOptions,
        run: Callable[[WriteOptions], WriteResult],
        *,
        settles_gem: bool = False,
    ) -> WriteResult:
        """Every write runs under the account's lock with the transaction journal (see
        ion_cli.flows.tx): an interrupted run of the same write is finished, not repeated."""
        from ion_cli.flows.tx import guarded_write

        return projected(
            guarded_write(
                self.session,
                options,
                intent=f"{action} {market.strip().lower()} {'all' if amount is None else amount}",
                market=market,
                explicit_network=self.session.network is not None,
                run_flow=run,
                settles_gem=settles_gem,
            )
        )


def projected(result: WriteResult) -> WriteResult:
    """A dry run's `position` is the position the plan would leave (as previewed), not the one
    before it; a write that was sent keeps the position read back."""
    from dataclasses import replace

    after = result.projected_position
    if result.dry_run and after is not None:
        return replace(result, position=after)
    return result
