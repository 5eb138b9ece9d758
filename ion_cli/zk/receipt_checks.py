"""The offline re-check of a receipt folder (`ion verify`), as named steps into a `Report`.

`check` re-checks all of it offline: file hashes, the pinned settings, the model (a proof made
with another model, or a receipt that names another model, is caught: the verifying key must
be the one this ion derives for its model and the SRS), the proof itself, and that the receipt's
slot, state root, model, features and score are exactly what the proof's public instances carry;
then the committed snapshot and, where the receipt has one, the beacon state root's anchor.
The folder's files and their names are `ion_cli.zk.receipt`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ion_cli.zk import ezkl_runner as er
from ion_cli.zk import layout
from ion_cli.zk.receipt import (
    MAX_BYTES,
    PROOF,
    SETTINGS,
    SNAPSHOT,
    SUMTREE,
    VK,
    LoadedReceipt,
    ReceiptError,
    Report,
    load,
    not_regular,
)
from ion_cli.zk.receipt_keys import nested as _get


def _locate_srs(r: LoadedReceipt, srs_file: Path | None) -> Path | None:
    """The SRS file the receipt names, found by its hash: --srs (then only it), the path
    recorded, the folder, or the devnet SRS shipped with ion."""
    want = _get(r.data, "srs", "sha256")
    if srs_file is not None:
        return srs_file if er.sha256_file(srs_file) == want else None
    candidates: list[Path] = []
    recorded = _get(r.data, "srs", "path")
    if isinstance(recorded, str):
        candidates.append(Path(recorded))
    name = _get(r.data, "srs", "file")
    if isinstance(name, str):
        candidates.append(r.folder / Path(name).name)
    candidates.append(er.DEVNET_SRS_FILE)
    for c in candidates:
        if not_regular(c) is None and er.sha256_file(c) == want:
            return c
    return None


def _bound_id(model_sha: Any, lrt: Any) -> str | None:
    """The model id a proof of `lrt` with this model must carry (None if the receipt lacks
    either)."""
    if not isinstance(model_sha, str) or not isinstance(lrt, str) or not lrt:
        return None
    try:
        return layout.model_id(model_sha, lrt)
    except layout.LayoutError:
        return None


@dataclass
class CheckState:
    """What the checks learn on the way, for the checks after them."""

    r: LoadedReceipt
    srs_file: Path | None
    progress: er.Progress
    is_devnet_network: Callable[[str], bool | None]
    srs: Path | None = None
    decoded: layout.Decoded | None = None


# A named step of `ion verify`: adds its checks to the report; False stops the steps after it
# (they would only repeat the failure). Other checks (e.g. the beacon state root against an
# anchor) slot in as further steps.
Step = Callable[[Report, CheckState], bool]


def check_files(report: Report, st: CheckState) -> bool:
    """Every file the receipt names is present, a regular file, and has the recorded hash."""
    ok = True
    for key, name in (("proof", PROOF), ("settings", SETTINGS), ("vk", VK), ("snapshot", SNAPSHOT)):
        named = _get(st.r.data, key, "file")
        if named != name:
            ok = report.add(f"{name} named", False, f"the receipt names {named!r}, not {name}")
            continue
        f = st.r.file(name)
        why = not_regular(f, MAX_BYTES[name])
        if why is not None:
            ok = report.add(f"{name} present", False, why) and ok
            continue
        want = _get(st.r.data, key, "sha256")
        got = er.sha256_file(f)
        same = got == want
        ok = report.add(f"{name} hash", same, "" if same else f"{got} != {want}") and ok
    return ok


def check_settings(report: Report, st: CheckState) -> bool:
    """The settings are ion's pinned ones, made by the ezkl the receipt names."""
    try:
        settings = json.loads(st.r.file(SETTINGS).read_text())
    except (OSError, ValueError) as exc:
        return report.add("settings readable", False, str(exc))
    if not isinstance(settings, dict):
        return report.add("settings readable", False, "settings.json is not a JSON object")
    run_args = settings.get("run_args", {})
    run_args = run_args if isinstance(run_args, dict) else {}
    wrong = {k: run_args.get(k) for k, v in er.PINNED_SETTINGS.items() if run_args.get(k) != v}
    report.add("settings pinned", not wrong, f"unexpected {wrong}" if wrong else "")
    report.add(
        "ezkl version",
        settings.get("version") == st.r.data.get("ezkl_version"),
        f"settings made by ezkl {settings.get('version')}, receipt says "
        f"{st.r.data.get('ezkl_version')}",
    )
    return True


def check_model(report: Report, st: CheckState) -> bool:
    """The model is the one this ion ships, and the receipt's model id binds it to its LRT."""
    d = st.r.data
    shipped = er.model_hash()
    model_sha = _get(d, "model", "sha256")
    report.add(
        "model",
        model_sha == shipped,
        "" if model_sha == shipped else f"receipt names model {model_sha}; ion's is {shipped}",
    )
    named = _get(d, "model", "file")
    report.add(
        "model file",
        named == er.MODEL_FILE.name,
        "" if named == er.MODEL_FILE.name else f"{named!r} != {er.MODEL_FILE.name!r}",
    )
    bound = _bound_id(model_sha, d.get("lrt"))
    claimed = _get(d, "model", "id")
    report.add(
        "model id field",
        bound is not None and claimed == bound,
        "" if bound is not None and claimed == bound else f"{claimed} != {bound}",
    )
    return True


def check_srs(report: Report, st: CheckState) -> bool:
    """The SRS the receipt names is found (by hash), is of the kind it says, and fits the
    network: the development SRS serves the devnet only."""
    d = st.r.data
    srs = _locate_srs(st.r, st.srs_file)
    if srs is None:
        if st.srs_file is not None:
            want = _get(d, "srs", "sha256")
            detail = f"the SRS file {st.srs_file} is not the SRS the receipt names ({want})"
        else:  # neutral words: the report reaches the API's callers and the CLI alike
            detail = f"no SRS file with hash {_get(d, 'srs', 'sha256')} (pass the SRS file)"
        return report.add("SRS", False, detail)
    report.add("SRS", True, str(srs))
    st.srs = srs
    kind = "devnet" if _get(d, "srs", "sha256") == er.DEVNET_SRS_SHA256 else "ceremony"
    claimed = _get(d, "srs", "kind")
    report.add("SRS kind", claimed == kind, "" if claimed == kind else f"{claimed} != {kind}")
    network = d.get("network")
    if not isinstance(network, str) or not network.strip():
        return report.add("network", False, f"the receipt names no network ({network!r})")
    # A network this ion does not know (another machine's profile) passes with a ceremony SRS.
    devnet = st.is_devnet_network(network)
    fits = kind != "devnet" or devnet is True
    report.add(
        "network",
        fits,
        "" if fits else f"a proof for {network} made with the development SRS (devnet only)",
    )
    return True


def check_proof(report: Report, st: CheckState) -> bool:
    """ezkl verifies the proof, with a verifying key derived from ion's model and the SRS."""
    r, srs = st.r, st.srs
    if srs is None:
        return False
    ok, why = er.verify(r.file(PROOF), r.file(SETTINGS), r.file(VK), srs)
    report.add("proof verifies (ezkl)", ok, why)
    if _get(r.data, "model", "sha256") == er.model_hash():
        kind = "devnet" if er.sha256_file(srs) == er.DEVNET_SRS_SHA256 else "ceremony"
        if kind == "devnet" and er.sha256_file(r.file(SETTINGS)) == er.sha256_file(
            er.SETTINGS_FILE
        ):
            expected_vk = er.sha256_file(er.VK_FILE)
        else:
            c = er.circuit(
                er.Srs(srs, er.sha256_file(srs), kind), st.progress, settings=r.file(SETTINGS)
            )
            expected_vk = er.sha256_file(c.vk)
        got_vk = er.sha256_file(r.file(VK))
        report.add(
            "verifying key is the model's",
            got_vk == expected_vk,
            "" if got_vk == expected_vk else "vk.key was not made from ion's model",
        )
    return True


def check_instances(report: Report, st: CheckState) -> bool:
    """The proof's public instances say what the receipt says (slot, root, model, features,
    score, haircut) and number what the receipt records."""
    d = st.r.data
    try:
        instances = st.r.instances()
    except (ReceiptError, layout.LayoutError) as exc:
        return report.add("public instances", False, str(exc))
    recorded = _get(d, "instances", "count")
    fits = recorded == layout.N_INSTANCES == len(instances)
    report.add(
        "instances: count",
        fits,
        ""
        if fits
        else f"proof has {len(instances)}, receipt says {recorded}, "
        f"the layout {layout.N_INSTANCES}",
    )
    try:
        decoded = layout.decode(instances)
    except layout.LayoutError as exc:
        return report.add("public instances", False, str(exc))
    st.decoded = decoded
    inputs = decoded.inputs
    pairs: list[tuple[str, Any, Any]] = [
        ("slot", inputs.slot, _get(d, "beacon", "slot")),
        ("state root", inputs.state_root, str(_get(d, "beacon", "state_root") or "").lower()),
        (
            "model id (model and LRT)",
            inputs.model_id,
            _bound_id(_get(d, "model", "sha256"), d.get("lrt")),
        ),
        ("features", list(inputs.features_q), _get(d, "features", "quantized")),
        ("restaking features", list(inputs.restaking_q), _get(d, "restaking", "quantized")),
        ("pinned block", inputs.block, _get(d, "restaking", "pinned_block")),
        ("score", decoded.score, _get(d, "output", "score")),
    ]
    for name, proven, claimed in pairs:
        report.add(
            f"instances: {name}",
            proven == claimed,
            "" if proven == claimed else f"proof carries {proven}, receipt says {claimed}",
        )
    haircut = str(layout.haircut_wad(decoded.score))
    claimed_haircut = _get(d, "output", "haircut_wad")
    report.add(
        "haircut",
        haircut == claimed_haircut,
        "" if haircut == claimed_haircut else f"{claimed_haircut} != {haircut}",
    )
    p = decoded.score / layout.SCORE_ONE
    report.add(
        "output p",
        _get(d, "output", "p") == p,
        "" if _get(d, "output", "p") == p else f"{_get(d, 'output', 'p')} != {p}",
    )
    return True


def check_beacon_fields(report: Report, st: CheckState) -> bool:
    """The beacon section is self-consistent: epoch of the slot, 32-byte roots, a finalized,
    not optimistic state (what `ion prove` insists on)."""
    beacon = _get(st.r.data, "beacon")
    if not isinstance(beacon, dict):
        return report.add("beacon fields", False, "no beacon section")
    slot = beacon.get("slot")
    problems = []
    if not isinstance(slot, int) or isinstance(slot, bool) or slot < 0:
        problems.append(f"slot {slot!r}")
    elif beacon.get("epoch") != slot // 32:
        problems.append(f"epoch {beacon.get('epoch')!r} is not slot {slot} // 32")
    for key in ("state_root", "block_root"):
        value = beacon.get(key)
        if not (isinstance(value, str) and len(value) == 66 and value.startswith("0x")):
            problems.append(f"{key} {value!r}")
    if beacon.get("finalized") is not True:
        problems.append("not a finalized state")
    if beacon.get("execution_optimistic") is not False:
        problems.append("an execution-optimistic state")
    if not isinstance(beacon.get("cross_checked", False), bool):
        problems.append(f"cross_checked {beacon.get('cross_checked')!r}")
    nodes = beacon.get("nodes", [])
    if not (isinstance(nodes, list) and all(isinstance(n, str) for n in nodes)):
        problems.append(f"nodes {nodes!r}")
    return report.add("beacon fields", not problems, "; ".join(problems))


def check_submission_field(report: Report, st: CheckState) -> bool:
    """`submission` is null, or a record of the receipt's own network (the chain is asked
    about it by the caller when a node is at hand)."""
    sub = st.r.data.get("submission", "absent")
    if sub is None:
        return True
    if not isinstance(sub, dict):
        return report.add("submission record", False, f"not a record: {sub!r}")
    problems = []
    if sub.get("network") != st.r.data.get("network"):
        problems.append(f"network {sub.get('network')!r} is not the receipt's")
    if not isinstance(sub.get("chain_id"), int):
        problems.append("no chain id")
    for key in ("feed", "tx_hash"):
        if not isinstance(sub.get(key), str) or not str(sub.get(key)).startswith("0x"):
            problems.append(f"no {key}")
    if not isinstance(sub.get("block"), int):
        problems.append("no block")
    return report.add("submission record", not problems, "; ".join(problems))


def check_snapshot(report: Report, st: CheckState) -> bool:
    """The snapshot: same state, same validators, same features."""
    from ion_cli.zk import features
    from ion_cli.zk.rule import NetworkContext
    from ion_cli.zk.snapshot_json import SnapshotFormatError, snapshot_from_json

    d = st.r.data
    try:
        snap = snapshot_from_json(json.loads(st.r.file(SNAPSHOT).read_text()))
    except (OSError, ValueError, SnapshotFormatError) as exc:
        return report.add("snapshot readable", False, str(exc))
    same_state = (
        snap.state.slot == _get(d, "beacon", "slot")
        and snap.state.state_root.lower() == str(_get(d, "beacon", "state_root")).lower()
        and snap.state.block_root.lower() == str(_get(d, "beacon", "block_root")).lower()
    )
    report.add("snapshot state", same_state, "" if same_state else "slot or roots differ")
    indices = [v.index for v in snap.validators]
    report.add("snapshot validators", indices == d.get("validator_indices"))
    net = d.get("network_context") or {}
    try:
        context = NetworkContext(
            active_balance=int(net.get("active_balance", 0)),
            other_slashed=int(net.get("other_slashed", 0)),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        return report.add("network context", False, str(exc))
    recomputed = list(features.compute(snap, context).quantized)
    claimed = _get(d, "features", "quantized")
    report.add(
        "features recomputed",
        recomputed == claimed,
        "" if recomputed == claimed else f"{recomputed} != {claimed}",
    )
    from ion_cli.zk import rule

    loss = rule.loss(snap, context).to_json()
    raw_rule = d.get("rule")
    shown: dict[str, Any] = raw_rule if isinstance(raw_rule, dict) else {}
    differ = sorted(k for k, v in loss.items() if shown.get(k) != v)
    report.add("rule recomputed", not differ, f"differs in {differ}" if differ else "")
    return True


def check_commitment(report: Report, st: CheckState) -> bool:
    """The committed snapshot, when the receipt has one: the tree rebuilds, it holds the
    snapshot's records, and the features from its root sums are the proof's."""
    if st.r.data.get("commitment") is not None:
        _check_commitment(report, st.r, st.r.data)
    return True


def check_anchor(report: Report, st: CheckState) -> bool:
    """The anchor: the snapshot's validators against the state root of the receipt's block
    (`ion_cli.zk.anchor_check`, its checks named "anchor: ...")."""
    from ion_cli.zk import anchor_check

    anchor_check.check(report, st.r)
    return True


# The offline steps of `ion verify`, in order. A failed file check stops everything after it.
STEPS: tuple[Step, ...] = (
    check_files,
    check_settings,
    check_model,
    check_srs,
    check_proof,
    check_instances,
    check_beacon_fields,
    check_submission_field,
    check_snapshot,
    check_commitment,
    check_anchor,
)


def _known_network(name: str) -> bool | None:
    """Whether `name` is the devnet (or based on it), False for another known network, None
    when no network has that name."""
    from ion_cli.config import load_config

    raw = load_config().networks.get(name)
    if isinstance(raw, dict):
        return bool(raw.get("base", name) == "devnet")
    if name in ("devnet", "mainnet"):
        return name == "devnet"
    return None


def check(
    path: Path,
    *,
    srs_file: Path | None = None,
    progress: er.Progress,
    is_devnet_network: Callable[[str], bool | None] | None = None,
    steps: tuple[Step, ...] = STEPS,
) -> Report:
    """Every offline check of a receipt folder (see the module docstring)."""
    r = load(path)
    report = Report(r.path)
    st = CheckState(r, srs_file, progress, is_devnet_network or _known_network)
    for step in steps:
        if not step(report, st) and step is check_files:
            break
    return report


def _check_commitment(report: Report, r: LoadedReceipt, d: dict[str, Any]) -> None:
    from ion_cli.zk import features, sumtree

    section = d.get("commitment")
    if not isinstance(section, dict):
        report.add("commitment", False, "receipt's commitment is not an object")
        return
    f = r.file(SUMTREE)
    want = section.get("sha256")
    if not f.is_file():
        report.add("sumtree.json present", False, f"missing {f}")
        return
    got = er.sha256_file(f)
    if not report.add("sumtree.json hash", got == want, "" if got == want else f"{got}"):
        return
    try:
        claimed = sumtree.Commitment.from_json(section)
        tree = sumtree.check(json.loads(f.read_text()), claimed)
    except (ValueError, sumtree.SumTreeError) as exc:
        report.add("commitment rebuilds", False, str(exc))
        return
    report.add("commitment rebuilds", True, claimed.root)
    same_epoch = claimed.epoch == (_get(d, "beacon", "epoch"))
    report.add("commitment epoch", same_epoch, "" if same_epoch else "not the receipt's epoch")
    same = [v.index for v in tree.validators] == d.get("validator_indices")
    snap_file = r.file(SNAPSHOT)
    if same and snap_file.is_file():
        # every field, not just the indices: the leaves are the records the features came from
        from ion_cli.zk.snapshot_json import SnapshotFormatError, snapshot_from_json

        try:
            snap = snapshot_from_json(json.loads(snap_file.read_text()))
            same = [v.to_json() for v in tree.validators] == [
                v.to_json() for v in sorted(snap.validators, key=lambda v: v.index)
            ]
        except (ValueError, SnapshotFormatError):
            same = False
    report.add("commitment leaves", same, "" if same else "not the snapshot's validators")
    net = section.get("network") or {}
    try:
        from_sums = features.from_sums(
            claimed.sums, int(net.get("active_balance", 0)), int(net.get("other_slashed", 0))
        ).quantized
    except (TypeError, ValueError) as exc:
        report.add("features from sums", False, str(exc))
        return
    proven = _get(d, "features", "quantized")
    ok = list(from_sums) == proven == section.get("features_from_sums")
    report.add(
        "features from sums",
        ok,
        f"{list(from_sums)} (as the feed computes them)"
        if ok
        else f"{list(from_sums)} != {proven}",
    )
