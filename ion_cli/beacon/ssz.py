# mypy: disable-error-code="misc"
"""The Fulu (Electra + proposer lookahead) consensus containers, as remerkleable SSZ types.

Shared by the devnet's beacon server (the real `hash_tree_root`s of its synthetic states,
headers and block bodies, so that Merkle proofs of a validator's fields against a served state
root hold) and the client (`ion_cli.beacon.proofs` checks a node's answers against a state
root). remerkleable is imported at module level here: import this module only inside the
functions that need it. Field order and list limits follow the consensus specs
(mainnet preset); the generalized index of `validators` in the state is 75, `balances` 76.
"""

# No `from __future__ import annotations`: remerkleable reads the field types at runtime.

from typing import Any

from remerkleable.basic import boolean, uint8, uint64, uint256
from remerkleable.bitfields import Bitlist, Bitvector
from remerkleable.byte_arrays import ByteList, Bytes4, Bytes32, Bytes48, Bytes96, ByteVector
from remerkleable.complex import Container, List, Vector

# Mainnet preset values the containers need.
SLOTS_PER_HISTORICAL_ROOT = 8192
EPOCHS_PER_HISTORICAL_VECTOR = 65536
EPOCHS_PER_SLASHINGS_VECTOR = 8192
HISTORICAL_ROOTS_LIMIT = 2**24
VALIDATOR_REGISTRY_LIMIT = 2**40
EPOCHS_PER_ETH1_VOTING_PERIOD = 64
SLOTS_PER_EPOCH = 32
SYNC_COMMITTEE_SIZE = 512
JUSTIFICATION_BITS_LENGTH = 4
BYTES_PER_LOGS_BLOOM = 256
MAX_EXTRA_DATA_BYTES = 32
MAX_BYTES_PER_TRANSACTION = 2**30
MAX_TRANSACTIONS_PER_PAYLOAD = 2**20
MAX_WITHDRAWALS_PER_PAYLOAD = 16
PENDING_DEPOSITS_LIMIT = 2**27
PENDING_PARTIAL_WITHDRAWALS_LIMIT = 2**27
PENDING_CONSOLIDATIONS_LIMIT = 2**18
MAX_PROPOSER_SLASHINGS = 16
MAX_ATTESTER_SLASHINGS_ELECTRA = 1
MAX_ATTESTATIONS_ELECTRA = 8
MAX_DEPOSITS = 16
MAX_VOLUNTARY_EXITS = 16
MAX_BLS_TO_EXECUTION_CHANGES = 16
MAX_BLOB_COMMITMENTS_PER_BLOCK = 4096
MAX_VALIDATORS_PER_COMMITTEE = 2048
MAX_COMMITTEES_PER_SLOT = 64
DEPOSIT_CONTRACT_TREE_DEPTH = 32
MAX_DEPOSIT_REQUESTS_PER_PAYLOAD = 8192
MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD = 16
MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD = 2
MIN_SEED_LOOKAHEAD = 1


class Fork(Container):
    previous_version: Bytes4
    current_version: Bytes4
    epoch: uint64


class Checkpoint(Container):
    epoch: uint64
    root: Bytes32


class BeaconBlockHeader(Container):
    slot: uint64
    proposer_index: uint64
    parent_root: Bytes32
    state_root: Bytes32
    body_root: Bytes32


class SignedBeaconBlockHeader(Container):
    message: BeaconBlockHeader
    signature: Bytes96


class Eth1Data(Container):
    deposit_root: Bytes32
    deposit_count: uint64
    block_hash: Bytes32


class Validator(Container):
    pubkey: Bytes48
    withdrawal_credentials: Bytes32
    effective_balance: uint64
    slashed: boolean
    activation_eligibility_epoch: uint64
    activation_epoch: uint64
    exit_epoch: uint64
    withdrawable_epoch: uint64


class SyncCommittee(Container):
    pubkeys: Vector[Bytes48, SYNC_COMMITTEE_SIZE]
    aggregate_pubkey: Bytes48


class ExecutionPayloadHeader(Container):
    parent_hash: Bytes32
    fee_recipient: ByteVector[20]
    state_root: Bytes32
    receipts_root: Bytes32
    logs_bloom: ByteVector[BYTES_PER_LOGS_BLOOM]
    prev_randao: Bytes32
    block_number: uint64
    gas_limit: uint64
    gas_used: uint64
    timestamp: uint64
    extra_data: ByteList[MAX_EXTRA_DATA_BYTES]
    base_fee_per_gas: uint256
    block_hash: Bytes32
    transactions_root: Bytes32
    withdrawals_root: Bytes32
    blob_gas_used: uint64
    excess_blob_gas: uint64


class HistoricalSummary(Container):
    block_summary_root: Bytes32
    state_summary_root: Bytes32


class PendingDeposit(Container):
    pubkey: Bytes48
    withdrawal_credentials: Bytes32
    amount: uint64
    signature: Bytes96
    slot: uint64


class PendingPartialWithdrawal(Container):
    validator_index: uint64
    amount: uint64
    withdrawable_epoch: uint64


class PendingConsolidation(Container):
    source_index: uint64
    target_index: uint64


class BeaconState(Container):
    genesis_time: uint64
    genesis_validators_root: Bytes32
    slot: uint64
    fork: Fork
    latest_block_header: BeaconBlockHeader
    block_roots: Vector[Bytes32, SLOTS_PER_HISTORICAL_ROOT]
    state_roots: Vector[Bytes32, SLOTS_PER_HISTORICAL_ROOT]
    historical_roots: List[Bytes32, HISTORICAL_ROOTS_LIMIT]
    eth1_data: Eth1Data
    eth1_data_votes: List[Eth1Data, EPOCHS_PER_ETH1_VOTING_PERIOD * SLOTS_PER_EPOCH]
    eth1_deposit_index: uint64
    validators: List[Validator, VALIDATOR_REGISTRY_LIMIT]
    balances: List[uint64, VALIDATOR_REGISTRY_LIMIT]
    randao_mixes: Vector[Bytes32, EPOCHS_PER_HISTORICAL_VECTOR]
    slashings: Vector[uint64, EPOCHS_PER_SLASHINGS_VECTOR]
    previous_epoch_participation: List[uint8, VALIDATOR_REGISTRY_LIMIT]
    current_epoch_participation: List[uint8, VALIDATOR_REGISTRY_LIMIT]
    justification_bits: Bitvector[JUSTIFICATION_BITS_LENGTH]
    previous_justified_checkpoint: Checkpoint
    current_justified_checkpoint: Checkpoint
    finalized_checkpoint: Checkpoint
    inactivity_scores: List[uint64, VALIDATOR_REGISTRY_LIMIT]
    current_sync_committee: SyncCommittee
    next_sync_committee: SyncCommittee
    latest_execution_payload_header: ExecutionPayloadHeader
    next_withdrawal_index: uint64
    next_withdrawal_validator_index: uint64
    historical_summaries: List[HistoricalSummary, HISTORICAL_ROOTS_LIMIT]
    deposit_requests_start_index: uint64
    deposit_balance_to_consume: uint64
    exit_balance_to_consume: uint64
    earliest_exit_epoch: uint64
    consolidation_balance_to_consume: uint64
    earliest_consolidation_epoch: uint64
    pending_deposits: List[PendingDeposit, PENDING_DEPOSITS_LIMIT]
    pending_partial_withdrawals: List[PendingPartialWithdrawal, PENDING_PARTIAL_WITHDRAWALS_LIMIT]
    pending_consolidations: List[PendingConsolidation, PENDING_CONSOLIDATIONS_LIMIT]
    proposer_lookahead: Vector[uint64, (MIN_SEED_LOOKAHEAD + 1) * SLOTS_PER_EPOCH]


# ---------------------------------------------------------------- the block body


class ProposerSlashing(Container):
    signed_header_1: SignedBeaconBlockHeader
    signed_header_2: SignedBeaconBlockHeader


class AttestationData(Container):
    slot: uint64
    index: uint64
    beacon_block_root: Bytes32
    source: Checkpoint
    target: Checkpoint


class IndexedAttestation(Container):  # Electra
    attesting_indices: List[uint64, MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT]
    data: AttestationData
    signature: Bytes96


class AttesterSlashing(Container):
    attestation_1: IndexedAttestation
    attestation_2: IndexedAttestation


class Attestation(Container):  # Electra
    aggregation_bits: Bitlist[MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT]
    data: AttestationData
    signature: Bytes96
    committee_bits: Bitvector[MAX_COMMITTEES_PER_SLOT]


class DepositData(Container):
    pubkey: Bytes48
    withdrawal_credentials: Bytes32
    amount: uint64
    signature: Bytes96


class Deposit(Container):
    proof: Vector[Bytes32, DEPOSIT_CONTRACT_TREE_DEPTH + 1]
    data: DepositData


class VoluntaryExit(Container):
    epoch: uint64
    validator_index: uint64


class SignedVoluntaryExit(Container):
    message: VoluntaryExit
    signature: Bytes96


class SyncAggregate(Container):
    sync_committee_bits: Bitvector[SYNC_COMMITTEE_SIZE]
    sync_committee_signature: Bytes96


class Withdrawal(Container):
    index: uint64
    validator_index: uint64
    address: ByteVector[20]
    amount: uint64


class ExecutionPayload(Container):
    parent_hash: Bytes32
    fee_recipient: ByteVector[20]
    state_root: Bytes32
    receipts_root: Bytes32
    logs_bloom: ByteVector[BYTES_PER_LOGS_BLOOM]
    prev_randao: Bytes32
    block_number: uint64
    gas_limit: uint64
    gas_used: uint64
    timestamp: uint64
    extra_data: ByteList[MAX_EXTRA_DATA_BYTES]
    base_fee_per_gas: uint256
    block_hash: Bytes32
    transactions: List[ByteList[MAX_BYTES_PER_TRANSACTION], MAX_TRANSACTIONS_PER_PAYLOAD]
    withdrawals: List[Withdrawal, MAX_WITHDRAWALS_PER_PAYLOAD]
    blob_gas_used: uint64
    excess_blob_gas: uint64


class BLSToExecutionChange(Container):
    validator_index: uint64
    from_bls_pubkey: Bytes48
    to_execution_address: ByteVector[20]


class SignedBLSToExecutionChange(Container):
    message: BLSToExecutionChange
    signature: Bytes96


class DepositRequest(Container):
    pubkey: Bytes48
    withdrawal_credentials: Bytes32
    amount: uint64
    signature: Bytes96
    index: uint64


class WithdrawalRequest(Container):
    source_address: ByteVector[20]
    validator_pubkey: Bytes48
    amount: uint64


class ConsolidationRequest(Container):
    source_address: ByteVector[20]
    source_pubkey: Bytes48
    target_pubkey: Bytes48


class ExecutionRequests(Container):
    deposits: List[DepositRequest, MAX_DEPOSIT_REQUESTS_PER_PAYLOAD]
    withdrawals: List[WithdrawalRequest, MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD]
    consolidations: List[ConsolidationRequest, MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD]


class BeaconBlockBody(Container):
    randao_reveal: Bytes96
    eth1_data: Eth1Data
    graffiti: Bytes32
    proposer_slashings: List[ProposerSlashing, MAX_PROPOSER_SLASHINGS]
    attester_slashings: List[AttesterSlashing, MAX_ATTESTER_SLASHINGS_ELECTRA]
    attestations: List[Attestation, MAX_ATTESTATIONS_ELECTRA]
    deposits: List[Deposit, MAX_DEPOSITS]
    voluntary_exits: List[SignedVoluntaryExit, MAX_VOLUNTARY_EXITS]
    sync_aggregate: SyncAggregate
    execution_payload: ExecutionPayload
    bls_to_execution_changes: List[SignedBLSToExecutionChange, MAX_BLS_TO_EXECUTION_CHANGES]
    blob_kzg_commitments: List[Bytes48, MAX_BLOB_COMMITMENTS_PER_BLOCK]
    execution_requests: ExecutionRequests


def root_hex(view: Any) -> str:
    """0x-prefixed hash_tree_root of a view."""
    return "0x" + bytes(view.hash_tree_root()).hex()
