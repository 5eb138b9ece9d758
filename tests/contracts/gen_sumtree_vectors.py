"""Write tests/contracts/vectors/sumtree.bin: a Merkle-sum tree (ion_cli.zk.sumtree) over 13
validators of every kind (pending, active, exiting, slashed with the correlation penalty to come
and after it, withdrawn, 0x02), with every leaf, its sums and its branch, for SumTree.t.sol.

    .venv/bin/python tests/contracts/gen_sumtree_vectors.py          # rewrite the file
    .venv/bin/python tests/contracts/gen_sumtree_vectors.py --check  # exit 1 if it is stale

The file is abi.encode(uint64 epoch, bytes32 root, uint128[10] rootSums, Leaf[] leaves), each
Leaf = (fields..., uint128[10] sums, bytes32 hash, bytes32[] siblingHashes,
uint128[10][] siblingSums).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "vectors" / "sumtree.bin"
LEAF = (
    "(uint64,bytes32,bytes32,uint64,bool,uint64,uint64,uint64,uint64,uint64,"
    "uint128[10],bytes32,bytes32[],uint128[10][])"
)


def _validators() -> tuple[int, list[Any]]:
    from ion_cli import consensus_rules as cr
    from ion_cli.zk import synthetic

    epoch = 400_000
    far = cr.FAR_FUTURE_EPOCH
    base = list(synthetic.uniform_set(13, slashed=3, epoch=epoch).validators)
    eth = 10**9
    base[3] = replace(base[3], exit_epoch=epoch + 10, withdrawable_epoch=epoch + 266)  # exiting
    base[4] = replace(base[4], exit_epoch=epoch - 500, withdrawable_epoch=epoch - 244, balance=0)
    base[5] = replace(base[5], activation_epoch=far, exit_epoch=far, withdrawable_epoch=far)
    base[6] = replace(
        base[6],
        withdrawal_credentials="0x02" + base[6].withdrawal_credentials[4:],
        effective_balance=100 * eth,
        balance=99 * eth,
    )
    base[7] = replace(
        base[7], slashed=True, exit_epoch=epoch - 6000, withdrawable_epoch=epoch + 2000
    )
    base[8] = replace(base[8], balance=base[8].effective_balance - 3 * eth)  # offline
    return epoch, base


def render() -> bytes:
    from eth_abi import encode

    from ion_cli.zk import sumtree

    epoch, validators = _validators()
    tree = sumtree.build(validators, epoch)
    leaves = []
    for p, v in enumerate(tree.validators):
        node = tree.levels[0][p]
        steps = tree.branch(p)
        leaves.append(
            (
                v.index,
                sumtree.pubkey_root(v.pubkey),
                bytes.fromhex(v.withdrawal_credentials[2:]),
                v.effective_balance,
                v.slashed,
                v.activation_eligibility_epoch,
                v.activation_epoch,
                v.exit_epoch,
                v.withdrawable_epoch,
                v.balance,
                list(node.sums),
                node.hash,
                [s.hash for s in steps],
                [list(s.sums) for s in steps],
            )
        )
    return encode(
        ["uint64", "bytes32", "uint128[10]", f"{LEAF}[]"],
        [epoch, tree.root.hash, list(tree.root.sums), leaves],
    )


def main(argv: list[str]) -> int:
    data = render()
    if "--check" in argv:
        return 0 if OUT.exists() and OUT.read_bytes() == data else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
