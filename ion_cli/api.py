"""The Python API: what the `ion` commands do, for scripts and strategies.

    from ion_cli.api import Ion

    ion = Ion(network="devnet")                       # the devnet's funded `dev` account
    for market in ion.markets():
        print(market.market, market.borrow_apr)
    ion.deposit("weETH", "20")
    result = ion.borrow("weETH", "10")                # a WriteResult
    print(result.tx_hashes, result.position.health)

Reads return typed results (`ion_cli.results`: `Market`, `Position`, `LenderPosition`;
`ion.restaking("ezETH")` an `ion_cli.restaking_results.RestakingExposure`); writes
return a `WriteResult` (the plan, every step sent, the position read back). Nothing is printed
and nothing is asked on a terminal: failures raise the `ion_cli.errors` exceptions (`UsageError`
for bad input, `RefusedError` for an unsafe or refused action, `NodeError`, `TransactionReverted`;
a plan that fails after it started sending raises a `PlanFailed` whose `.result` holds every hash
sent). Calling a write is the decision to send it: pass `confirm` (a callback answering the
pipeline's question) to decide per plan, and `observer` (an `ion_cli.chain.observer.Observer`)
to follow every stage, e.g. to journal each signed transaction before it is broadcast.

The config file and the environment are read once, when `Ion` is made (or pass `config`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.accounts.sources import Sources
from ion_cli.amounts import ALL, parse_amount
from ion_cli.api_challenge import ChallengeMethods  # issue 23's client: challenge, finalize
from ion_cli.chain.observer import Observer, combine
from ion_cli.config import Config
from ion_cli.errors import UsageError
from ion_cli.flows.session import Session

if TYPE_CHECKING:
    from ion_cli.flows.vaults import VaultList
    from ion_cli.flows.writes import WriteOptions
    from ion_cli.restaking_results import RestakingExposure
    from ion_cli.results import Market, OracleUpdateResult, Position, SubmitResult, WriteResult

Amount = str | int | Decimal
Confirm = Callable[[str], bool]

__all__ = ["Amount", "Ion"]


class _Warnings(Observer):
    """Collects warnings for `Ion.warnings` (and forwards nothing: the API prints nothing)."""

    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    def on_warning(self, message: str) -> None:
        self.sink.append(message)


class Ion(ChallengeMethods):
    """One network, one account. `network` is a profile name (devnet, mainnet or one from the
    config file; default: the config's `default_network`), `rpc_url` overrides the profile's,
    `account` names an account of `ion account list` (on the devnet, default: `dev`).
    `password` (or `password_file`) unlocks a keystore account. `confirm` and `observer` apply
    to every write unless a write passes its own."""

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
    ) -> Ion:
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

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.observer is not None:
            self.observer.on_warning(message)

    # ---- reads -------------------------------------------------------------------------------

    @property
    def network(self) -> str:
        """The network profile's name (resolved from the config on first use)."""
        return self.session.profile.name

    def markets(self) -> list[Market]:
        """Every market of the network that an installed adapter enables, read at one block."""
        from ion_cli.flows.markets import market_rows

        return market_rows(self.session)

    def position(self, market: str, address: str | None = None) -> Position:
        """The vault of `address` (an address or an account name; default: the account) in
        `market`, with its lender balance there."""
        from ion_cli.flows.position import positions

        return positions(self.session, market, address)[0]

    def positions(self, address: str | None = None) -> list[Position]:
        """Every market where `address` has collateral, debt or supply."""
        from ion_cli.flows.position import positions

        return positions(self.session, None, address)

    # ---- writes ------------------------------------------------------------------------------

    def supply(
        self,
        market: str,
        amount: Amount,
        *,
        approve_max: bool = False,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Supply `amount` of the market's base asset (earns the supply rate)."""
        from ion_cli.flows import lend

        options = self._options(dry_run, confirm, observer, approve_max=approve_max)
        value = _amount(amount)
        return self._guarded(
            "supply", market, value, options, lambda o: lend.supply(self.session, market, value, o)
        )

    def redeem(
        self,
        market: str,
        amount: Amount | None = None,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Withdraw supplied base asset; `None` (or "all") redeems the whole lender balance."""
        from ion_cli.flows import lend

        options = self._options(dry_run, confirm, observer)
        value = _amount_or_all(amount)
        return self._guarded(
            "redeem", market, value, options, lambda o: lend.redeem(self.session, market, value, o)
        )

    def deposit(
        self,
        market: str,
        amount: Amount,
        *,
        approve_max: bool = False,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Deposit `amount` of the market's LRT collateral into the vault."""
        from ion_cli.flows import vault

        options = self._options(dry_run, confirm, observer, approve_max=approve_max)
        value = _amount(amount)
        return self._guarded(
            "deposit",
            market,
            value,
            options,
            lambda o: vault.deposit(self.session, market, value, o),
        )

    def borrow(
        self,
        market: str,
        amount: Amount,
        *,
        force: bool = False,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Borrow at least `amount` of the base asset; refused within the safety margin of
        liquidation unless `force`."""
        from ion_cli.flows import vault

        options = self._options(dry_run, confirm, observer, force=force)
        value = _amount(amount)
        return self._guarded(
            "borrow", market, value, options, lambda o: vault.borrow(self.session, market, value, o)
        )

    def repay(
        self,
        market: str,
        amount: Amount | None = None,
        *,
        approve_max: bool = False,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Repay `amount` of debt; `None` (or "all") repays it to exactly zero."""
        from ion_cli.flows import vault

        options = self._options(dry_run, confirm, observer, approve_max=approve_max)
        value = _amount_or_all(amount)
        return self._guarded(
            "repay", market, value, options, lambda o: vault.repay(self.session, market, value, o)
        )

    def withdraw(
        self,
        market: str,
        amount: Amount | None = None,
        *,
        force: bool = False,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Withdraw collateral to the wallet; `None` (or "all") takes all of it (no debt may be
        left); refused within the safety margin of liquidation unless `force`."""
        from ion_cli.flows import vault

        options = self._options(dry_run, confirm, observer, force=force)
        value = _amount_or_all(amount)
        return self._guarded(
            "withdraw",
            market,
            value,
            options,
            lambda o: vault.withdraw(self.session, market, value, o),
        )

    def finish_deposit(
        self,
        market: str,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Deposit the tokens a half-finished deposit left in the GemJoin (gem) as collateral."""
        from ion_cli.flows import vault

        options = self._options(dry_run, confirm, observer)
        return self._guarded(
            "deposit-gem",
            market,
            0,
            options,
            lambda o: vault.finish_deposit(self.session, market, o),
            settles_gem=True,
        )

    def return_gem(
        self,
        market: str,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Return the tokens a half-finished deposit left in the GemJoin (gem) to the wallet."""
        from ion_cli.flows import vault

        options = self._options(dry_run, confirm, observer)
        return self._guarded(
            "return-gem",
            market,
            0,
            options,
            lambda o: vault.return_gem(self.session, market, o),
            settles_gem=True,
        )

    def liquidate(
        self,
        market: str,
        vault: str,
        *,
        max_repay: Amount | None = None,
        approve_max: bool = False,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Liquidate the `market` vault of `vault` (an address), the account as keeper: repays
        what the Liquidation contract computes (refused when more than `max_repay`) for
        collateral at a discount. A vault that is not liquidatable is refused, nothing sent."""
        from ion_cli.flows import liquidate
        from ion_cli.flows.tx import guarded_write

        options = self._options(dry_run, confirm, observer, approve_max=approve_max)
        cap = None if max_repay is None else _amount(max_repay)
        owner = self.session.address_of(vault)  # one journal key whether named or by address
        return guarded_write(
            self.session,
            options,
            intent=f"liquidate {market.strip().lower()} {owner.lower()}",
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: liquidate.liquidate(self.session, market, owner, cap, o),
        )

    def vaults(self, market: str, *, unsafe: bool = False) -> VaultList:
        """Every vault of `market` holding collateral or debt (only the liquidatable ones with
        `unsafe`), sorted by liquidation health, read at one block; the vaults are found from
        the pool's events (indexed incrementally, cached in the user cache dir)."""
        from ion_cli.flows.vaults import list_vaults

        return list_vaults(self.session, market, unsafe=unsafe)

    # ---- writes ------------------------------------------------------------------------------

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

        return guarded_write(
            self.session,
            options,
            intent=f"{action} {market.strip().lower()} {'all' if amount is None else amount}",
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=run,
            settles_gem=settles_gem,
        )

    # ---- leverage ----------------------------------------------------------------------------

    def leverage(
        self,
        market: str,
        deposit: Amount = 0,
        *,
        to: str | int | Decimal | None = None,
        ltv: str | Decimal | None = None,
        max_slippage: str | Decimal = "0.5%",
        deadline: str | int = "10m",
        mode: str = "flash",
        plan_out: str | Path | None = None,
        force: bool = False,
        collateral_yield: Decimal | None = None,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Lever the `market` vault up to leverage `to` (3, "3x") or LTV `ltv` (0.7, "70%"),
        bringing `deposit` collateral from the wallet (0: lever the existing vault further).
        Flash mode is one handler transaction; `plan_out` writes a plan file instead of sending.
        Refused within the safety margin of liquidation unless `force`."""
        from ion_cli.flows import leverage as lv

        request = lv.LeverageRequest(
            market=market,
            deposit=_amount(deposit) if deposit not in (0, "0") else 0,
            leverage=None if to is None else _leverage(to),
            ltv=None if ltv is None else _fraction(ltv, "LTV"),
            max_slippage=_fraction(max_slippage, "slippage"),
            deadline_s=_duration(deadline),
            mode=mode,
            collateral_yield=collateral_yield,
        )
        options = self._options(dry_run, confirm, observer, force=force)
        if plan_out is not None:  # simulated and written down: nothing is sent
            return lv.leverage(self.session, request, options, plan_out)
        target = f"to {to}" if to is not None else f"ltv {ltv}"
        return self._guarded(
            f"leverage {mode} {target}",
            market,
            request.deposit,
            options,
            lambda o: lv.leverage(self.session, request, o),
        )

    def deleverage(
        self,
        market: str,
        *,
        to: str | int | Decimal | None = None,
        repay: Amount | None = None,
        close: bool = False,
        max_slippage: str | Decimal = "0.5%",
        deadline: str | int = "10m",
        plan_out: str | Path | None = None,
        force: bool = False,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Lower the `market` vault's leverage to `to`, repay `repay` of debt by selling
        collateral, or `close` it (exactly zero debt; the rest of the collateral comes back)."""
        from ion_cli.flows import leverage as lv

        request = lv.DeleverageRequest(
            market=market,
            leverage=None if to is None else _leverage(to),
            repay=None if repay is None else _amount(repay),
            close=close,
            max_slippage=_fraction(max_slippage, "slippage"),
            deadline_s=_duration(deadline),
        )
        options = self._options(dry_run, confirm, observer, force=force)
        if plan_out is not None:
            return lv.deleverage(self.session, request, options, plan_out)
        target = "close" if close else (f"to {to}" if to is not None else f"repay {repay}")
        return self._guarded(
            f"deleverage {target}",
            market,
            request.repay,
            options,
            lambda o: lv.deleverage(self.session, request, o),
        )

    def plan(self, market: str, plan_out: str | Path, **leverage: object) -> WriteResult:
        """Write a leverage plan file (simulated, nothing sent): `Ion.leverage` arguments."""
        return self.leverage(market, plan_out=plan_out, **leverage)  # type: ignore[arg-type]

    def apply(
        self,
        plan_file: str | Path,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> WriteResult:
        """Send a plan file after re-checking it against the chain (chain, account, deadline,
        the venue's price against the plan's bound), and simulating it again."""
        from ion_cli.flows.leverage import apply_plan, load_plan
        from ion_cli.flows.tx import guarded_write

        options = self._options(dry_run, confirm, observer)
        doc = load_plan(plan_file)  # a malformed file is refused before any lock or read
        return guarded_write(  # one-shot: a plan applied once is reported, never sent again
            self.session,
            options,
            intent=f"apply plan {doc['content_hash']}",
            market=doc["market"],
            explicit_network=self.session.network is not None,
            run_flow=lambda o: apply_plan(self.session, plan_file, o),
            one_shot=True,
        )

    # ---- risk proofs and the reserve oracle -------------------------------------------------

    def submit_proof(
        self,
        receipt: Path | str,
        market: str,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> SubmitResult:
        """Submit the risk proof of a receipt (or its folder) to `market`'s RiskFeed, then
        update the reserve rate when the oracle's cooldown allows (see `ion_cli.flows.submit`).
        A rejection raises `ion_cli.flows.submit.ProofRejected` saying why. Runs under the
        account's lock with the journal, like every write: a rerun after an interruption
        finishes the submission, never sends it twice."""
        from ion_cli.flows import submit
        from ion_cli.flows.tx import guarded_write
        from ion_cli.results import SubmitResult

        options = self._options(dry_run, confirm, observer)
        path = Path(receipt)
        if not dry_run:  # mainnet unnamed is refused before the receipt is even read
            from ion_cli.flows.tx import require_named_network

            require_named_network(self.session, self.session.network is not None)
        result = guarded_write(
            self.session,
            options,
            intent=submit.intent(self.session, path, market),
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: submit.submit(self.session, path, market, o),
        )
        if isinstance(result, SubmitResult):
            return result
        return submit.completed(self.session, path, market, result)

    def restaking(self, lrt: str, *, since: str | int = "30d") -> RestakingExposure:
        """Which operators and AVSs the LRT's restaked ETH is exposed to, at the latest block;
        slashes counted over `since` (seconds, or "30d", "12h")."""
        from ion_cli.flows import restaking

        return restaking.exposure(self.session, lrt, _duration(since))

    def oracle(self, market: str) -> dict[str, Any]:
        """The reserve oracle of `market`: rate, target, clamp bounds, cooldown."""
        from ion_cli.flows import oracle

        return oracle.show(self.session, market)

    def update_oracle(
        self,
        market: str,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> OracleUpdateResult:
        """`updateExchangeRate()` on `market`'s reserve oracle (refused during the cooldown),
        under the account's lock with the journal."""
        from ion_cli.flows import oracle
        from ion_cli.flows.tx import guarded_write
        from ion_cli.results import OracleUpdateResult

        options = self._options(dry_run, confirm, observer)
        result = guarded_write(
            self.session,
            options,
            intent=f"oracle-update {market.strip().lower()}",
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: oracle.update(self.session, market, o),
        )
        if isinstance(result, OracleUpdateResult):
            return result
        return oracle.completed(self.session, market, result)

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


def _amount(amount: Amount) -> int:
    """Token units (18 decimals) from "1.5", "1.5ether", "1wei", Decimal("1.5") or 2."""
    if isinstance(amount, bool):
        raise UsageError(f"invalid amount {amount!r}")
    text = format(amount, "f") if isinstance(amount, Decimal) else str(amount)
    value = parse_amount(text)
    assert value is not ALL
    return int(value)


def _amount_or_all(amount: Amount | None) -> int | None:
    if amount is None:
        return None
    if isinstance(amount, str):
        value = parse_amount(amount, allow_all=True)
        return None if value is ALL else int(value)
    return _amount(amount)


def _leverage(value: str | int | Decimal) -> int:
    from ion_cli.amounts import parse_leverage

    return parse_leverage(format(value, "f") if isinstance(value, Decimal) else str(value))


def _fraction(value: str | Decimal, what: str) -> int:
    from ion_cli.amounts import parse_fraction

    return parse_fraction(format(value, "f") if isinstance(value, Decimal) else str(value), what)


def _duration(value: str | int) -> int:
    from ion_cli.amounts import parse_duration

    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_duration(str(value))
