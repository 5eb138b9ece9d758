"""The delegation seam of the adapter API: optional, "unknown" when an adapter does not say,
never zero; EigenLayer's addresses on mainnet and on a devnet; the adapters' mainnet facts."""

from __future__ import annotations

from typing import Any

import pytest

from ion_cli import adapters as a
from ion_cli.flows.restaking import restaking_source


class _V1Adapter:
    """An adapter written before the seam: no `restaking` member."""

    api_version = 1
    symbol = "oldETH"
    name = "Old"
    decimals = 18


def test_an_adapter_without_the_seam_is_unknown() -> None:
    source = restaking_source(_V1Adapter(), a.AdapterContext.offline())  # type: ignore[arg-type]
    assert source.complete is False and source.stakers == () and source.unknown == ("restaking",)
    assert "restaking" in a.OPTIONAL_METHODS and "restaking" not in a.REQUIRED_METHODS
    assert a.missing_members(_V1Adapter(), version=1) == [
        "addresses", "exchange_rate", "mint_plan", "withdrawal", "validators",
    ]  # fmt: skip


def test_eigenlayer_addresses() -> None:
    el = a.eigenlayer_addresses(a.AdapterContext.offline())
    assert el.allocation_manager == "0x948a420b8CC1d6BFd0B6087C2E7c344a2CD0bc39"
    assert el.delegation_manager == "0x39053D51B77DC0d36036Fc1fCc8Cb819df8Ef37A"
    assert el.strategy == "0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0"
    devnet = a.AdapterContext(chain_id=31337, network="devnet", deployment={"tokens": {}})
    with pytest.raises(a.AdapterError, match="no restaking section"):
        a.eigenlayer_addresses(devnet)
    with pytest.raises(a.AdapterError):
        a.eigenlayer_addresses(a.AdapterContext.offline(chain_id=5, network="goerli"))


def test_unconfirmed_mainnet_addresses_are_unknown_not_zero() -> None:
    from ion_cli.plugins_registry import load

    ctx = a.AdapterContext.offline()  # any chain read would raise
    rsweth = load("rsweth").restaking(ctx)  # type: ignore[attr-defined]
    assert rsweth.complete is False and rsweth.unknown == ("eigenlayer_manager",)
    weeth = load("weeth")
    assert weeth.addresses(ctx).contracts["etherfi_nodes_manager"] == (
        "0x8B71140AD2e5d1E7018d2a7f8a288BD3CD38916F"
    )


def test_stakers_read_operator_and_shares_through_the_call() -> None:
    calls: list[tuple[str, str]] = []

    def call(to: str, signature: str, args: Any = ()) -> Any:
        calls.append((to, signature))
        if signature.startswith("delegatedTo"):
            return "0x" + "00" * 20 if args[0] == "0x" + "22" * 20 else "0x" + "0e" * 20
        return ((5 * 10**18,), (6 * 10**18,))

    ctx = a.AdapterContext(chain_id=1, network="mainnet", call=call)
    one, two = a.eigenlayer_stakers(
        ctx, ["0x" + "11" * 20, "0x" + "22" * 20], "X", pods=[None, "0x" + "00" * 20]
    )
    assert one.operator == "0x" + "0e" * 20 and one.withdrawable_shares == 5 * 10**18
    assert one.deposit_shares == 6 * 10**18
    assert two.operator is None and two.pod is None  # zero means "none", never an address
    assert {to for to, _ in calls} == {"0x39053D51B77DC0d36036Fc1fCc8Cb819df8Ef37A"}
