"""`ion devnet safe --owners A,B --threshold N`: a Safe 1.4.1 multisig on the devnet
(registered onto the `ion devnet` group)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ion_cli.commands._numbers import ascii_int
from ion_cli.commands.base import GlobalOptions, command


def register(app: typer.Typer) -> None:
    @command(app, "safe")
    def safe(
        owners: Annotated[
            str,
            typer.Option(
                "--owners",
                help="Owners, comma-separated: addresses or account names (default: dev).",
                metavar="A,B,...",
            ),
        ] = "dev",
        threshold: Annotated[
            int,
            typer.Option(
                "--threshold",
                parser=ascii_int(1, 100),
                help="How many owners must sign a transaction.",
            ),
        ] = 1,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Deploy a Safe (1.4.1, from @safe-global/safe-contracts, at its canonical addresses)
        owned by the given owners and print its address."""
        from ion_cli.accounts.devnet_account import DEV_ACCOUNT_ADDRESS
        from ion_cli.accounts.signer import resolve_address
        from ion_cli.devnet import safe as devnet_safe
        from ion_cli.devnet import service

        current = service.require_running()
        assert current.rpc_url is not None
        names = [o.strip() for o in owners.split(",")]
        addresses = [
            resolve_address(n, network_name="devnet", chain_id=current.chain_id) for n in names
        ]
        made = devnet_safe.create_safe(
            current.rpc_url, DEV_ACCOUNT_ADDRESS, addresses, threshold
        ).to_json()

        def render(console: Any) -> None:
            console.print(
                f"Safe {made['safe']} ({made['threshold']} of {len(made['owners'])}: "
                f"{', '.join(made['owners'])}); MultiSendCallOnly {made['multisend_call_only']}"
            )

        opts.output.result(made, render)
        opts.output.info(
            f"next: give it collateral, then `ion deposit MARKET AMOUNT --safe {made['safe']} "
            "--unsigned batch.json`"
        )
