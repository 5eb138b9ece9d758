"""Plan files: a leverage or deleverage written down (`--plan-out FILE`) and applied later
(`ion apply FILE`), for scripts that review before they send.

A plan file is deterministic JSON: the command's inputs (market, deposit, target, mode, bounds,
deadline), the block it was priced at and the state it starts from (the vault's collateral,
normalized debt and gem, the account's nonce, the allowance and operator grant it relies on),
the quotes, every call with its arguments (to, data, value), the bounds, the expected resulting
position, a format version and a content hash.

The calls in the file are for review, never trusted. `apply` refuses, sending nothing, a plan
that is malformed, for another chain or account, past its deadline (counted at the next block's
time) or with a deadline further out than any command makes, whose starting state moved, or
whose venue price moved beyond its bound; then it rebuilds the calls from the file's inputs at
the current state, with the same flows the commands use, and refuses when a call of the file
differs from its rebuild (another target, selector, value or kind, or an argument beyond the
slippage bound: amounts within it are the only tolerated difference; an approval may not be
larger). What is simulated and signed is the rebuild. A plan is applied once (the journal,
under the account lock: see `ion_cli.flows.tx.guarded_write`'s `one_shot`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.chain.plan import Call
from ion_cli.errors import RefusedError, UsageError

if TYPE_CHECKING:
    from ion_cli.flows.leverage.context import Built, Context
    from ion_cli.flows.leverage.requests import DeleverageRequest, LeverageRequest

FORMAT = "ion-plan"
VERSION = 2  # 2: inputs, starting state and content hash (apply rebuilds from the inputs)
MAX_DEADLINE_S = 86_400  # no command plans a deadline further out than a day
MAX_PLAN_BYTES = 1_000_000
MAX_NESTING = 32  # a plan nests 4 deep; the C parser can overflow the stack on hostile depth


def plan_document(built: Built, request: LeverageRequest | DeleverageRequest) -> dict[str, Any]:
    ctx = built.ctx
    session = ctx.session
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "network": session.profile.name,
        "chain_id": session.profile.chain_id,
        "account": ctx.me,
        "market": ctx.symbol,
        "title": built.plan.title,
        "inputs": request_inputs(request),
        "start": start_state(ctx),
        "priced_at_block": ctx.market.block,
        "priced_at_timestamp": ctx.timestamp,
        "deadline": built.deadline,
        "check": built.check,
        "calls": [c.to_json() for c in built.plan.calls],
        "preview": built.plan.summary,
        "summary": _plain(built.plan.json_summary),
    }
    doc["content_hash"] = content_hash(doc)
    return doc


def content_hash(doc: dict[str, Any]) -> str:
    """sha256 of the document's canonical JSON without its hash (and without the loader's
    private `_` keys): a plan's identity (the journal's one-shot key)."""
    import hashlib

    body = {k: v for k, v in doc.items() if k != "content_hash" and not k.startswith("_")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "0x" + hashlib.sha256(text.encode()).hexdigest()


def request_inputs(request: LeverageRequest | DeleverageRequest) -> dict[str, Any]:
    """The command's inputs, as the rebuild reads them back (`request_from`)."""
    from ion_cli.flows.leverage.requests import LeverageRequest

    def opt(value: Any) -> str | None:  # base units (a Wad's or Ray's int), as written before
        return None if value is None else str(getattr(value, "value", value))

    if isinstance(request, LeverageRequest):
        return {
            "action": "leverage",
            "market": request.market,
            "deposit": str(request.deposit.value),
            "leverage": opt(request.leverage),
            "ltv": opt(request.ltv),
            "max_slippage": str(request.max_slippage.value),
            "deadline_s": request.deadline_s,
            "mode": request.mode,
            "collateral_yield": opt(request.collateral_yield),
        }
    return {
        "action": "deleverage",
        "market": request.market,
        "leverage": opt(request.leverage),
        "repay": opt(request.repay),
        "close": bool(request.close),
        "max_slippage": str(request.max_slippage.value),
        "deadline_s": request.deadline_s,
    }


def request_from(doc: dict[str, Any]) -> LeverageRequest | DeleverageRequest:
    """The request the plan was made from, with the file's absolute deadline."""
    from decimal import Decimal, InvalidOperation

    from ion_cli.flows.leverage.requests import DeleverageRequest, LeverageRequest
    from ion_cli.units import Ray, Wad

    inputs = doc.get("inputs")
    bad = "malformed plan file: `inputs`"
    if not isinstance(inputs, dict):
        raise UsageError(f"{bad} missing (written by an earlier ion? plan again)")

    def number(key: str, *, optional: bool = False) -> int | None:
        value = inputs.get(key)
        if value is None and optional:
            return None
        try:
            out = int(str(value))
        except ValueError:
            raise UsageError(f"{bad}.{key} is not a number") from None
        if out < 0:
            raise UsageError(f"{bad}.{key} is negative")
        return out

    def ray(key: str) -> Ray | None:
        value = number(key, optional=True)
        return None if value is None else Ray(value)

    market = inputs.get("market")
    if not isinstance(market, str) or market.lower() != str(doc["market"]).lower():
        raise UsageError(f"{bad}.market is not the plan's market")
    slippage = number("max_slippage")
    deadline_s = number("deadline_s")
    assert slippage is not None and deadline_s is not None
    if inputs.get("action") == "leverage":
        mode = inputs.get("mode")
        if mode not in ("flash", "loop"):
            raise UsageError(f"{bad}.mode is not flash or loop")
        raw_yield = inputs.get("collateral_yield")
        try:
            apr = None if raw_yield is None else Decimal(str(raw_yield))
        except InvalidOperation:
            raise UsageError(f"{bad}.collateral_yield is not a number") from None
        return LeverageRequest(
            market=market,
            deposit=Wad(number("deposit") or 0),
            leverage=ray("leverage"),
            ltv=ray("ltv"),
            max_slippage=Ray(slippage),
            deadline_s=deadline_s,
            mode=str(mode),
            collateral_yield=apr,
            deadline_at=int(doc["deadline"]),
        )
    if inputs.get("action") == "deleverage":
        repay = number("repay", optional=True)
        return DeleverageRequest(
            market=market,
            leverage=ray("leverage"),
            repay=None if repay is None else Wad(repay),
            close=inputs.get("close") is True,
            max_slippage=Ray(slippage),
            deadline_s=deadline_s,
            deadline_at=int(doc["deadline"]),
        )
    raise UsageError(f"{bad}.action is not leverage or deleverage")


def start_state(ctx: Context) -> dict[str, Any]:
    """What the plan starts from and relies on, read at the block it was priced at."""
    from ion_cli.chain.contracts import ERC20, IonPool
    from ion_cli.chain.node import nonce_at

    reader = ctx.session.reader()
    block = ctx.market.block
    allowance = reader.read_one(
        ERC20(ctx.market.collateral_token).allowance(ctx.me, ctx.handler),
        block,
        f"reading the {ctx.symbol} allowance",
    )
    operator = reader.read_one(
        IonPool(ctx.market.pool).isAllowed(ctx.me, ctx.handler),
        block,
        "reading the handler's operator grant",
    )
    nonce = nonce_at(reader, ctx.me, block)
    return {
        "collateral": str(ctx.vault.collateral),
        "normalized_debt": str(ctx.vault.normalized_debt),
        "gem": str(ctx.vault.gem),
        "nonce": nonce,
        f"{ctx.symbol} allowance to the handler": str(int(allowance)),
        "handler is operator": bool(operator),
    }


def check_start(doc: dict[str, Any], ctx: Context) -> None:
    """Refuse a plan whose starting state moved (naming what moved)."""
    planned = doc.get("start")
    if not isinstance(planned, dict):
        raise UsageError("malformed plan file: `start` missing (written by an earlier ion?)")
    now = start_state(ctx)
    moved = [f"{k} {planned.get(k)!s:.80} -> {v}" for k, v in now.items() if planned.get(k) != v]
    if moved:
        raise RefusedError(
            "the state this plan starts from moved since it was priced ("
            + "; ".join(moved)
            + "): nothing was sent; plan again"
        )


def _plain(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return _plain(to_json())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def save_plan(path: str | Path, built: Built, request: LeverageRequest | DeleverageRequest) -> None:
    from ion_cli.atomic import write_output

    text = json.dumps(plan_document(built, request), indent=2, sort_keys=True) + "\n"
    write_output(Path(path), text, "plan file")


def load_plan(path: str | Path) -> dict[str, Any]:
    """The plan document, or one UsageError line saying what is wrong with the file."""
    p = Path(path)
    where = f"plan file {p}"
    from ion_cli.inputs import read_input_text

    raw = read_input_text(p, "plan file", limit=MAX_PLAN_BYTES)
    if _nesting(raw) > MAX_NESTING:
        raise UsageError(f"malformed {where}: nested deeper than any plan")
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"malformed {where}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise UsageError(f"malformed {where}: not an ion plan (format {FORMAT!r} expected)")
    if doc.get("version") != VERSION:
        raise UsageError(
            f"malformed {where}: version {doc.get('version')!r} is not {VERSION} "
            "(a plan of another ion version: plan again)"
        )

    for key, kind in (
        ("chain_id", int),
        ("account", str),
        ("market", str),
        ("title", str),
        ("calls", list),
        ("check", dict),
        ("deadline", int),
    ):
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            raise UsageError(f"malformed {where}: `{key}` missing or not a {kind.__name__}")
    if not doc["calls"]:
        raise UsageError(f"malformed {where}: no calls")
    doc["_calls"] = [_call(c, i, where) for i, c in enumerate(doc["calls"], 1)]
    if doc.get("content_hash") != content_hash(doc):
        raise RefusedError(
            f"{where} was changed after it was written (its content hash does not match): "
            "refusing; nothing was sent"
        )
    return doc


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON `text` (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _call(raw: Any, index: int, where: str) -> Call:
    from ion_cli.addresses import is_address

    bad = f"malformed {where}: call {index}"
    if not isinstance(raw, dict):
        raise UsageError(f"{bad} is not an object")
    to, data, value = raw.get("to"), raw.get("data"), raw.get("value", "0")
    if not isinstance(to, str) or not is_address(to):
        raise UsageError(f"{bad}: `to` is not an address")
    if not isinstance(data, str) or not data.startswith("0x"):
        raise UsageError(f"{bad}: `data` is not 0x-hex")
    try:
        payload = bytes.fromhex(data[2:])
        amount = int(str(value))
    except ValueError:
        raise UsageError(f"{bad}: `data` or `value` is malformed") from None
    if amount < 0:
        raise UsageError(f"{bad}: negative value")
    return Call.from_json({**raw, "to": to, "data": "0x" + payload.hex(), "value": amount})
