"""The public-instance layout of a risk proof: the contract between the prover and the feed.

Pure (stdlib only). The Solidity RiskFeed mirrors these constants; a change here is a new model
version and a new verifier.

A proof's public instances are 35 BN254 scalar-field elements, in this order (ezkl lists the
graph inputs in graph order, then the outputs):

| index  | count | what                                     | integer carried (before scaling)  |
|--------|-------|------------------------------------------|-----------------------------------|
| 0..7   | 8     | features, in `FEATURE_NAMES` order       | q in [0, 1024]: feature = q/1024  |
| 8..9   | 2     | beacon slot, 16-bit limbs, high first    | slot = hi * 2^16 + lo (< 2^32)    |
| 10..25 | 16    | beacon state root, 16-bit limbs          | limb i = bytes [2i, 2i+2) of root |
| 26..29 | 4     | model id, 16-bit limbs                   | see "Model id" below              |
| 30..31 | 2     | restaking features, `RESTAKING_NAMES`    | q in [0, 1024], as the features   |
| 32..33 | 2     | pinned execution block, 16-bit limbs     | the block the restaking features  |
|        |       |                                          | were read at (< 2^32)             |
| 34     | 1     | score p, fixed point, signed             | s: p = s / 1024                   |

Restaking (model v4, `ion_cli.zk.restaking_features`): the feed computes the two restaking
features itself from EigenLayer's contracts as of the pinned block (`RestakingFeatures.sol`) and
refuses a proof whose instances differ; the block is an instance (not a submit argument), so a
proof is bound to the block it was made for and the receipt records it.

Model id: the first 8 bytes of sha256(model_hash || lrt), where model_hash is the 32-byte
sha256 of the ONNX file and lrt the UTF-8 symbol of the token whose validators were rated
("weETH", "rsETH", ...). It binds the proof to the model and to the token: each market's RiskFeed
is deployed with its model hash and LRT symbol (immutable) and computes the id it expects, so a
weETH proof fails on the rsETH feed (`WrongModel`, before the verifier runs). The circuit is
unchanged by the binding (the limbs are public inputs, not constants: the verifying key and the
generated verifier do not depend on them).

Scaling: ezkl quantizes every graph input value x as round(x * 2^INPUT_SCALE). A feature is
handed to ezkl as q / 1024 (exact in float32), so its instance is exactly q, the receipt's
quantized feature. The slot, root and model-id limbs are handed over as whole numbers, so their
instances are limb * 1024 (slot limb `hi` sits in the field as `hi * 1024`). The score's
instance is s, with p = s / 2^OUTPUT_SCALE.

Why 16-bit limbs: ezkl passes input values through float32, which holds integers exactly only up
to 2^24; a 32-bit chunk or a raw slot above 2^24 would be rounded silently and still verify.
16-bit limbs (and limb * 1024 < 2^26, an exact float32 multiple of a power of two) are exact.

Binding: the slot, state-root and model-id limbs are graph inputs that no node uses; ezkl keeps
them as public instances (checked on chain by the verifier like any other), so a proof cannot be
relabelled with another slot, state or model: changing one instance fails verification. The feed
never takes slot, root or model from separate arguments: it reads them from the instances (or
builds the expected instances itself from values it already holds and compares).

Negative numbers: a field element v encodes the signed integer v if v <= (R - 1) / 2, else v - R
(R = BN254 scalar field modulus). Only the score can be negative (the head is linear; the clamp
to [0, 1] happens outside the circuit, in the feed and in `haircut_wad`).

Range: the circuit is built with ezkl's `ignore_range_check_inputs_outputs` (the range check on
inputs costs about 260k gas), so the consumer must bound the public inputs itself: each feature
q in [0, 1024]; each limb in [0, 2^16); the score decoded as a signed integer in
[-SCORE_BOUND, SCORE_BOUND] (anything else is rejected).

Haircut (1e18 fixed point, integer arithmetic exactly as the feed does it):
    p_clamped = min(max(s, 0), 1024)
    haircut   = H_MIN_WAD + (H_MAX_WAD - H_MIN_WAD) * p_clamped // 1024
    rate      = protocol_rate * (1e18 - haircut) // 1e18
The score is the model's estimate of the consensus-layer loss of the validator set as a fraction
of H_MAX (p = loss / 0.5), so with H_MIN = 0 the haircut is the estimated loss fraction, capped
at 50%.

Encodings: ezkl's proof JSON lists instances as 32-byte little-endian hex strings (no 0x);
the EVM verifier takes them as uint256 (big-endian words in calldata).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# BN254 scalar field modulus (the field of the Halo2 circuit's instances).
FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617

FEATURE_NAMES: tuple[str, ...] = (
    "slashed_share",
    "pending_correlation_share",
    "active_share",
    "exiting_share",
    "shortfall",
    "network_share",
    "correlation_loss",
    "compounding_share",
)
N_FEATURES = len(FEATURE_NAMES)
# The restaking features (ion_cli.zk.restaking_features), after the model id.
RESTAKING_NAMES: tuple[str, ...] = ("avs_loss", "largest_operator_share")
N_RESTAKING = len(RESTAKING_NAMES)

INPUT_SCALE = 10  # log2 of the fixed-point scale of every graph input
OUTPUT_SCALE = 10  # log2 of the fixed-point scale of the score
FEATURE_ONE = 1 << INPUT_SCALE  # the integer that stands for 1.0 in a feature
LIMB_SCALE = 1 << INPUT_SCALE  # a limb L is the instance L * LIMB_SCALE
SCORE_ONE = 1 << OUTPUT_SCALE  # the integer that stands for p = 1.0

LIMB_BITS = 16
LIMB_MAX = (1 << LIMB_BITS) - 1
SLOT_LIMBS = 2
ROOT_LIMBS = 16
MODEL_ID_LIMBS = 4
MODEL_ID_BYTES = MODEL_ID_LIMBS * LIMB_BITS // 8

FEATURES_AT = 0
SLOT_AT = FEATURES_AT + N_FEATURES  # 8
ROOT_AT = SLOT_AT + SLOT_LIMBS  # 10
MODEL_ID_AT = ROOT_AT + ROOT_LIMBS  # 26
BLOCK_LIMBS = 2
RESTAKING_AT = MODEL_ID_AT + MODEL_ID_LIMBS  # 30
BLOCK_AT = RESTAKING_AT + N_RESTAKING  # 32
SCORE_AT = BLOCK_AT + BLOCK_LIMBS  # 34
N_INSTANCES = SCORE_AT + 1  # 35

# The graph's input names and shapes, in order (the ONNX model declares exactly these).
GRAPH_INPUTS: tuple[tuple[str, int], ...] = (
    ("features", N_FEATURES),
    ("slot", SLOT_LIMBS),
    ("state_root", ROOT_LIMBS),
    ("model_id", MODEL_ID_LIMBS),
    ("restaking", N_RESTAKING),
    ("block", BLOCK_LIMBS),
)
GRAPH_OUTPUT = "score"

WAD = 10**18
H_MIN_WAD = 0
H_MAX_WAD = WAD // 2  # p = 1 means a 50% haircut
# |s| beyond this is not a score the model can produce from inputs in range: rejected.
SCORE_BOUND = 64 * SCORE_ONE


class LayoutError(ValueError):
    """Values that do not fit the layout (out of range, wrong length, malformed hex)."""


# ---- integers and field elements -------------------------------------------------------------


def to_field(value: int) -> int:
    """A signed integer as a field element (negative x -> R + x)."""
    if not -(FIELD_MODULUS // 2) <= value <= FIELD_MODULUS // 2:
        raise LayoutError(f"{value} does not fit a signed field element")
    return value % FIELD_MODULUS


def from_field(element: int) -> int:
    """The signed integer a field element encodes (above (R-1)/2 means negative)."""
    if not 0 <= element < FIELD_MODULUS:
        raise LayoutError("not a field element (outside [0, R))")
    return element - FIELD_MODULUS if element > FIELD_MODULUS // 2 else element


def felt_to_ezkl_hex(element: int) -> str:
    """ezkl's JSON form of a field element: 32 bytes little-endian, hex, no 0x."""
    return (element % FIELD_MODULUS).to_bytes(32, "little").hex()


def felt_from_ezkl_hex(text: str) -> int:
    raw = text.removeprefix("0x")
    if len(raw) != 64:
        raise LayoutError(f"field element hex must be 64 digits, got {len(raw)}")
    try:
        value = int.from_bytes(bytes.fromhex(raw), "little")
    except ValueError as exc:
        raise LayoutError("field element is not hex") from exc
    if value >= FIELD_MODULUS:
        raise LayoutError("field element not reduced")
    return value


# ---- limbs -----------------------------------------------------------------------------------


def limbs(value: int, count: int) -> tuple[int, ...]:
    """`value` as `count` 16-bit limbs, most significant first."""
    if value < 0 or value >> (LIMB_BITS * count):
        raise LayoutError(f"{value} does not fit {count} limbs of {LIMB_BITS} bits")
    return tuple((value >> (LIMB_BITS * (count - 1 - i))) & LIMB_MAX for i in range(count))


def from_limbs(parts: tuple[int, ...] | list[int]) -> int:
    value = 0
    for part in parts:
        if not 0 <= part <= LIMB_MAX:
            raise LayoutError(f"limb {part} outside [0, 2^{LIMB_BITS})")
        value = (value << LIMB_BITS) | part
    return value


def _bytes32(hex_text: str, what: str) -> bytes:
    raw = hex_text.removeprefix("0x")
    try:
        data = bytes.fromhex(raw)
    except ValueError as exc:
        raise LayoutError(f"{what} is not hex") from exc
    if len(data) != 32:
        raise LayoutError(f"{what} must be 32 bytes, got {len(data)}")
    return data


def slot_limbs(slot: int) -> tuple[int, ...]:
    return limbs(slot, SLOT_LIMBS)


def root_limbs(root_hex: str) -> tuple[int, ...]:
    return limbs(int.from_bytes(_bytes32(root_hex, "state root"), "big"), ROOT_LIMBS)


def model_id(model_hash_hex: str, lrt: str) -> str:
    """What the proof carries of the model and the token it rates: the first 8 bytes of
    sha256(model hash (32 bytes) || the LRT's symbol, UTF-8), 0x-hex. The RiskFeed of a market
    computes the same from its immutable model hash and LRT symbol, so a proof of one token's
    validators fails on another token's feed (`WrongModel`), and a receipt cannot be relabelled
    to another token (`ion verify` checks it)."""
    if not lrt or lrt != lrt.strip():
        raise LayoutError(f"an LRT symbol is needed to bind the proof to its token: {lrt!r}")
    data = _bytes32(model_hash_hex, "model hash") + lrt.encode()
    return "0x" + hashlib.sha256(data).digest()[:MODEL_ID_BYTES].hex()


def model_id_limbs(model_hash_hex: str, lrt: str) -> tuple[int, ...]:
    data = bytes.fromhex(model_id(model_hash_hex, lrt)[2:])
    return limbs(int.from_bytes(data, "big"), MODEL_ID_LIMBS)


def file_sha256(data: bytes) -> str:
    return "0x" + hashlib.sha256(data).hexdigest()


# ---- features --------------------------------------------------------------------------------


def quantize(value: float) -> int:
    """A feature in [0, 1] as the integer the proof carries (round half up, clamped)."""
    q = int(value * FEATURE_ONE + 0.5)
    return min(max(q, 0), FEATURE_ONE)


def check_features(
    features_q: tuple[int, ...] | list[int], count: int = N_FEATURES
) -> tuple[int, ...]:
    if len(features_q) != count:
        raise LayoutError(f"expected {count} features, got {len(features_q)}")
    for q in features_q:
        if not 0 <= q <= FEATURE_ONE:
            raise LayoutError(f"feature {q} outside [0, {FEATURE_ONE}]")
    return tuple(features_q)


# ---- the whole instance vector ---------------------------------------------------------------


@dataclass(frozen=True)
class PublicInputs:
    """What the proof binds, in the units people use (decoded from, or encoded to, instances)."""

    features_q: tuple[int, ...]
    slot: int
    state_root: str  # 0x-prefixed, 32 bytes
    model_id: str  # 0x-prefixed, 8 bytes: model_id(model hash, lrt)
    restaking_q: tuple[int, ...] = (0,) * N_RESTAKING  # RESTAKING_NAMES order
    block: int = 0  # the pinned execution block of the restaking features

    def graph_input(self) -> list[list[float]]:
        """ezkl's `input_data`: one list per graph input, values before scaling (exact floats)."""
        return [
            [q / FEATURE_ONE for q in check_features(self.features_q)],
            [float(x) for x in slot_limbs(self.slot)],
            [float(x) for x in root_limbs(self.state_root)],
            [float(x) for x in _model_id_limbs(self.model_id)],
            [q / FEATURE_ONE for q in check_features(self.restaking_q, N_RESTAKING)],
            [float(x) for x in limbs(self.block, BLOCK_LIMBS)],
        ]

    def instances(self, score: int) -> list[int]:
        """The full public-instance vector (field elements) for a proof with this score."""
        binding = [
            *slot_limbs(self.slot),
            *root_limbs(self.state_root),
            *_model_id_limbs(self.model_id),
        ]
        return [
            *check_features(self.features_q),
            *(v * LIMB_SCALE for v in binding),
            *check_features(self.restaking_q, N_RESTAKING),
            *(v * LIMB_SCALE for v in limbs(self.block, BLOCK_LIMBS)),
            to_field(score),
        ]


def _model_id_limbs(model_id_hex: str) -> tuple[int, ...]:
    raw = model_id_hex.removeprefix("0x")
    if len(raw) != 2 * MODEL_ID_BYTES:
        raise LayoutError(f"model id must be {MODEL_ID_BYTES} bytes")
    try:
        return limbs(int(raw, 16), MODEL_ID_LIMBS)
    except ValueError as exc:
        raise LayoutError("model id is not hex") from exc


@dataclass(frozen=True)
class Decoded:
    inputs: PublicInputs
    score: int  # signed, score / SCORE_ONE = p


def decode(instances: list[int]) -> Decoded:
    """Read a proof's instances back (the checks the feed makes, in Python)."""
    if len(instances) != N_INSTANCES:
        raise LayoutError(f"expected {N_INSTANCES} instances, got {len(instances)}")
    features_q = check_features([from_field(e) for e in instances[FEATURES_AT:SLOT_AT]])
    restaking_q = check_features(
        [from_field(e) for e in instances[RESTAKING_AT:BLOCK_AT]], N_RESTAKING
    )
    ints: list[int] = [0] * SLOT_AT
    for element in (*instances[SLOT_AT:RESTAKING_AT], *instances[BLOCK_AT:SCORE_AT]):
        value = from_field(element)
        if value < 0 or value % LIMB_SCALE:
            raise LayoutError("a limb instance is not a whole multiple of the input scale")
        ints.append(value // LIMB_SCALE)
    slot = from_limbs(ints[SLOT_AT:ROOT_AT])
    root = from_limbs(ints[ROOT_AT:MODEL_ID_AT])
    model = from_limbs(ints[MODEL_ID_AT:RESTAKING_AT])
    block = from_limbs(ints[RESTAKING_AT : RESTAKING_AT + BLOCK_LIMBS])
    score = from_field(instances[SCORE_AT])
    if abs(score) > SCORE_BOUND:
        raise LayoutError(f"score {score} outside [-{SCORE_BOUND}, {SCORE_BOUND}]")
    return Decoded(
        inputs=PublicInputs(
            features_q=features_q,
            slot=slot,
            state_root="0x" + root.to_bytes(32, "big").hex(),
            model_id="0x" + model.to_bytes(MODEL_ID_BYTES, "big").hex(),
            restaking_q=restaking_q,
            block=block,
        ),
        score=score,
    )


# ---- score -> haircut -> rate ----------------------------------------------------------------


def clamp_score(score: int) -> int:
    return min(max(score, 0), SCORE_ONE)


def haircut_wad(score: int) -> int:
    """The haircut (1e18 = 100%) for a signed score, exactly as the feed computes it."""
    return H_MIN_WAD + (H_MAX_WAD - H_MIN_WAD) * clamp_score(score) // SCORE_ONE


def risk_adjusted_rate(protocol_rate_wad: int, haircut: int) -> int:
    return protocol_rate_wad * (WAD - haircut) // WAD


def score_for_loss(loss_fraction: float) -> float:
    """The score the model is trained to produce for a loss fraction (before clamping)."""
    return (loss_fraction * WAD - H_MIN_WAD) / (H_MAX_WAD - H_MIN_WAD)
