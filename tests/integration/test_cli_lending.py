"""The core CLI on a real devnet: every lending command, success and failure, in-process."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle, Protocol, warp

pytestmark = pytest.mark.integration

RAY = 10**27
WAD = 10**18


@pytest.fixture
def protocol(devnet: DevnetHandle) -> Protocol:
    return Protocol(devnet)


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if code != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error:")]
        assert len(lines) == 1, result.stderr
        return lines[0]
    return json.loads(result.stdout) if "--json" in args else result.stdout


def wad(text: str) -> int:
    return int(Decimal(text) * WAD)


def balance(protocol: Protocol, token: str, who: str) -> int:
    return int(protocol.call(token, "WETH9", "balanceOf", who))  # any ERC20 ABI serves


def test_markets_json_has_every_market_with_mainnet_parameters(devnet: DevnetHandle) -> None:
    rows = {r["market"]: r for r in ion("markets", "--json")["markets"]}
    assert set(rows) == {"weETH", "rsETH", "rswETH", "ezETH"}
    weeth, ezeth = rows["weETH"], rows["ezETH"]
    assert (weeth["base"], ezeth["base"]) == ("wstETH", "WETH")
    assert (weeth["ltv"], weeth["liquidation_threshold"]) == ("0.8", "0.83")
    assert (ezeth["ltv"], ezeth["liquidation_threshold"]) == ("0.93", "0.96")
    assert rows["rswETH"]["liquidation_threshold"] == "0.9"
    assert weeth["dust"] == "1" and rows["rsETH"]["dust"] == "4"
    assert weeth["debt_ceiling"] == "100000"
    assert weeth["total_borrowed"] == "0" and weeth["utilization"] == "0"
    for key in (
        "reserve_exchange_rate",
        "spot",
        "total_supplied",
        "borrow_apr",
        "supply_apy",
        "available_liquidity",
    ):
        assert key in weeth
    # spot = LTV x min(price, reserve rate)
    spot = Decimal(weeth["spot"])
    reserve = Decimal(weeth["reserve_exchange_rate"])
    assert abs(spot - Decimal("0.8") * min(reserve, Decimal(weeth["price"]))) < Decimal("1e-17")
    # 5.67% APR at zero utilization (Appendix D)
    assert abs(Decimal(weeth["borrow_apr"]) - Decimal("0.0567")) < Decimal("0.0001")


def test_full_cycle_ends_at_zero_and_balances_match_events(
    devnet: DevnetHandle, protocol: Protocol
) -> None:
    m = protocol.market("weETH")
    base, lrt, me = m.base_token, m.collateral_token, protocol.dev
    base0, lrt0 = balance(protocol, base, me), balance(protocol, lrt, me)

    hashes: list[str] = []
    for args in (("supply", "weETH", "10"), ("deposit", "weETH", "20"), ("borrow", "weETH", "12")):
        out = ion(*args, "--yes", "--json")
        hashes += out["execution"]["tx_hashes"]
    position = ion("position", "weETH", "--json")
    assert position["collateral"] == "20"
    assert Decimal(position["debt"]) == Decimal(12) or Decimal(position["debt"]) - 12 < Decimal(
        "1e-15"
    )

    warp(devnet.w3, 30 * 86400)  # a month of per-second interest
    for args in (
        ("repay", "weETH", "all"),
        ("withdraw", "weETH", "all"),
        ("redeem", "weETH", "all"),
    ):
        out = ion(*args, "--yes", "--json")
        hashes += out["execution"]["tx_hashes"]
    final = ion("position", "weETH", "--json")
    assert (final["collateral"], final["normalized_debt"], final["debt"]) == ("0", "0", "0")
    assert protocol.call(m.pool, "IonPool", "vault", 0, me) == (0, 0)

    # Balances match the events to the wei.
    supplied = borrowed = repaid = redeemed = 0
    for tx_hash in hashes:
        receipt = devnet.w3.eth.get_transaction_receipt(tx_hash)
        for ev in protocol.events(receipt, "IonPool", m.pool, "Supply"):
            supplied += ev["args"]["amount"]
        for ev in protocol.events(receipt, "IonPool", m.pool, "Withdraw"):
            redeemed += ev["args"]["amount"]
        for ev in protocol.events(receipt, "IonPool", m.pool, "Borrow"):
            a = ev["args"]
            borrowed += a["amountOfNormalizedDebt"] * a["ilkRate"] // RAY
        for ev in protocol.events(receipt, "IonPool", m.pool, "Repay"):
            a = ev["args"]
            repaid += -(-a["amountOfNormalizedDebt"] * a["ilkRate"] // RAY)
    assert supplied == 10 * WAD and redeemed >= supplied  # interest was earned
    assert balance(protocol, base, me) == base0 - supplied + borrowed - repaid + redeemed
    assert balance(protocol, lrt, me) == lrt0
    assert repaid > borrowed  # a month of interest was paid


def test_position_json_figures(devnet: DevnetHandle, protocol: Protocol) -> None:
    ion("deposit", "weETH", "20", "--yes")
    ion("borrow", "weETH", "10", "--yes")
    p = ion("position", "weETH", "--json")
    for key in (
        "market",
        "collateral",
        "debt",
        "health",
        "leverage",
        "ltv",
        "liquidation_exchange_rate",
        "drop_to_liquidation",
        "max_borrow",
    ):
        assert key in p
    assert p["market"] == "weETH" and p["collateral"] == "20"
    reserve = Decimal(p["reserve_exchange_rate"])
    debt = Decimal(p["debt"])
    expected_health = 20 * reserve * Decimal("0.83") / debt
    assert abs(Decimal(p["health"]) - expected_health) < Decimal("1e-9")
    liq = Decimal(p["liquidation_exchange_rate"])
    assert abs(liq * 20 * Decimal("0.83") - debt) < Decimal("1e-9")  # health 1 at that rate
    value = 20 * reserve
    assert abs(Decimal(p["ltv"]) - debt / value) < Decimal("1e-9")
    assert abs(Decimal(p["leverage"]) - value / (value - debt)) < Decimal("1e-9")
    # --address takes an address too; a fresh address has an empty vault.
    other = ion(
        "position", "weETH", "--address", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "--json"
    )
    assert other["collateral"] == "0"


def test_dry_run_sends_nothing(devnet: DevnetHandle) -> None:
    nonce = devnet.w3.eth.get_transaction_count(devnet.dev)
    out = ion("supply", "weETH", "1", "--dry-run", "--json")
    assert out["execution"]["sent"] is False
    assert devnet.w3.eth.get_transaction_count(devnet.dev) == nonce


def test_refusals_and_reverts_are_one_line(devnet: DevnetHandle, protocol: Protocol) -> None:
    assert "insufficient weETH balance" in ion("deposit", "weETH", "100000", "--yes", code=2)
    ion("deposit", "weETH", "20", "--yes")
    assert "unsafe" in ion("borrow", "weETH", "15", "--yes", code=3)
    # within the safety margin of liquidation: refused unless --force
    assert "safety margin" in ion("borrow", "weETH", "14", "--yes", code=3)
    ion("deposit", "rsETH", "20", "--yes")
    assert "dust" in ion("borrow", "rsETH", "1", "--yes", code=3)
    m = protocol.market("weETH")
    protocol.send(protocol.admin, m.pool, "IonPool", "updateIlkDebtCeiling", 0, 5 * 10**45)
    assert "ceiling" in ion("borrow", "weETH", "6", "--yes", code=3)
    protocol.send(protocol.admin, m.pool, "IonPool", "pause")
    assert "EnforcedPause" in ion("supply", "weETH", "1", "--yes", code=1)


def test_bad_input_is_one_line(devnet: DevnetHandle) -> None:
    assert "unknown market 'FOO'" in ion("borrow", "FOO", "1", "--yes", code=2)
    assert "amount" in ion("supply", "weETH", "-1", "--yes", code=2)
    assert "amount" in ion("supply", "weETH", "1.0000000000000000001", "--yes", code=2)
    assert "amount" in ion("supply", "weETH", "abc", "--yes", code=2)
    assert "address" in ion("position", "weETH", "--address", "0x1234", code=2)
    assert "no such account" in ion("supply", "weETH", "1", "--account", "nobody", "--yes", code=2)


def test_node_unreachable_and_wrong_chain(
    devnet: DevnetHandle, tmp_path: Any, monkeypatch: Any
) -> None:
    assert "cannot reach" in ion("markets", "--rpc-url", "http://127.0.0.1:9", code=4)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[networks.fake]\nbase = "devnet"\nchain_id = 1\nrpc_url = "{devnet.rpc_url}"\n'
    )
    monkeypatch.setenv("ION_CONFIG", str(config))
    assert "chain id" in ion("markets", "--network", "fake", code=3)


def test_devnet_down_is_reported(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("ION_DEVNET_DIR", str(tmp_path / "nothing"))
    assert "ion devnet up" in ion("markets", code=5)


def test_wrong_password(
    devnet: DevnetHandle, protocol: Protocol, tmp_path: Any, monkeypatch: Any
) -> None:
    alice = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil account 1
    base = protocol.market("weETH").base_token
    protocol.send(protocol.dev, base, "WETH9", "transfer", alice, 5 * WAD)
    monkeypatch.setenv("ION_KEYSTORE_ONLY", "1")
    monkeypatch.setenv("ION_SCRYPT_N", "16")
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text("correct horse\n")
    bad.write_text("wrong\n")
    key = tmp_path / "key"
    key.write_text("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n")
    ion("account", "import", "alice", "--private-key-file", str(key), "--password-file", str(good))
    line = ion(
        "supply", "weETH", "1", "--account", "alice", "--password-file", str(bad), "--yes", code=2
    )
    assert "wrong password" in line
    out = ion(
        "supply",
        "weETH",
        "1",
        "--account",
        "alice",
        "--password-file",
        str(good),
        "--yes",
        "--json",
    )
    assert out["position"]["supplied"] == "1" and out["position"]["address"] == alice


def test_position_shows_the_lender_balance_too(devnet: DevnetHandle) -> None:
    ion("supply", "weETH", "3", "--yes")
    position = ion("position", "weETH", "--json")
    assert position["supplied"] == "3" or Decimal(3) - Decimal(position["supplied"]) < Decimal(
        "1e-17"
    )
    assert "supplied (lender)" in ion("position", "weETH")


def test_a_supply_too_small_to_mint_is_refused_before_simulation(devnet: DevnetHandle) -> None:
    ion("deposit", "weETH", "20", "--yes")
    ion("borrow", "weETH", "10", "--yes")
    warp(devnet.w3, 86400)  # interest lifts the supply factor above 1: 1 wei mints nothing
    assert "too small to supply" in ion("supply", "weETH", "1e-18", "--yes", code=2)


def test_markets_warns_when_no_adapter_is_enabled(
    devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ion_cli.plugins_registry import reset

    monkeypatch.setenv("ION_ADAPTERS", "nope")
    reset()
    try:
        result = CliRunner().invoke(app, ["markets", "--json"])
    finally:
        reset()
    assert result.exit_code == 0 and json.loads(result.stdout)["markets"] == []
    assert "ION_ADAPTERS=nope enables none of them" in result.stderr


def test_market_reads_fall_back_when_the_node_takes_no_batches(devnet: DevnetHandle) -> None:
    from ion_cli.chain.market_state import read_markets
    from ion_cli.flows.session import Session

    session = Session()
    reader = session.reader()
    markets = list(session.profile.markets.values())
    batched = read_markets(reader, session.profile, markets)
    reader.batches = False  # as after a node refused a batch: one request at a time
    assert read_markets(reader, session.profile, markets) == batched


def test_partial_repay_withdraw_and_redeem(devnet: DevnetHandle, protocol: Protocol) -> None:
    ion("supply", "weETH", "10", "--yes")
    ion("deposit", "weETH", "20", "--yes")
    ion("borrow", "weETH", "10", "--yes")
    warp(devnet.w3, 86400)  # the rate grows past 1: one wei clears no unit of debt
    assert "too small to repay" in ion("repay", "weETH", "1wei", "--yes", code=2)
    assert "below the dust" in ion("repay", "weETH", "9.5", "--yes", code=3)
    assert "covers the whole debt" in ion("repay", "weETH", "11", "--yes", code=2)
    after = ion("repay", "weETH", "4", "--yes", "--json")["position"]
    assert Decimal(6) < Decimal(after["debt"]) < Decimal("6.01")  # 6 plus a day's interest
    assert "unsafe" in ion("withdraw", "weETH", "19", "--yes", code=3)
    assert "still has debt" in ion("withdraw", "weETH", "all", "--yes", code=3)
    assert ion("withdraw", "weETH", "2", "--yes", "--json")["position"]["collateral"] == "18"
    assert "supplied balance" in ion("redeem", "weETH", "11", "--yes", code=2)
    left = ion("redeem", "weETH", "4", "--yes", "--json")["position"]["supplied"]
    assert Decimal(6) <= Decimal(left) < Decimal("6.001")  # interest accrued meanwhile


def test_paused_pool_refuses_every_write(devnet: DevnetHandle, protocol: Protocol) -> None:
    ion("deposit", "weETH", "20", "--yes")
    ion("borrow", "weETH", "10", "--yes")
    ion("supply", "weETH", "5", "--yes")
    protocol.send(protocol.admin, protocol.market("weETH").pool, "IonPool", "pause")
    for args in (
        ("deposit", "weETH", "1"),
        ("borrow", "weETH", "1"),
        ("repay", "weETH", "1"),
        ("repay", "weETH", "all"),
        ("withdraw", "weETH", "1"),
        ("redeem", "weETH", "1"),
    ):
        assert "EnforcedPause" in ion(*args, "--yes", code=1), args


def test_back_to_back_writes_get_enough_gas(devnet: DevnetHandle) -> None:
    """Interest accrues in the block that mines a repay; its gas must cover that."""
    ion("deposit", "weETH", "20", "--yes")
    ion("borrow", "weETH", "10", "--yes")
    for _ in range(3):
        ion("repay", "weETH", "1", "--yes")
    ion("repay", "weETH", "all", "--yes")


def test_position_without_market_lists_only_markets_with_a_position(devnet: DevnetHandle) -> None:
    assert ion("position", "--json") == {"schema": "ion.positions/1", "positions": []}
    assert "no positions" in ion("position")
    ion("deposit", "rsETH", "1", "--yes")
    ion("supply", "ezETH", "1", "--yes")
    assert [p["market"] for p in ion("position", "--json")["positions"]] == ["ezETH", "rsETH"]


def test_borrowing_exactly_the_dust_after_interest_is_not_refused(
    devnet: DevnetHandle, protocol: Protocol
) -> None:
    """Once the rate is above 1, rounding the normalized debt down left a borrow of 1 wstETH at
    0.99999999999999999922 wstETH of debt, under the dust of 1: refused. It rounds up now, and
    the wallet receives at least what was asked."""
    ion("supply", "weETH", "5", "--yes")
    ion("deposit", "weETH", "10", "--yes")
    ion("borrow", "weETH", "2", "--yes")
    warp(devnet.w3, 7 * 86400)  # the rate grows past 1
    ion("repay", "weETH", "all", "--yes")
    m = protocol.market("weETH")
    before = balance(protocol, m.base_token, protocol.dev)
    out = ion("borrow", "weETH", "1", "--yes", "--json")
    assert balance(protocol, m.base_token, protocol.dev) - before >= WAD
    assert Decimal(out["position"]["debt"]) >= 1
