"""The chain layer: connecting to a node, contract handles, revert decoding, and the one
transaction pipeline every write goes through.

Import the submodules you need (`ion_cli.chain.plan` is light; the others import web3 inside
their functions). Nothing is re-exported here so that importing `ion_cli.chain.plan` never pulls
in the rest.
"""
