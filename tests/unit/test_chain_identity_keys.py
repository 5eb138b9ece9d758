"""The chain identity (issue 16): chain id + genesis hash, + the fork block's hash on an anvil
fork; journals are kept per identity and import an earlier JSONL journal's records of their own
genesis only."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from ion_cli.chain.identity import chain_identity
from ion_cli.chain.journal import Journal, chain_journals, journal_path

ADDR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
GENESIS = "0x" + "ab" * 32
FORK_BLOCK = "0x" + "cd" * 32


class Provider:
    def __init__(self, node_info: Any) -> None:
        self.node_info = node_info

    def make_request(self, method: str, params: list[Any]) -> dict[str, Any]:
        assert method == "anvil_nodeInfo"
        if self.node_info is None:
            return {"error": {"code": -32601, "message": "the method does not exist"}}
        return {"result": self.node_info}


def _w3(node_info: Any) -> Any:
    blocks = {0: {"hash": GENESIS}, 19_000_000: {"hash": FORK_BLOCK}}
    return SimpleNamespace(
        provider=Provider(node_info), eth=SimpleNamespace(get_block=lambda n: blocks[n])
    )


def test_identity_is_chain_id_and_genesis_plus_the_fork_block() -> None:
    plain, genesis = chain_identity(_w3(None), 1)
    assert (plain, genesis) == ("1-" + "ab" * 8, GENESIS)
    assert chain_identity(_w3({"forkConfig": {}}), 31337)[0] == "31337-" + "ab" * 8
    forked, _ = chain_identity(_w3({"forkConfig": {"forkBlockNumber": 19_000_000}}), 1)
    assert forked == "1-" + "ab" * 8 + "-fork-" + "cd" * 8  # never mainnet's journal


def test_journals_of_two_identities_of_one_chain_id_are_apart_and_import_their_own() -> None:
    legacy = journal_path(31337, ADDR)
    legacy.parent.mkdir(parents=True)
    records = [
        {"event": "signed", "hash": "0xold", "genesis": "0xg1", "plan_id": "p", "nonce": 0},
        {"event": "mined", "hash": "0xold", "block_number": 1, "block_hash": "0x1", "status": 1},
        {"event": "signed", "hash": "0xnew", "genesis": "0xg2", "plan_id": "q", "nonce": 0},
    ]
    legacy.write_text("".join(json.dumps(r) + "\n" for r in records))
    one = Journal.for_chain("31337-g1", ADDR, chain_id=31337, genesis="0xg1")
    two = Journal.for_chain("31337-g2", ADDR, chain_id=31337, genesis="0xG2")
    assert list(one.entries()) == ["0xold"] and one.entries()["0xold"].state == "mined"
    assert list(two.entries()) == ["0xnew"] and two.entries()["0xnew"].state == "signed"
    assert one.path != two.path
    assert [p.name for p in chain_journals(31337)] == ["31337-g1", "31337-g2"]


def test_reading_a_journal_that_does_not_exist_creates_nothing() -> None:
    journal = Journal.for_chain("31337-none", ADDR, chain_id=31337, genesis="0xg")
    assert journal.entries() == {} and journal.unresolved() == [] and journal.last_plan() is None
    assert not journal.path.parent.exists() and chain_journals(31337) == []
