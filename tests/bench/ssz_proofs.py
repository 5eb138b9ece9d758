"""SSZ proofs at mainnet size: prints figures, asserts nothing (tests check correctness).

1. A synthetic Fulu BeaconState as SSZ bytes with N validators (default 2,000,000; mainnet has
   a little over 2M): random pubkeys, credentials from 5,000 operators (0x00/0x01/0x02), mixed
   balances and epochs, participation and inactivity scores for every validator, every other
   field the empty state's. Its root is what ion_cli.beacon.proofs computes; the same generator
   at 2,000 validators is checked against remerkleable's hash_tree_root first (printed), so the
   large root is correct by the same code path.
2. The state root from the bytes (parse + every validator's root + the registry and balances
   trees), then Merkle branches (validator record and balance chunk) for `--branches` random
   validators (default 30,000), each checked with the spec's is_valid_merkle_branch definition
   (ion_cli.beacon.proofs; tests also use eth-consensus-specs' own). Wall time of each step and
   the process's peak memory (VmHWM); medians of `--runs` for the branch step.
3. The hashers: hashlib.sha256 per 64-byte pair (the path chosen), and remerkleable decoding
   and hashing a state of `--remerkleable` validators (default 20,000), extrapolated to N.
   PyPI's `hashtree` is not a vectorized SHA-256: it is a BSD-style checksum tool for files
   (hashtree 1.1.6, click + tqdm), so there is nothing there to measure.

Run: `.venv/bin/python tests/bench/ssz_proofs.py [--validators 2000000] [--branches 30000]`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM (ru_maxrss would carry the parent's peak
    across fork + exec on Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_state(n: int, seed: int = 1) -> bytes:
    """SSZ bytes of a BeaconState with n validators (see the module docstring)."""
    from ion_cli.beacon import proofs as P
    from ion_cli.beacon import ssz

    rng = random.Random(seed)
    empty = ssz.BeaconState(slot=12_345_678, genesis_time=1_606_824_023).encode_bytes()
    fields = ssz.BeaconState.fields()
    names = list(fields)
    parts = P._split_container(empty, [fields[k] for k in names])
    operators = []
    for k in range(5000):
        body = hashlib.sha256(f"operator {k}".encode()).digest()
        kind = k % 10
        if kind == 0:
            operators.append(b"\x00" + body[1:])
        else:
            operators.append(bytes([1 if kind < 8 else 2]) + bytes(11) + body[:20])
    far = (2**64 - 1).to_bytes(8, "little")
    pubkeys = os.urandom(48 * n) if seed == 1 else rng.randbytes(48 * n)
    registry = bytearray()
    balances = bytearray()
    for i in range(n):
        cred = operators[(i * 7919) % 5000]
        eff = 32_000_000_000 if cred[0] != 2 else (32 + i % 2017) * 1_000_000_000
        activation = i // 7
        exited = i % 97 == 0
        registry += pubkeys[48 * i : 48 * i + 48]
        registry += cred
        registry += eff.to_bytes(8, "little")
        registry += b"\x01" if i % 1009 == 0 else b"\x00"
        registry += max(0, activation - 4).to_bytes(8, "little")
        registry += activation.to_bytes(8, "little")
        registry += (activation + 9000).to_bytes(8, "little") if exited else far
        registry += (activation + 9256).to_bytes(8, "little") if exited else far
        balances += (eff + (i * 31337) % 40_000_000).to_bytes(8, "little")
    parts[names.index("validators")] = bytes(registry)
    parts[names.index("balances")] = bytes(balances)
    parts[names.index("previous_epoch_participation")] = bytes([7]) * n
    parts[names.index("current_epoch_participation")] = bytes([3]) * n
    parts[names.index("inactivity_scores")] = b"".join(
        (i % 13).to_bytes(8, "little") for i in range(n)
    )
    return _join([fields[k] for k in names], parts)


def _join(types: list[Any], parts: list[bytes]) -> bytes:
    fixed = sum(t.type_byte_length() if t.is_fixed_byte_length() else 4 for t in types)
    head = bytearray()
    tail = bytearray()
    for t, raw in zip(types, parts, strict=True):
        if t.is_fixed_byte_length():
            head += raw
        else:
            head += (fixed + len(tail)).to_bytes(4, "little")
            tail += raw
    return bytes(head + tail)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--validators", type=int, default=2_000_000)
    parser.add_argument("--branches", type=int, default=30_000)
    parser.add_argument("--remerkleable", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.branches, args.runs)
        return

    from ion_cli.beacon import proofs as P
    from ion_cli.beacon import ssz
    from ion_cli.beacon.merkle import hash_layer

    small = synthetic_state(2000, seed=2)
    ours = P.state_tree(small).root()
    theirs = bytes(ssz.BeaconState.decode_bytes(small).hash_tree_root())
    print(f"generator at 2,000 validators: root {'==' if ours == theirs else '!='} remerkleable's")

    # hashlib per pair
    pairs = os.urandom(64 * 200_000)
    start = time.perf_counter()
    hash_layer(pairs)
    per = (time.perf_counter() - start) / 200_000
    print(f"hashlib.sha256, one 64-byte pair in a layer: {per * 1e9:.0f} ns")

    # remerkleable on a smaller state, extrapolated
    m = args.remerkleable
    state_m = synthetic_state(m, seed=3)
    start = time.perf_counter()
    root_m = ssz.BeaconState.decode_bytes(state_m).hash_tree_root()
    rem = time.perf_counter() - start
    start = time.perf_counter()
    ours_m = P.state_tree(state_m).root()
    own = time.perf_counter() - start
    assert bytes(root_m) == ours_m
    print(
        f"remerkleable decode + hash_tree_root, {m:,} validators: {rem:.1f} s "
        f"(~{rem * args.validators / m / 60:.0f} min at {args.validators:,}); "
        f"ion_cli.beacon.proofs on the same bytes: {own:.2f} s"
    )
    del state_m

    n = args.validators
    start = time.perf_counter()
    data = synthetic_state(n)
    print(
        f"synthetic state: {n:,} validators, {len(data) / 1e6:.0f} MB of SSZ, "
        f"made in {time.perf_counter() - start:.1f} s"
    )
    with tempfile.NamedTemporaryFile(suffix=".ssz") as f:
        f.write(data)
        f.flush()
        del data
        # The proofs in a process of their own: its peak memory is the builder's alone.
        subprocess.run(
            [sys.executable, __file__, "--child", f.name, "--branches", str(args.branches),
             "--runs", str(args.runs)],
            check=True,
        )  # fmt: skip


def child(path: str, branches: int, runs: int) -> None:
    from ion_cli.beacon import proofs as P
    from ion_cli.beacon.validator_ssz import validator_root

    start = time.perf_counter()
    with open(path, "rb") as f:
        data = f.read()
    read = time.perf_counter() - start
    start = time.perf_counter()
    tree = P.state_tree(data)
    root = tree.root()
    build = time.perf_counter() - start
    n = tree.count
    print(
        f"state root from the SSZ bytes ({read:.1f} s to read them): {build:.1f} s "
        f"(0x{root.hex()[:16]}…); peak {peak_mb():.0f} MB"
    )
    rng = random.Random(7)
    chosen = rng.sample(range(n), min(branches, n))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for i in chosen:
            tree.validator_branch(i)
            tree.balance_branch(i)
        times.append(time.perf_counter() - start)
    print(
        f"branches (record + balance) for {len(chosen):,} validators: median "
        f"{statistics.median(times):.2f} s of {runs} runs; peak {peak_mb():.0f} MB"
    )
    start = time.perf_counter()
    bad = 0
    for i in chosen:
        g = P.validator_gindex(i)
        leaf = validator_root(tree.validator_bytes(i))
        if not P.is_valid_merkle_branch(leaf, tree.validator_branch(i), 47, g - (1 << 47), root):
            bad += 1
    print(
        f"checked {len(chosen):,} validator branches (is_valid_merkle_branch): {bad} bad, "
        f"{time.perf_counter() - start:.2f} s"
    )
    start = time.perf_counter()
    proof = tree.multiproof([P.validator_gindex(i) for i in chosen])
    print(
        f"one multiproof for the {len(chosen):,}: {len(proof):,} helper nodes "
        f"(vs {47 * len(chosen):,} in separate branches), {time.perf_counter() - start:.2f} s"
    )
    print(f"proof process peak memory (VmHWM, the SSZ bytes included): {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
