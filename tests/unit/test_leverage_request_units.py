"""Leverage and deleverage requests hold Wad and Ray (issue 19), and a plan file keeps them as the
base-unit integers it always recorded (its content hash must not move)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ion_cli.flows.leverage.plan_file import request_from, request_inputs
from ion_cli.flows.leverage.requests import DeleverageRequest, LeverageRequest
from ion_cli.units import RAY, WAD, Ray, Wad

LEVER = LeverageRequest(
    "weETH", deposit=Wad(10 * WAD), leverage=Ray(3 * RAY), max_slippage=Ray(RAY // 100)
)
DELEVER = DeleverageRequest("weETH", repay=Wad(5 * WAD), max_slippage=Ray(RAY // 200))


def test_plan_inputs_are_base_unit_integers() -> None:
    inputs = request_inputs(LEVER)
    assert inputs["deposit"] == str(10 * WAD) and inputs["leverage"] == str(3 * RAY)
    assert inputs["max_slippage"] == str(RAY // 100) and inputs["ltv"] is None
    assert request_inputs(DELEVER)["repay"] == str(5 * WAD)


@pytest.mark.parametrize("request_", [LEVER, DELEVER])
def test_a_plan_gives_back_the_request(request_: LeverageRequest | DeleverageRequest) -> None:
    doc = {"market": "weETH", "deadline": 2**40, "inputs": request_inputs(request_)}
    assert request_from(doc) == replace(request_, deadline_at=2**40)


def test_plain_ints_from_an_untyped_caller_are_taken_as_base_units() -> None:
    loose = LeverageRequest("weETH", leverage=3 * RAY, max_slippage=RAY // 100)  # type: ignore[arg-type]
    assert loose.leverage == Ray(3 * RAY) and loose.max_slippage == Ray(RAY // 100)
    assert loose.deposit == Wad(0)
    unwind = DeleverageRequest("weETH", repay=5 * WAD)  # type: ignore[arg-type]
    assert unwind.repay == Wad(5 * WAD) and unwind.leverage is None
