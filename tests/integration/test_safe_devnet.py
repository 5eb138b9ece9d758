"""A Safe multisig owning a vault (issue 26, item 5): `ion leverage ... --safe SAFE --unsigned
batch.json` writes a Transaction Builder batch that, executed by the Safe's owners on the devnet
(execTransaction with their signatures, a delegatecall to MultiSendCallOnly), reaches the
previewed position; `ion apply batch.json` executes (or approves) it as an owner; bad input is
one line and a non-zero exit. The Safe is Safe 1.4.1 from the npm package, at its canonical
addresses. One devnet for the module (the session's), reverted after each test."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.chain import safe_batch as sb
from ion_cli.chain import safe_tx as st
from ion_cli.cli import app
from ion_cli.testing.devnet import KEEPER, DevnetHandle, Protocol

pytestmark = pytest.mark.integration

WAD = 10**18
KEEPER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # anvil 1


TITLES = {
    "safe.batch": "A write planned for a Safe (--unsigned): the batch written and its Safe "
    "transaction.",
    "safe.apply": "`ion apply` of a Safe batch by one owner: executed, or approved.",
    "devnet.safe": "A Safe 1.4.1 deployed on the devnet.",
}


SEEN: dict[str, list[Any]] = {}  # documents drafted from, per schema (ION_SCHEMA_WRITE=1)


def conforms(doc: dict[str, Any]) -> None:
    """The document validates against its schema (ion_cli/schemas/); ION_SCHEMA_WRITE=1
    drafts the schema from it instead (tests/integration/json_schema_gen.py)."""
    from importlib import resources

    import jsonschema

    path = str(doc["schema"]).split("/")[0].removeprefix("ion.")
    if os.environ.get("ION_SCHEMA_WRITE") and path in TITLES:
        from json_schema_gen import write  # beside this file

        SEEN.setdefault(path, []).append(doc)
        write({path: SEEN[path]}, TITLES)
    from test_json_contract import figures_are_exact  # beside this file

    figures_are_exact(doc, path)  # no float, no percent string
    text = resources.files("ion_cli.schemas").joinpath(f"{path}.json").read_text()
    schema = json.loads(text)
    assert schema["$id"] == doc["schema"]
    jsonschema.Draft202012Validator(schema).validate(doc)


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if code != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        return lines[0]
    if "--json" not in args:
        return result
    doc = json.loads(result.stdout)
    conforms(doc)
    return doc


def make_safe(devnet: DevnetHandle, owners: list[str], threshold: int, weeth: int) -> str:
    from ion_cli.devnet import safe as devnet_safe

    made = devnet_safe.create_safe(devnet.rpc_url, devnet.dev, owners, threshold, salt_nonce=1)
    token = devnet.deployment.market("weETH").collateral_token
    Protocol(devnet).send(devnet.dev, token, "WETH9", "transfer", made.address, weeth)
    return made.address


def vault(devnet: DevnetHandle, owner: str) -> tuple[int, int]:
    m = devnet.deployment.market("weETH")
    p = Protocol(devnet)
    return (
        int(p.call(m.pool, "IonPool", "collateral", m.ilk_index, owner)),
        int(p.call(m.pool, "IonPool", "normalizedDebt", m.ilk_index, owner)),
    )


def sign(key: str, digest: bytes) -> bytes:
    from eth_keys import keys

    signature = keys.PrivateKey(bytes.fromhex(key[2:])).sign_msg_hash(digest)
    return (
        signature.r.to_bytes(32, "big")
        + signature.s.to_bytes(32, "big")
        + bytes([signature.v + 27])
    )


def test_owners_execute_the_batch_and_reach_the_previewed_position(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    from ion_cli.accounts.devnet_account import DEV_ACCOUNT_KEY

    made = ion("devnet", "safe", "--owners", f"dev,{KEEPER}", "--threshold", "2", "--json")
    safe = made["safe"]
    assert made["multisend_call_only"] == st.MULTI_SEND_CALL_ONLY
    token = devnet.deployment.market("weETH").collateral_token
    Protocol(devnet).send(devnet.dev, token, "WETH9", "transfer", safe, 10 * WAD)
    batch_file = tmp_path / "batch.json"
    written = ion(
        "leverage", "weETH", "--deposit", "10", "--to", "3x",
        "--safe", safe, "--unsigned", str(batch_file), "--json",
    )  # fmt: skip
    assert vault(devnet, safe) == (0, 0)  # nothing was sent
    batch = json.loads(batch_file.read_text())
    assert batch["chainId"] == "31337" and batch["meta"]["createdFromSafeAddress"] == safe
    assert sb.checksum_valid(batch)
    methods = [t["contractMethod"]["name"] for t in batch["transactions"]]
    assert methods[:2] == ["approve", "addOperator"] and len(methods) == 3
    assert written["safe"]["threshold"] == 2 and written["operation"] == "delegatecall"
    projected = written["position"]

    # the owners: each signs the Safe transaction hash; anyone sends execTransaction
    calls = sb.parse_batch(batch, "batch.json")
    safe_tx = st.batch_tx(safe, calls, 0)
    assert safe_tx.to == st.MULTI_SEND_CALL_ONLY
    digest = safe_tx.hash(31337)
    assert "0x" + digest.hex() == written["safe_tx_hash"]
    signatures = st.pack_signatures(
        {devnet.dev: sign(DEV_ACCOUNT_KEY, digest), KEEPER: sign(KEEPER_KEY, digest)}
    )
    call = safe_tx.exec_call(signatures)
    w3 = devnet.w3
    tx = w3.eth.send_transaction({"from": KEEPER, "to": safe, "data": "0x" + call.data.hex()})
    receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=30)
    assert receipt["status"] == 1
    print(
        f"Safe execTransaction of the 3x leverage batch: {receipt['gasUsed']:,} gas "
        f"(simulated as one owner: {written['execution_gas']:,})"
    )
    # the simulation's threshold override hits the Safe's threshold slot
    from ion_cli.chain.safe_sim import THRESHOLD_SLOT

    assert int.from_bytes(w3.eth.get_storage_at(safe, THRESHOLD_SLOT), "big") == 2
    assert abs(receipt["gasUsed"] - written["execution_gas"]) < 30_000

    collateral, _ = vault(devnet, safe)
    after = ion("position", "weETH", "--address", safe, "--json")
    row = after[0] if isinstance(after, list) else after
    row = row.get("positions", [row])[0] if "positions" in row else row
    assert Decimal(str(collateral)) / WAD == Decimal(projected["collateral"])
    assert abs(Decimal(row["debt"]) - Decimal(projected["debt"])) <= Decimal("1e-6") * Decimal(
        projected["debt"]
    )
    assert abs(Decimal(row["leverage"]) - 3) < Decimal("0.01")


def test_apply_executes_as_the_single_owner_and_approves_otherwise(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    solo = make_safe(devnet, [devnet.dev], 1, 5 * WAD)
    batch_file = tmp_path / "solo.json"
    ion("deposit", "weETH", "5", "--safe", solo, "--unsigned", str(batch_file))
    done = ion("apply", str(batch_file), "--yes", "--json")
    assert done["executed"] is True and done["gas_used"] > 0
    assert vault(devnet, solo)[0] == 5 * WAD
    # applied once: a second run sends nothing (the Safe's nonce moved on)
    again = ion("apply", str(batch_file), "--yes", "--json")
    assert again["executed"] is False

    pair = make_safe(devnet, [devnet.dev, KEEPER], 2, 5 * WAD)
    pair_file = tmp_path / "pair.json"
    ion("deposit", "weETH", "5", "--safe", pair, "--unsigned", str(pair_file))
    first = ion("apply", str(pair_file), "--yes", "--json")
    assert first["approved"] is True and first["approvals"] == 1 and not first["executed"]
    line = ion("apply", str(pair_file), "--yes", code=3)
    assert "already approved" in line and "1 of 2" in line
    # the other owner approves on chain, then the first one's apply executes
    hash_word = bytes.fromhex(first["safe_tx_hash"][2:])
    approve = st.approve_hash_call(pair, hash_word)
    tx = devnet.w3.eth.send_transaction(
        {"from": KEEPER, "to": pair, "data": "0x" + approve.data.hex()}
    )
    assert devnet.w3.eth.wait_for_transaction_receipt(tx, timeout=30)["status"] == 1
    last = ion("apply", str(pair_file), "--yes", "--json")
    assert last["executed"] is True
    assert vault(devnet, pair)[0] == 5 * WAD


def test_bad_input_is_one_line(devnet: DevnetHandle, tmp_path: Path) -> None:
    out = str(tmp_path / "b.json")
    line = ion("deposit", "weETH", "1", "--safe", "0x1234", "--unsigned", out, code=2)
    assert "not an address" in line
    line = ion("deposit", "weETH", "1", "--safe", KEEPER, "--unsigned", out, code=2)
    assert "not a contract" in line
    token = devnet.deployment.market("weETH").collateral_token
    line = ion("deposit", "weETH", "1", "--safe", token, "--unsigned", out, code=2)
    assert "not a Safe" in line
    safe = make_safe(devnet, [KEEPER], 1, WAD)
    line = ion(
        "deposit", "weETH", "1", "--safe", safe, "--unsigned", str(tmp_path / "no" / "b.json"),
        code=2,
    )  # fmt: skip
    assert "cannot write the batch file" in line
    line = ion("deposit", "weETH", "1", "--safe", safe, code=2)
    assert "--safe needs --unsigned" in line
    line = ion("deposit", "weETH", "1", "--unsigned", out, code=2)  # the account is no Safe
    assert "the account" in line and "--safe" in line
    line = ion(
        "leverage", "weETH", "--deposit", "1", "--to", "2x", "--plan-out", out,
        "--safe", safe, "--unsigned", out, code=2,
    )  # fmt: skip
    assert "--plan-out and --unsigned" in line
    ion("deposit", "weETH", "1", "--safe", safe, "--unsigned", out, "--dry-run")
    assert not Path(out).exists()  # a dry run writes nothing
    # an owner-less account cannot apply the Safe's batch
    ion("deposit", "weETH", "1", "--safe", safe, "--unsigned", out)
    line = ion("apply", out, "--yes", code=3)
    assert "not an owner" in line
    assert not Path(out).with_name("b.json.tmp").exists()


def test_python_api(devnet: DevnetHandle, tmp_path: Path) -> None:
    from ion_cli.api import Ion
    from ion_cli.results import Position
    from ion_cli.safe_results import SafeApplyResult, SafeBatchResult

    safe = make_safe(devnet, [devnet.dev], 1, 2 * WAD)
    ion_api = Ion(network="devnet")
    batch = ion_api.unsigned(tmp_path / "api.json", lambda i: i.deposit("weETH", "2"), safe=safe)
    assert isinstance(batch, SafeBatchResult) and batch.safe is not None
    assert batch.safe.owners == [devnet.dev] and batch.operation == "delegatecall"
    assert isinstance(batch.position, Position) and batch.position.address == safe
    applied = ion_api.apply_batch(tmp_path / "api.json")
    assert isinstance(applied, SafeApplyResult) and applied.executed
    assert vault(devnet, safe)[0] == 2 * WAD


def test_the_batch_is_atomic(devnet: DevnetHandle, tmp_path: Path) -> None:
    """Past the handler's deadline the last call fails, and with it the whole batch: the
    approval and the operator grant before it are not left behind (the signed path would have
    mined them)."""
    from ion_cli.accounts.devnet_account import DEV_ACCOUNT_KEY
    from ion_cli.testing.devnet import warp

    safe = make_safe(devnet, [devnet.dev], 1, 10 * WAD)
    batch_file = tmp_path / "late.json"
    ion(
        "leverage", "weETH", "--deposit", "10", "--to", "2x", "--deadline", "10m",
        "--safe", safe, "--unsigned", str(batch_file),
    )  # fmt: skip
    warp(devnet.w3, 3600)
    line = ion("apply", str(batch_file), "--yes", code=1)  # refused in simulation: decoded
    assert "flashswapAndMint" in line and "TransactionDeadlineReached" in line, line
    calls = sb.parse_batch(json.loads(batch_file.read_text()), "late.json")
    safe_tx = st.batch_tx(safe, calls, 0)
    call = safe_tx.exec_call(
        st.pack_signatures({devnet.dev: sign(DEV_ACCOUNT_KEY, safe_tx.hash(31337))})
    )
    tx = {"from": devnet.dev, "to": safe, "data": "0x" + call.data.hex(), "gas": 2_000_000}
    receipt = devnet.w3.eth.wait_for_transaction_receipt(
        devnet.w3.eth.send_transaction(tx), timeout=30
    )
    assert receipt["status"] == 0  # GS013: an inner call failed, so none ran
    m = devnet.deployment.market("weETH")
    handler = devnet.deployment.market("weETH").handler
    p = Protocol(devnet)
    assert int(p.call(m.collateral_token, "WETH9", "allowance", safe, handler)) == 0
    assert not p.call(m.pool, "IonPool", "isAllowed", safe, handler)
    assert vault(devnet, safe) == (0, 0)
