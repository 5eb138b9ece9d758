// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IDevMaxMagnitude, IDevBeaconFactor} from "./EigenLayerTypes.sol";

/// @notice EigenLayer DelegationManager stand-in, written from the published interface and the
/// documented arithmetic: a staker's withdrawable shares = deposit shares x deposit scaling
/// factor x slashing factor, where the slashing factor is the operator's max magnitude (times the
/// beacon-chain slashing factor for native ETH); an operator's shares fall by the slashed fraction
/// of its max magnitude. Devnet simplifications: the owner (devnet admin) delegates stakers and
/// credits deposits (as the StrategyManager / EigenPodManager would), deposits are taken while no
/// slash has touched the staker (so the deposit scaling factor stays WAD), and queued withdrawals
/// are one scaled-shares figure per operator.
contract DevDelegationManager is Ownable {
    struct Withdrawal {
        address staker;
        address delegatedTo;
        address withdrawer;
        uint256 nonce;
        uint32 startBlock;
        address[] strategies;
        uint256[] scaledShares;
    }

    error OnlyAllocationManager();
    error OnlyEigenPodManager();
    error AlreadyWired();
    error SlashedStaker();

    event StakerDelegated(address indexed staker, address indexed operator);
    event OperatorSharesIncreased(address indexed operator, address staker, address strategy, uint256 shares);
    event OperatorSharesDecreased(address indexed operator, address staker, address strategy, uint256 shares);
    event OperatorSharesSlashed(address indexed operator, address strategy, uint256 totalSlashedShares);

    uint256 internal constant WAD = 1e18;
    address public constant beaconChainETHStrategy = 0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0;

    /// Blocks before a queued withdrawal completes; it stays slashable until then (mainnet 14 days).
    uint32 public immutable minWithdrawalDelayBlocks;

    IDevMaxMagnitude public allocationManager;
    IDevBeaconFactor public eigenPodManager;

    mapping(address => address) public delegatedTo;
    mapping(address => mapping(address => uint256)) internal _depositShares;
    mapping(address => mapping(address => uint256)) internal _dsf; // 0 = WAD
    mapping(address => mapping(address => uint256)) internal _operatorShares;
    mapping(address => mapping(address => uint256)) internal _queuedScaled;
    mapping(address => Withdrawal[]) internal _queued;

    constructor(uint32 minWithdrawalDelayBlocks_, address owner_) Ownable(owner_) {
        minWithdrawalDelayBlocks = minWithdrawalDelayBlocks_;
    }

    /// The allocation manager and pod manager are deployed after this contract (they point here).
    function wire(address allocationManager_, address eigenPodManager_) external onlyOwner {
        if (address(allocationManager) != address(0)) revert AlreadyWired();
        allocationManager = IDevMaxMagnitude(allocationManager_);
        eigenPodManager = IDevBeaconFactor(eigenPodManager_);
    }

    // ---- views

    function depositScalingFactor(address staker, address strategy) public view returns (uint256) {
        uint256 dsf = _dsf[staker][strategy];
        return dsf == 0 ? WAD : dsf;
    }

    function _slashingFactor(address staker, address strategy) internal view returns (uint256) {
        address operator = delegatedTo[staker];
        uint256 max = operator == address(0) ? WAD : allocationManager.getMaxMagnitude(operator, strategy);
        if (strategy == beaconChainETHStrategy) {
            max = max * eigenPodManager.beaconChainSlashingFactor(staker) / WAD;
        }
        return max;
    }

    function _withdrawable(address staker, address strategy) internal view returns (uint256) {
        uint256 scaled = _depositShares[staker][strategy] * depositScalingFactor(staker, strategy) / WAD;
        return scaled * _slashingFactor(staker, strategy) / WAD;
    }

    function getWithdrawableShares(address staker, address[] memory strategies)
        external
        view
        returns (uint256[] memory withdrawableShares, uint256[] memory depositShares)
    {
        withdrawableShares = new uint256[](strategies.length);
        depositShares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            withdrawableShares[i] = _withdrawable(staker, strategies[i]);
            depositShares[i] = _depositShares[staker][strategies[i]];
        }
    }

    /// A staker's deposit shares per strategy, before any slashing factor (mainnet's view of the
    /// same name lists every strategy it holds; the devnet's stakers hold native ETH only).
    function getDepositedShares(address staker) external view returns (address[] memory strategies, uint256[] memory shares) {
        uint256 held = _depositShares[staker][beaconChainETHStrategy];
        if (held == 0) return (strategies, shares);
        strategies = new address[](1);
        shares = new uint256[](1);
        strategies[0] = beaconChainETHStrategy;
        shares[0] = held;
    }

    function getOperatorShares(address operator, address[] memory strategies) external view returns (uint256[] memory out) {
        out = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            out[i] = _operatorShares[operator][strategies[i]];
        }
    }

    /// Queued withdrawals stay slashable: their scaled shares x the operator's current max magnitude.
    function getSlashableSharesInQueue(address operator, address strategy) external view returns (uint256) {
        return _queuedScaled[operator][strategy] * allocationManager.getMaxMagnitude(operator, strategy) / WAD;
    }

    /// A staker's queued withdrawals, each with the shares it would pay now (scaled shares x the
    /// slashing factor of the operator it was queued from).
    function getQueuedWithdrawals(address staker)
        external
        view
        returns (Withdrawal[] memory withdrawals, uint256[][] memory shares)
    {
        withdrawals = _queued[staker];
        shares = new uint256[][](withdrawals.length);
        for (uint256 i = 0; i < withdrawals.length; ++i) {
            Withdrawal memory w = withdrawals[i];
            shares[i] = new uint256[](w.strategies.length);
            for (uint256 j = 0; j < w.strategies.length; ++j) {
                uint256 factor = allocationManager.getMaxMagnitude(w.delegatedTo, w.strategies[j]);
                if (w.strategies[j] == beaconChainETHStrategy) {
                    factor = factor * eigenPodManager.beaconChainSlashingFactor(staker) / WAD;
                }
                shares[i][j] = w.scaledShares[j] * factor / WAD;
            }
        }
    }

    // ---- devnet set-up (the owner stands in for the StrategyManager and EigenPodManager)

    function devDelegate(address staker, address operator) external onlyOwner {
        delegatedTo[staker] = operator;
        emit StakerDelegated(staker, operator);
    }

    function devDeposit(address staker, address strategy, uint256 shares) external onlyOwner {
        if (_slashingFactor(staker, strategy) != WAD) revert SlashedStaker();
        _depositShares[staker][strategy] += shares;
        address operator = delegatedTo[staker];
        if (operator != address(0)) {
            _operatorShares[operator][strategy] += shares;
            emit OperatorSharesIncreased(operator, staker, strategy, shares);
        }
    }

    /// The staker queues `shares` of its deposit for withdrawal (before any slash touches it): they
    /// leave its deposit and its operator's shares and stay slashable in the queue.
    function devQueueWithdrawal(address staker, address strategy, uint256 shares) external onlyOwner {
        if (_slashingFactor(staker, strategy) != WAD) revert SlashedStaker();
        address operator = delegatedTo[staker];
        _depositShares[staker][strategy] -= shares;
        _operatorShares[operator][strategy] -= shares;
        _queuedScaled[operator][strategy] += shares;
        address[] memory strategies = new address[](1);
        strategies[0] = strategy;
        uint256[] memory scaled = new uint256[](1);
        scaled[0] = shares;
        _queued[staker].push(
            Withdrawal(staker, operator, staker, _queued[staker].length, uint32(block.number), strategies, scaled)
        );
    }

    // ---- hooks of the other stand-ins

    function slashOperatorShares(address operator, address strategy, uint64 prevMaxMagnitude, uint64 newMaxMagnitude)
        external
    {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager();
        uint256 shares = _operatorShares[operator][strategy];
        uint256 slashed = shares - shares * newMaxMagnitude / prevMaxMagnitude;
        _operatorShares[operator][strategy] = shares - slashed;
        uint256 queued = _queuedScaled[operator][strategy];
        slashed += queued * prevMaxMagnitude / WAD - queued * newMaxMagnitude / WAD;
        emit OperatorSharesSlashed(operator, strategy, slashed);
    }

    function decreaseDelegatedShares(address staker, uint64 prevFactor, uint64 newFactor) external {
        if (msg.sender != address(eigenPodManager)) revert OnlyEigenPodManager();
        address operator = delegatedTo[staker];
        if (operator == address(0)) return;
        address strategy = beaconChainETHStrategy;
        uint256 scaled = _depositShares[staker][strategy] * depositScalingFactor(staker, strategy) / WAD;
        uint256 max = allocationManager.getMaxMagnitude(operator, strategy);
        uint256 before = scaled * (max * prevFactor / WAD) / WAD;
        uint256 afterwards = scaled * (max * newFactor / WAD) / WAD;
        _operatorShares[operator][strategy] -= before - afterwards;
        emit OperatorSharesDecreased(operator, staker, strategy, before - afterwards);
    }
}
