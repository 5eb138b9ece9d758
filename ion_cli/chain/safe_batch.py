"""A plan as a Safe Transaction Builder batch file, and the file's checksum.

The format is the one the Safe{Wallet} Transaction Builder app exports and imports (its
`BatchFile`): `version` "1.0", `chainId` as a decimal string, `createdAt` in milliseconds,
`meta` (`name`, `description`, `txBuilderVersion`, `createdFromSafeAddress`,
`createdFromOwnerAddress`, `checksum`) and `transactions`, each `to`, `value` (a decimal
string: the app refuses numbers), `data`, `contractMethod` (`name`, `payable`, `inputs`) and
`contractInputsValues` (input name -> value as text). The app uses `data` when it is present
and re-encodes from the method and values only when it is not; ion writes both, the decoded
method being what the signers read.

The checksum, as the app computes it: keccak-256 of the UTF-8 text of a canonical
serialization of the whole file with `meta.name` set to null and no `meta.checksum` key
(renaming a batch keeps it valid; any other change breaks it). The serialization: an object
is `{` + the JSON array of its sorted keys + each value serialized and followed by `,` + `}`;
an array is `[` + its items serialized, joined by `,` + `]`; anything else is its compact
JSON text. Pure: no I/O, no web3; keccak from ion_cli.keccak.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ion_cli.errors import UsageError

BATCH_VERSION = "1.0"
# The Transaction Builder release whose format this follows (its package.json version).
TX_BUILDER_VERSION = "1.18.2"


def canonical_text(value: Any) -> str:
    """The Transaction Builder's canonical serialization of `value` (see the module doc)."""
    if isinstance(value, Mapping):
        keys = sorted(value)
        parts = "".join(canonical_text(value[k]) + "," for k in keys)
        return "{" + _json(keys) + parts + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_text(item) for item in value) + "]"
    return _json(value)


def _json(value: Any) -> str:
    # compact, non-ASCII kept as is, the escapes JSON.stringify makes (the same set)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def checksum_of(batch: Mapping[str, Any]) -> str:
    """The checksum the Transaction Builder expects in `meta.checksum` ("0x" + 64 hex)."""
    from ion_cli.keccak import keccak256

    meta = dict(batch.get("meta") or {})
    meta.pop("checksum", None)
    meta["name"] = None
    hashed = {**batch, "meta": meta}
    return "0x" + keccak256(canonical_text(hashed).encode("utf-8")).hex()


def hash_as_given(batch: Mapping[str, Any]) -> str:
    """keccak of the serialization with `meta.name` nulled but every other key as given (the
    published test vector hashes a file whose `meta.checksum` is still "")."""
    from ion_cli.keccak import keccak256

    meta = {**dict(batch.get("meta") or {}), "name": None}
    return "0x" + keccak256(canonical_text({**batch, "meta": meta}).encode("utf-8")).hex()


def checksum_valid(batch: Mapping[str, Any]) -> bool:
    meta = batch.get("meta")
    return isinstance(meta, Mapping) and meta.get("checksum") == checksum_of(batch)


def contract_method(entry: Mapping[str, Any]) -> dict[str, Any]:
    """`contractMethod` of a batch transaction, from the ABI entry of the function."""
    return {
        "inputs": [_input(p, i) for i, p in enumerate(entry.get("inputs") or [])],
        "name": str(entry.get("name", "")),
        "payable": entry.get("stateMutability") == "payable" or bool(entry.get("payable")),
    }


def _input(param: Mapping[str, Any], index: int) -> dict[str, Any]:
    from ion_cli.abi.signature import canonical_type

    kind = str(param.get("type", ""))
    found: dict[str, Any] = {
        "internalType": str(param.get("internalType") or canonical_type(param)),
        "name": str(param.get("name") or f"arg{index + 1}"),
        "type": kind,
    }
    if param.get("components"):
        found["components"] = [_input(c, i) for i, c in enumerate(param["components"])]
    return found


def _text(kind: str, value: Any) -> str:
    rendered = _plain(kind, value)
    return rendered if isinstance(rendered, str) else _json(rendered)


def _plain(kind: str, value: Any) -> Any:
    if kind.endswith("]") and isinstance(value, list | tuple):
        inner = kind[: kind.rindex("[")]
        return [_plain(inner, v) for v in value]
    if isinstance(value, list | tuple):  # a tuple
        return [_plain("", v) for v in value]
    if kind == "address" or (isinstance(value, str) and kind == ""):
        from ion_cli.addresses import to_checksum

        return str(to_checksum(str(value))) if kind == "address" else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def batch_transaction(
    to: str,
    value: int,
    data: bytes,
    entry: Mapping[str, Any] | None,
    args: Sequence[tuple[str, str, Any]] | None,
) -> dict[str, Any]:
    """One `transactions` item: the call, and its decoded method when one was found (None:
    a plain transfer or an unknown selector, sent as raw data)."""
    from ion_cli.addresses import to_checksum

    item: dict[str, Any] = {
        "to": str(to_checksum(to)),
        "value": str(int(value)),
        "data": "0x" + bytes(data).hex(),
        "contractMethod": None,
        "contractInputsValues": None,
    }
    if entry is not None and args is not None:
        item["contractMethod"] = contract_method(entry)
        item["contractInputsValues"] = {name: _text(kind, v) for name, kind, v in args}
    return item


def new_batch(
    *,
    chain_id: int,
    safe: str,
    name: str,
    description: str,
    transactions: list[dict[str, Any]],
    created_at_ms: int,
) -> dict[str, Any]:
    """A complete batch file, its checksum computed."""
    from ion_cli.addresses import to_checksum

    batch: dict[str, Any] = {
        "version": BATCH_VERSION,
        "chainId": str(int(chain_id)),
        "createdAt": int(created_at_ms),
        "meta": {
            "name": name,
            "description": description,
            "txBuilderVersion": TX_BUILDER_VERSION,
            "createdFromSafeAddress": str(to_checksum(safe)),
            "createdFromOwnerAddress": "",
        },
        "transactions": transactions,
    }
    batch["meta"]["checksum"] = checksum_of(batch)
    return batch


def is_batch(doc: Any) -> bool:
    """Whether a parsed JSON document has the shape of a Transaction Builder batch (what `ion
    apply` tells from its own plan files)."""
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("meta"), Mapping)
        and isinstance(doc.get("transactions"), list)
        and "chainId" in doc
    )


def parse_batch(doc: Any, source: str) -> list[tuple[str, int, bytes]]:
    """The calls of a batch as (to, value, data), checked: every `value` a decimal string,
    every `data` hex, the checksum right. Refused (UsageError) otherwise."""
    from ion_cli.addresses import is_address

    if not is_batch(doc):
        raise UsageError(f"{source} is not a Safe Transaction Builder batch")
    if not checksum_valid(doc):
        raise UsageError(
            f"{source}: the batch's checksum does not match its content (it was modified "
            "after it was written): refusing it"
        )
    calls: list[tuple[str, int, bytes]] = []
    for index, tx in enumerate(doc["transactions"]):
        where = f"{source}: transaction {index + 1}"
        if not isinstance(tx, Mapping) or not is_address(str(tx.get("to", ""))):
            raise UsageError(f"{where} has no valid `to` address")
        value = tx.get("value")
        if not isinstance(value, str) or not value.isdigit():
            raise UsageError(f"{where}: `value` must be a decimal string")
        data = tx.get("data")
        if not isinstance(data, str) or not data.startswith("0x"):
            raise UsageError(f"{where} carries no `data` (ion writes the calldata of every call)")
        try:
            raw = bytes.fromhex(data[2:])
        except ValueError:
            raise UsageError(f"{where}: `data` is not hex") from None
        calls.append((str(tx["to"]), int(value), raw))
    if not calls:
        raise UsageError(f"{source}: the batch has no transactions")
    return calls
