// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {HandlersFixture} from "./HandlersFixture.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";
import {GemJoin} from "../../ion_cli/devnet/contracts/GemJoin.sol";
import {EEth} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/EEth.sol";
import {EtherFiLiquidityPool} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/EtherFiLiquidityPool.sol";
import {WeEth} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/WeEth.sol";
import {UniswapFlashswapDirectMintHandler} from "../../ion_cli/devnet/contracts/handlers/UniswapFlashswapDirectMintHandler.sol";
import {WeEthHandler} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/WeEthHandler.sol";

/// Test-only: the handler's search for the ETH that mints an exact weETH amount.
contract WeEthHandlerProbe is WeEthHandler {
    constructor(address p, address j, address w, address u, address s, address e, address lp, address we)
        WeEthHandler(p, j, w, u, s, e, lp, we)
    {}

    function ethNeeded(uint256 lrtAmount) external view returns (uint256) {
        return _ethNeededForCollateral(lrtAmount);
    }
}

/// The public WeEthHandler's arithmetic against the ether.fi stand-in: for 100 random weETH
/// amounts and pool totals, the ETH the search finds, deposited with `deposit()` and wrapped,
/// yields exactly the weETH wanted. The totals are mainnet-like: more shares than any one mint
/// (S >= 1,000 ETH, amounts at most S / 10) and a rate P / S above 1. Outside that (a few wei,
/// a mint larger than the pool, P <= S: exactly 1, as in a pool never rebased, always misses)
/// the public search itself misses both candidates and reverts NoAmountInFound(), on mainnet as
/// here: `test_SearchMissesAtRateOne` pins that.
contract WeEthSearchTest is HandlersFixture {
    uint256 internal minters;

    EEth internal eEth;
    EtherFiLiquidityPool internal etherFi;
    WeEth internal weEth;
    WeEthHandlerProbe internal probe;

    function setUp() public override {
        super.setUp();
        eEth = new EEth(address(this));
        etherFi = new EtherFiLiquidityPool(address(eEth), address(this));
        weEth = new WeEth(address(eEth), address(etherFi), address(this));
        eEth.setLiquidityPool(address(etherFi));
        etherFi.depositOutOfLp(address(this), 1000 ether);
        (IonPool pool, GemJoin join) = _market(address(weEth), address(wstEth), 0.73e27, 1);
        probe = new WeEthHandlerProbe(
            address(pool), address(join), address(wl), address(uniPool), address(wstEth), address(weth), address(etherFi), address(weEth)
        );
    }

    function _random(uint256 seed, uint256 i, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + uint256(keccak256(abi.encode(seed, i))) % (hi - lo + 1);
    }

    function test_SearchFindsExactWeEthFor100RandomSizesAndTotals() public {
        for (uint256 i = 0; i < 100; ++i) {
            // New pool totals: more stake (S and P grow), then a rebase to a random rate.
            etherFi.depositOutOfLp(address(this), _random(1, i, 1 ether, 5_000_000 ether));
            etherFi.setRate(_random(2, i, 1e18 + 1, 1.5e18));
            uint256 most = eEth.totalShares() / 10;
            uint256 wanted = _random(3, i, 1e9, most < 100_000 ether ? most : 100_000 ether);
            _assertExact(wanted);
        }
    }

    function testFuzz_SearchFindsExactWeEth(uint256 staked, uint256 rate, uint256 wanted) public {
        etherFi.depositOutOfLp(address(this), bound(staked, 1 ether, 100_000_000 ether));
        etherFi.setRate(bound(rate, 1e18 + 1, 1.5e18));
        uint256 most = eEth.totalShares() / 10;
        _assertExact(bound(wanted, 1e9, most < 1_000_000 ether ? most : 1_000_000 ether));
    }

    function test_SearchMissesAtRateOne() public {
        etherFi.setRate(1e18);
        vm.expectRevert(UniswapFlashswapDirectMintHandler.NoAmountInFound.selector);
        probe.ethNeeded(1 ether);
    }

    function _assertExact(uint256 wanted) internal {
        address minter = address(uint160(0xE7F10000 + ++minters)); // a fresh holder: no dust
        uint256 eth = probe.ethNeeded(wanted);
        vm.deal(minter, eth);
        uint256 before = weEth.balanceOf(minter);
        vm.startPrank(minter);
        uint256 shares = etherFi.deposit{value: eth}();
        uint256 eEthAmount = etherFi.amountForShare(shares);
        assertEq(eEth.balanceOf(minter), eEthAmount, "the shares' worth is the balance");
        eEth.approve(address(weEth), eEthAmount);
        uint256 minted = weEth.wrap(eEthAmount);
        vm.stopPrank();
        assertEq(minted, wanted, "exactly the weETH wanted");
        assertEq(weEth.balanceOf(minter) - before, wanted, "balance");
    }
}
