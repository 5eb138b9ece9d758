"""The reference deployment against the published interfaces (ion_cli/abi/published), both ways.

- Every entry a protocol contract publishes exists in its reference contract, with the same
  outputs, mutability and indexed flags (the client may call it, so the devnet must answer it).
- Every function or event the reference exposes is published, or listed below as devnet-only
  with the reason: a client path that used such an entry would pass here and fail on mainnet
  (the selector guard, tests/unit/test_selector_guard.py, keeps the client off them).
- Every error the reference can raise is one the client decodes (some published interface's).
- Venue stand-ins may implement a subset of the venue (the handlers' and the client's part), and
  nothing outside it.
"""

from __future__ import annotations

from typing import Any

import pytest

from ion_cli.abi import published
from ion_cli.abi.signature import canonical_type, signature_text
from ion_cli.devnet.artifacts import load_artifact

# reference artifact -> published interface
PROTOCOL: dict[str, str] = {
    "IonPool": "IonPool",
    "IonLens": "IonLens",
    "GemJoin": "GemJoin",
    "Liquidation": "Liquidation",
    "Whitelist": "Whitelist",
    "InterestRate": "InterestRate",
    "SpotOracle": "SpotOracle",
    "WeEthWstEthReserveOracle": "ReserveOracle",
    "RsEthWstEthReserveOracle": "ReserveOracle",
    "RswEthWstEthReserveOracle": "ReserveOracle",
    "EzEthWethReserveOracle": "ReserveOracle",
    "WeEthHandler": "WeEthHandler",
    "RsEthHandler": "RsEthHandler",
    "RswEthHandler": "RswEthHandler",
    "EzEthWethHandler": "EzEthWethHandler",
    "RiskFeed": "RiskFeed",
    "RiskFeedChallenges": "RiskFeedChallenges",
}
VENUES: dict[str, str] = {
    "DevUniswapV3Pool": "UniswapV3Pool",
    "DevSwapRouter": "SwapRouter02",
    "DevQuoterV2": "QuoterV2",
    "DevBalancerVault": "BalancerVault",
}
# The part of each venue the stand-in must have: what the handlers and the client use.
VENUE_REQUIRED: dict[str, list[str]] = {
    "DevUniswapV3Pool": [
        "token0()",
        "token1()",
        "fee()",
        "slot0()",
        "swap(address,bool,int256,uint160,bytes)",
        "flash(address,uint256,uint256,bytes)",
    ],
    "DevSwapRouter": [
        "exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))",
        "exactOutputSingle((address,address,uint24,address,uint256,uint256,uint160))",
    ],
    "DevQuoterV2": [
        "quoteExactInputSingle((address,address,uint256,uint24,uint160))",
        "quoteExactOutputSingle((address,address,uint256,uint24,uint160))",
    ],
    "DevBalancerVault": [
        "swap((bytes32,uint8,address,address,uint256,bytes),(address,bool,address,bool),uint256,uint256)",
        "queryBatchSwap(uint8,(bytes32,uint256,uint256,uint256,bytes)[],address[],(address,bool,address,bool))",
        "getPoolTokens(bytes32)",
        "flashLoan(address,address[],uint256[],bytes)",
    ],
}

_OWNABLE = {
    ("function", "owner()"): "OpenZeppelin Ownable: the devnet admin owns it",
    ("function", "transferOwnership(address)"): "OpenZeppelin Ownable (admin)",
    ("function", "renounceOwnership()"): "OpenZeppelin Ownable (admin)",
    ("event", "OwnershipTransferred(address,address)"): "OpenZeppelin Ownable (admin)",
}
_RESERVE_ORACLE = {
    ("function", "UPDATE_COOLDOWN()"): "the 58-minute cooldown as a constant (tests read it)",
    ("function", "MAX_FEED_COUNT()"): "the three feed slots as a constant",
}

# (kind, signature) -> why the reference has it although the public interface does not.
DEVNET_ONLY: dict[str, dict[tuple[str, str], str]] = {
    "IonPool": {
        ("function", "eip712Domain()"): "ERC-5267 getter of OpenZeppelin's EIP712 (permit)",
        (
            "event",
            "EIP712DomainChanged()",
        ): "ERC-5267 event of OpenZeppelin's EIP712 (never emitted)",
    },
    "GemJoin": {
        **_OWNABLE,
        ("function", "pause()"): "owner admin: pause joins and exits (Pausable)",
        ("function", "unpause()"): "owner admin (Pausable)",
        (
            "function",
            "paused()",
        ): "the join's own pause flag (Pausable); the client reads the pool's",
        ("event", "Paused(address)"): "Pausable (admin)",
        ("event", "Unpaused(address)"): "Pausable (admin)",
    },
    "Whitelist": {
        **_OWNABLE,
        (
            "function",
            "approveProtocolWhitelist(address)",
        ): "owner admin: the deploy script lists handlers",
        ("function", "revokeProtocolWhitelist(address)"): "owner admin",
        ("function", "updateBorrowersRoot(uint8,bytes32)"): "owner admin: Merkle roots",
        ("function", "updateLendersRoot(bytes32)"): "owner admin: Merkle roots",
        (
            "function",
            "borrowersRoot(uint8)",
        ): "admin state (the client sends proofs, reads no root)",
        ("function", "lendersRoot()"): "admin state (the client sends proofs, reads no root)",
        ("event", "ApproveProtocolWhitelist(address)"): "admin event",
        ("event", "RevokeProtocolWhitelist(address)"): "admin event",
        ("event", "UpdateBorrowersRoot(uint8,bytes32)"): "admin event",
        ("event", "UpdateLendersRoot(bytes32)"): "admin event",
    },
    "InterestRate": {
        ("function", "MINIMUM_BASE_RATE()"): "curve parameter getter (deploy and tests)",
        ("function", "RATE_AT_KINK()"): "curve parameter getter (deploy and tests)",
        ("function", "OPTIMAL_UTILIZATION()"): "curve parameter getter (deploy and tests)",
        ("function", "SLOPE_ABOVE_KINK()"): "curve parameter getter (deploy and tests)",
        ("function", "RESERVE_FACTOR()"): "curve parameter getter (deploy and tests)",
        ("function", "utilization(uint256,uint256)"): "pure helper of the curve (tests)",
    },
    "SpotOracle": {
        ("function", "PRICE_FEED()"): "the devnet's stand-in price feed (tests mark it stale)",
        ("function", "MAX_PRICE_AGE()"): "the staleness bound as a getter",
    },
    "WeEthWstEthReserveOracle": {
        **_RESERVE_ORACLE,
        ("function", "WEETH()"): "the rate source it was built with",
        ("function", "WSTETH()"): "the rate source it was built with",
    },
    "RsEthWstEthReserveOracle": {
        **_RESERVE_ORACLE,
        ("function", "LRT_ORACLE()"): "the rate source it was built with",
        ("function", "WSTETH()"): "the rate source it was built with",
    },
    "RswEthWstEthReserveOracle": {
        **_RESERVE_ORACLE,
        ("function", "RSWETH()"): "the rate source it was built with",
        ("function", "WSTETH()"): "the rate source it was built with",
    },
    "EzEthWethReserveOracle": {
        **_RESERVE_ORACLE,
        ("function", "RESTAKE_MANAGER()"): "the rate source it was built with",
        ("function", "EZETH()"): "the rate source it was built with",
    },
    "DevSwapRouter": {
        ("function", "uniswapV3SwapCallback(int256,int256,bytes)"): (
            "the pool's callback (mainnet's SwapRouter02 has it too; only pools call it)"
        ),
    },
    "DevQuoterV2": {
        ("function", "uniswapV3SwapCallback(int256,int256,bytes)"): (
            "the pool's callback (mainnet's QuoterV2 has it too; only pools call it)"
        ),
    },
}

# The stand-ins' own revert reasons: mainnet's venues revert with strings or their own codes,
# which the client cannot rely on either; these say what went wrong on the devnet.
STAND_IN_ERRORS = frozenset(VENUES)
# Errors only a constructor raises: no call the client makes can meet them.
CONSTRUCTOR_ERRORS = {
    # OpenZeppelin ShortStrings, for EIP712's name at construction
    "IonPool": {"InvalidShortString()", "StringTooLong(string)"},
    "InterestRate": {
        "InvalidOptimalUtilization(uint256)",
        "InvalidRateAtKink(uint256,uint256)",
        "InvalidReserveFactor(uint256)",
    },
}


def _outputs(entry: dict[str, Any]) -> list[str]:
    return [canonical_type(o) for o in entry.get("outputs", [])]


def _indexed(entry: dict[str, Any]) -> list[bool]:
    return [bool(i.get("indexed")) for i in entry.get("inputs", [])]


def _mutability(entry: dict[str, Any]) -> str:
    value = str(entry.get("stateMutability", "nonpayable"))
    return "view" if value == "pure" else value


def _by_signature(entries: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {signature_text(e): e for e in entries if e.get("type") == kind}


def _reference(name: str, kind: str) -> dict[str, dict[str, Any]]:
    return _by_signature(load_artifact(name).abi, kind)


def _published(name: str, kind: str) -> dict[str, dict[str, Any]]:
    return _by_signature(published.abi(name), kind)


PUBLISHED_ERRORS = frozenset(signature_text(e) for e in published.all_errors())


@pytest.mark.parametrize(("reference", "interface"), sorted(PROTOCOL.items()))
@pytest.mark.parametrize("kind", ["function", "event", "error"])
def test_every_published_entry_is_in_the_reference(
    reference: str, interface: str, kind: str
) -> None:
    mine = _reference(reference, kind)
    missing = sorted(set(_published(interface, kind)) - set(mine))
    assert not missing, f"{reference} lacks published {kind}s of {interface}: {missing}"


@pytest.mark.parametrize(("reference", "interface"), sorted(PROTOCOL.items()))
def test_shared_functions_have_the_published_outputs_and_mutability(
    reference: str, interface: str
) -> None:
    mine = _reference(reference, "function")
    for sig, entry in _published(interface, "function").items():
        if sig not in mine:
            continue  # reported by the test above
        assert _outputs(mine[sig]) == _outputs(entry), f"{reference}.{sig} returns"
        assert _mutability(mine[sig]) == _mutability(entry), f"{reference}.{sig} mutability"


@pytest.mark.parametrize(("reference", "interface"), sorted({**PROTOCOL, **VENUES}.items()))
def test_shared_events_have_the_published_indexed_flags(reference: str, interface: str) -> None:
    mine = _reference(reference, "event")
    for sig, entry in _published(interface, "event").items():
        if sig in mine:
            assert _indexed(mine[sig]) == _indexed(entry), f"{reference} event {sig}"


@pytest.mark.parametrize(("reference", "interface"), sorted({**PROTOCOL, **VENUES}.items()))
@pytest.mark.parametrize("kind", ["function", "event"])
def test_every_reference_entry_is_published_or_devnet_only(
    reference: str, interface: str, kind: str
) -> None:
    allowed = {sig for (k, sig) in DEVNET_ONLY.get(reference, {}) if k == kind}
    extra = sorted(set(_reference(reference, kind)) - set(_published(interface, kind)) - allowed)
    assert not extra, (
        f"{reference} exposes {kind}s that the public {interface} lacks: {extra}; remove them "
        "(or move them to a devnet-only contract) or list them in DEVNET_ONLY with the reason"
    )


@pytest.mark.parametrize("reference", sorted({**PROTOCOL, **VENUES}))
def test_every_reference_error_is_decodable(reference: str) -> None:
    if reference in STAND_IN_ERRORS:
        pytest.skip("a stand-in's own revert reasons (mainnet venues have theirs)")
    raised = set(_reference(reference, "error")) - CONSTRUCTOR_ERRORS.get(reference, set())
    undecodable = sorted(raised - PUBLISHED_ERRORS)
    assert not undecodable, (
        f"{reference} can revert with errors no interface publishes: {undecodable}"
    )


@pytest.mark.parametrize(("reference", "required"), sorted(VENUE_REQUIRED.items()))
def test_venue_stand_ins_have_what_the_handlers_and_client_use(
    reference: str, required: list[str]
) -> None:
    mine = _reference(reference, "function")
    published_sigs = _published(VENUES[reference], "function")
    for sig in required:
        assert sig in published_sigs, f"{sig} is not a published {VENUES[reference]} function"
        assert sig in mine, f"{reference} lacks {sig}"
        assert _outputs(mine[sig]) == _outputs(published_sigs[sig]), f"{reference}.{sig} returns"


def test_devnet_only_entries_still_exist() -> None:
    """A stale allowance would hide nothing today but could excuse a new entry tomorrow."""
    for reference, entries in DEVNET_ONLY.items():
        for kind, sig in entries:
            assert sig in _reference(reference, kind), f"{reference}: no {kind} {sig} any more"


def test_no_quote_view_on_the_venues() -> None:
    """The traps of issue #6: quote views the mainnet pool and vault do not have."""
    pool = _reference("DevUniswapV3Pool", "function")
    vault = _reference("DevBalancerVault", "function")
    assert not [s for s in pool if s.startswith("quote")], pool
    assert not [s for s in vault if s.startswith("querySwap")], vault


def test_the_pool_has_none_of_the_lens_views() -> None:
    """The v1 views the reference pool used to carry (the public pool keeps them in IonLens)."""
    pool = {sig.split("(")[0] for sig in _reference("IonPool", "function")}
    lens_only = {sig.split("(")[0] for sig in _published("IonLens", "function")} - {"dust"}
    assert not pool & lens_only, sorted(pool & lens_only)
