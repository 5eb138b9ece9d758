"""The validators answer as msgspec structs: the shape checked in C while decoding (field names
and types, a known status, hex of the right length, uint64 strings of 1-20 characters).
Imported only by `parse.decode_validators`, never at startup (msgspec is in ruff's banned
module-level list).

What msgspec does not check here is checked by `parse.decode_validators` over whole columns
at once (measured: a regex per field in the decoder cost more than the decode itself, and a
check per validator in Python as much again): uint64s are ASCII digits within range, hex is
`0x` + hex digits (any case; lower-cased)."""

# No `from __future__ import annotations`: msgspec reads these annotations at run time.

from typing import Annotated, Literal

import msgspec

U64 = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
PUBKEY = Annotated[str, msgspec.Meta(min_length=98, max_length=98)]  # 0x + 48 bytes
CREDENTIALS = Annotated[str, msgspec.Meta(min_length=66, max_length=66)]  # 0x + 32 bytes
Status = Literal[
    "pending_initialized",
    "pending_queued",
    "active_ongoing",
    "active_exiting",
    "active_slashed",
    "exited_unslashed",
    "exited_slashed",
    "withdrawal_possible",
    "withdrawal_done",
]

# gc=False: these hold only strings, bools and each other, so they can form no cycle; left out
# of the garbage collector's lists, 100,000 of them cost no collection passes.
Fields = msgspec.defstruct(
    "Fields",
    [
        ("pubkey", PUBKEY),
        ("withdrawal_credentials", CREDENTIALS),
        ("effective_balance", U64),
        ("slashed", bool),
        ("activation_eligibility_epoch", U64),
        ("activation_epoch", U64),
        ("exit_epoch", U64),
        ("withdrawable_epoch", U64),
    ],
    gc=False,
)
Item = msgspec.defstruct(
    "Item",
    [("index", U64), ("balance", U64), ("status", Status), ("validator", Fields)],
    gc=False,
)
Answer = msgspec.defstruct(
    "Answer",
    [
        ("data", list[Item]),  # type: ignore[valid-type]
        ("execution_optimistic", bool, False),
        ("finalized", bool, False),
    ],
)
DECODER = msgspec.json.Decoder(Answer)

# The scan of the whole set (ion_cli.beacon.scan): only the two fields a credential filter
# needs are decoded; msgspec skips the others (still checking they are well-formed JSON).
CredentialFields = msgspec.defstruct(
    "CredentialFields", [("withdrawal_credentials", CREDENTIALS)], gc=False
)
CredentialItem = msgspec.defstruct(
    "CredentialItem", [("index", U64), ("validator", CredentialFields)], gc=False
)
CREDENTIAL_ITEMS = msgspec.json.Decoder(list[CredentialItem])  # type: ignore[valid-type]
RAW_ITEMS = msgspec.json.Decoder(list[msgspec.Raw])  # each item's bytes, for the matches
ITEMS = msgspec.json.Decoder(list[Item])  # type: ignore[valid-type]
