"""The validators answer as msgspec structs: every field's shape checked in C while decoding
(hex of the right length, a known status, uint64 strings of 1-20 characters). Imported only by
`parse.decode_validators`, never at startup (msgspec is in ruff's banned module-level list)."""

# No `from __future__ import annotations`: msgspec reads these annotations at run time.

from typing import Annotated, Any, Literal

import msgspec

# uint64s: 1-20 characters here; `parse.decode_validators` checks they are ASCII digits within
# range (a regex per field in the decoder cost more than the whole decode; measured).
U64 = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
# Lower-case hex on the fast path; `parse.decode_validators` retries with HEX_ANY_CASE.
PUBKEY = Annotated[str, msgspec.Meta(pattern=r"^0x[0-9a-f]{96}$")]
CREDENTIALS = Annotated[str, msgspec.Meta(pattern=r"^0x[0-9a-f]{64}$")]
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


def _decoder(pubkey: Any, credentials: Any) -> Any:
    fields = msgspec.defstruct(
        "Fields",
        [
            ("pubkey", pubkey),
            ("withdrawal_credentials", credentials),
            ("effective_balance", U64),
            ("slashed", bool),
            ("activation_eligibility_epoch", U64),
            ("activation_epoch", U64),
            ("exit_epoch", U64),
            ("withdrawable_epoch", U64),
        ],
    )
    item = msgspec.defstruct(
        "Item", [("index", U64), ("balance", U64), ("status", Status), ("validator", fields)]
    )
    answer = msgspec.defstruct(
        "Answer",
        [
            ("data", list[item]),  # type: ignore[valid-type]
            ("execution_optimistic", bool, False),
            ("finalized", bool, False),
        ],
    )
    return msgspec.json.Decoder(answer)


DECODER = _decoder(PUBKEY, CREDENTIALS)
# For a node that writes hex in upper case (then every string is lower-cased after decoding).
DECODER_ANY_CASE = _decoder(
    Annotated[str, msgspec.Meta(pattern=r"^0x[0-9a-fA-F]{96}$")],
    Annotated[str, msgspec.Meta(pattern=r"^0x[0-9a-fA-F]{64}$")],
)
