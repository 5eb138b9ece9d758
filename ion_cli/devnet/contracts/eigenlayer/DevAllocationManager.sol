// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {OperatorSet, Allocation, SlashingParams, AllocateParams, IDevDelegationSlash} from "./EigenLayerTypes.sol";

interface IDevOperatorShares {
    function getOperatorShares(address operator, address[] memory strategies) external view returns (uint256[] memory);
}

/// @notice EigenLayer AllocationManager stand-in, written from the published interface and the
/// slashing arithmetic EigenLayer documents (magnitudes are WAD-scaled; an operator's max
/// magnitude starts at WAD and falls with every slash; a slash takes `wadsToSlash` of the
/// allocation to the slashed set, rounded up; `wadSlashed` = slashed magnitude / previous max
/// magnitude). Devnet simplifications: an AVS or operator may act through the owner (the devnet
/// admin, as an appointee would); allocation delays take effect at once; no AVS registrar, no
/// deallocation queue to clear (a matured change applies when read).
contract DevAllocationManager is Ownable {
    struct CreateSetParams {
        uint32 operatorSetId;
        address[] strategies;
    }

    struct RegisterParams {
        address avs;
        uint32[] operatorSetIds;
        bytes data;
    }

    struct Checkpoint {
        uint32 blockNumber;
        uint64 value;
    }

    error InvalidCaller();
    error InvalidOperatorSet();
    error AlreadyMemberOfSet();
    error NotMemberOfSet();
    error InvalidWadToSlash();
    error InputArrayLengthMismatch();
    error ModificationAlreadyPending();
    error SameMagnitude();
    error InsufficientMagnitude();
    error OperatorNotSlashable();

    event AllocationDelaySet(address operator, uint32 delay, uint32 effectBlock);
    event AllocationUpdated(address operator, OperatorSet operatorSet, address strategy, uint64 magnitude, uint32 effectBlock);
    event EncumberedMagnitudeUpdated(address operator, address strategy, uint64 encumberedMagnitude);
    event MaxMagnitudeUpdated(address operator, address strategy, uint64 maxMagnitude);
    event OperatorSlashed(address operator, OperatorSet operatorSet, address[] strategies, uint256[] wadSlashed, string description);
    event OperatorSetCreated(OperatorSet operatorSet);
    event OperatorAddedToOperatorSet(address indexed operator, OperatorSet operatorSet);

    uint64 internal constant WAD = 1e18;

    /// Blocks a deallocation stays slashable (mainnet: 100,800, 14 days).
    uint32 public immutable DEALLOCATION_DELAY;
    IDevDelegationSlash public immutable delegation;

    mapping(bytes32 => bool) internal _exists;
    mapping(bytes32 => address[]) internal _members;
    mapping(bytes32 => uint256) internal _slashCount;
    mapping(address => mapping(bytes32 => bool)) internal _isMember;
    mapping(address => OperatorSet[]) internal _allocatedSets;
    mapping(address => mapping(bytes32 => bool)) internal _hasAllocatedSet;
    mapping(address => mapping(bytes32 => mapping(address => Allocation))) internal _allocation;
    mapping(address => mapping(address => Checkpoint[])) internal _maxHistory;
    mapping(address => uint32) internal _delay;
    mapping(address => bool) internal _delaySet;

    constructor(address delegation_, uint32 deallocationDelay, address owner_) Ownable(owner_) {
        delegation = IDevDelegationSlash(delegation_);
        DEALLOCATION_DELAY = deallocationDelay;
    }

    modifier actingFor(address who) {
        if (msg.sender != who && msg.sender != owner()) revert InvalidCaller();
        _;
    }

    function _key(OperatorSet memory set) internal pure returns (bytes32) {
        return keccak256(abi.encode(set.avs, set.id));
    }

    // ---- AVSs and operators

    function createOperatorSets(address avs, CreateSetParams[] calldata params) external actingFor(avs) {
        for (uint256 i = 0; i < params.length; ++i) {
            OperatorSet memory set = OperatorSet(avs, params[i].operatorSetId);
            bytes32 key = _key(set);
            if (_exists[key]) revert InvalidOperatorSet();
            _exists[key] = true;
            emit OperatorSetCreated(set);
        }
    }

    function registerForOperatorSets(address operator, RegisterParams calldata params) external actingFor(operator) {
        for (uint256 i = 0; i < params.operatorSetIds.length; ++i) {
            OperatorSet memory set = OperatorSet(params.avs, params.operatorSetIds[i]);
            bytes32 key = _key(set);
            if (!_exists[key]) revert InvalidOperatorSet();
            if (_isMember[operator][key]) revert AlreadyMemberOfSet();
            _isMember[operator][key] = true;
            _members[key].push(operator);
            emit OperatorAddedToOperatorSet(operator, set);
        }
    }

    function setAllocationDelay(address operator, uint32 delay) external actingFor(operator) {
        _delay[operator] = delay;
        _delaySet[operator] = true;
        emit AllocationDelaySet(operator, delay, uint32(block.number));
    }

    // ---- allocations

    function _updated(Allocation memory a) internal view returns (Allocation memory) {
        if (a.pendingDiff != 0 && a.effectBlock <= block.number) {
            a.currentMagnitude = uint64(uint128(int128(uint128(a.currentMagnitude)) + a.pendingDiff));
            a.pendingDiff = 0;
            a.effectBlock = 0;
        }
        return a;
    }

    function modifyAllocations(address operator, AllocateParams[] calldata params) external actingFor(operator) {
        for (uint256 i = 0; i < params.length; ++i) {
            AllocateParams calldata p = params[i];
            if (p.strategies.length != p.newMagnitudes.length) revert InputArrayLengthMismatch();
            bytes32 key = _key(p.operatorSet);
            if (!_exists[key]) revert InvalidOperatorSet();
            if (!_hasAllocatedSet[operator][key]) {
                _hasAllocatedSet[operator][key] = true;
                _allocatedSets[operator].push(p.operatorSet);
            }
            for (uint256 j = 0; j < p.strategies.length; ++j) {
                _modify(operator, p.operatorSet, key, p.strategies[j], p.newMagnitudes[j]);
            }
        }
    }

    function _modify(address operator, OperatorSet memory set, bytes32 key, address strategy, uint64 newMagnitude)
        internal
    {
        Allocation memory a = _updated(_allocation[operator][key][strategy]);
        if (a.pendingDiff != 0) revert ModificationAlreadyPending();
        if (newMagnitude == a.currentMagnitude) revert SameMagnitude();
        if (newMagnitude > a.currentMagnitude) {
            uint64 increase = newMagnitude - a.currentMagnitude;
            if (getEncumberedMagnitude(operator, strategy) + increase > getMaxMagnitude(operator, strategy)) {
                revert InsufficientMagnitude();
            }
            uint32 delay = _delay[operator];
            if (delay == 0) {
                a.currentMagnitude = newMagnitude;
            } else {
                a.pendingDiff = int128(uint128(increase));
                a.effectBlock = uint32(block.number) + delay;
            }
        } else {
            // deallocations stay slashable for DEALLOCATION_DELAY blocks while the operator is a member
            if (_isMember[operator][key] && DEALLOCATION_DELAY != 0) {
                a.pendingDiff = -int128(uint128(a.currentMagnitude - newMagnitude));
                a.effectBlock = uint32(block.number) + DEALLOCATION_DELAY;
            } else {
                a.currentMagnitude = newMagnitude;
            }
        }
        _allocation[operator][key][strategy] = a;
        emit AllocationUpdated(operator, set, strategy, newMagnitude, a.pendingDiff == 0 ? uint32(block.number) : a.effectBlock);
        emit EncumberedMagnitudeUpdated(operator, strategy, getEncumberedMagnitude(operator, strategy));
    }

    // ---- slashing

    function slashOperator(address avs, SlashingParams calldata params)
        external
        actingFor(avs)
        returns (uint256 slashId, uint256[] memory shares)
    {
        if (params.strategies.length != params.wadsToSlash.length) revert InputArrayLengthMismatch();
        OperatorSet memory set = OperatorSet(avs, params.operatorSetId);
        bytes32 key = _key(set);
        if (!_exists[key]) revert InvalidOperatorSet();
        if (!_isMember[params.operator][key]) revert NotMemberOfSet();
        uint256[] memory wadSlashed = new uint256[](params.strategies.length);
        shares = new uint256[](params.strategies.length);
        for (uint256 i = 0; i < params.strategies.length; ++i) {
            wadSlashed[i] = _slash(params.operator, set, key, params.strategies[i], params.wadsToSlash[i]);
        }
        slashId = ++_slashCount[key];
        emit OperatorSlashed(params.operator, set, params.strategies, wadSlashed, params.description);
    }

    function _slash(address operator, OperatorSet memory set, bytes32 key, address strategy, uint256 wadToSlash)
        internal
        returns (uint256 wadSlashed)
    {
        if (wadToSlash == 0 || wadToSlash > WAD) revert InvalidWadToSlash();
        Allocation memory a = _updated(_allocation[operator][key][strategy]);
        uint64 slashed = uint64((uint256(a.currentMagnitude) * wadToSlash + WAD - 1) / WAD);
        if (slashed == 0) return 0;
        uint64 prevMax = getMaxMagnitude(operator, strategy);
        uint64 newMax = prevMax - slashed;
        a.currentMagnitude -= slashed;
        if (a.pendingDiff < 0) {
            uint256 pending = uint256(uint128(-a.pendingDiff));
            a.pendingDiff += int128(uint128((pending * wadToSlash + WAD - 1) / WAD));
        }
        _allocation[operator][key][strategy] = a;
        _maxHistory[operator][strategy].push(Checkpoint(uint32(block.number), newMax));
        emit AllocationUpdated(operator, set, strategy, a.currentMagnitude, uint32(block.number));
        emit MaxMagnitudeUpdated(operator, strategy, newMax);
        wadSlashed = uint256(slashed) * WAD / prevMax;
        delegation.slashOperatorShares(operator, strategy, prevMax, newMax);
    }

    // ---- views

    function getAllocatedSets(address operator) external view returns (OperatorSet[] memory) {
        return _allocatedSets[operator];
    }

    function getAllocation(address operator, OperatorSet memory operatorSet, address strategy)
        public
        view
        returns (Allocation memory)
    {
        return _updated(_allocation[operator][_key(operatorSet)][strategy]);
    }

    function getStrategyAllocations(address operator, address strategy)
        external
        view
        returns (OperatorSet[] memory sets, Allocation[] memory allocations)
    {
        sets = _allocatedSets[operator];
        allocations = new Allocation[](sets.length);
        for (uint256 i = 0; i < sets.length; ++i) {
            allocations[i] = getAllocation(operator, sets[i], strategy);
        }
    }

    function getEncumberedMagnitude(address operator, address strategy) public view returns (uint64 total) {
        OperatorSet[] storage sets = _allocatedSets[operator];
        for (uint256 i = 0; i < sets.length; ++i) {
            Allocation memory a = getAllocation(operator, sets[i], strategy);
            // a pending increase is encumbered at once; a pending decrease frees magnitude only when it matures
            total += a.pendingDiff > 0 ? a.currentMagnitude + uint64(uint128(a.pendingDiff)) : a.currentMagnitude;
        }
    }

    function getMaxMagnitude(address operator, address strategy) public view returns (uint64) {
        Checkpoint[] storage history = _maxHistory[operator][strategy];
        return history.length == 0 ? WAD : history[history.length - 1].value;
    }

    function getMaxMagnitudesAtBlock(address operator, address[] calldata strategies, uint32 blockNumber)
        external
        view
        returns (uint64[] memory out)
    {
        out = new uint64[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            Checkpoint[] storage history = _maxHistory[operator][strategies[i]];
            uint64 value = WAD;
            for (uint256 j = 0; j < history.length && history[j].blockNumber <= blockNumber; ++j) {
                value = history[j].value;
            }
            out[i] = value;
        }
    }

    function getAllocationDelay(address operator) external view returns (bool isSet, uint32 delay) {
        return (_delaySet[operator], _delay[operator]);
    }

    function getMembers(OperatorSet memory operatorSet) external view returns (address[] memory) {
        return _members[_key(operatorSet)];
    }

    function getMemberCount(OperatorSet memory operatorSet) external view returns (uint256) {
        return _members[_key(operatorSet)].length;
    }

    function isOperatorSlashable(address operator, OperatorSet memory operatorSet) public view returns (bool) {
        return _isMember[operator][_key(operatorSet)];
    }

    function getSlashCount(OperatorSet memory operatorSet) external view returns (uint256) {
        return _slashCount[_key(operatorSet)];
    }

    function getAllocatedStake(OperatorSet memory operatorSet, address[] memory operators, address[] memory strategies)
        external
        view
        returns (uint256[][] memory stake)
    {
        stake = _stake(operatorSet, operators, strategies, 0, false);
    }

    function getMinimumSlashableStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        address[] memory strategies,
        uint32 futureBlock
    ) external view returns (uint256[][] memory slashableStake) {
        slashableStake = _stake(operatorSet, operators, strategies, futureBlock, true);
    }

    function _stake(
        OperatorSet memory set,
        address[] memory operators,
        address[] memory strategies,
        uint32 futureBlock,
        bool minimum
    ) internal view returns (uint256[][] memory stake) {
        stake = new uint256[][](operators.length);
        for (uint256 i = 0; i < operators.length; ++i) {
            stake[i] = new uint256[](strategies.length);
            if (minimum && !isOperatorSlashable(operators[i], set)) continue;
            uint256[] memory shares = IDevOperatorShares(address(delegation)).getOperatorShares(operators[i], strategies);
            for (uint256 j = 0; j < strategies.length; ++j) {
                Allocation memory a = getAllocation(operators[i], set, strategies[j]);
                uint256 magnitude = a.currentMagnitude;
                if (minimum && a.pendingDiff < 0 && a.effectBlock <= futureBlock) {
                    magnitude -= uint256(uint128(-a.pendingDiff));
                }
                uint64 max = getMaxMagnitude(operators[i], strategies[j]);
                stake[i][j] = max == 0 ? 0 : shares[j] * magnitude / max;
            }
        }
    }
}
