"""The server process: the routes on an aiohttp app, the chain loaded or made at start-up, the
tasks that follow the devnet node (and exit when it is gone), and the command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

from ion_cli import consensus_rules as cr
from ion_cli.devnet import beacon_chain as bc
from ion_cli.devnet.beacon_chain import Chain
from ion_cli.devnet.beacon_records import GENESIS_EPOCHS, SECONDS_PER_EPOCH, STATE_FILE, ChainError
from ion_cli.devnet.beacon_server.devnet_routes import (
    devnet_faults,
    devnet_info,
    devnet_penalize,
    devnet_slash,
)
from ion_cli.devnet.beacon_server.routes import (
    balances_get,
    balances_post,
    block_root,
    block_v2,
    config_spec,
    debug_state,
    errors,
    events,
    finality,
    genesis,
    header,
    headers,
    node_health,
    node_syncing,
    node_version,
    state_fork,
    state_root,
    validator_one,
    validators_get,
    validators_post,
)
from ion_cli.devnet.beacon_server.server import HOST, ORPHAN_SECONDS, POLL_SECONDS, Server


def build_app(server: Server) -> web.Application:
    app = web.Application(middlewares=[errors], client_max_size=64 * 1024 * 1024)
    app["server"] = server
    states = "/eth/v1/beacon/states/{state_id}"
    app.router.add_get(f"{states}/validators", validators_get)
    app.router.add_post(f"{states}/validators", validators_post)
    app.router.add_get(f"{states}/validators/{{validator_id}}", validator_one)
    app.router.add_get(f"{states}/validator_balances", balances_get)
    app.router.add_post(f"{states}/validator_balances", balances_post)
    app.router.add_get(f"{states}/finality_checkpoints", finality)
    app.router.add_get(f"{states}/root", state_root)
    app.router.add_get(f"{states}/fork", state_fork)
    app.router.add_get("/eth/v1/beacon/headers", headers)
    app.router.add_get("/eth/v1/beacon/headers/{block_id}", header)
    app.router.add_get("/eth/v2/beacon/blocks/{block_id}", block_v2)
    app.router.add_get("/eth/v1/beacon/blocks/{block_id}/root", block_root)
    app.router.add_get("/eth/v2/debug/beacon/states/{state_id}", debug_state)
    app.router.add_get("/eth/v1/beacon/genesis", genesis)
    app.router.add_get("/eth/v1/node/version", node_version)
    app.router.add_get("/eth/v1/node/health", node_health)
    app.router.add_get("/eth/v1/node/syncing", node_syncing)
    app.router.add_get("/eth/v1/config/spec", config_spec)
    app.router.add_get("/eth/v1/events", events)
    app.router.add_get("/ion/v1/devnet/info", devnet_info)
    app.router.add_post("/ion/v1/devnet/slash", devnet_slash)
    app.router.add_post("/ion/v1/devnet/penalize", devnet_penalize)
    app.router.add_post("/ion/v1/devnet/faults", devnet_faults)

    async def close_session(_app: web.Application) -> None:
        if server.session is not None:
            await server.session.close()

    app.on_cleanup.append(close_session)
    return app


# ---------------------------------------------------------------- start-up


def _rpc_sync(url: str, method: str, params: list[Any]) -> Any:
    from ion_cli.devnet import node

    return node.rpc(url, method, params)


def make_chain(args: argparse.Namespace) -> tuple[Chain, int]:
    """The chain (loaded from the devnet dir's state file, or new) and the fixed head slot."""
    directory: Path | None = Path(args.devnet_dir) if args.devnet_dir else None
    state_file = directory / STATE_FILE if directory is not None else None
    real_roots = None if not args.synthetic_roots else False
    if state_file is not None and state_file.exists():
        try:
            chain = Chain.load(state_file, real_roots=real_roots)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"corrupt beacon state file {state_file} ({exc}): run `ion devnet reset`"
            ) from None
    else:
        if args.rpc_url:
            first = _rpc_sync(args.rpc_url, "eth_getBlockByNumber", ["0x0", False])
            first_time = int(first["timestamp"], 16)
        else:
            first_time = args.genesis_time + GENESIS_EPOCHS * SECONDS_PER_EPOCH
        groups = None
        deployment = None
        if directory is not None and (directory / "deployment.json").exists():
            deployment = directory / "deployment.json"
        elif getattr(args, "deployment", None):
            deployment = Path(args.deployment)  # the LRTs' credentials only, state in memory
        if deployment is not None:
            document = json.loads(deployment.read_text())
            groups = bc.groups_from_deployment(document) or None
        chain = bc.new_chain(
            seed=args.seed,
            genesis_time=bc.genesis_time_for(first_time),
            groups=groups,
            total=args.validators,
            state_file=state_file,
            real_roots=real_roots,
        )
    fixed = (GENESIS_EPOCHS + 1) * cr.SLOTS_PER_EPOCH + 7
    return chain, fixed


async def serve(args: argparse.Namespace) -> None:
    import gc

    # Streaming a million rows allocates short-lived objects by the million: collect young
    # generations less often (none of them form cycles).
    gc.set_threshold(50_000, 20, 100)
    chain, fixed = make_chain(args)
    if chain.config.real_roots:
        chain.ssz()  # build the tree before accepting requests
    server = Server(
        chain=chain,
        rpc_url=args.rpc_url,
        fixed_head=fixed,
        feed_roots=bool(args.rpc_url and args.devnet_dir),
    )
    if args.rpc_url:
        # Read the devnet's blocks (and write their EIP-4788 entries) before saying we are
        # ready: `ion devnet up` returns with every existing block anchored.
        with contextlib.suppress(ChainError):
            await server.head()
    app = build_app(server)
    runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, reuse_address=True)
    await site.start()
    server_obj = getattr(site, "_server", None)
    sockets = getattr(server_obj, "sockets", None) or []
    port = sockets[0].getsockname()[1] if sockets else args.port
    print(f"Listening on {args.host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watchdog = asyncio.create_task(_watch_node(server, stop)) if args.rpc_url else None
    follower = asyncio.create_task(_follow_node(server, stop)) if server.feed_roots else None
    try:
        await stop.wait()
    finally:
        for task in (watchdog, follower):
            if task is not None:
                task.cancel()
        await runner.cleanup()


async def _follow_node(server: Server, stop: asyncio.Event) -> None:
    """Read the devnet's new blocks every POLL_SECONDS even when nobody asks: the EIP-4788
    entries of blocks mined by automine or `ion devnet advance` are written within that time."""
    last = ""
    while not stop.is_set():
        await asyncio.sleep(POLL_SECONDS)
        try:
            await server.head()
        except ChainError as exc:  # the node is away (the watchdog handles that) or refused
            if exc.message != last:
                print(f"following the devnet node: {exc.message}", flush=True)
            last = exc.message


async def _watch_node(server: Server, stop: asyncio.Event) -> None:
    """Exit when the devnet node is gone for good (a killed anvil must not leave us behind)."""
    silent_since: float | None = None
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        await asyncio.sleep(2.0)
        try:
            await server.rpc("eth_chainId", [])
            silent_since = None
        except ChainError:
            silent_since = silent_since or loop.time()
            if loop.time() - silent_since >= ORPHAN_SECONDS:
                print("the devnet node stopped answering: exiting", flush=True)
                stop.set()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ion_cli.devnet.beacon_server")
    parser.add_argument("--devnet-dir", help="devnet dir: deployment.json in, beacon-state.json")
    parser.add_argument("--rpc-url", help="the devnet's anvil (the chain's clock)")
    parser.add_argument(
        "--deployment", help="a devnet's deployment.json: its LRTs' credentials (no state file)"
    )
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--validators", type=int, default=None, help="total set size")
    parser.add_argument("--seed", default="ion-devnet")
    parser.add_argument("--genesis-time", type=int, default=1_606_824_023)
    parser.add_argument("--synthetic-roots", action="store_true", help="skip SSZ state roots")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0
