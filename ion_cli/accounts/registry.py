"""The account registry: <data_dir>/accounts.json, mode 0600, mapping name -> record.

It holds names, addresses and where each key lives; never a key. Format (stable, also read by
`ion_cli.completion_data` for shell completion):
    {"alice": {"address": "0x...", "storage": "keyring" | "keystore",
               "keystore_path": "/.../keystores/alice.json",   # keystore only
               "created": "2025-01-01T00:00:00+00:00"}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from ion_cli.accounts import files
from ion_cli.errors import IonError, UsageError

Storage = Literal["keyring", "keystore"]
_STORAGES: tuple[Storage, ...] = ("keyring", "keystore")


@dataclass(frozen=True)
class AccountRecord:
    name: str
    address: str
    storage: Storage
    created: str
    keystore_path: str | None = None

    def to_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"address": self.address, "storage": self.storage}
        if self.keystore_path is not None:
            entry["keystore_path"] = self.keystore_path
        entry["created"] = self.created
        return entry


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _damaged(detail: str) -> IonError:
    return IonError(f"account registry {files.registry_path()} is damaged: {detail}")


def _parse(name: str, entry: Any) -> AccountRecord:
    if not isinstance(entry, dict):
        raise _damaged(f"entry {name!r} is not an object")
    storage = entry.get("storage")
    address = entry.get("address")
    if storage not in _STORAGES or not isinstance(address, str):
        raise _damaged(f"entry {name!r} lacks a valid address or storage")
    path = entry.get("keystore_path")
    if storage == "keystore" and not isinstance(path, str):
        raise _damaged(f"entry {name!r} is a keystore without keystore_path")
    return AccountRecord(
        name=name,
        address=address,
        storage=storage,
        created=str(entry.get("created", "")),
        keystore_path=path if isinstance(path, str) else None,
    )


def load() -> dict[str, AccountRecord]:
    """All accounts by name (an absent file is an empty registry)."""
    path = files.registry_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise _damaged(str(exc)) from None
    if not isinstance(raw, dict):
        raise _damaged("top level is not an object")
    return {name: _parse(name, entry) for name, entry in sorted(raw.items())}


def _save(records: dict[str, AccountRecord]) -> None:
    data = {name: records[name].to_entry() for name in sorted(records)}
    files.write_private(files.registry_path(), json.dumps(data, indent=2) + "\n")


def get(name: str) -> AccountRecord | None:
    return load().get(name)


def require(name: str) -> AccountRecord:
    record = get(name)
    if record is None:
        raise UsageError(f"no such account: {name} (see `ion account list`)")
    return record


def ensure_free(name: str) -> None:
    if get(name) is not None:
        raise UsageError(f"account {name} already exists (see `ion account show {name}`)")


def add(record: AccountRecord) -> None:
    records = load()
    if record.name in records:
        raise UsageError(f"account {record.name} already exists")
    records[record.name] = record
    _save(records)


def remove(name: str) -> None:
    records = load()
    records.pop(name, None)
    _save(records)
