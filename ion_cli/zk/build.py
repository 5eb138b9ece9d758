"""Regenerate the shipped proof artifacts: `python -m ion_cli.zk.build [--settings] [--new-srs]`.

- always: the verifying key `model/risk.vk` from the shipped model, settings and devnet SRS
  (setup is deterministic for a given SRS: the same key on every run);
- `--settings`: `model/settings.json` afresh from the model and the pinned run arguments (ezkl
  stamps it with a time, so this changes the settings hash: do it only when the model changes);
- `--new-srs`: a new development SRS (fresh randomness: every verifier generated from the old
  one stops matching; update `DEVNET_SRS_SHA256` with the hash printed).
The Solidity verifier is generated from these files by the contracts' own build step.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ion_cli.zk import ezkl_runner as er


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", action="store_true", help="regenerate settings.json")
    parser.add_argument("--new-srs", action="store_true", help="generate a new devnet SRS")
    args = parser.parse_args(argv)
    er._quiet_ezkl()
    import ezkl

    if args.settings or not er.SETTINGS_FILE.exists():
        er.gen_settings(er.MODEL_FILE, er.SETTINGS_FILE)
        sys.stderr.write(f"wrote {er.SETTINGS_FILE}\n")
    if args.new_srs or not er.DEVNET_SRS_FILE.exists():
        er.DEVNET_SRS_FILE.parent.mkdir(parents=True, exist_ok=True)
        ezkl.gen_srs(str(er.DEVNET_SRS_FILE), er.LOGROWS)
        sys.stderr.write(
            f"wrote {er.DEVNET_SRS_FILE}: set DEVNET_SRS_SHA256 = "
            f'"{er.sha256_file(er.DEVNET_SRS_FILE)}"\n'
        )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ok = ezkl.compile_circuit(
            str(er.MODEL_FILE), str(folder / "model.compiled"), str(er.SETTINGS_FILE)
        )
        if not ok or not ezkl.setup(
            str(folder / "model.compiled"),
            str(folder / "vk.key"),
            str(folder / "pk.key"),
            str(er.DEVNET_SRS_FILE),
            None,
            False,
        ):
            sys.stderr.write("ezkl setup failed\n")
            return 1
        shutil.copyfile(folder / "vk.key", er.VK_FILE)
    sys.stderr.write(f"wrote {er.VK_FILE} ({er.sha256_file(er.VK_FILE)})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
