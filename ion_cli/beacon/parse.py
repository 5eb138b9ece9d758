"""The beacon API's JSON turned into exact Python values (pure; no I/O).

Every uint64 arrives as a decimal string; `uint64` parses it exactly (no float on the way, so
FAR_FUTURE_EPOCH = 2**64 - 1 survives) and rejects anything else as a malformed answer.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ion_cli import consensus_rules as cr
from ion_cli.beacon.errors import BadValidatorId, BeaconMalformed, UnknownState
from ion_cli.beacon.snapshot import Validator

UINT64_MAX = 2**64 - 1
_DECIMAL = re.compile(r"[0-9]{1,20}")
_HEX32 = re.compile(r"0x[0-9a-fA-F]{64}")
_PUBKEY = re.compile(r"0x[0-9a-fA-F]{96}")
STATE_NAMES = ("head", "finalized", "justified", "genesis")
STATUSES = frozenset(cr.STATUSES)  # the nine, as the consensus rules list them


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
    body_root: str = ""


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
        body_root=hex_bytes(_field(message, "body_root", "header"), 32, "body_root"),
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
        f"`state` must be head, finalized, justified, genesis, a slot or a 0x root: {text!r:.80}",
        params=("state",),
    )


def credential(text: str) -> str:
    """A withdrawal credential (0x + 32 bytes) or an execution address (taken as its 0x01 and
    0x02 credentials by the caller); returned lower-case."""
    value = text.strip().lower()
    # 0x01/0x02 + 11 zero bytes + an address: the kinds an LRT's validators use. Anything else
    # (a private key pasted by mistake) is refused rather than echoed back as a credential.
    if _HEX32.fullmatch(value) and value[2:4] in ("01", "02") and value[4:26] == "0" * 22:
        return value
    raise BadValidatorId(
        "not a 0x01 or 0x02 withdrawal credential (0x0N + 11 zero bytes + an address)"
    )


# ---- the validators answer, decoded in C (msgspec) ----

_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a chunk of validators is built (threads
    decode chunks at once: it runs again when the last of them is done). Building 100,000
    objects otherwise triggers collections that walk every object built so far (measured:
    about a third of the decode's CPU). Nothing built here forms a cycle."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def decode_validators(body: bytes) -> tuple[Envelope, list[Validator]]:
    """A whole validators answer: its flags and the validators, every field checked (uint64s
    as ASCII decimal strings within range, hex of the right length, statuses, booleans).

    Raises BeaconMalformed (`truncated` in the message when the body was cut short)."""
    import msgspec

    from ion_cli.beacon import wire

    with _gc_paused():
        try:
            answer: Any = wire.DECODER.decode(body)
        except msgspec.DecodeError as exc:  # ValidationError included
            text = str(exc)
            kind = "truncated" if "truncated" in text else "malformed"
            raise BeaconMalformed(f"{kind} validators answer: {text[:160]}") from None
        flags = Envelope(answer.execution_optimistic, answer.finalized)
        return flags, _validators(answer.data)


def _validators(data: list[Any]) -> list[Validator]:
    """Validator objects from decoded items, checked a column at a time (one C call over all
    the pubkeys, one over all the uint64 strings...) rather than field by field."""
    if not data:
        return []
    inner = [item.validator for item in data]
    pubkeys = _hex_column([v.pubkey for v in inner], data, "pubkey")
    creds = _hex_column([v.withdrawal_credentials for v in inner], data, "withdrawal_credentials")
    texts = (
        [item.index for item in data],
        [v.effective_balance for v in inner],
        [item.balance for item in data],
        [v.activation_eligibility_epoch for v in inner],
        [v.activation_epoch for v in inner],
        [v.exit_epoch for v in inner],
        [v.withdrawable_epoch for v in inner],
    )
    if not _all_digits("".join(["".join(column) for column in texts])):
        for item, *row in zip(data, *texts, strict=True):
            if not all(_all_digits(text) for text in row):
                raise BeaconMalformed(
                    f"validator {item.index!r:.30}: a uint64 is not a decimal string"
                )
    index, effective, balance, eligible, active, exit_, withdrawable = (
        list(map(int, column)) for column in texts
    )
    for column in (index, effective, balance, eligible, active, exit_, withdrawable):
        if max(column) > UINT64_MAX:
            at = next(k for k, n in enumerate(column) if n > UINT64_MAX)
            raise BeaconMalformed(f"validator {index[at]}: a field does not fit in a uint64")
    # The frozen dataclass's __init__ sets its 11 fields one object.__setattr__ call at a time;
    # here they go straight into the instance dict, in the fields' order, so the dict keeps
    # the class's shared keys: measured 3x faster than __init__ at +64 bytes per validator
    # (a dict literal set as __dict__ instead: 560 bytes). The same objects: the tests compare.
    new = object.__new__
    out: list[Validator] = []
    append = out.append
    for i, pk, wc, eb, bal, sl, aee, ae, ee, we, st in zip(
        index,
        pubkeys,
        creds,
        effective,
        balance,
        [v.slashed for v in inner],
        eligible,
        active,
        exit_,
        withdrawable,
        [item.status for item in data],
        strict=True,
    ):
        v = new(Validator)
        d = v.__dict__
        d["index"] = i
        d["pubkey"] = pk
        d["withdrawal_credentials"] = wc
        d["effective_balance"] = eb
        d["balance"] = bal
        d["slashed"] = sl
        d["activation_eligibility_epoch"] = aee
        d["activation_epoch"] = ae
        d["exit_epoch"] = ee
        d["withdrawable_epoch"] = we
        d["status"] = st
        append(v)
    return out


def _all_digits(text: str) -> bool:
    """Only ASCII 0-9 (what `int` accepts beside them: signs, spaces, `_`, other scripts'
    digits, is refused). On bytes: str.isdigit is Unicode-aware and several times slower."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return False
    return not raw.translate(None, _DIGITS)


_DIGITS = b"0123456789"
_HEX_AND_X = b"0123456789abcdefABCDEFx"
_UPPER_HEX = (b"A", b"B", b"C", b"D", b"E", b"F")


def _hex_column(values: list[str], data: list[Any], what: str) -> list[str]:
    """`values` (each of one fixed length, as decoded) checked as 0x hex, lower-cased."""
    width = len(values[0])
    count = len(values)
    try:
        raw = "".join(values).encode("ascii")
    except UnicodeEncodeError:
        raw = b""
    ok = (
        len(raw) == width * count
        and raw[0::width] == b"0" * count
        and raw[1::width] == b"x" * count
        and raw.count(b"x") == count  # so every x is a prefix's
        and not raw.translate(None, _HEX_AND_X)
    )
    if not ok:
        for item, value in zip(data, values, strict=True):
            try:
                hex_bytes(value, len(value) // 2 - 1, what)
            except BeaconMalformed:
                raise BeaconMalformed(
                    f"validator {item.index!r:.30}: {what} is not 0x hex"
                ) from None
        raise BeaconMalformed(f"validators answer: a {what} is not 0x hex")
    if any(letter in raw for letter in _UPPER_HEX):
        return [value.lower() for value in values]
    return values


def index_and_credentials(item: Any) -> tuple[int, str]:
    """The two fields a scan of the whole set needs, checked (the rest only for matches)."""
    index = uint64(_field(item, "index", "validator"), "validator index")
    v = _field(item, "validator", f"validator {index}")
    cred = _field(v, "withdrawal_credentials", f"validator {index}")
    if not isinstance(cred, str) or len(cred) != 66 or not cred.startswith("0x"):
        raise BeaconMalformed(f"validator {index}: malformed withdrawal_credentials")
    return index, cred.lower()
