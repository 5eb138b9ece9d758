"""Synthetic validator sets and slashing scenarios: the risk model's training data.

Pure (stdlib `random` with an explicit seed: the same seed gives the same scenarios on every
machine and Python version). Each scenario is a `Snapshot` of 4-64 validators at an epoch, with
a `NetworkContext`, drawn to cover what the features can express:
- credentials: mostly 0x01 (32 ETH), sometimes 0x02 (compounding, 32-2048 ETH), spread over
  1..n withdrawal credentials (pods or vaults);
- lifecycle: pending, active, voluntarily exiting or exited validators;
- slashings: none in about half the scenarios, otherwise a share of the set slashed at one
  epoch within the last EPOCHS_PER_SLASHINGS_VECTOR epochs (initial penalty applied; the
  correlation penalty applied too once its epoch has passed);
- offline or leaking validators with balance shortfalls, and rewards above effective balance;
- the set's share of the network from 0.1% to 100% (log-uniform), no other slashings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from ion_cli import consensus_rules as cr
from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.zk.rule import NetworkContext

ETH = 10**9


@dataclass(frozen=True)
class Scenario:
    snapshot: Snapshot
    network: NetworkContext


def _root(rng: random.Random) -> str:
    return "0x" + rng.getrandbits(256).to_bytes(32, "big").hex()


def _credential(rng: random.Random, compounding: bool, pod: int) -> str:
    prefix = "02" if compounding else "01"
    return "0x" + prefix + "00" * 11 + pod.to_bytes(20, "big").hex()


def scenario(rng: random.Random) -> Scenario:
    epoch = rng.randrange(300_000, 500_000)
    n = rng.randint(4, 64)
    pods = rng.randint(1, n)
    compounding_share = rng.choice((0.0, 0.0, 0.2, 0.5, 1.0))
    exiting_share = rng.choice((0.0, 0.0, 0.05, 0.2, 0.6))
    pending_share = rng.choice((0.0, 0.0, 0.05, 0.3))
    offline_share = rng.choice((0.0, 0.0, 0.05, 0.2, 0.5, 1.0))
    leak = rng.choice((0.001, 0.01, 0.1, 0.5, 2.0))  # ETH per offline validator, scale
    slashed_share = 0.0 if rng.random() < 0.45 else rng.random() ** 1.5
    slash_epoch = epoch - rng.randrange(0, cr.EPOCHS_PER_SLASHINGS_VECTOR)
    validators: list[Validator] = []
    for i in range(n):
        compounding = rng.random() < compounding_share
        max_eb = cr.MAX_EFFECTIVE_BALANCE_ELECTRA if compounding else cr.MIN_ACTIVATION_BALANCE
        eb = rng.randrange(32, max_eb // ETH + 1) * ETH if compounding else max_eb
        balance = eb + int(rng.random() * 0.05 * ETH)
        activation = epoch - rng.randrange(1, 200_000)
        eligibility = activation - 10
        exit_epoch = withdrawable = cr.FAR_FUTURE_EPOCH
        slashed = False
        roll = rng.random()
        if roll < pending_share:
            activation = epoch + rng.randrange(1, 2000)
            eligibility = epoch - 5
        elif roll < pending_share + exiting_share:
            exit_epoch = epoch + rng.randrange(-300, 60)
            withdrawable = exit_epoch + cr.MIN_VALIDATOR_WITHDRAWABILITY_DELAY
        if activation <= epoch and rng.random() < slashed_share and slash_epoch >= activation:
            slashed = True
            exit_epoch = min(exit_epoch, cr.exit_epoch_after(slash_epoch))
            withdrawable = cr.slashed_withdrawable_epoch(
                slash_epoch, exit_epoch + cr.MIN_VALIDATOR_WITHDRAWABILITY_DELAY
            )
            balance -= cr.initial_slashing_penalty(eb)
        elif rng.random() < offline_share:
            balance = eb - int(rng.random() * leak * ETH)
        validators.append(
            Validator(
                index=i,
                pubkey="0x" + rng.getrandbits(384).to_bytes(48, "big").hex(),
                withdrawal_credentials=_credential(rng, compounding, rng.randrange(pods)),
                effective_balance=eb,
                balance=max(balance, 0),
                slashed=slashed,
                activation_eligibility_epoch=eligibility,
                activation_epoch=activation,
                exit_epoch=exit_epoch,
                withdrawable_epoch=withdrawable,
                status=cr.validator_status(
                    epoch=epoch,
                    slashed=slashed,
                    activation_eligibility_epoch=eligibility,
                    activation_epoch=activation,
                    exit_epoch=exit_epoch,
                    withdrawable_epoch=withdrawable,
                    balance=max(balance, 0),
                ),
            )
        )
    active = sum(
        v.effective_balance for v in validators if v.activation_epoch <= epoch < v.exit_epoch
    )
    network_share = 10 ** rng.uniform(-3.0, 0.0)
    network = NetworkContext(active_balance=max(int(active / network_share), 32 * ETH))
    validators = _apply_past_correlation(validators, epoch, network)
    state = StateRef(
        slot=epoch * cr.SLOTS_PER_EPOCH + rng.randrange(cr.SLOTS_PER_EPOCH),
        state_root=_root(rng),
        block_root=_root(rng),
        finalized=True,
        execution_optimistic=False,
    )
    return Scenario(Snapshot(state=state, validators=tuple(validators)), network)


def _apply_past_correlation(
    validators: list[Validator], epoch: int, network: NetworkContext
) -> list[Validator]:
    """Slashed validators past their correlation epoch have paid it: take it off the balance."""
    window = sum(
        v.effective_balance for v in validators if v.slashed and epoch < v.withdrawable_epoch
    )
    out = []
    for v in validators:
        if v.slashed and epoch > cr.correlation_penalty_epoch(v.withdrawable_epoch):
            penalty = cr.correlation_penalty(v.effective_balance, window, network.active_balance)
            v = replace(v, balance=max(0, v.balance - penalty))
        out.append(v)
    return out


def scenarios(seed: int, count: int) -> list[Scenario]:
    rng = random.Random(seed)
    return [scenario(rng) for _ in range(count)]


RESTAKING_SEED_OFFSET = 0x5EED  # restaking draws come from their own stream: the beacon
# scenarios of a seed stay what they were before the restaking features (model v4)
HELD = 10**12  # the synthetic LRT's restaked ETH, in units of the fractions below


@dataclass(frozen=True)
class RestakingDraw:
    """A synthetic restaking state: the LRT's realized AVS loss in the window and its largest
    operator's share (as the integers `restaking_features` computes from)."""

    lost: int  # of HELD
    largest: int  # of HELD

    @property
    def loss_fraction(self) -> float:
        return self.lost / HELD


def restaking_draw(rng: random.Random) -> RestakingDraw:
    """No AVS loss in about half the scenarios; otherwise a loss log-uniform from 0.03% to
    30% of the restaked ETH; the largest operator's share from one to eight operators."""
    largest = HELD // rng.choice((1, 1, 2, 2, 3, 4, 6, 8))
    if rng.random() < 0.5:
        return RestakingDraw(lost=0, largest=largest)
    fraction = 10 ** rng.uniform(-3.5, -0.52)
    return RestakingDraw(lost=int(fraction * HELD), largest=largest)


def restaking_draws(seed: int, count: int) -> list[RestakingDraw]:
    rng = random.Random(seed + RESTAKING_SEED_OFFSET)
    return [restaking_draw(rng) for _ in range(count)]


def uniform_set(
    n: int,
    *,
    slashed: int = 0,
    epoch: int = 400_000,
    slashed_at: int | None = None,
    shortfall_gwei: int = 0,
    credentials: int = 1,
    seed: int = 1,
    source: str = "",
) -> Snapshot:
    """A plain set for tests and examples: `n` active 32-ETH validators (0x01, spread over
    `credentials` withdrawal credentials), the first `slashed` of them slashed at `slashed_at`
    (default: this epoch) with the initial penalty paid, each other one `shortfall_gwei` short."""
    rng = random.Random(seed)
    when = epoch if slashed_at is None else slashed_at
    validators = []
    for i in range(n):
        eb = cr.MIN_ACTIVATION_BALANCE
        v = Validator(
            index=1000 + i,
            pubkey="0x" + rng.getrandbits(384).to_bytes(48, "big").hex(),
            withdrawal_credentials=_credential(rng, False, i % max(credentials, 1)),
            effective_balance=eb,
            balance=eb - shortfall_gwei,
            slashed=False,
            activation_eligibility_epoch=1000,
            activation_epoch=1010,
            exit_epoch=cr.FAR_FUTURE_EPOCH,
            withdrawable_epoch=cr.FAR_FUTURE_EPOCH,
            status="active_ongoing",
        )
        if i < slashed:
            from ion_cli.zk.rule import slash_validator

            v = replace(slash_validator(v, when), balance=eb - cr.initial_slashing_penalty(eb))
        validators.append(v)
    state = StateRef(
        slot=epoch * cr.SLOTS_PER_EPOCH,
        state_root=_root(rng),
        block_root=_root(rng),
        finalized=True,
        execution_optimistic=False,
    )
    return Snapshot(state=state, validators=tuple(validators), source=source)
