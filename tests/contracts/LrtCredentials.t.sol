// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {CredentialRegistry} from "../../ion_cli/devnet/contracts/zk/LrtCredentials.sol";
import {RenzoCredentials} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/RenzoCredentials.sol";
import {KelpCredentials} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/KelpCredentials.sol";
import {RestakeManager} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/RestakeManager.sol";
import {LRTDepositPool} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/LRTDepositPool.sol";
import {EzEth} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/EzEth.sol";
import {RsEth} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/RsEth.sol";
import {OperatorDelegator} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/RenzoStakers.sol";
import {NodeDelegator} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/KelpStakers.sol";
import {DevEigenPodManager} from "../../ion_cli/devnet/contracts/eigenlayer/DevEigenPodManager.sol";

/// The LRTs' credential sets read from their own contracts (Renzo, Kelp stand-ins), and the
/// owner's registry where they cannot be enumerated.
contract LrtCredentialsTest is TestBase {
    DevEigenPodManager internal epm;

    function setUp() public {
        epm = new DevEigenPodManager(address(this));
    }

    function _cred(uint8 prefix, address pod) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(pod)) | (uint256(prefix) << 248));
    }

    function testRenzoPodAddedToADelegatorAppears() public {
        RestakeManager rm = new RestakeManager(address(new EzEth(address(this))), address(this));
        RenzoCredentials source = new RenzoCredentials(address(rm));
        assertEq(source.credentials().length, 0, "no delegators yet");
        OperatorDelegator od = new OperatorDelegator(address(0xE1), address(epm));
        rm.addOperatorDelegator(address(od), 10_000);
        // a delegator without a pod pays nowhere yet
        assertEq(source.credentials()[0], _cred(1, address(0)), "no pod: zero address");
        address pod = epm.devCreatePod(address(od));
        bytes32[] memory creds = source.credentials();
        assertEq(creds.length, 2, "0x01 and 0x02 of one pod");
        assertEq(creds[0], _cred(1, pod), "0x01");
        assertEq(creds[1], _cred(2, pod), "0x02");
        OperatorDelegator od2 = new OperatorDelegator(address(0xE2), address(epm));
        rm.addOperatorDelegator(address(od2), 0);
        address pod2 = epm.devCreatePod(address(od2));
        creds = source.credentials();
        assertEq(creds.length, 4, "a second delegator's pod");
        assertEq(creds[2], _cred(1, pod2), "the new pod");
        assertEq(keccak256(bytes(source.source())), keccak256("contracts"), "enumerated");
    }

    function testKelpPodAddedToTheQueueAppears() public {
        LRTDepositPool pool = new LRTDepositPool(address(new RsEth(address(this))), address(0x1), address(this));
        KelpCredentials source = new KelpCredentials(address(pool));
        NodeDelegator nd = new NodeDelegator(address(0xD1), address(epm));
        address pod = epm.devCreatePod(address(nd));
        address[] memory nodes = new address[](1);
        nodes[0] = address(nd);
        pool.addNodeDelegatorContractToQueue(nodes);
        bytes32[] memory creds = source.credentials();
        assertEq(creds.length, 2, "one node");
        assertEq(creds[0], _cred(1, pod), "its pod");
    }

    function testRegistryOwnerOnlyAndChanges() public {
        CredentialRegistry reg = new CredentialRegistry(address(this));
        bytes32[] memory add = new bytes32[](2);
        add[0] = _cred(1, address(0xAA));
        add[1] = _cred(2, address(0xBB));
        reg.add(add);
        assertEq(reg.credentials().length, 2, "two");
        vm.expectRevert(abi.encodeWithSelector(CredentialRegistry.AlreadyListed.selector, add[0]));
        reg.add(add);
        reg.remove(add[0]);
        assertEq(reg.credentials().length, 1, "one left");
        assertEq(reg.credentials()[0], add[1], "the other");
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(CredentialRegistry.NotOwner.selector, address(0xBAD)));
        reg.remove(add[1]);
        assertEq(keccak256(bytes(reg.source())), keccak256("registry"), "registry");
    }
}
