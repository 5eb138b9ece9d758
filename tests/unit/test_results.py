"""The typed results: Unknown is never None, and JSON documents keep their shape."""

from __future__ import annotations

import json

from ion_cli.output import dumps
from ion_cli.render import fmt_amount, fmt_pct
from ion_cli.results import ErrorInfo, LenderPosition, Unknown, WriteResult


def test_unknown_says_why_and_how_to_fix_it() -> None:
    u = Unknown.missing_address("mainnet", "weETH", "liquidation", "Liquidation")
    assert u.text == (
        "unknown (the Liquidation address of the weETH market is not known on mainnet; "
        "set networks.mainnet.markets.weETH.liquidation in config.toml)"
    )
    assert u.to_json() == {"unknown": u.reason}
    assert fmt_amount(u) == u.text and fmt_pct(u) == u.text
    assert fmt_amount(None) == "unknown"  # unchanged for plain missing values


def test_write_result_json_converts_nested_results() -> None:
    lender = LenderPosition("weETH", "0xabc", "wstETH", "1", "1", "1", Unknown("no adapter"))
    result = WriteResult(
        plan={"summary": {"projected_position": lender}},
        dry_run=True,
        execution=None,
        position=lender,
        error=ErrorInfo("boom", 1, "IonError"),
    )
    data = result.to_json()
    assert data["position"]["wallet_base_balance"] == {"unknown": "no adapter"}
    assert data["plan"]["summary"]["projected_position"]["market"] == "weETH"
    assert data["error"] == {"message": "boom", "exit_code": 1, "kind": "IonError"}
    assert json.loads(dumps(result)) == data
    assert result.tx_hashes == []
