"""The receipt next to every proof, and the offline re-check of a receipt folder.

A proof folder holds:
- `receipt.json`: what was proven, from which data, with which model, settings, SRS and ezkl
  (format below), and after submission the chain id, feed and transaction hash (`submission`);
- `proof.json` (ezkl's proof, instances included), `settings.json`, `vk.key`: with the SRS the
  receipt names, `ezkl.verify(proof.json, settings.json, vk.key, SRS)` re-checks the proof with
  ezkl alone;
- `snapshot.json`: the validators the features were computed from (`Snapshot.to_json()`), so
  anyone can recompute the features.

`check` re-checks all of it offline: file hashes, the pinned settings, the model (a proof made
with another model, or a receipt that names another model, is caught: the verifying key must
be the one this ion derives for its model and the SRS), the proof itself, and that the receipt's
slot, state root, model, features and score are exactly what the proof's public instances carry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ion_cli.zk import ezkl_runner as er
from ion_cli.zk import layout

FORMAT = "ion-risk-receipt/1"
RECEIPT = "receipt.json"
PROOF = "proof.json"
SETTINGS = "settings.json"
VK = "vk.key"
SNAPSHOT = "snapshot.json"


class ReceiptError(ValueError):
    """The receipt folder cannot be read (missing file, not JSON, wrong format)."""


def receipt_path(path: Path) -> Path:
    """A receipt file, or the folder that holds one."""
    target = path / RECEIPT if path.is_dir() else path
    if not target.is_file():
        raise ReceiptError(f"no receipt at {target}")
    return target


@dataclass(frozen=True)
class LoadedReceipt:
    path: Path
    data: dict[str, Any]

    @property
    def folder(self) -> Path:
        return self.path.parent

    def file(self, name: str) -> Path:
        return self.folder / name

    def proof(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file(PROOF).read_text())
        except (OSError, ValueError) as exc:
            raise ReceiptError(f"cannot read {self.file(PROOF)}: {exc}") from exc
        if not isinstance(data, dict):
            raise ReceiptError("proof.json is not a JSON object")
        return data

    def proof_bytes(self) -> bytes:
        """The proof as the EVM verifier takes it."""
        raw = self.proof().get("proof")
        if isinstance(raw, list):
            return bytes(int(b) for b in raw)
        if isinstance(raw, str):
            return bytes.fromhex(raw.removeprefix("0x"))
        raise ReceiptError("proof.json has no proof bytes")

    def instances(self) -> list[int]:
        return er.proof_instances(self.proof())


def load(path: Path) -> LoadedReceipt:
    target = receipt_path(path)
    try:
        data = json.loads(target.read_text())
    except (OSError, ValueError) as exc:
        raise ReceiptError(f"cannot read {target}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReceiptError(f"{target} is not an ion risk receipt ({FORMAT})")
    return LoadedReceipt(target, data)


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")


# ---- the offline check -----------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class Report:
    receipt: Path
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "receipt": str(self.receipt),
            "ok": self.ok,
            "checks": [c.to_json() for c in self.checks],
        }


def _get(data: dict[str, Any], *keys: str) -> Any:
    cur: Any = data
    for key in keys:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def _locate_srs(r: LoadedReceipt, srs_file: Path | None) -> Path | None:
    """The SRS file the receipt names, found by its hash: --srs, the path recorded, the folder,
    or the devnet SRS shipped with ion."""
    want = _get(r.data, "srs", "sha256")
    candidates: list[Path] = []
    if srs_file is not None:
        candidates.append(srs_file)
    recorded = _get(r.data, "srs", "path")
    if isinstance(recorded, str):
        candidates.append(Path(recorded))
    name = _get(r.data, "srs", "file")
    if isinstance(name, str):
        candidates.append(r.folder / Path(name).name)
    candidates.append(er.DEVNET_SRS_FILE)
    for c in candidates:
        if c.is_file() and er.sha256_file(c) == want:
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


def check(path: Path, *, srs_file: Path | None = None, progress: er.Progress) -> Report:
    """Every offline check of a receipt folder (see the module docstring)."""
    r = load(path)
    report = Report(r.path)
    d = r.data

    # 1. the files and their hashes
    files_ok = True
    for key, name in (("proof", PROOF), ("settings", SETTINGS), ("vk", VK)):
        f = r.file(name)
        want = _get(d, key, "sha256")
        if not f.is_file():
            files_ok = report.add(f"{name} present", False, f"missing {f}") and files_ok
            continue
        got = er.sha256_file(f)
        files_ok = (
            report.add(f"{name} hash", got == want, "" if got == want else f"{got} != {want}")
            and files_ok
        )
    if not files_ok:
        return report

    # 2. settings pinned, ezkl version named
    settings = json.loads(r.file(SETTINGS).read_text())
    run_args = settings.get("run_args", {})
    wrong = {k: run_args.get(k) for k, v in er.PINNED_SETTINGS.items() if run_args.get(k) != v}
    report.add("settings pinned", not wrong, f"unexpected {wrong}" if wrong else "")
    report.add(
        "ezkl version",
        settings.get("version") == d.get("ezkl_version"),
        f"settings made by ezkl {settings.get('version')}, receipt says {d.get('ezkl_version')}",
    )

    # 3. the model: the one this ion ships, and a verifying key derived from it
    shipped = er.model_hash()
    model_sha = _get(d, "model", "sha256")
    report.add(
        "model",
        model_sha == shipped,
        "" if model_sha == shipped else f"receipt names model {model_sha}; ion's is {shipped}",
    )

    # 4. the proof verifies with ezkl (SRS found by hash)
    srs = _locate_srs(r, srs_file)
    if srs is None:
        report.add("SRS", False, f"no SRS file with hash {_get(d, 'srs', 'sha256')} (pass --srs)")
        return report
    report.add("SRS", True, str(srs))
    ok, why = er.verify(r.file(PROOF), r.file(SETTINGS), r.file(VK), srs)
    report.add("proof verifies (ezkl)", ok, why)
    if model_sha == shipped:
        kind = "devnet" if er.sha256_file(srs) == er.DEVNET_SRS_SHA256 else "ceremony"
        if kind == "devnet" and er.sha256_file(r.file(SETTINGS)) == er.sha256_file(
            er.SETTINGS_FILE
        ):
            expected_vk = er.sha256_file(er.VK_FILE)
        else:
            c = er.circuit(
                er.Srs(srs, er.sha256_file(srs), kind), progress, settings=r.file(SETTINGS)
            )
            expected_vk = er.sha256_file(c.vk)
        got_vk = er.sha256_file(r.file(VK))
        report.add(
            "verifying key is the model's",
            got_vk == expected_vk,
            "" if got_vk == expected_vk else "vk.key was not made from ion's model",
        )

    # 5. the public instances say what the receipt says
    try:
        decoded = layout.decode(r.instances())
    except layout.LayoutError as exc:
        report.add("public instances", False, str(exc))
        return report
    inputs = decoded.inputs
    pairs: list[tuple[str, Any, Any]] = [
        ("slot", inputs.slot, _get(d, "beacon", "slot")),
        ("state root", inputs.state_root, str(_get(d, "beacon", "state_root") or "").lower()),
        (
            "model id (model and LRT)",
            inputs.model_id,
            _bound_id(model_sha, d.get("lrt")),
        ),
        ("features", list(inputs.features_q), _get(d, "features", "quantized")),
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

    # 6. the snapshot, when present: same state, same validators, same features
    snap_file = r.file(SNAPSHOT)
    if snap_file.is_file():
        _check_snapshot(report, d, snap_file)

    # 7. the anchor: the snapshot's validators against the state root of the receipt's block
    from ion_cli.zk import anchor_check

    anchor_check.check(report, r)
    return report


def _check_snapshot(report: Report, d: dict[str, Any], snap_file: Path) -> None:
    from ion_cli.zk import features
    from ion_cli.zk.rule import NetworkContext
    from ion_cli.zk.snapshot_json import SnapshotFormatError, snapshot_from_json

    want = _get(d, "snapshot", "sha256")
    got = er.sha256_file(snap_file)
    if not report.add("snapshot.json hash", got == want, "" if got == want else f"{got}"):
        return
    try:
        snap = snapshot_from_json(json.loads(snap_file.read_text()))
    except (ValueError, SnapshotFormatError) as exc:
        report.add("snapshot readable", False, str(exc))
        return
    same_state = (
        snap.state.slot == _get(d, "beacon", "slot")
        and snap.state.state_root.lower() == str(_get(d, "beacon", "state_root")).lower()
        and snap.state.block_root.lower() == str(_get(d, "beacon", "block_root")).lower()
    )
    report.add("snapshot state", same_state, "" if same_state else "slot or roots differ")
    indices = [v.index for v in snap.validators]
    report.add("snapshot validators", indices == d.get("validator_indices"))
    net = d.get("network_context") or {}
    context = NetworkContext(
        active_balance=int(net.get("active_balance", 0)),
        other_slashed=int(net.get("other_slashed", 0)),
    )
    recomputed = list(features.compute(snap, context).quantized)
    claimed = _get(d, "features", "quantized")
    report.add(
        "features recomputed",
        recomputed == claimed,
        "" if recomputed == claimed else f"{recomputed} != {claimed}",
    )
