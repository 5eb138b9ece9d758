"""A command's view of the world: the config, the network profile, a connection that checked the
chain id, the account, and where warnings go. The config and the environment are read once, at
the edge (the CLI's command wrapper, or `ion_cli.api.Ion`), and passed down in this object:
nothing below reads them again. Everything else is resolved lazily, so a command that fails on
its input never touches the network, and a read-only command never unlocks a key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.accounts.sources import NO_SOURCES, Sources
from ion_cli.config import Config
from ion_cli.errors import DevnetNotRunning, NodeError, UsageError
from ion_cli.networks import NetworkProfile, resolve_network

if TYPE_CHECKING:
    from ion_cli.accounts.signer import ResolvedAccount
    from ion_cli.chain.rpc import Reader


@dataclass
class Session:
    network: str | None = None
    rpc_url: str | None = None
    account_name: str | None = None
    password_file: Path | None = None
    config: Config = field(default_factory=Config)
    # where warnings go: the CLI's output (stderr), an API caller's observer; by default nowhere
    warn: Callable[[str], None] = field(default=lambda message: None, repr=False)
    # a keystore password handed over by an API caller (never from a command-line argument)
    password: str | None = field(default=None, repr=False)
    # the environment and prompt the accounts layer may use (the edge's; default: neither)
    account_sources: Sources = field(default=NO_SOURCES, repr=False)
    _profile: NetworkProfile | None = field(default=None, repr=False)
    _reader: Any = field(default=None, repr=False)

    @property
    def profile(self) -> NetworkProfile:
        if self._profile is None:
            self._profile = resolve_network(self.network, self.config)
        return self._profile

    @property
    def safety_margin(self) -> Decimal:
        return self.config.safety_margin

    @property
    def is_devnet(self) -> bool:
        return self.profile.name == "devnet"

    def _url(self) -> str:
        profile = self.profile
        url = self.rpc_url or profile.rpc_url
        if not url:
            raise UsageError(
                f"no RPC URL for network '{profile.name}': pass `rpc_url` or set ETH_RPC_URL",
                params=("rpc_url",),
            )
        from ion_cli.inputs import check_url

        # a malformed URL (from the option, the environment or the config) is bad input, not a
        # node that is down
        if not self.rpc_url:
            return check_url(url, f"the RPC URL of '{profile.name}'")
        try:
            return check_url(url, "`rpc_url`")
        except UsageError as exc:  # named as the API's parameter; the CLI says --rpc-url
            raise UsageError(exc.message, params=("rpc_url",)) from None

    def _not_running(self) -> DevnetNotRunning | None:
        if self.is_devnet and not self.rpc_url:
            return DevnetNotRunning("the devnet is not running (start it with `ion devnet up`)")
        return None

    def reader(self) -> Reader:
        """The run's one JSON-RPC reader (httpx + eth_abi, no web3; one HTTP client, kept
        alive): what every flow reads through and hands to the chain layer for writes."""
        if self._reader is None:
            from ion_cli.chain.rpc import connect

            try:
                self._reader = connect(self._url(), self.profile.chain_id, self.profile.name)
            except NodeError as exc:
                not_running = self._not_running()
                if not_running is None:
                    raise
                raise not_running from exc
        return self._reader  # type: ignore[no-any-return]

    def account(self) -> ResolvedAccount:
        from ion_cli.accounts.signer import resolve_account

        return resolve_account(
            self.account_name,
            network_name=self.profile.name,
            chain_id=self.profile.chain_id,
            password_file=self.password_file,
            password=self.password,
            sources=self.account_sources,
        )

    def address_of(self, who: str | None) -> str:
        """An address for read-only commands: an explicit address or account name, else the
        session's account."""
        if who is None:
            return self.account().address
        from ion_cli.accounts.signer import resolve_address

        return resolve_address(who, network_name=self.profile.name, chain_id=self.profile.chain_id)
