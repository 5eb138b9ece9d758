"""The RiskFeed contract mirrors ion_cli/zk/layout.py; the verifier metadata is readable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ion_cli.devnet.artifacts import load_artifact
from ion_cli.zk import feed, layout

SOURCE = Path(__file__).resolve().parents[2] / "ion_cli/devnet/contracts/zk/RiskFeed.sol"


def _constants() -> dict[str, str]:
    text = SOURCE.read_text()
    return dict(re.findall(r"uint256 public constant (\w+) =\s*([^;]+);", text))


def test_feed_constants_match_the_layout() -> None:
    c = _constants()
    assert int(c["FIELD_MODULUS"]) == layout.FIELD_MODULUS
    assert int(c["SCALE"]) == layout.INPUT_SCALE == layout.OUTPUT_SCALE
    assert int(c["LIMB_BITS"]) == layout.LIMB_BITS
    assert int(c["N_FEATURES"]) == layout.N_FEATURES
    assert int(c["SLOT_AT"]) == layout.SLOT_AT
    assert int(c["SLOT_LIMBS"]) == layout.SLOT_LIMBS
    assert int(c["ROOT_AT"]) == layout.ROOT_AT
    assert int(c["ROOT_LIMBS"]) == layout.ROOT_LIMBS
    assert int(c["MODEL_ID_AT"]) == layout.MODEL_ID_AT
    assert int(c["MODEL_ID_LIMBS"]) == layout.MODEL_ID_LIMBS
    assert int(c["SCORE_AT"]) == layout.SCORE_AT
    assert int(c["N_INSTANCES"]) == layout.N_INSTANCES
    assert c["SCORE_BOUND"].strip() == "64 << SCALE"
    assert 64 << layout.OUTPUT_SCALE == layout.SCORE_BOUND


def test_the_feed_artifact_has_the_named_errors() -> None:
    names = {i["name"] for i in load_artifact("RiskFeed").abi if i.get("type") == "error"}
    assert {
        "InvalidProof",
        "WrongBond",
        "FeedPaused",
        "NotPending",
        "WindowOpen",
        "WindowClosed",
        "CommitmentMismatch",
        "WrongInstanceCount",
        "MalformedInstance",
        "ScoreOutOfRange",
        "WrongModel",
        "StateRootMismatch",
        "SlotInFuture",
        "StaleSlot",
        "SlotNotNewer",
        "AlreadySubmitted",
    } <= names


def test_the_allowlist_is_gone_and_only_a_pause_remains() -> None:
    abi = load_artifact("RiskFeed").abi
    functions = {i["name"] for i in abi if i.get("type") == "function"}
    assert not {"setSubmitter", "isSubmitter"} & functions
    assert "NotAllowedSubmitter" not in {i["name"] for i in abi if i.get("type") == "error"}
    writes = {
        i["name"]
        for i in abi
        if i.get("type") == "function" and i.get("stateMutability") in ("nonpayable", "payable")
    }
    # anyone: submit, finalize, withdraw; the challenges contract: reject; the owner: these two
    assert writes == {"submit", "finalize", "withdraw", "reject", "setPaused", "transferOwnership"}


def test_the_devnet_bond_is_its_parts() -> None:
    params = feed.DevnetFeedParams(
        verifier="0x" + "11" * 20,
        rate_source="0x" + "22" * 20,
        ilk_index=0,
        model_hash="0x" + "33" * 32,
        lrt="weETH",
        genesis_time=0,
    )
    assert params.bond == 500_000 * 100 * 10**9 + 10**16 + 4 * 10**16 == 10**17
    assert params.config_tuple()[-5:] == (300, 500_000, 100 * 10**9, 10**16, 4 * 10**16)


def test_verifier_meta_reads_the_shipped_file() -> None:
    meta = feed.verifier_meta()
    assert meta.model_hash.startswith("0x") and len(meta.model_hash) == 66
    assert meta.num_instances == layout.N_INSTANCES


def test_load_proof_reads_ezkl_json(tmp_path: Path) -> None:
    inputs = layout.PublicInputs(
        features_q=(1, 2, 3, 4, 5, 6, 7, 1024),
        slot=70_000,
        state_root="0x" + "cd" * 32,
        model_id="0x" + "12" * 8,
    )
    inst = inputs.instances(score=-3)
    path = tmp_path / "proof.json"
    path.write_text(
        json.dumps(
            {
                "hex_proof": "0x" + "ab" * 8,
                "instances": [[layout.felt_to_ezkl_hex(x) for x in inst]],
            }
        )
    )
    proof, got = feed.load_proof(path)
    assert proof == bytes.fromhex("ab" * 8)
    assert got == inst
    path.write_text(json.dumps({"instances": [[]]}))
    with pytest.raises(feed.IonError, match="no proof bytes"):
        feed.load_proof(path)


def test_the_shipped_verifier_was_built_from_the_shipped_keys() -> None:
    """verifier.json names the model, settings, verifying key and SRS that ion proves with: a
    new model or key without a regenerated verifier (`python -m ion_cli.zk.build_verifier`)
    would make every devnet proof fail on chain."""
    from ion_cli.zk import ezkl_runner as er

    meta = feed.verifier_meta()
    assert meta.model_hash == er.model_hash()
    assert meta.settings_hash == er.sha256_file(er.SETTINGS_FILE)
    assert meta.vk_hash == er.sha256_file(er.VK_FILE)
    assert meta.srs_hash == er.DEVNET_SRS_SHA256 == er.sha256_file(er.DEVNET_SRS_FILE)
    source = SOURCE.with_name("Halo2Verifier.sol").read_text()
    assert meta.vk_hash[2:] in source.splitlines()[1]


def test_the_verifier_fits_the_mainnet_contract_size_limit() -> None:
    code = load_artifact("Halo2Verifier").bytecode
    # Creation code bounds the runtime code from above (the constructor is empty).
    assert (len(code) - 2) // 2 < 24_576
