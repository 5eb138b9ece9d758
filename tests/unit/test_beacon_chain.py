"""The devnet's synthetic beacon chain without a server: layout, pubkeys, operations by the
consensus rules, reorgs, persistence and real SSZ roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from ion_cli import consensus_rules as cr
from ion_cli.devnet import beacon_chain as bc
from ion_cli.devnet import beacon_records as records
from ion_cli.devnet import validators

GENESIS = 1_606_824_023
HEAD = records.GENESIS_EPOCHS * 32 + 20


@pytest.fixture(scope="module")
def chain() -> bc.Chain:
    return bc.new_chain(genesis_time=GENESIS, total=12_000, real_roots=False)


def test_every_lrt_credential_gets_its_validators(chain: bc.Chain) -> None:
    for symbol, spec in validators.devnet_sets().items():
        indices = list(chain.layout.indices_of(symbol))
        assert len(indices) == spec.pods * spec.per_credential
        creds = {chain.layout.credential(i) for i in indices}
        assert {"0x" + c.hex() for c in creds} == set(validators.withdrawal_credentials(symbol))
    unrelated = [i for i in range(chain.layout.total) if chain.layout.lrt(i) is None]
    assert len(unrelated) == chain.layout.total - sum(
        s.pods * s.per_credential for s in validators.devnet_sets().values()
    )
    assert {chain.layout.credential(i)[0] for i in unrelated} == {0, 1, 2}


def test_too_small_a_set_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        bc.new_chain(genesis_time=GENESIS, total=100)


def test_pubkeys_encode_their_index(chain: bc.Chain) -> None:
    seen = set()
    for index in range(0, chain.layout.total, 97):
        key = chain.pubkey(index)
        assert len(key) == 48 and key not in seen
        seen.add(key)
        assert chain.index_of_pubkey(key) == index
    forged = bytearray(chain.pubkey(5))
    forged[0] ^= 1
    assert chain.index_of_pubkey(bytes(forged)) is None
    assert chain.index_of_pubkey(b"\0" * 47) is None


def test_generated_records_are_consistent(chain: bc.Chain) -> None:
    statuses: dict[str, int] = {}
    for index in range(chain.layout.total):
        rec = chain.base(index)
        status = rec.status(records.GENESIS_EPOCHS)
        statuses[status] = statuses.get(status, 0) + 1
        if status == "active_ongoing":
            # the effective balance is what the hysteresis rule keeps for this balance
            assert rec.effective_balance == cr.effective_balance_after(
                rec.balance, rec.effective_balance, rec.credentials
            )
            assert rec.effective_balance <= cr.max_effective_balance(rec.credentials)
    assert set(statuses) == {"active_ongoing", "pending_queued", "withdrawal_done"}
    assert statuses["active_ongoing"] > 0.98 * chain.layout.total


def test_slashing_replay_follows_the_rules() -> None:
    chain = bc.new_chain(genesis_time=GENESIS, total=12_000, real_roots=False)
    chain.set_blocks([HEAD])
    slot = HEAD + 1
    chosen = chain.choose_for_slashing("weETH", 2, slot)
    chain.set_blocks([HEAD, slot])
    chain.apply(records.Operation(kind="slash", slot=slot, indices=chosen, lrt="weETH"))
    epoch = slot // 32
    before = {i: chain.base(i) for i in chosen}
    view = chain.view(slot)
    for index in chosen:
        rec = chain.record(view, index)
        eff = before[index].effective_balance
        assert before[index].balance - rec.balance == eff // 4096
        assert rec.slashed and rec.exit_epoch == epoch + 5
        assert rec.withdrawable_epoch == epoch + cr.EPOCHS_PER_SLASHINGS_VECTOR
        assert rec.status(epoch) == "active_slashed"
    proposer = chain.proposer(slot)
    reward = sum(cr.whistleblower_reward(before[i].effective_balance) for i in chosen)
    assert chain.record(view, proposer).balance == chain.base(proposer).balance + reward
    # An earlier state does not see it; a state past the mid-point sees the correlation penalty.
    assert chain.record(chain.view(HEAD), chosen[0]).slashed is False
    late = chain.view(slot + (cr.EPOCHS_PER_SLASHINGS_VECTOR // 2 + 1) * 32)
    window = sum(before[i].effective_balance for i in chosen)
    total = chain.active_total(late, epoch + cr.EPOCHS_PER_SLASHINGS_VECTOR // 2)
    for index in chosen:
        rec = chain.record(late, index)
        penalty = cr.correlation_penalty(before[index].effective_balance, window, total)
        assert chain.record(view, index).balance - rec.balance == penalty
    # A revert that loses the block drops the operation (a reorg).
    chain.set_blocks([HEAD])
    assert chain.operations == []
    assert chain.record(chain.view(slot), chosen[0]).slashed is False


def test_penalty_and_effective_balance_hysteresis() -> None:
    chain = bc.new_chain(genesis_time=GENESIS, total=12_000, real_roots=False)
    slot = HEAD + 1
    chain.set_blocks([HEAD, slot])
    indices = chain.active_of("rsETH", slot)
    chain.apply(records.Operation(kind="penalize", slot=slot, indices=indices, gwei=300_000_000))
    view = chain.view(slot)
    for index in indices[:50]:
        base, rec = chain.base(index), chain.record(view, index)
        assert base.balance - rec.balance == 300_000_000
        expected = cr.effective_balance_after(rec.balance, base.effective_balance, base.credentials)
        assert rec.effective_balance == expected


def test_effective_balance_after() -> None:
    eth = cr.EFFECTIVE_BALANCE_INCREMENT
    assert cr.effective_balance_after(32 * eth - eth // 4, 32 * eth, "0x01") == 32 * eth
    assert cr.effective_balance_after(32 * eth - eth // 4 - 1, 32 * eth, "0x01") == 31 * eth
    assert cr.effective_balance_after(40 * eth, 32 * eth, "0x01") == 32 * eth  # capped
    assert cr.effective_balance_after(40 * eth, 32 * eth, "0x02") == 40 * eth  # compounding
    assert cr.effective_balance_after(33 * eth + eth // 4, 32 * eth, "0x02") == 32 * eth


def test_state_survives_a_restart_with_the_same_roots(tmp_path: Path) -> None:
    state = tmp_path / records.STATE_FILE
    chain = bc.new_chain(genesis_time=GENESIS, state_file=state, real_roots=True)
    slot = HEAD + 1
    chain.set_blocks([HEAD, slot])
    chain.apply(
        records.Operation(
            kind="slash", slot=slot, indices=chain.choose_for_slashing("ezETH", 1, slot)
        )
    )
    roots = chain.block_roots(slot)
    finalized = chain.state_root(slot - 64)
    again = bc.Chain.load(state)
    again.set_blocks([HEAD, slot])
    assert again.block_roots(slot) == roots
    assert again.state_root(slot - 64) == finalized
    assert again.operations[0].indices == chain.operations[0].indices
    # the state root is the SSZ root of the Fulu state: the slashed validator is in it
    ssz_state = again.ssz().state(slot)
    index = again.operations[0].indices[0]
    assert bool(ssz_state.validators[index].slashed) is True
    assert "0x" + bytes(ssz_state.hash_tree_root()).hex() == roots[0]


def test_a_block_carries_proposer_and_attester_slashings() -> None:
    """Up to 16 proposer slashings, the rest in the block's one attester slashing (Electra)."""
    chain = bc.new_chain(genesis_time=GENESIS, total=12_000, real_roots=False)
    slot = HEAD + 1
    chain.set_blocks([HEAD, slot])
    chosen = chain.choose_for_slashing("rswETH", 20, slot)
    chain.apply(records.Operation(kind="slash", slot=slot, indices=chosen))
    body = chain.body(slot)
    proposers = [
        int(s["signed_header_1"]["message"]["proposer_index"]) for s in body["proposer_slashings"]
    ]
    assert proposers == chosen[:16]
    (attester,) = body["attester_slashings"]
    both = [attester[k]["attesting_indices"] for k in ("attestation_1", "attestation_2")]
    assert both[0] == both[1] == [str(i) for i in sorted(chosen[16:])]
    assert attester["attestation_1"]["data"] != attester["attestation_2"]["data"]  # a double vote
    from ion_cli.beacon import ssz

    ssz.BeaconBlockBody.from_obj(body)  # a valid Fulu body (limits included)
    assert all(chain.record(chain.view(slot), i).slashed for i in chosen)
