// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IBalancerVaultLike} from "../../../ion_cli/devnet/contracts/interfaces/IStandIns.sol";
import {DevBalancerVault} from "../../../ion_cli/devnet/contracts/standins/DevBalancerVault.sol";

/// What the vault's `swap` would compute for a single swap (out for GIVEN_IN, in for GIVEN_OUT),
/// asked the mainnet way: a one-step `queryBatchSwap`.
library BalancerQuery {
    function query(DevBalancerVault vault, IBalancerVaultLike.SingleSwap memory s) internal returns (uint256) {
        IBalancerVaultLike.BatchSwapStep[] memory steps = new IBalancerVaultLike.BatchSwapStep[](1);
        steps[0] = IBalancerVaultLike.BatchSwapStep(s.poolId, 0, 1, s.amount, s.userData);
        address[] memory assets = new address[](2);
        (assets[0], assets[1]) = (s.assetIn, s.assetOut);
        IBalancerVaultLike.FundManagement memory funds =
            IBalancerVaultLike.FundManagement(address(this), false, address(this), false);
        int256[] memory deltas = vault.queryBatchSwap(s.kind, steps, assets, funds);
        return s.kind == IBalancerVaultLike.SwapKind.GIVEN_IN ? uint256(-deltas[1]) : uint256(deltas[0]);
    }
}
