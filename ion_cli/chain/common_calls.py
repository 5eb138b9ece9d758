"""The calls many writes share (an ERC20 approval or transfer, an IonPool operator, wrapping
ETH), built through the contract wrappers, with the words the plan shows for them."""

from __future__ import annotations

from ion_cli.chain.contracts import ERC20, WETH, IonPool
from ion_cli.chain.plan import Call, format_amount, word_uint


def approval_call(
    token: str,
    spender: str,
    amount: int,
    symbol: str,
    *,
    spender_name: str = "",
    decimals: int = 18,
) -> Call:
    """ERC20 `approve(spender, amount)` on `token`, as a prerequisite step."""
    who = spender_name or spender
    return ERC20(token, label=symbol).approve(
        spender,
        _uint(amount),
        description=f"approve {who} to spend {format_amount(amount, decimals)} {symbol}",
        kind="approval",
    )


def transfer_call(token: str, to: str, amount: int, symbol: str, *, decimals: int = 18) -> Call:
    """ERC20 `transfer(to, amount)` on `token`."""
    return ERC20(token, label=symbol).transfer(
        to,
        _uint(amount),
        description=f"transfer {format_amount(amount, decimals)} {symbol} to {to}",
    )


def add_operator_call(pool: str, operator: str, *, operator_name: str = "") -> Call:
    """IonPool `addOperator(operator)`: lets a handler act on the sender's vault."""
    who = operator_name or operator
    return IonPool(pool).addOperator(
        operator, description=f"allow {who} to operate your vault", kind="operator"
    )


def remove_operator_call(pool: str, operator: str, *, operator_name: str = "") -> Call:
    """IonPool `removeOperator(operator)`."""
    who = operator_name or operator
    return IonPool(pool).removeOperator(
        operator, description=f"revoke {who} as operator of your vault", kind="operator"
    )


def wrap_eth_call(weth: str, amount: int) -> Call:
    """WETH9 `deposit()` with `amount` wei attached."""
    return WETH(weth).deposit(
        value=amount, description=f"wrap {format_amount(amount)} ETH into WETH"
    )


def _uint(value: int) -> int:
    word_uint(value)  # the range check, with its message
    return value
