// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {FeatureMath} from "./FeatureMath.sol";
import {ILrtCredentials} from "./LrtCredentials.sol";

/// EigenLayer's views the features read (the published signatures; the devnet stand-ins answer
/// the same).
interface IRestakingPod {
    function podOwner() external view returns (address);
}

interface IRestakingDelegation {
    function delegatedTo(address staker) external view returns (address);
    function depositScalingFactor(address staker, address strategy) external view returns (uint256);
    function getDepositedShares(address staker)
        external
        view
        returns (address[] memory strategies, uint256[] memory shares);
}

interface IRestakingAllocation {
    function getMaxMagnitudesAtBlock(address operator, address[] calldata strategies, uint32 blockNumber)
        external
        view
        returns (uint64[] memory);
}

interface IRestakingFeatures {
    /// @notice The two restaking features (q in [0, 1024]) of the LRT as of `pinnedBlock`:
    /// avs_loss and largest_operator_share (ion_cli/zk/restaking_features.py).
    function featuresAt(uint256 pinnedBlock) external view returns (uint256 avsLoss, uint256 largestOperator);
}

/// @title RestakingFeatures
/// @notice The risk model's restaking features of one LRT, read from EigenLayer's contracts as
/// of a pinned execution block, exactly as ion_cli/zk/restaking_features.py computes them. The
/// RiskFeed calls `featuresAt` with the block a proof names and refuses the proof unless its
/// restaking instances are these.
/// @dev Which values are read as of the pinned block, and which now (no snapshot view exists):
/// - operators' max magnitudes at B and at B - WINDOW: `getMaxMagnitudesAtBlock` (snapshotted
///   on mainnet too), so a slash after B changes nothing for a proof of B;
/// - the LRT's stakers: the pods of its withdrawal credentials (the same source the feed
///   snapshots: the LRT's contracts, or the credential registry where they cannot enumerate
///   them, as for ether.fi's nodes), each pod's owner: read now; they change only when the LRT
///   adds a pod or the registry's owner edits it (an event each);
/// - each staker's operator (`delegatedTo`) and its deposit shares x deposit scaling factor:
///   read now (EigenLayer keeps no history of them); they change only by the LRT's own
///   delegation, deposits and withdrawal queueing, never by an AVS or an allocation change;
/// - allocations: not read at all (they have no snapshot view either: an allocation change
///   between proving and submitting cannot refuse a proof).
/// The pinned block must be in the past and at most MAX_BLOCK_AGE blocks old: a submitter can
/// name a block before a fresh slash for at most that long.
contract RestakingFeatures is IRestakingFeatures {
    error NotOwner(address caller);
    error AlreadyWired();
    error BlockNotPast(uint256 pinnedBlock, uint256 currentBlock);
    error BlockTooOld(uint256 pinnedBlock, uint256 age, uint256 maxAge);
    error NotNativeEth(address strategy);

    event Wired(address delegationManager, address allocationManager, address strategy);

    uint256 internal constant WAD = 1e18;

    ILrtCredentials public immutable CREDENTIALS;
    uint256 public immutable WINDOW_BLOCKS;
    uint256 public immutable MAX_BLOCK_AGE;
    /// True where the LRT's own exchange rate already reflects AVS losses (its TVL reads
    /// EigenLayer's withdrawable shares): avs_loss is then 0, so no loss is counted twice.
    bool public immutable RATE_REFLECTS_AVS_LOSS;

    /// EigenLayer's native-ETH strategy (the same sentinel address on every chain).
    address public constant strategy = 0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0;

    address public owner;
    // One slot for what every read needs first (gas: a submission pays each cold slot once).
    IRestakingDelegation public delegationManager;
    /// The block the feed started counting AVS losses from (set by `wire`): a loss before it
    /// is taken to be in the LRT's rate already (the market was set up with that rate).
    uint64 public countFrom;
    IRestakingAllocation public allocationManager;

    constructor(address credentials, uint256 windowBlocks, uint256 maxBlockAge, bool rateReflectsAvsLoss, address owner_) {
        CREDENTIALS = ILrtCredentials(credentials);
        WINDOW_BLOCKS = windowBlocks;
        MAX_BLOCK_AGE = maxBlockAge;
        RATE_REFLECTS_AVS_LOSS = rateReflectsAvsLoss;
        owner = owner_;
    }

    /// @notice EigenLayer's addresses, set once (the devnet deploys EigenLayer after the
    /// markets; before this, the LRT has no restaking known and both features are 0).
    function wire(address delegationManager_, address allocationManager_, address strategy_) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (address(delegationManager) != address(0)) revert AlreadyWired();
        if (strategy_ != strategy) revert NotNativeEth(strategy_);
        delegationManager = IRestakingDelegation(delegationManager_);
        allocationManager = IRestakingAllocation(allocationManager_);
        countFrom = uint64(block.number);
        emit Wired(delegationManager_, allocationManager_, strategy_);
    }

    struct Totals {
        uint256 held; // sum of D x m_then / WAD
        uint256 lost; // sum of D x (m_then - m_now) / WAD, each product rounded down
        uint256 now_; // sum of D x m_now / WAD
        uint256 nOps;
        IRestakingDelegation dm; // read from storage once
        IRestakingAllocation am;
        address[] strategies; // [strategy], allocated once
    }

    function featuresAt(uint256 pinnedBlock) external view returns (uint256 avsLoss, uint256 largestOperator) {
        if (pinnedBlock >= block.number) revert BlockNotPast(pinnedBlock, block.number);
        uint256 age = block.number - pinnedBlock;
        if (age > MAX_BLOCK_AGE) revert BlockTooOld(pinnedBlock, age, MAX_BLOCK_AGE);
        IRestakingDelegation dm = delegationManager;
        if (address(dm) == address(0)) return (0, 0);
        bytes32[] memory creds = CREDENTIALS.credentials();
        address[] memory pods = new address[](creds.length);
        address[] memory ops = new address[](creds.length);
        uint256[] memory opNow = new uint256[](creds.length);
        Totals memory t;
        t.dm = dm;
        t.am = allocationManager;
        t.strategies = new address[](1);
        t.strategies[0] = strategy;
        uint256 then = windowStart(pinnedBlock);
        for (uint256 i = 0; i < creds.length; ++i) {
            address pod = address(uint160(uint256(creds[i])));
            if (_seen(pods, i, pod)) continue; // the 0x01 and 0x02 credentials of one pod
            pods[i] = pod;
            _addStaker(pod, pinnedBlock, then, t, ops, opNow);
        }
        avsLoss = RATE_REFLECTS_AVS_LOSS ? 0 : FeatureMath.kinked(t.lost, t.held);
        uint256 largest;
        for (uint256 j = 0; j < t.nOps; ++j) {
            if (opNow[j] > largest) largest = opNow[j];
        }
        largestOperator = FeatureMath.ratio(largest, t.now_);
    }

    /// @notice The block the window of a proof pinned at `pinnedBlock` starts at:
    /// max(pinnedBlock - WINDOW_BLOCKS, countFrom), never after `pinnedBlock`.
    function windowStart(uint256 pinnedBlock) public view returns (uint256 start) {
        start = pinnedBlock > WINDOW_BLOCKS ? pinnedBlock - WINDOW_BLOCKS : 0;
        if (countFrom > start) start = countFrom;
        if (start > pinnedBlock) start = pinnedBlock;
    }

    function _seen(address[] memory pods, uint256 upTo, address pod) internal pure returns (bool) {
        for (uint256 k = 0; k < upTo; ++k) {
            if (pods[k] == pod) return true;
        }
        return false;
    }

    function _addStaker(
        address pod,
        uint256 pinnedBlock,
        uint256 then,
        Totals memory t,
        address[] memory ops,
        uint256[] memory opNow
    ) internal view {
        address staker = _podOwner(pod);
        if (staker == address(0)) return; // not an EigenPod: nothing restaked through it
        uint256 d = _deposit(t, staker);
        if (d == 0) return;
        address operator = t.dm.delegatedTo(staker);
        (uint256 mThen, uint256 mNow) = _magnitudes(t, operator, pinnedBlock, then);
        uint256 before = d * mThen / WAD;
        uint256 afterwards = d * mNow / WAD;
        t.held += before;
        t.lost += before - afterwards;
        t.now_ += afterwards;
        if (operator == address(0)) return;
        for (uint256 j = 0; j < t.nOps; ++j) {
            if (ops[j] == operator) {
                opNow[j] += afterwards;
                return;
            }
        }
        ops[t.nOps] = operator;
        opNow[t.nOps] = afterwards;
        t.nOps += 1;
    }

    function _podOwner(address pod) internal view returns (address) {
        // No code there (not an EigenPod): the call succeeds with no data, and is skipped.
        (bool ok, bytes memory ret) = pod.staticcall(abi.encodeCall(IRestakingPod.podOwner, ()));
        if (!ok || ret.length != 32) return address(0);
        return abi.decode(ret, (address));
    }

    /// @dev Deposit shares x deposit scaling factor: the staker's ETH before any slash.
    /// (`getDepositedShares`, not `getWithdrawableShares`: the slashing factors are applied
    /// here from the snapshotted magnitudes; reading them now as well costs about 10k gas.)
    function _deposit(Totals memory t, address staker) internal view returns (uint256) {
        (address[] memory strategies, uint256[] memory shares) = t.dm.getDepositedShares(staker);
        for (uint256 i = 0; i < strategies.length; ++i) {
            if (strategies[i] == strategy) {
                return shares[i] * t.dm.depositScalingFactor(staker, strategy) / WAD;
            }
        }
        return 0;
    }

    function _magnitudes(Totals memory t, address operator, uint256 pinnedBlock, uint256 then)
        internal
        view
        returns (uint256 mThen, uint256 mNow)
    {
        if (operator == address(0)) return (WAD, WAD);
        mThen = t.am.getMaxMagnitudesAtBlock(operator, t.strategies, uint32(then))[0];
        mNow = t.am.getMaxMagnitudesAtBlock(operator, t.strategies, uint32(pinnedBlock))[0];
    }
}
