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

from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import WAD, exact
from ion_cli.flows.session import Session

if TYPE_CHECKING:
    from ion_cli.flows.leverage import Built, Context, DeleverageRequest, LeverageRequest
    from ion_cli.flows.writes import WriteOptions
    from ion_cli.results import WriteResult

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
    from ion_cli.flows.leverage import LeverageRequest

    def opt(value: Any) -> str | None:
        return None if value is None else str(value)

    if isinstance(request, LeverageRequest):
        return {
            "action": "leverage",
            "market": request.market,
            "deposit": str(request.deposit),
            "leverage": opt(request.leverage),
            "ltv": opt(request.ltv),
            "max_slippage": str(request.max_slippage),
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
        "max_slippage": str(request.max_slippage),
        "deadline_s": request.deadline_s,
    }


def request_from(doc: dict[str, Any]) -> LeverageRequest | DeleverageRequest:
    """The request the plan was made from, with the file's absolute deadline."""
    from decimal import Decimal, InvalidOperation

    from ion_cli.flows.leverage import DeleverageRequest, LeverageRequest

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
            deposit=number("deposit") or 0,
            leverage=number("leverage", optional=True),
            ltv=number("ltv", optional=True),
            max_slippage=slippage,
            deadline_s=deadline_s,
            mode=str(mode),
            collateral_yield=apr,
            deadline_at=int(doc["deadline"]),
        )
    if inputs.get("action") == "deleverage":
        return DeleverageRequest(
            market=market,
            leverage=number("leverage", optional=True),
            repay=number("repay", optional=True),
            close=inputs.get("close") is True,
            max_slippage=slippage,
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


def check_plan(session: Session, doc: dict[str, Any]) -> None:
    """Refuse a plan that is not for this chain and account, is past its deadline, or whose
    venue price moved beyond its bound (nothing is sent)."""
    from ion_cli.flows.leverage import read_context

    profile = session.profile
    if doc["chain_id"] != profile.chain_id:
        raise RefusedError(
            f"the plan is for chain id {doc['chain_id']}, but network '{profile.name}' is chain "
            f"id {profile.chain_id}: refusing"
        )
    me = session.account().address
    if str(doc["account"]).lower() != me.lower():
        raise RefusedError(f"the plan is for account {doc['account']}, not {me}: refusing")
    from ion_cli.flows.leverage import next_block_time

    ctx = read_context(session, doc["market"])
    when = next_block_time(ctx)
    if when >= doc["deadline"]:
        raise RefusedError(
            f"the plan's deadline has passed (it was priced at block "
            f"{doc.get('priced_at_block')}): plan again"
        )
    if doc["deadline"] > when + MAX_DEADLINE_S:
        raise RefusedError(
            f"the plan's deadline {doc['deadline']} is further out than any command plans "
            f"(at most {MAX_DEADLINE_S} s): refusing; nothing was sent"
        )
    check_start(doc, ctx)
    _check_bound(ctx, doc["check"])


def _int(check: dict[str, Any], key: str) -> int:
    try:
        return int(str(check[key]))
    except (KeyError, ValueError):
        raise UsageError(f"malformed plan file: check.{key} is missing or not a number") from None


def _check_bound(ctx: Any, check: dict[str, Any]) -> None:
    from ion_cli.flows import leverage as lv

    kind = check.get("kind")
    moved = "the price moved beyond the plan's slippage bound since it was priced"
    if kind == "flash_cost":
        bought, bound = _int(check, "bought"), _int(check, "max")
        cost = lv.lever_quoter(ctx)(bought).debt
        if cost > bound:
            raise RefusedError(
                f"{moved}: the leverage now costs {_t(cost)} {ctx.base}, the plan allows at "
                f"most {_t(bound)}; nothing was sent"
            )
    elif kind == "balancer_unwind":
        from ion_cli.chain import venues as vn

        repay, bound = _int(check, "repay"), _int(check, "max")
        reader = ctx.session.reader()
        pool = vn.ezeth_flash_pool(reader, ctx.handler, ctx.market.block)
        fee = vn.pool_fee(reader, pool, ctx.market.block)
        need = vn.balancer_given_out(
            reader,
            ctx.handler,
            ctx.market.collateral_token,
            ctx.market.base_token,
            repay + vn.flash_fee(repay, fee),
            ctx.market.block,
        )
        if need > bound:
            raise RefusedError(
                f"{moved}: repaying now sells {_t(need)} {ctx.symbol}, the plan allows at most "
                f"{_t(bound)}; nothing was sent"
            )
    elif kind == "router_unwind":
        sells, mins = check.get("sells"), check.get("min")
        if not isinstance(sells, list) or not isinstance(mins, list) or len(sells) != len(mins):
            raise UsageError("malformed plan file: check.sells and check.min must be lists")
        quote = lv.unwind_quoter(ctx)
        for sell, least in zip(sells, mins, strict=True):
            got = quote(int(str(sell)))
            if got < int(str(least)):
                raise RefusedError(
                    f"{moved}: selling {_t(int(str(sell)))} {ctx.symbol} now gives "
                    f"{_t(got)} {ctx.base}, the plan needs at least {_t(int(str(least)))}; "
                    "nothing was sent"
                )
    elif kind == "loop":
        return  # each step of a loop carries its own router minimum: the simulation checks it
    elif kind == "wallet_close":
        return  # no swap, no price: the simulation checks the wallet still holds the debt
    else:
        raise UsageError(f"malformed plan file: unknown check kind {kind!r}")


def _t(amount: int) -> str:
    return f"{exact(amount, WAD):.6f}"


def apply_plan(session: Session, path: str | Path, options: WriteOptions) -> WriteResult:
    from ion_cli.chain.market_state import read_market, read_vault
    from ion_cli.flows import leverage as lv
    from ion_cli.flows.adapters import require_market
    from ion_cli.flows.position import position_figures
    from ion_cli.flows.writes import result_document, run_plan
    from ion_cli.results import Position

    doc = load_plan(path)
    check_plan(session, doc)
    request = request_from(doc)
    if isinstance(request, lv.LeverageRequest):
        built = lv.build_leverage(session, request, options.force)
    else:
        built = lv.build_deleverage(session, request, options.force)
    compare_calls(doc, built, request.max_slippage)
    # What is simulated and signed is the rebuild: the file's calls were only compared.
    plan = Plan(
        title=f"Apply plan: {built.plan.title}",
        calls=built.plan.calls,
        summary=built.plan.summary,
        json_summary={
            "action": "apply",
            "plan_file": str(path),
            "content_hash": doc["content_hash"],
            "planned": built.plan.json_summary,
        },
    )
    result = run_plan(session, plan, options)
    me = session.account().address

    def read_back() -> Position:
        reader = session.reader()
        market = read_market(reader, session.profile, require_market(session, doc["market"]))
        vault = read_vault(reader, session.profile, market, me)
        return position_figures(market, vault, session.safety_margin, session.profile.name)

    return result_document(session, plan, result, options, read_back)


def compare_calls(doc: dict[str, Any], built: Built, slippage: int) -> None:
    """Refuse (naming the first difference) when a call of the file is not its rebuild: another
    target, selector, value or kind, or an argument beyond the slippage bound; an approval may
    not be larger than the rebuild's. The check's kind and bounds are compared the same way."""
    theirs: list[Call] = doc["_calls"]
    ours = built.plan.calls
    refuse = "the plan file differs from its rebuild from its own inputs"
    if len(theirs) != len(ours):
        raise RefusedError(
            f"{refuse}: it has {len(theirs)} calls, the rebuild {len(ours)}; nothing was sent"
        )
    for index, (file_call, rebuilt) in enumerate(zip(theirs, ours, strict=True), 1):
        where = f"call {index} ({rebuilt.method or rebuilt.label})"
        difference = _call_difference(file_call, rebuilt, slippage)
        if difference:
            raise RefusedError(f"{refuse}: {where}: {difference}; nothing was sent")
    check = doc["check"]
    if check.get("kind") != built.check.get("kind"):
        raise RefusedError(
            f"{refuse}: check kind {str(check.get('kind'))!r:.40} is not the rebuild's "
            f"{built.check.get('kind')!r}; nothing was sent"
        )
    for key, value in built.check.items():
        if key == "kind":
            continue
        mine = value if isinstance(value, list) else [value]
        got = check.get(key)
        given = got if isinstance(got, list) else [got]
        if len(given) != len(mine) or any(
            not _within(_as_int(g), int(str(m)), slippage) for g, m in zip(given, mine, strict=True)
        ):
            raise RefusedError(
                f"{refuse}: check.{key} is beyond the slippage bound of the rebuild's; "
                "nothing was sent"
            )


def _as_int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _within(given: int, rebuilt: int, slippage: int) -> bool:
    from ion_cli.units import RAY

    return given >= 0 and abs(given - rebuilt) * RAY <= rebuilt * slippage


def _call_difference(file_call: Call, rebuilt: Call, slippage: int) -> str:
    if file_call.to.lower() != rebuilt.to.lower():
        return f"target {file_call.to} is not {rebuilt.to}"
    if file_call.data[:4] != rebuilt.data[:4]:
        return f"selector 0x{file_call.data[:4].hex()} is not 0x{rebuilt.data[:4].hex()}"
    if file_call.value != rebuilt.value:
        return f"value {file_call.value} wei is not {rebuilt.value}"
    if file_call.kind != rebuilt.kind:
        return f"kind {file_call.kind!r} is not {rebuilt.kind!r}"
    entry = rebuilt.function
    if entry is None:
        return "" if file_call.data == rebuilt.data else "calldata differs"
    from eth_abi.abi import decode

    from ion_cli.abi.signature import input_types

    types = input_types(entry)
    try:
        given = decode(types, file_call.data[4:])
        wanted = decode(types, rebuilt.data[4:])
    except Exception:
        return "calldata does not decode as the rebuild's function"
    from ion_cli.abi.codec import encode_args

    if encode_args(types, list(given)) != file_call.data[4:]:  # trailing or odd bytes
        return "calldata is not the plain encoding of its arguments"
    names = [str(p.get("name") or f"argument {i + 1}") for i, p in enumerate(entry["inputs"])]
    approval = rebuilt.kind == "approval"
    for name, kind, a, b in zip(names, types, given, wanted, strict=True):
        # a deadline is not an amount: it must be the rebuild's exactly (the file's own)
        tolerance = 0 if "deadline" in name.lower() else slippage
        problem = _arg_difference(kind, a, b, tolerance, approval)
        if problem:
            return f"{name} {problem}"
    return ""


def _arg_difference(kind: str, given: Any, wanted: Any, slippage: int, approval: bool) -> str:
    if kind.endswith("]") or kind.startswith("("):
        if not isinstance(given, list | tuple) or len(given) != len(wanted):
            return "has another length"
        inner = kind[: kind.rindex("[")] if kind.endswith("]") else ""
        kinds = [inner] * len(wanted) if inner else _tuple_types(kind)
        for k, a, b in zip(kinds, given, wanted, strict=True):
            problem = _arg_difference(k, a, b, slippage, approval)
            if problem:
                return problem
        return ""
    if kind.startswith("uint") or kind.startswith("int"):
        if given == wanted:
            return ""
        if approval and given > wanted:
            return f"{given} is a larger approval than the rebuild's {wanted}"
        if _within(int(given), int(wanted), slippage):
            return ""
        return f"{given} is beyond the slippage bound of the rebuild's {wanted}"
    if str(given).lower() != str(wanted).lower():
        return f"{str(given)[:80]} is not {str(wanted)[:80]}"
    return ""


def _tuple_types(kind: str) -> list[str]:
    """The component types of a canonical tuple type `(a,b,(c,d))`."""
    inner, parts, depth, current = kind[1:-1], [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    if current:
        parts.append(current)
    return parts
