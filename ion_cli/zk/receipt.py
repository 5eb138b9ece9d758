"""The receipt next to every proof, and the offline re-check of a receipt folder.

A proof folder holds:
- `receipt.json`: what was proven, from which data, with which model, settings, SRS and ezkl
  (format below), and after submission the chain id, feed and transaction hash (`submission`);
- `proof.json` (ezkl's proof, instances included), `settings.json`, `vk.key`: with the SRS the
  receipt names, `ezkl.verify(proof.json, settings.json, vk.key, SRS)` re-checks the proof with
  ezkl alone;
- `snapshot.json`: the validators the features were computed from (`Snapshot.to_json()`), so
  anyone can recompute the features;
- `sumtree.json`: the committed snapshot (`ion_cli.zk.sumtree`): every leaf and the commitment
  (root, root sums, leaf count, first and last index, depth, epoch) a submission carries; the
  receipt's `commitment` repeats the commitment with the network-level inputs and the features
  recomputed from the root sums (what the feed computes on chain).

`ion_cli.zk.receipt_checks.check` re-checks all of it offline into a `Report` (here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ion_cli.zk import ezkl_runner as er

FORMAT = "ion-risk-receipt/1"
RECEIPT = "receipt.json"
PROOF = "proof.json"
SETTINGS = "settings.json"
VK = "vk.key"
SNAPSHOT = "snapshot.json"
SUMTREE = "sumtree.json"


class ReceiptError(ValueError):
    """The receipt folder cannot be read (missing file, not JSON, wrong format)."""


# Upper bounds on the files of a receipt folder (far above what ion writes; a bound keeps a
# hostile folder from making a check read without end).
MAX_BYTES = {
    RECEIPT: 64 << 20,  # validator indices of a large set
    PROOF: 16 << 20,
    SETTINGS: 16 << 20,
    VK: 16 << 20,
    SNAPSHOT: 1 << 30,
}


def not_regular(path: Path, limit: int | None = None) -> str | None:
    """Why `path` cannot be read as a receipt's file (missing, a directory, a device, a FIFO,
    too large), or None. Looks with stat only: never opens what is not a regular file."""
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        return f"missing {path}"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return f"{path} is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file (a device, FIFO or socket)"
    if limit is not None and info.st_size > limit:
        return f"{path} is larger than {limit} bytes"
    return None


def receipt_path(path: Path) -> Path:
    """A receipt file, or the folder that holds one."""
    target = path / RECEIPT if path.is_dir() else path
    why = not_regular(target, MAX_BYTES[RECEIPT])
    if why is not None:
        raise ReceiptError(f"no receipt at {target}" if why.startswith("missing") else why)
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
        why = not_regular(self.file(PROOF), MAX_BYTES[PROOF])
        if why is not None:
            raise ReceiptError(why)
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
    skipped: bool = False  # not run (e.g. offline); never counted as a failure, shown as such

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "skipped": self.skipped, "detail": self.detail}


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

    def skip(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, True, detail, skipped=True))

    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "receipt": str(self.receipt),
            "ok": self.ok,
            "checks": [c.to_json() for c in self.checks],
        }


# ---- the committed snapshot (Merkle-sum tree) ------------------------------------------------


def write_sumtree(folder: Path, snapshot: Any) -> Any:
    """Build the snapshot's Merkle-sum tree, write it beside the receipt, return its
    commitment."""
    from ion_cli.zk import sumtree

    tree = sumtree.build(snapshot.validators, snapshot.state.epoch)
    write_json(folder / SUMTREE, tree.to_json())
    return tree.commitment()


def commitment_section(folder: Path, commitment: Any, network: Any) -> dict[str, Any]:
    """The receipt's `commitment`: what `ion submit` sends with the proof."""
    from ion_cli.zk import features

    recomputed = features.from_sums(commitment.sums, network.active_balance, network.other_slashed)
    return {
        **commitment.to_json(),
        "network": {
            "active_balance": network.active_balance,
            "other_slashed": network.other_slashed,
        },
        "features_from_sums": list(recomputed.quantized),
        "file": SUMTREE,
        "sha256": er.sha256_file(folder / SUMTREE),
    }
