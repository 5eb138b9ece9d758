"""ezkl, wrapped: pinned settings, keys cached per model and SRS, witness, prove, verify.

ezkl is imported inside the functions (it is not needed for `ion --help`). What ships with the
package (ion_cli/zk/model/): the model (`risk.onnx`), its settings (`settings.json`, generated
once with `PINNED` below: ezkl writes a timestamp into settings, so regenerating them would
change the settings hash), and the verifying key made with the devnet SRS (`risk.vk`, which the
generated Solidity verifier embeds). The devnet SRS itself ships in ion_cli/zk/srs/ with its hash
pinned: `gen_srs` draws fresh randomness, so a fresh clone must use this very file. Any other
network needs a ceremony SRS file from the user (`--srs FILE`); the devnet one is refused there.

The compiled circuit and the proving key are made on first use and cached under
`$ION_ZK_CACHE` (default: the user cache dir, ion/zk/), one folder per (model hash, SRS hash,
ezkl version); the folder is built aside and renamed into place, so a crash leaves no half key.
The ezkl steps used here (settings, compile, setup, witness, prove, verify) are synchronous and
do not show the exit-time crash that the EVM helpers do (toolchain.md), so they run in-process.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ion_cli.errors import IonError, RefusedError, UsageError
from ion_cli.zk import layout

Progress = Callable[[str], None]

PACKAGE_DIR = Path(__file__).resolve().parent
MODEL_DIR = PACKAGE_DIR / "model"
MODEL_FILE = MODEL_DIR / "risk.onnx"
SETTINGS_FILE = MODEL_DIR / "settings.json"
VK_FILE = MODEL_DIR / "risk.vk"
DEVNET_SRS_FILE = PACKAGE_DIR / "srs" / "devnet-k11.srs"
# sha256 of DEVNET_SRS_FILE (a test checks it): the shipped verifier's key was made with it.
DEVNET_SRS_SHA256 = "0x051f2cea11e1c51313d6e49717a36341e3e1c558175ca7d9e3f4fcb47a7d50c9"

LOGROWS = 11
# The run arguments of the shipped settings. One inner column halves the advice columns the EVM
# verifier must check (measured: verify gas 566k -> 437k, verifier 13.4 -> 10.5 KB, proof 3,072
# -> 1,952 bytes) at the price of twice the rows (1,632: logrows 11, proving about 2x slower).
# Other decomposition bases, logrows, rescaling and lookup options measured within 0.1k gas of
# these (tests/bench/zk_verifier.py --candidates; the model card lists them).
PINNED: dict[str, Any] = {
    "input_visibility": "public",
    "output_visibility": "public",
    "param_visibility": "fixed",
    "logrows": LOGROWS,
    "input_scale": layout.INPUT_SCALE,
    "param_scale": 10,
    "decomp_base": 128,
    "decomp_legs": 4,
    "num_inner_cols": 1,
    # The feed bounds the public inputs itself (layout.py); the in-circuit check costs ~260k gas.
    "ignore_range_check_inputs_outputs": True,
}
# Settings keys that must hold these values (what a receipt's settings are checked against).
PINNED_SETTINGS = {
    "logrows": LOGROWS,
    "num_inner_cols": 1,
    "input_scale": layout.INPUT_SCALE,
    "param_scale": 10,
    "input_visibility": "Public",
    "output_visibility": "Public",
    "param_visibility": "Fixed",
}


class ProofError(IonError):
    """ezkl failed, or a proof does not verify."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "0x" + h.hexdigest()


def model_hash() -> str:
    return sha256_file(MODEL_FILE)


def ezkl_version() -> str:
    import ezkl

    return str(getattr(ezkl, "__version__", "unknown"))


def cache_root() -> Path:
    env = os.environ.get("ION_ZK_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ion" / "zk"


def _quiet_ezkl() -> None:
    """ezkl keeps its own files under ~/.ezkl unless told otherwise: keep them in our cache."""
    os.environ.setdefault("EZKL_REPO_PATH", str(cache_root() / "ezkl-home"))


# ---- SRS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Srs:
    path: Path
    sha256: str
    kind: str  # "devnet" (the shipped development SRS) or "ceremony" (a file the user gave)

    def to_json(self) -> dict[str, str | int]:
        return {
            "file": self.path.name,
            "path": str(self.path),
            "sha256": self.sha256,
            "kind": self.kind,
            "logrows": LOGROWS,
        }


def devnet_srs() -> Srs:
    digest = sha256_file(DEVNET_SRS_FILE)
    if digest != DEVNET_SRS_SHA256:
        raise ProofError(
            f"the shipped devnet SRS {DEVNET_SRS_FILE} has hash {digest}, not the pinned "
            f"{DEVNET_SRS_SHA256}: the installation is damaged"
        )
    return Srs(DEVNET_SRS_FILE, digest, "devnet")


def resolve_srs(*, devnet: bool, srs_file: Path | None) -> Srs:
    """The SRS to prove with: the shipped one on the devnet (or a file given there), and on any
    other network a user-supplied ceremony file, never the development one."""
    if srs_file is None:
        if devnet:
            return devnet_srs()
        raise UsageError(
            "proving for a network other than the devnet needs a ceremony SRS: pass `srs_file` "
            f"(a KZG SRS for at least 2^{LOGROWS} rows from a public trusted setup)",
            params=("srs_file",),
        )
    if not srs_file.is_file():
        raise UsageError(f"SRS file not found: {srs_file}")
    digest = sha256_file(srs_file)
    if digest == DEVNET_SRS_SHA256:
        if not devnet:
            raise RefusedError(
                "that is the development SRS shipped for the devnet (generated locally, not a "
                "trusted setup): it is refused for any other network"
            )
        return Srs(srs_file, digest, "devnet")
    return Srs(srs_file.resolve(), digest, "ceremony")


# ---- the circuit and its keys ---------------------------------------------------------------


@dataclass(frozen=True)
class Compiled:
    """The compiled circuit of (model, settings) for this ezkl version: enough for a witness."""

    folder: Path
    model: Path
    settings: Path
    compiled: Path
    model_sha256: str
    settings_sha256: str


@dataclass(frozen=True)
class Circuit:
    """A compiled circuit with its proving and verifying keys for one SRS."""

    base: Compiled
    pk: Path
    vk: Path
    srs: Srs

    @property
    def compiled(self) -> Path:
        return self.base.compiled

    @property
    def settings(self) -> Path:
        return self.base.settings


def estimate(logrows: int = LOGROWS) -> str:
    """A first setup's cost, scaled from measurements on 2 cores at logrows 11 (about 0.5 s, pk
    about 8 MB, about 150 MB peak memory); every extra logrow doubles them."""
    factor = 1 << max(0, logrows - 11)
    return (
        f"about {0.5 * factor:.1f} s and {150 * factor} MB of memory "
        f"(logrows {logrows}; proving key about {8 * factor} MB)"
    )


def _run_args() -> Any:
    import ezkl

    args = ezkl.PyRunArgs()
    for key, value in PINNED.items():
        setattr(args, key, value)
    return args


def gen_settings(model: Path, out: Path) -> None:
    """Write settings for `model` with the pinned run arguments (the shipped file came so)."""
    _quiet_ezkl()
    import ezkl

    if not ezkl.gen_settings(str(model), str(out), py_run_args=_run_args()):
        raise ProofError("ezkl could not generate settings for the model")


def _build_aside(folder: Path, build: Callable[[Path], None], ready: Callable[[], bool]) -> None:
    """Build into a temporary folder beside `folder`, then rename it into place. A complete
    folder that another process put there meanwhile wins (and is never pulled from under it);
    an incomplete one (a damaged cache) is replaced."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        build(tmp)
        if folder.exists() and not ready():
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not ready():
                raise
    except RuntimeError as exc:
        raise ProofError(f"ezkl failed: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compiled(
    progress: Progress, *, model: Path = MODEL_FILE, settings: Path = SETTINGS_FILE
) -> Compiled:
    """The compiled circuit, made once per (model, settings, ezkl version) and cached."""
    model_sha = sha256_file(model)
    settings_sha = sha256_file(settings)
    folder = cache_root() / f"{model_sha[2:18]}-{settings_sha[2:14]}-ezkl{ezkl_version()}"
    done = Compiled(
        folder=folder,
        model=model,
        settings=folder / "settings.json",
        compiled=folder / "model.compiled",
        model_sha256=model_sha,
        settings_sha256=settings_sha,
    )

    def ready() -> bool:
        return done.compiled.is_file() and done.settings.is_file()

    if ready():
        return done
    _quiet_ezkl()
    import ezkl

    def build(tmp: Path) -> None:
        progress("compiling the circuit")
        shutil.copyfile(settings, tmp / "settings.json")
        if not ezkl.compile_circuit(
            str(model), str(tmp / "model.compiled"), str(tmp / "settings.json")
        ):
            raise ProofError("ezkl could not compile the circuit")

    _build_aside(folder, build, ready)
    return done


def circuit(
    srs: Srs, progress: Progress, *, model: Path = MODEL_FILE, settings: Path = SETTINGS_FILE
) -> Circuit:
    """The compiled circuit and its keys for (model, settings, SRS), built once and cached."""
    base = compiled(progress, model=model, settings=settings)
    folder = base.folder / f"srs-{srs.sha256[2:18]}"
    done = Circuit(base=base, pk=folder / "pk.key", vk=folder / "vk.key", srs=srs)

    def ready() -> bool:
        return done.pk.is_file() and done.vk.is_file()

    if ready():
        return done
    progress(f"first proof with this model and SRS: generating the keys, {estimate()}")
    _quiet_ezkl()
    import ezkl

    def build(tmp: Path) -> None:
        started = time.monotonic()
        if not ezkl.setup(
            str(base.compiled), str(tmp / "vk.key"), str(tmp / "pk.key"), str(srs.path), None, False
        ):
            raise ProofError("ezkl setup failed")
        progress(f"keys made in {time.monotonic() - started:.1f} s (cached in {folder})")
        shipped = srs.kind == "devnet" and model == MODEL_FILE and settings == SETTINGS_FILE
        if shipped and sha256_file(tmp / "vk.key") != sha256_file(VK_FILE):
            raise ProofError(
                "the verifying key made here differs from the shipped one (the shipped "
                "verifier would reject these proofs): regenerate with python -m ion_cli.zk.build"
            )

    _build_aside(folder, build, ready)
    return done


@dataclass(frozen=True)
class Witness:
    path: Path
    score: int  # signed, p = score / 1024
    instances: list[int]


def witness(c: Compiled, inputs: layout.PublicInputs, folder: Path) -> Witness:
    """Run the model in the circuit's arithmetic (what the proof will carry)."""
    _quiet_ezkl()
    import ezkl

    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "input.json"
    data.write_text(json.dumps({"input_data": inputs.graph_input()}))
    out = folder / "witness.json"
    try:
        ezkl.gen_witness(str(data), str(c.compiled), str(out), None, None)
    except RuntimeError as exc:
        raise ProofError(f"ezkl could not compute the witness: {exc}") from exc
    w = json.loads(out.read_text())
    instances = [layout.felt_from_ezkl_hex(x) for group in w["inputs"] for x in group] + [
        layout.felt_from_ezkl_hex(x) for group in w["outputs"] for x in group
    ]
    score = layout.from_field(instances[-1])
    return Witness(path=out, score=score, instances=instances)


def prove(c: Circuit, w: Witness, proof_path: Path) -> None:
    _quiet_ezkl()
    import ezkl

    try:
        ezkl.prove(str(w.path), str(c.compiled), str(c.pk), str(proof_path), str(c.srs.path))
    except RuntimeError as exc:
        raise ProofError(f"ezkl could not make the proof: {exc}") from exc


def verify(proof: Path, settings: Path, vk: Path, srs: Path) -> tuple[bool, str]:
    """ezkl's own check of a proof; (False, reason) instead of an exception."""
    _quiet_ezkl()
    import ezkl

    try:
        ok = bool(ezkl.verify(str(proof), str(settings), str(vk), str(srs), False))
    except (RuntimeError, ValueError, OSError) as exc:
        return False, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ok, "" if ok else "ezkl.verify returned false"


def proof_instances(proof: dict[str, Any]) -> list[int]:
    groups = proof.get("instances")
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], list):
        raise layout.LayoutError("the proof must hold one list of instances")
    return [layout.felt_from_ezkl_hex(str(x)) for x in groups[0]]
