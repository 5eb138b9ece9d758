"""How a position and a write's result look in the terminal."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ion_cli.commands.base import GlobalOptions
from ion_cli.render import fmt_amount, fmt_pct, scaled
from ion_cli.results import LenderPosition, Position, Unknown, WriteResult

if TYPE_CHECKING:
    from ion_cli.oracle_results import FeedScore


def render_positions(console: Any, positions: list[Position] | list[LenderPosition]) -> None:
    from rich.table import Table

    if not positions:
        console.print("no positions: no collateral, debt or supply in any market")
    for position in positions:
        row = _fields(position)
        if isinstance(position, LenderPosition):
            table = Table(
                title=f"{row['market']} supply of {row['address']}",
                title_justify="left",
                show_header=False,
            )
            table.add_row("supplied", f"{fmt_amount(row['supplied'], 6)} {row['base']}")
            table.add_row("wallet", f"{fmt_amount(row['wallet_base_balance'], 6)} {row['base']}")
            console.print(table)
            continue
        table = Table(
            title=f"{row['market']}/{row['base']} vault of {row['address']}",
            title_justify="left",
            show_header=False,
        )
        table.add_row("collateral", f"{fmt_amount(row['collateral'], 6)} {row['market']}")
        table.add_row("debt", f"{fmt_amount(row['debt'], 6)} {row['base']}")
        table.add_row("health (liquidation)", _health(row["health"]))
        table.add_row("health (borrow limit)", _health(row["health_spot"]))
        table.add_row("LTV", fmt_pct(row["ltv"]) if row["ltv"] is not None else "-")
        table.add_row("leverage", f"{fmt_amount(row['leverage'], 2)}x" if row["leverage"] else "-")
        table.add_row("reserve rate", fmt_amount(row["reserve_exchange_rate"], 6))
        liq = row["liquidation_exchange_rate"]
        drop = row["drop_to_liquidation"]
        if liq is None:
            liq_text = "-"
        elif isinstance(liq, Unknown):
            liq_text = "unknown (as the liquidation health)"
        elif row.get("liquidatable") is True:
            # the reserve rate is already below it: a "drop" would be negative
            liq_text = f"{fmt_amount(liq, 6)} ([red]liquidatable now[/red])"
        else:
            liq_text = f"{fmt_amount(liq, 6)} ({fmt_pct(drop)} drop)"
        table.add_row("liquidated at reserve rate", liq_text)
        if row.get("min_safe_price") is not None:
            # the other distance: market price falls until spot stops borrowing and withdrawals
            drop_text = row.get("price_drop_to_borrow_limit")
            table.add_row(
                "borrowing stops at price",
                fmt_amount(row["min_safe_price"], 6)
                + (f" ({fmt_pct(drop_text)} drop)" if drop_text is not None else ""),
            )
        table.add_row("can borrow", _limit(row, "max_borrow", row["base"]))
        table.add_row("can withdraw", _limit(row, "max_withdraw", row["market"]))
        if _some(row.get("supplied")):
            table.add_row("supplied (lender)", f"{fmt_amount(row['supplied'], 6)} {row['base']}")
        gem = row.get("gem")
        if _some(gem):
            table.add_row(
                "in the GemJoin (gem)", f"{fmt_amount(gem, 6)} {row['market']}, not collateral"
            )
        if row.get("risk") is not None:
            table.add_row("risk proof (zk)", risk_text(row["risk"]))
        console.print(table)
        if _some(gem):
            console.print(
                f"{fmt_amount(gem, 6)} {row['market']} sit in the GemJoin from a deposit that "
                "stopped half-way: run the same `ion deposit` again to finish it "
                "(`ion tx list` shows it), or `ion deposit "
                f"{row['market']} --finish` to deposit them as collateral, or `ion withdraw "
                f"{row['market']} --gem` to return them to your wallet"
            )


def risk_text(score: FeedScore | Mapping[str, Any]) -> str:
    """The latest accepted risk score of the market's feed, in one cell."""
    risk = score if isinstance(score, Mapping) else score.to_json()
    if risk.get("error"):
        return f"unreadable: {risk['error']}"
    if not risk.get("accepted"):
        return "none accepted yet (reserve rate = protocol rate)"
    age = int(risk.get("age_seconds") or 0)
    when = f"{age // 3600} h {age % 3600 // 60} min" if age >= 3600 else f"{age // 60} min"
    haircut = Decimal(int(risk["haircut_wad"])).scaleb(-18)
    return (
        f"score {scaled(risk['score'], 18, 4)}, haircut {fmt_pct(haircut, 2)}, "
        f"slot {risk['slot']} ({when} old)"
    )


def _limit(row: dict[str, Any], key: str, unit: str) -> str:
    """The amount allowed within the safety margin, and the pool's own limit beside it when the
    margin makes a difference (beyond it, `--force` is needed)."""
    safe, pool = row.get(f"{key}_safe"), row[key]
    if isinstance(safe, Unknown):  # the pool's limit; the margin needs the unknown threshold
        return f"{fmt_amount(pool, 6)} {unit} (safety margin unknown: --force needed)"
    if safe is None or safe == pool:
        return f"{fmt_amount(pool, 6)} {unit}"
    return f"{fmt_amount(safe, 6)} {unit} ({fmt_amount(pool, 6)} with --force)"


def _health(value: str | Unknown | None) -> str:
    if isinstance(value, Unknown):  # never "no debt": the vault may well have debt
        return value.text
    if value is None:
        return "no debt"
    health = Decimal(value)
    style = (
        "green" if health >= Decimal("1.2") else "yellow" if health >= Decimal("1.05") else "red"
    )
    return f"[{style}]{fmt_amount(value, 4, down=True)}[/{style}]"


def _some(figure: object) -> bool:
    """A figure worth a line: known and not zero (a Decimal 0 is no "0" string)."""
    return isinstance(figure, Decimal | str) and Decimal(figure) != 0


def _fields(position: Position | LenderPosition) -> dict[str, Any]:
    """The position's fields by name, values as they are (Unknowns kept for the renderers)."""
    from dataclasses import fields

    return {f.name: getattr(position, f.name) for f in fields(position)}


def print_write_result(opts: GlobalOptions, result: WriteResult) -> None:
    """After every write: the resulting position (mcd-cli's habit), or the whole record in JSON."""

    def render(console: Any) -> None:
        # The pipeline already told stderr what it sent; stdout gets the resulting position.
        if result.dry_run:
            projected = result.projected_position
            if projected is not None:
                console.print("[bold]dry run[/bold]: simulated, nothing sent. Position after:")
                render_positions(console, [projected])
                return
            # No projection (supply, redeem): what follows is today's position, not the result.
            console.print("[bold]dry run[/bold]: simulated, nothing sent. Position now:")
        if result.position is None:  # sent, but the read-back failed (warned on stderr)
            hashes = result.tx_hashes
            console.print("sent: " + ", ".join(hashes) if hashes else "sent")
            return
        if isinstance(result.position, LenderPosition):
            render_positions(console, [result.position])
        else:
            render_positions(console, [result.position])

    opts.output.result(result, render)
