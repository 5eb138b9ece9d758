"""The vault index of `ion vaults`: incremental, cached per chain/genesis/pool, rebuilt when the
chain it describes is gone, and complete when the node caps a log query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ion_cli.chain.client import RpcError
from ion_cli.flows import vaults

POOL = "0x" + "ab" * 20
ALICE = "0x" + "11" * 20
BOB = "0x" + "22" * 20


def _topic(address: str) -> str:
    return "0x" + "00" * 12 + address[2:]


class FakeChain:
    """eth_getBlockByNumber and eth_getLogs over a list of (block, topic0, ilk, owner)."""

    def __init__(self, head: int, genesis: str = "0x" + "01" * 32, cap: int = 0) -> None:
        self.head = head
        self.genesis = genesis
        self.logs: list[tuple[int, str, int, str]] = []
        self.queries: list[tuple[int, int]] = []
        self.cap = cap  # a node that refuses ranges wider than this (0: none)

    def request(self, method: str, params: list[Any], action: str = "") -> Any:
        if method == "eth_getBlockByNumber":
            number = int(params[0], 16)
            if number > self.head:
                return None
            return {"hash": self.genesis if number == 0 else f"0x{number:064x}"}
        assert method == "eth_getLogs"
        q = params[0]
        lo, hi = int(q["fromBlock"], 16), int(q["toBlock"], 16)
        if self.cap and hi - lo + 1 > self.cap:
            raise RpcError("query exceeds max block range 100")
        self.queries.append((lo, hi))
        topic0, ilk = q["topics"][0], int(q["topics"][1], 16)
        out = []
        for i, (block, t0, log_ilk, owner) in enumerate(self.logs):
            if lo <= block <= hi and t0 == topic0 and log_ilk == ilk:
                topics = [t0, f"0x{ilk:064x}", _topic(owner), _topic(owner)]
                out.append(
                    {
                        "address": POOL,
                        "topics": topics,
                        "data": "0x",
                        "blockNumber": hex(block),
                        "logIndex": hex(i),
                    }
                )
        return out


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _deposit_topic() -> str:
    return vaults._event_topics()[0][0]


def test_the_index_is_incremental_and_cached(cache_home: Path) -> None:
    chain = FakeChain(head=1000)
    chain.logs = [(10, _deposit_topic(), 0, ALICE), (20, _deposit_topic(), 1, BOB)]
    index = vaults.update_index(chain, 31337, POOL, 0, 1000)  # type: ignore[arg-type]
    assert index.owners == {ALICE}  # BOB's deposit is in another ilk
    assert min(lo for lo, _ in chain.queries) == 0
    assert len(list(cache_home.glob("ion/vaults/*.json"))) == 1

    chain.head = 1500
    chain.logs.append((1400, _deposit_topic(), 0, BOB))
    chain.queries.clear()
    index = vaults.update_index(chain, 31337, POOL, 0, 1500)  # type: ignore[arg-type]
    assert index.owners == {ALICE, BOB}
    # only the new blocks (and a few below, for reorgs) were asked for
    assert min(lo for lo, _ in chain.queries) == 1000 - vaults.REORG_BLOCKS
    assert index.scanned_to == 1500


def test_a_chain_that_went_back_is_rescanned() -> None:
    chain = FakeChain(head=1000)
    chain.logs = [(10, _deposit_topic(), 0, ALICE)]
    vaults.update_index(chain, 31337, POOL, 0, 1000)  # type: ignore[arg-type]
    chain.head = 500  # a devnet reverted below the scanned block
    chain.queries.clear()
    index = vaults.update_index(chain, 31337, POOL, 0, 500)  # type: ignore[arg-type]
    assert min(lo for lo, _ in chain.queries) == 0 and index.owners == {ALICE}


def test_another_genesis_gets_its_own_file(cache_home: Path) -> None:
    one, two = FakeChain(head=100), FakeChain(head=100, genesis="0x" + "02" * 32)
    one.logs = [(5, _deposit_topic(), 0, ALICE)]
    vaults.update_index(one, 31337, POOL, 0, 100)  # type: ignore[arg-type]
    assert vaults.update_index(two, 31337, POOL, 0, 100).owners == set()  # type: ignore[arg-type]
    assert len(list(cache_home.glob("ion/vaults/*.json"))) == 2


def test_a_damaged_cache_is_rebuilt(cache_home: Path) -> None:
    chain = FakeChain(head=100)
    chain.logs = [(5, _deposit_topic(), 0, ALICE)]
    vaults.update_index(chain, 31337, POOL, 0, 100)  # type: ignore[arg-type]
    (path,) = cache_home.glob("ion/vaults/*.json")
    path.write_text("{not json")
    assert vaults.update_index(chain, 31337, POOL, 0, 100).owners == {ALICE}  # type: ignore[arg-type]


def test_a_capped_node_still_gives_every_vault() -> None:
    chain = FakeChain(head=1000, cap=100)
    chain.logs = [(b, _deposit_topic(), 0, f"0x{b:040x}") for b in (1, 150, 999)]
    index = vaults.update_index(chain, 31337, POOL, 0, 1000)  # type: ignore[arg-type]
    assert index.owners == {f"0x{b:040x}" for b in (1, 150, 999)}
