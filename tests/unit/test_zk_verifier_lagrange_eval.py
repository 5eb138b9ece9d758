"""The Lagrange step's straight-line code, run by a small evaluator of the Yul it writes, gives
ezkl's values (x^n, 1/(x^n - 1), l_last, l_blind, l_0, the instance evaluation) for other
models than the shipped one: more or fewer instances, another k. A retrained model regenerates
its verifier through this step, so its arithmetic must not depend on the shipped numbers."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from ion_cli.zk import verifier_lagrange as vl

R = vl.R
X_N_MPTR = 0x0D00
NAMED = {
    "X_MPTR": 0x0C00,
    "OMEGA_INV_MPTR": 0x0640,
    "N_INV_MPTR": 0x0600,
    "X_N_MPTR": X_N_MPTR,
    "X_N_MINUS_1_INV_MPTR": X_N_MPTR + 0x20,
    "L_LAST_MPTR": X_N_MPTR + 0x40,
    "L_BLIND_MPTR": X_N_MPTR + 0x60,
    "L_0_MPTR": X_N_MPTR + 0x80,
    "INSTANCE_EVAL_MPTR": X_N_MPTR + 0xA0,
}
_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*|0x[0-9a-fA-F]+|\d+|[(),])")


class Yul:
    """Straight-line Yul: let/assign/mstore/blocks; mload, calldataload, add, sub, mulmod,
    addmod, and, staticcall (modexp only), gas."""

    def __init__(self, memory: dict[int, int], calldata: dict[int, int]) -> None:
        self.memory = memory
        self.calldata = calldata
        self.scopes: list[dict[str, int]] = [{"r": R, "success": 1, "instances.offset": 0x1000}]

    def lookup(self, name: str) -> int:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return NAMED[name]

    def assign(self, name: str, value: int) -> None:
        for scope in reversed(self.scopes):
            if name in scope:
                scope[name] = value
                return
        raise KeyError(name)

    def expr(self, text: str) -> int:
        tokens = _TOKEN.findall(text)
        value, rest = self._parse(tokens)
        assert not rest, text
        return value

    def _parse(self, tokens: list[str]) -> tuple[int, list[str]]:
        head, rest = tokens[0], tokens[1:]
        if not rest or rest[0] != "(":
            if head.startswith("0x"):
                return int(head, 16), rest
            if head.isdigit():
                return int(head), rest
            return self.lookup(head), rest
        rest = rest[1:]
        args: list[int] = []
        while rest[0] != ")":
            value, rest = self._parse(rest)
            args.append(value)
            if rest[0] == ",":
                rest = rest[1:]
        return self.call(head, args), rest[1:]

    def call(self, name: str, a: list[int]) -> int:
        if name == "mload":
            return self.memory.get(a[0], 0)
        if name == "calldataload":
            return self.calldata[a[0]]
        if name == "add":
            return (a[0] + a[1]) % 2**256
        if name == "sub":
            return (a[0] - a[1]) % 2**256
        if name == "mulmod":
            return a[0] * a[1] % a[2]
        if name == "addmod":
            return (a[0] + a[1]) % a[2]
        if name == "and":
            return a[0] & a[1]
        if name == "gas":
            return 10**6
        if name == "staticcall":
            _, address, start, _, out, _ = a
            assert address == 5
            m = [self.memory[start + 0x20 * i] for i in range(6)]
            assert m[:3] == [0x20, 0x20, 0x20]
            self.memory[out] = pow(m[3], m[4], m[5])
            return 1
        raise NotImplementedError(name)

    def run(self, code: str) -> None:
        for raw in code.splitlines():
            line = raw.split("//")[0].strip()
            if not line:
                continue
            if line == "{":
                self.scopes.append({})
            elif line == "}":
                self.scopes.pop()
            elif line.startswith("let "):
                name, value = line[4:].split(" := ", 1)
                self.scopes[-1][name] = self.expr(value)
            elif line.startswith("mstore("):
                address, value = _split_call(line[len("mstore(") : -1])
                self.memory[self.expr(address)] = self.expr(value)
            else:
                name, value = line.split(" := ", 1)
                self.assign(name, self.expr(value))


def _split_call(text: str) -> tuple[str, str]:
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            return text[:i], text[i + 1 :]
    raise ValueError(text)


def _ezkl(k: int, w0: int, omega: int, extra: int, instances: list[int], x: int) -> dict[str, Any]:
    """The block's outputs as ezkl's loops compute them."""
    n = 2**k
    x_n = pow(x, n, R)
    common = (x_n - 1) * pow(n, R - 2, R) % R
    rows = extra + max(len(instances), 1)
    lag = [
        common * (w := w0 * pow(omega, j, R) % R) * pow((x - w) % R, R - 2, R) % R
        for j in range(rows)
    ]
    return {
        "x_n": x_n,
        "x_n_minus_1_inv": pow(x_n - 1, R - 2, R),
        "l_last": lag[0],
        "l_blind": sum(lag[1:extra]) % R,
        "l_0": lag[extra],
        "instance_eval": sum(lag[extra + i] * v for i, v in enumerate(instances)) % R,
    }


@pytest.mark.parametrize(("k", "instances"), [(11, 31), (11, 34), (12, 1), (10, 0), (11, 40)])
def test_straight_line_lagrange_equals_ezkls(k: int, instances: int) -> None:
    rng = random.Random(k * 100 + instances)
    omega = pow(5, (R - 1) // 2**k, R)  # a 2^k-th root of unity
    extra = 6
    w0 = pow(omega, 2**k - extra, R)  # omega^-(extra): row 0 is the last usable row
    params = vl.Params(k=k, omega_inv_to_l=w0, instances=instances, extra=extra, x_n_mptr=X_N_MPTR)
    values = [rng.randrange(R) for _ in range(instances)]
    x = rng.randrange(R)
    memory = {
        NAMED["X_MPTR"]: x,
        NAMED["OMEGA_INV_MPTR"]: pow(omega, R - 2, R),
        NAMED["N_INV_MPTR"]: pow(2**k, R - 2, R),
    }
    calldata = {0x1000 + 0x20 * i: v for i, v in enumerate(values)}
    yul = Yul(memory, calldata)
    yul.run(vl.render(params, ""))
    want = _ezkl(k, w0, omega, extra, values, x)
    got = {
        "x_n": memory[NAMED["X_N_MPTR"]],
        "x_n_minus_1_inv": memory[NAMED["X_N_MINUS_1_INV_MPTR"]],
        "l_last": memory[NAMED["L_LAST_MPTR"]],
        "l_blind": memory[NAMED["L_BLIND_MPTR"]],
        "l_0": memory[NAMED["L_0_MPTR"]],
        "instance_eval": memory[NAMED["INSTANCE_EVAL_MPTR"]],
    }
    assert got == want
    assert yul.scopes[0]["success"] == 1
