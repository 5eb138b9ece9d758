"""Writes of `Ion`: lending, the vault, liquidation, leverage and plans. Each runs under the
account's lock with the transaction journal (ion_cli.flows.tx.guarded_write)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ion_cli.api import _args
from ion_cli.api._args import Amount
from ion_cli.api._core import Confirm, IonCore
from ion_cli.chain.observer import Observer
from ion_cli.results import WriteResult


class Writes(IonCore):
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
        value = _args.amount(amount)
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
        value = _args.amount_or_all(amount)
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
        value = _args.amount(amount)
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
        value = _args.amount(amount)
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
        value = _args.amount_or_all(amount)
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
        value = _args.amount_or_all(amount)
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
        cap = None if max_repay is None else _args.amount(max_repay)
        owner = self.session.address_of(vault)  # one journal key whether named or by address
        return guarded_write(
            self.session,
            options,
            intent=f"liquidate {market.strip().lower()} {owner.lower()}",
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: liquidate.liquidate(self.session, market, owner, cap, o),
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
        deadline: str | int | None = None,
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
        `deadline` (the handler refuses after it): 10 minutes, a day in a Safe batch.
        Refused within the safety margin of liquidation unless `force`."""
        from ion_cli.flows import leverage as lv

        request = lv.LeverageRequest(
            market=market,
            deposit=_args.amount(deposit) if deposit not in (0, "0") else 0,
            leverage=None if to is None else _args.leverage(to),
            ltv=None if ltv is None else _args.fraction(ltv, "LTV"),
            max_slippage=_args.fraction(max_slippage, "slippage"),
            deadline_s=_args.duration(self.default_deadline if deadline is None else deadline),
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
        deadline: str | int | None = None,
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
            leverage=None if to is None else _args.leverage(to),
            repay=None if repay is None else _args.amount(repay),
            close=close,
            max_slippage=_args.fraction(max_slippage, "slippage"),
            deadline_s=_args.duration(self.default_deadline if deadline is None else deadline),
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
        the venue's price against the plan's bound), and simulating it again. A Safe batch
        (`Ion.unsigned`'s file) is executed or approved by this owner (`Ion.apply_batch`)."""
        from ion_cli.flows.leverage import apply_plan, load_plan
        from ion_cli.flows.safe_apply import apply_batch, is_batch_file
        from ion_cli.flows.tx import guarded_write

        options = self._options(dry_run, confirm, observer)
        if is_batch_file(plan_file):
            return apply_batch(self.session, Path(plan_file), options)
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
