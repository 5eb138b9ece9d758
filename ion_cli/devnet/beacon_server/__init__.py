"""The devnet's beacon node API: the standard routes over a synthetic chain (aiohttp).

Run as its own process (`ion devnet up` starts it through `ion_cli.devnet.processes`):

    python -m ion_cli.devnet.beacon_server --devnet-dir DIR --rpc-url URL [--port 0]
    python -m ion_cli.devnet.beacon_server --validators 1000000      # benchmark set, no anvil

It prints `Listening on 127.0.0.1:PORT` once it accepts connections. The clock is the devnet
chain's (each request reads anvil's latest block time), so `ion devnet advance` moves the head
and finality; with no `--rpc-url` the head stays at the first slot after the anchor.

Standard routes (ethereum/beacon-APIs; uint64s as decimal strings; errors {"code","message"}):
  GET/POST /eth/v1/beacon/states/{state_id}/validators     (GET: at most 64 ids, else 414)
  GET      /eth/v1/beacon/states/{state_id}/validators/{validator_id}
  GET/POST /eth/v1/beacon/states/{state_id}/validator_balances
  GET      /eth/v1/beacon/states/{state_id}/finality_checkpoints, .../root, .../fork
  GET      /eth/v1/beacon/headers[/{block_id}], /eth/v2/beacon/blocks/{block_id},
           /eth/v1/beacon/blocks/{block_id}/root
  GET      /eth/v1/beacon/genesis, /eth/v1/node/{version,health,syncing}, /eth/v1/config/spec
  GET      /eth/v2/debug/beacon/states/{state_id}    (SSZ only, devnet-size sets)
  GET      /eth/v1/events?topics=head,finalized_checkpoint,proposer_slashing,attester_slashing
Devnet-only routes (`ion devnet slash|penalize` and tests use them):
  GET  /ion/v1/devnet/info                         the set: size, per-LRT counts, clock
  POST /ion/v1/devnet/slash     {"lrt", "count"}   slash at a new block one slot later
  POST /ion/v1/devnet/penalize  {"lrt", "gwei"}    lower every active validator's balance
  POST /ion/v1/devnet/faults    {"syncing", "optimistic", "no_post", "malformed", "drop",
                                 "status_code", "delay_ms", "lie", "rewrite_credentials"}
                                 simulate a misbehaving node ("lie": {"index", "field"} in
                                 JSON answers, not in SSZ; "rewrite_credentials": every
                                 validator's, a node that hides a whole set)
"""
