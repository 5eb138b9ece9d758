"""Leverage on a real devnet: flash leverage to 3x on every market (with the health the preview
showed), deleverage to 1.5x and close to zero debt, the refusals (dust, max LTV, balance,
deadline, a price moved beyond the slippage bound), and plan files applied or refused."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.api import Ion
from ion_cli.cli import app
from ion_cli.errors import IonError, RefusedError, UsageError
from ion_cli.results import Position
from ion_cli.testing.devnet import DevnetHandle, warp

pytestmark = pytest.mark.integration

MARKETS = ["weETH", "rsETH", "rswETH", "ezETH"]


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if code != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error:")]
        assert len(lines) == 1, result.stderr
        return lines[0]
    return json.loads(result.stdout) if "--json" in args else result.stdout


def nonce(devnet: DevnetHandle) -> int:
    return int(devnet.w3.eth.get_transaction_count(devnet.dev))


def within(value: Any, target: str, tolerance: str = "0.005") -> bool:
    got, want = Decimal(str(value)), Decimal(target)
    return abs(got - want) <= want * Decimal(tolerance)


def set_uniswap_price(devnet: DevnetHandle, pool: str, old: int, new: int) -> None:
    """The stand-in pool's price is an immutable, as on mainnet there is no setter: rewrite it
    in the runtime code (anvil_setCode), the way a price move would look to the client."""
    w3 = devnet.w3
    code = bytes(w3.eth.get_code(w3.to_checksum_address(pool)))
    word = old.to_bytes(32, "big")
    assert code.count(word) >= 1
    patched = code.replace(word, new.to_bytes(32, "big"))
    w3.provider.make_request("anvil_setCode", [pool, "0x" + patched.hex()])


def wsteth_price() -> int:
    from ion_cli.devnet import params

    return params.STETH_PER_WSTETH


@pytest.mark.parametrize("market", MARKETS)
def test_lever_to_3x_then_1_5x_then_close(devnet: DevnetHandle, market: str) -> None:
    api = Ion(network="devnet")
    levered = api.leverage(market, "10", to="3x")
    assert levered.error is None
    position = levered.position
    assert isinstance(position, Position)
    assert within(position.leverage, "3")
    previewed = levered.projected_position
    assert isinstance(previewed, Position)
    # the health the preview showed (interest of one block apart)
    assert abs(Decimal(str(position.health)) - Decimal(str(previewed.health))) < Decimal("1e-6")
    assert levered.execution is not None
    flash = [s for s in levered.execution.steps if s.call.kind == "action"]
    # the handler added the collateral the plan solved for (a mint may round a few wei up)
    planned = Decimal((levered.plan or {})["summary"]["additional_collateral"])
    assert 0 <= Decimal(str(position.collateral)) - planned < Decimal("1e-15")
    assert len(flash) == 1  # the leverage itself is one transaction

    lower = api.deleverage(market, to="1.5x")
    assert isinstance(lower.position, Position)
    assert within(lower.position.leverage, "1.5")

    closed = api.deleverage(market, close=True)
    assert isinstance(closed.position, Position)
    assert closed.position.normalized_debt == 0 and closed.position.debt == 0
    assert closed.position.collateral == 0


@pytest.mark.parametrize("market", ["weETH", "rswETH", "rsETH"])
def test_zero_slippage_leverage_pays_the_quoted_mint(devnet: DevnetHandle, market: str) -> None:
    """The quote asks the ETH the handler's own mint arithmetic asks (ether.fi's share math and
    the public search for weETH, Swell's inverse rate for rswETH): with no slippage allowed the
    leverage goes through, its debt at most the quoted one."""
    api = Ion(network="devnet")
    levered = api.leverage(market, "10", to="3x", max_slippage="0%")
    assert levered.error is None
    assert isinstance(levered.position, Position)
    assert within(levered.position.leverage, "3")


def test_cli_leverage_json_and_preview(devnet: DevnetHandle) -> None:
    dry = CliRunner().invoke(
        app, ["leverage", "weETH", "--deposit", "10", "--to", "3x", "--dry-run"]
    )
    assert dry.exit_code == 0, dry.stderr
    for label in (
        "leverage after",
        "health after (liquidation)",
        "health after (borrow limit)",
        "liquidated at reserve rate",
        "borrowing stops at price",
        "net yield (estimate)",
        "slippage bound",
        "flash/swap fee",
        "transactions",
    ):
        assert label in dry.stderr, label
    doc = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes", "--json")
    assert within(doc["position"]["leverage"], "3")
    assert doc["plan"]["summary"]["action"] == "leverage"


def test_deposit_of_one_under_dust_is_refused(devnet: DevnetHandle) -> None:
    before = nonce(devnet)
    for market in ("rsETH", "rswETH", "ezETH"):
        line = ion("leverage", market, "--deposit", "1", "--to", "3x", "--yes", code=3)
        assert "dust" in line and "deposit at least" in line
    # weETH's dust is 1 token: the same target passes there
    assert within(Ion().leverage("weETH", "1", to="3x").position.leverage, "3")  # type: ignore[union-attr]
    assert nonce(devnet) == before + 3  # approve, operator, leverage: only weETH sent


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--deposit", "10", "--to", "3x", "--deadline", "0"], 2, "deadline"),
        (["--deposit", "10", "--ltv", "0.85"], 3, "maximum LTV"),
        (["--deposit", "10", "--to", "6x"], 3, "maximum LTV"),
        (["--deposit", "1000", "--to", "3x"], 2, "insufficient weETH balance"),
        (["--deposit", "10", "--to", "3x", "--ltv", "0.5"], 2, "one target"),
        (["--deposit", "10", "--to", "0.5x"], 2, "at least 1x"),
        (["--deposit", "10", "--to", "3x", "--max-slippage", "abc"], 2, "slippage"),
        (["--deposit", "10", "--to", "3x", "--mode", "sideways"], 2, "mode"),
    ],
)
def test_bad_targets_one_line_nothing_sent(
    devnet: DevnetHandle, args: list[str], code: int, words: str
) -> None:
    before = nonce(devnet)
    line = ion("leverage", "weETH", *args, "--yes", code=code)
    assert words in line
    assert nonce(devnet) == before


def test_price_moved_beyond_bound_fails_in_simulation(
    devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ion_cli.flows.leverage import lever as lv

    pool = devnet.deployment.shared.uniswap_wsteth_weth_pool
    original = lv.solve_lever

    def quoted_then_moved(*args: Any, **kwargs: Any) -> Any:
        answer = original(*args, **kwargs)
        # WETH gets 1% dearer in wstETH after the quote, before the simulation
        set_uniswap_price(devnet, pool, wsteth_price(), wsteth_price() * 99 // 100)
        return answer

    monkeypatch.setattr(lv, "solve_lever", quoted_then_moved)
    before = nonce(devnet)
    line = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes", code=1)
    assert "simulation failed" in line and "FlashloanRepaymentTooExpensive" in line
    assert nonce(devnet) == before


def test_plan_then_apply_round_trip(devnet: DevnetHandle, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    api = Ion()
    before = nonce(devnet)
    written = api.leverage("rswETH", "10", to="3x", plan_out=plan)
    assert written.dry_run and nonce(devnet) == before
    doc = json.loads(plan.read_text())
    assert doc["format"] == "ion-plan" and doc["chain_id"] == 31337
    assert doc["priced_at_block"] > 0 and doc["check"]["kind"] == "flash_cost"
    assert [c["method"] for c in doc["calls"]][-1] == "rswETH handler.flashswapAndMint"
    applied = api.apply(plan)
    assert isinstance(applied.position, Position)
    assert within(applied.position.leverage, "3")
    # a deleverage plan (the router unwind) applies too
    unwind = tmp_path / "unwind.json"
    api.deleverage("rswETH", to="1.5x", plan_out=unwind)
    assert within(api.apply(unwind).position.leverage, "1.5")  # type: ignore[union-attr]


def test_apply_refusals_send_nothing(devnet: DevnetHandle, tmp_path: Path) -> None:
    api = Ion()
    plan = tmp_path / "plan.json"
    api.leverage("weETH", "10", to="3x", plan_out=plan, deadline="1h")
    doc = json.loads(plan.read_text())
    before = nonce(devnet)

    def variant(name: str, **changes: Any) -> Path:
        from ion_cli.flows.leverage import content_hash

        path = tmp_path / name
        changed = {**doc, **changes}
        changed["content_hash"] = content_hash(changed)  # edited as a hostile author would
        path.write_text(json.dumps(changed))
        return path

    cases: list[tuple[Path, type[IonError], str]] = [
        (variant("chain.json", chain_id=1), RefusedError, "chain id 1"),
        (
            variant("account.json", account="0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            RefusedError,
            "for account",
        ),
        (variant("calls.json", calls=[{"to": "nope"}]), UsageError, "malformed"),
        (variant("format.json", format="other"), UsageError, "malformed"),
    ]
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    cases.append((broken, UsageError, "malformed"))
    cases.append((tmp_path / "missing.json", UsageError, "no such file"))
    for path, kind, words in cases:
        with pytest.raises(kind, match=words):
            api.apply(path)
    # the price moved beyond the plan's bound
    pool = devnet.deployment.shared.uniswap_wsteth_weth_pool
    set_uniswap_price(devnet, pool, wsteth_price(), wsteth_price() * 99 // 100)
    with pytest.raises(RefusedError, match="moved beyond the plan's slippage bound"):
        api.apply(plan)
    line = ion("apply", str(plan), "--yes", code=3)
    assert "moved beyond" in line
    # past its deadline
    set_uniswap_price(devnet, pool, wsteth_price() * 99 // 100, wsteth_price())
    latest = int(devnet.w3.eth.get_block("latest")["timestamp"])
    warp(devnet.w3, doc["deadline"] - latest + 1)  # the chain's clock past the deadline
    with pytest.raises(RefusedError, match="deadline has passed"):
        api.apply(plan)
    assert nonce(devnet) == before


@pytest.mark.parametrize("market", MARKETS)
def test_loop_mode_reaches_the_same_target(devnet: DevnetHandle, market: str) -> None:
    result = Ion().leverage(market, "10", to="3x", mode="loop")
    assert isinstance(result.position, Position)
    assert within(result.position.leverage, "3")
    summary = (result.plan or {})["summary"]
    assert summary["mode"] == "loop" and summary["rounds"] >= 2
    health = Decimal(str(result.position.health))
    assert health >= 1 + Decimal(str(result.position.safety_margin))


def test_example_strategy_keeps_the_band(devnet: DevnetHandle) -> None:
    from ion_cli.examples.keep_leverage_band import Band, run
    from ion_cli.testing.devnet import mine

    api = Ion()
    api.leverage("ezETH", "10", to="3x")
    mined: list[int] = []

    def next_block(ion: Ion, after: int) -> int:
        mine(devnet.w3)
        mined.append(after)
        return int(devnet.w3.eth.block_number)

    band = Band("ezETH", Decimal("1.8"), Decimal("2.2"), Decimal("2"))
    report = run(api, band, blocks=3, wait=next_block)
    assert [a.action for a in report.actions] == ["deleverage", "none", "none"]
    assert within(report.actions[0].leverage_after, "2")
    assert len(mined) == 2  # re-checked at each new block
    api.deleverage("ezETH", to="1.5x")
    report = run(api, band, blocks=2, wait=next_block)
    assert [a.action for a in report.actions] == ["leverage", "none"]
    assert within(str(api.position("ezETH").leverage), "2")


@pytest.mark.parametrize("market", ["weETH", "ezETH"])
def test_deleverage_by_a_repay_amount(devnet: DevnetHandle, market: str) -> None:
    api = Ion()
    before = api.leverage(market, "10", to="3x").position
    assert isinstance(before, Position)
    after = api.deleverage(market, repay="5").position
    assert isinstance(after, Position)
    repaid = Decimal(str(before.debt)) - Decimal(str(after.debt))
    assert abs(repaid - 5) < Decimal("0.001")  # 5, less the interest of a few blocks
    assert Decimal(str(after.leverage)) < Decimal(str(before.leverage))
    with pytest.raises(UsageError, match="use `close`"):
        api.deleverage(market, repay="1000")
