"""The beacon API's JSON turned into exact Python values (pure; no I/O).

Every uint64 arrives as a decimal string; `uint64` parses it exactly (no float on the way, so
FAR_FUTURE_EPOCH = 2**64 - 1 survives) and rejects anything else as a malformed answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ion_cli.beacon.errors import BadValidatorId, BeaconMalformed, UnknownState
from ion_cli.beacon.snapshot import Validator

UINT64_MAX = 2**64 - 1
_DECIMAL = re.compile(r"[0-9]{1,20}")
_HEX32 = re.compile(r"0x[0-9a-fA-F]{64}")
_PUBKEY = re.compile(r"0x[0-9a-fA-F]{96}")
STATE_NAMES = ("head", "finalized", "justified", "genesis")
STATUSES = frozenset(
    {
        "pending_initialized",
        "pending_queued",
        "active_ongoing",
        "active_exiting",
        "active_slashed",
        "exited_unslashed",
        "exited_slashed",
        "withdrawal_possible",
        "withdrawal_done",
    }
)


def uint64(value: Any, what: str = "value") -> int:
    """A uint64 from the API's decimal string (an int is accepted too; floats never)."""
    if isinstance(value, bool):
        raise BeaconMalformed(f"{what}: expected a decimal string, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = int(value)
    else:
        raise BeaconMalformed(f"{what}: expected a uint64 decimal string, got {value!r:.40}")
    if not 0 <= number <= UINT64_MAX:
        raise BeaconMalformed(f"{what}: {number} does not fit in a uint64")
    return number


def hex_bytes(value: Any, length: int, what: str) -> str:
    """A 0x-prefixed hex string of `length` bytes, lower-cased."""
    if not isinstance(value, str) or len(value) != 2 + 2 * length or not value.startswith("0x"):
        raise BeaconMalformed(f"{what}: expected {length} bytes of 0x hex, got {value!r:.80}")
    try:
        bytes.fromhex(value[2:])
    except ValueError:
        raise BeaconMalformed(f"{what}: not hex: {value!r:.80}") from None
    return value.lower()


def _field(obj: Mapping[str, Any], key: str, what: str) -> Any:
    try:
        return obj[key]
    except (KeyError, TypeError):
        raise BeaconMalformed(f"{what}: missing field {key!r}") from None


def validator(item: Any) -> Validator:
    """One element of `data` of the validators route."""
    if not isinstance(item, Mapping):
        raise BeaconMalformed("validators: an element of data is not an object")
    index = uint64(_field(item, "index", "validator"), "validator index")
    where = f"validator {index}"
    v = _field(item, "validator", where)
    slashed = _field(v, "slashed", where)
    if not isinstance(slashed, bool):
        raise BeaconMalformed(f"{where}: slashed is not a boolean")
    status = _field(item, "status", where)
    if status not in STATUSES:
        raise BeaconMalformed(f"{where}: unknown status {status!r:.40}")
    return Validator(
        index=index,
        pubkey=hex_bytes(_field(v, "pubkey", where), 48, f"{where} pubkey"),
        withdrawal_credentials=hex_bytes(
            _field(v, "withdrawal_credentials", where), 32, f"{where} withdrawal_credentials"
        ),
        effective_balance=uint64(_field(v, "effective_balance", where), f"{where} eff. balance"),
        balance=uint64(_field(item, "balance", where), f"{where} balance"),
        slashed=slashed,
        activation_eligibility_epoch=uint64(
            _field(v, "activation_eligibility_epoch", where), f"{where} epoch"
        ),
        activation_epoch=uint64(_field(v, "activation_epoch", where), f"{where} epoch"),
        exit_epoch=uint64(_field(v, "exit_epoch", where), f"{where} epoch"),
        withdrawable_epoch=uint64(_field(v, "withdrawable_epoch", where), f"{where} epoch"),
        status=status,
    )


@dataclass(frozen=True)
class Envelope:
    """The flags every state-reading answer carries."""

    execution_optimistic: bool
    finalized: bool


def envelope(document: Any, what: str) -> tuple[Envelope, Any]:
    """(flags, data) of an answer `{"execution_optimistic", "finalized", "data"}`."""
    if not isinstance(document, Mapping) or "data" not in document:
        raise BeaconMalformed(f"{what}: the answer has no data field")
    optimistic = document.get("execution_optimistic", False)
    finalized = document.get("finalized", False)
    if not isinstance(optimistic, bool) or not isinstance(finalized, bool):
        raise BeaconMalformed(f"{what}: execution_optimistic/finalized are not booleans")
    return Envelope(optimistic, finalized), document["data"]


@dataclass(frozen=True)
class Header:
    root: str  # block root
    slot: int
    state_root: str
    proposer_index: int
    parent_root: str
    flags: Envelope


def header(document: Any) -> Header:
    flags, data = envelope(document, "header")
    message = _field(_field(data, "header", "header"), "message", "header")
    return Header(
        root=hex_bytes(_field(data, "root", "header"), 32, "header root"),
        slot=uint64(_field(message, "slot", "header"), "header slot"),
        state_root=hex_bytes(_field(message, "state_root", "header"), 32, "header state_root"),
        proposer_index=uint64(_field(message, "proposer_index", "header"), "proposer_index"),
        parent_root=hex_bytes(_field(message, "parent_root", "header"), 32, "parent_root"),
        flags=flags,
    )


@dataclass(frozen=True)
class Checkpoint:
    epoch: int
    root: str

    def to_json(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "root": self.root}


def finality(document: Any) -> dict[str, Checkpoint]:
    """`previous_justified`, `current_justified`, `finalized` checkpoints."""
    _, data = envelope(document, "finality_checkpoints")
    out = {}
    for key in ("previous_justified", "current_justified", "finalized"):
        c = _field(data, key, "finality_checkpoints")
        out[key] = Checkpoint(
            epoch=uint64(_field(c, "epoch", key), f"{key} epoch"),
            root=hex_bytes(_field(c, "root", key), 32, f"{key} root"),
        )
    return out


def state_root(document: Any) -> tuple[str, Envelope]:
    flags, data = envelope(document, "state root")
    return hex_bytes(_field(data, "root", "state root"), 32, "state root"), flags


def head_slot(document: Any) -> int:
    if not isinstance(document, Mapping):
        raise BeaconMalformed("syncing: not an object")
    data = _field(document, "data", "syncing")
    return uint64(_field(data, "head_slot", "syncing"), "head_slot")


@dataclass(frozen=True)
class Genesis:
    genesis_time: int
    genesis_validators_root: str
    genesis_fork_version: str


def genesis(document: Any) -> Genesis:
    if not isinstance(document, Mapping):
        raise BeaconMalformed("genesis: not an object")
    data = _field(document, "data", "genesis")
    return Genesis(
        genesis_time=uint64(_field(data, "genesis_time", "genesis"), "genesis_time"),
        genesis_validators_root=hex_bytes(
            _field(data, "genesis_validators_root", "genesis"), 32, "genesis_validators_root"
        ),
        genesis_fork_version=str(_field(data, "genesis_fork_version", "genesis")),
    )


# ---- user input ----


def validator_id(text: str) -> str:
    """A validator id as the API takes it: a decimal index or a 0x 48-byte pubkey (lower-case)."""
    value = text.strip()
    if _DECIMAL.fullmatch(value) and int(value) <= UINT64_MAX:
        return str(int(value))
    if _PUBKEY.fullmatch(value):
        return value.lower()
    raise BadValidatorId(f"not a validator index or 0x-prefixed 48-byte pubkey: {value!r:.110}")


def validator_ids(texts: Iterable[str]) -> list[str]:
    """Ids in the order given, duplicates dropped."""
    seen: dict[str, None] = {}
    for text in texts:
        seen.setdefault(validator_id(text), None)
    return list(seen)


def state_id(text: str) -> str:
    """`head`, `finalized`, `justified`, `genesis`, a slot, or a 0x 32-byte root."""
    value = text.strip().lower()
    if value in STATE_NAMES:
        return value
    if _DECIMAL.fullmatch(value) and int(value) <= UINT64_MAX:
        return str(int(value))
    if _HEX32.fullmatch(value):
        return value
    raise UnknownState(
        f"--state must be head, finalized, justified, genesis, a slot or a 0x root: {text!r:.80}"
    )


def credential(text: str) -> str:
    """A withdrawal credential (0x + 32 bytes) or an execution address (taken as its 0x01 and
    0x02 credentials by the caller); returned lower-case."""
    value = text.strip().lower()
    if _HEX32.fullmatch(value):
        return value
    raise BadValidatorId(f"not a 0x-prefixed 32-byte withdrawal credential: {text!r:.80}")


# ---- the validators answer, decoded in C (msgspec) ----


def decode_validators(body: bytes) -> tuple[Envelope, list[Validator]]:
    """A whole validators answer: its flags and the validators, every field checked in C
    (uint64s as decimal strings within range, hex lengths, statuses).

    Raises BeaconMalformed (`truncated` in the message when the body was cut short)."""
    import msgspec

    from ion_cli.beacon import wire

    lower = False
    try:
        answer = wire.DECODER.decode(body)
    except msgspec.ValidationError:
        lower = True  # upper-case hex, or a real error that the second decoder names
        try:
            answer = wire.DECODER_ANY_CASE.decode(body)
        except msgspec.DecodeError as exc:
            raise BeaconMalformed(f"malformed validators answer: {str(exc)[:160]}") from None
    except msgspec.DecodeError as exc:
        text = str(exc)
        kind = "truncated" if "truncated" in text else "malformed"
        raise BeaconMalformed(f"{kind} validators answer: {text[:160]}") from None
    out: list[Validator] = []
    append = out.append
    for item in answer.data:
        v = item.validator
        texts = (
            item.index,
            v.effective_balance,
            item.balance,
            v.activation_eligibility_epoch,
            v.activation_epoch,
            v.exit_epoch,
            v.withdrawable_epoch,
        )
        joined = "".join(texts)
        if not (joined.isdigit() and joined.isascii()):
            raise BeaconMalformed(f"validator {item.index!r:.30}: a uint64 is not a decimal string")
        n = tuple(map(int, texts))
        if max(n) > UINT64_MAX:
            raise BeaconMalformed(f"validator {n[0]}: a field does not fit in a uint64")
        append(
            Validator(
                n[0],
                v.pubkey,
                v.withdrawal_credentials,
                n[1],
                n[2],
                v.slashed,
                n[3],
                n[4],
                n[5],
                n[6],
                item.status,
            )
        )
    if lower:
        out = [
            replace(
                v, pubkey=v.pubkey.lower(), withdrawal_credentials=v.withdrawal_credentials.lower()
            )
            for v in out
        ]
    return Envelope(answer.execution_optimistic, answer.finalized), out


def index_and_credentials(item: Any) -> tuple[int, str]:
    """The two fields a scan of the whole set needs, checked (the rest only for matches)."""
    index = uint64(_field(item, "index", "validator"), "validator index")
    v = _field(item, "validator", f"validator {index}")
    cred = _field(v, "withdrawal_credentials", f"validator {index}")
    if not isinstance(cred, str) or len(cred) != 66 or not cred.startswith("0x"):
        raise BeaconMalformed(f"validator {index}: malformed withdrawal_credentials")
    return index, cred.lower()
