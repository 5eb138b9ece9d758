"""Re-export of ion_cli.deployment (the deployment file moved out of the devnet package so that
network profiles and accounts read it without importing the devnet)."""

from __future__ import annotations

from ion_cli.deployment import (
    ADMIN_ADDRESS,
    ADMIN_KEY,
    DEV_ACCOUNT_ADDRESS,
    DEV_ACCOUNT_KEY,
    FILE_NAME,
    VERSION,
    Deployment,
    DeploymentFileError,
    MarketDeployment,
    SharedContracts,
    TokenDeployment,
    ZkDeployment,
    exists,
    load,
    parse,
    path,
    remove,
    save,
)

__all__ = [
    "ADMIN_ADDRESS",
    "ADMIN_KEY",
    "DEV_ACCOUNT_ADDRESS",
    "DEV_ACCOUNT_KEY",
    "FILE_NAME",
    "VERSION",
    "Deployment",
    "DeploymentFileError",
    "MarketDeployment",
    "SharedContracts",
    "TokenDeployment",
    "ZkDeployment",
    "exists",
    "load",
    "parse",
    "path",
    "remove",
    "save",
]
