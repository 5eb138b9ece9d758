"""Write tests/contracts/vectors/features.bin: 1,000 random snapshot sum vectors with the
features the circuit sees for them (ion_cli.zk.features.from_sums), for FeatureMath.t.sol.

    .venv/bin/python tests/contracts/gen_feature_vectors.py          # rewrite the file
    .venv/bin/python tests/contracts/gen_feature_vectors.py --check  # exit 1 if it is stale

Record (packed, big-endian): 10 x uint128 sums, uint128 network active balance, uint128 other
slashed, 8 x uint16 features: 224 bytes. The seed is fixed; the draws mix realistic sets (live
totals of 32-ETH multiples, every part of them) with edge cases (empty, all slashed, tiny
networks, shares at the kink) so every branch of the library is taken.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

OUT = Path(__file__).parent / "vectors" / "features.bin"
COUNT = 1000
SEED = 22
ETH = 10**9
RECORD = 10 * 16 + 2 * 16 + 8 * 2


def _sums(rng: random.Random) -> tuple[tuple[int, ...], int, int]:
    kind = rng.randrange(6)
    leaves = rng.randint(0, 2_000_000)
    live = rng.randint(0, leaves)
    if kind == 0:
        b = 0
    elif kind == 1:
        b = rng.randint(1, 4096) * ETH
    else:
        b = live * 32 * ETH if live else rng.randint(1, 10**7) * ETH
    part = lambda: rng.choice((0, b, rng.randint(0, b), rng.randint(0, max(b // 32, 1))))  # noqa: E731
    slashed = part()
    pending = rng.choice((0, slashed, rng.randint(0, slashed))) // ETH * ETH
    active = part()
    exiting = part()
    balance = b + rng.randint(-b // 10 if b else 0, b // 10 + 1)
    shortfall = rng.choice(
        (0, b // 32, b // 32 + 1, rng.randint(0, b), rng.randint(0, b // 16 + 1))
    )
    compounding = part()
    sums = (
        leaves,
        live,
        b,
        max(balance, 0),
        slashed,
        pending,
        active,
        exiting,
        shortfall,
        compounding,
    )
    network = rng.choice(
        (0, rng.randint(1, 10**6) * ETH, 35_000_000 * ETH, rng.randint(0, 2 * b + 1))
    )
    other = rng.choice((0, 0, rng.randint(0, 10**5) * ETH, rng.randint(0, network + 1)))
    return sums, network, other


def render() -> bytes:
    from ion_cli.zk import features

    rng = random.Random(SEED)
    out = bytearray()
    for _ in range(COUNT):
        sums, network, other = _sums(rng)
        q = features.from_sums(sums, network, other).quantized
        out += b"".join(x.to_bytes(16, "big") for x in (*sums, network, other))
        out += b"".join(x.to_bytes(2, "big") for x in q)
    return bytes(out)


def main(argv: list[str]) -> int:
    data = render()
    if "--check" in argv:
        return 0 if OUT.exists() and OUT.read_bytes() == data else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data) // RECORD} vectors)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
