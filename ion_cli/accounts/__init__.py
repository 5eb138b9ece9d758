"""Named accounts: keys in the OS keyring when one works, else encrypted keystore v3 files.

Kept import-free on purpose: shell completion and `ion --help` import modules below this package,
and must not pay for keyring or eth_account. The public entry points are
`ion_cli.accounts.signer` (resolve an account for a command) and `ion_cli.accounts.manager`
(create, import, list, remove).
"""
