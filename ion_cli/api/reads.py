"""Reads of `Ion`: markets, positions, vaults, restaking, the reserve oracle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli.api import _args
from ion_cli.api._core import IonCore

if TYPE_CHECKING:
    from ion_cli.flows.vaults import VaultList
    from ion_cli.oracle_results import OracleView
    from ion_cli.restaking_results import RestakingExposure
    from ion_cli.results import Market, Position


__all__ = ["Reads", "VaultList"]


class Reads(IonCore):
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

    def vaults(self, market: str, *, unsafe: bool = False) -> VaultList:
        """Every vault of `market` holding collateral or debt (only the liquidatable ones with
        `unsafe`), sorted by liquidation health, read at one block; the vaults are found from
        the pool's events (indexed incrementally, cached in the user cache dir)."""
        from ion_cli.flows.vaults import list_vaults

        return list_vaults(self.session, market, unsafe=unsafe)

    def restaking(self, lrt: str, *, since: str | int = "30d") -> RestakingExposure:
        """Which operators and AVSs the LRT's restaked ETH is exposed to, at the latest block;
        slashes counted over `since` (seconds, or "30d", "12h")."""
        from ion_cli.flows import restaking

        return restaking.exposure(self.session, lrt, _args.duration(since))

    def oracle(self, market: str) -> OracleView:
        """The reserve oracle of `market`: rate, target, clamp bounds, cooldown (and the
        credentials its risk feed would snapshot)."""
        from ion_cli.flows import oracle
        from ion_cli.oracle_results import OracleView

        return OracleView.of(oracle.show(self.session, market))
