"""Hostile option values and files are refused with exit 2 and one sentence naming what is
wrong, before any node is contacted or anything signed (issue #7's list of cases)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def one_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["position", "--account", ""],
        ["markets", "--rpc-url", ""],
        ["markets", "--network", ""],
        ["borrow", "weETH", "1", "--yes", "--account", " "],
        ["deposit", "weETH", "1", "--yes", "--rpc-url", ""],
        ["repay", "weETH", "1", "--yes", "--network", ""],
    ],
)
def test_empty_option_values_are_refused(args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert "is empty" in one_error(err)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "NaN", "0", "86401", "-5"])
def test_timeouts_must_be_finite_and_bounded(value: str) -> None:
    code, out, err = run("borrow", "weETH", "1", "--yes", "--timeout", value)
    assert code == 2 and out == ""
    assert "--timeout" in one_error(err)


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    monkeypatch.setenv("ION_CONFIG", str(path))
    return path


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x00\x01\x02\xff binary", "binary"),
        (b"[safety]\nmargin = nan\n", "safety.margin"),
        (b"[safety]\nmargin = inf\n", "safety.margin"),
        (b"[safety]\nmargin = true\n", "safety.margin"),
        (b"[safety]\nmargin = [0.1]\n", "safety.margin"),
        (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nests"),
        (b"x = {" * 40 + b"\n", "nests"),
        (b"\xff\xfe[safety]\n", "UTF-8"),
    ],
)
def test_bad_config_files_are_one_sentence_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, words: str
) -> None:
    path = _config(tmp_path, monkeypatch, data)
    code, out, err = run("markets", "--json")
    assert code == 2 and out == ""
    line = one_error(err)
    assert str(path) in line and words in line
    assert path.read_bytes() == data  # never rewritten


def test_config_that_is_a_fifo_is_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    monkeypatch.setenv("ION_CONFIG", str(fifo))
    code, _, err = run("markets")
    assert code == 2 and "FIFO" in one_error(err)


@pytest.mark.parametrize("kind", ["fifo", "device", "huge", "directory"])
def test_password_files_are_bounded_and_regular(tmp_path: Path, kind: str) -> None:
    from ion_cli.accounts.passwords import read_password_file
    from ion_cli.errors import UsageError

    if kind == "fifo":
        path = tmp_path / "p"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "huge":
        path = tmp_path / "p"
        path.write_bytes(b"a" * (64 * 1024 + 1))
    else:
        path = tmp_path
    with pytest.raises(UsageError) as info:
        read_password_file(path)
    assert str(path) in info.value.message


def _deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    directory = tmp_path / "devnet"
    directory.mkdir()
    (directory / "deployment.json").write_text(text)
    monkeypatch.setenv("ION_DEVNET_DIR", str(directory))
    return directory / "deployment.json"


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d.__setitem__("markets", []), "'markets' must be a non-empty object"),
        (lambda d: d.__setitem__("markets", {}), "'markets' must be a non-empty object"),
        (lambda d: d.__setitem__("markets", {"weETH": 5}), "markets.weETH must be an object"),
        (lambda d: d.__setitem__("tokens", "x"), "'tokens' must be a non-empty object"),
        (lambda d: d.__setitem__("version", 7), "version 7"),
        (lambda d: d["markets"]["weETH"].__setitem__("pool", "0x12"), "markets.weETH.pool"),
    ],
)
def test_bad_deployment_files_are_exit_2_naming_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mutate: object, words: str
) -> None:
    document = _valid_deployment()
    mutate(document)  # type: ignore[operator]
    path = _deployment(tmp_path, monkeypatch, json.dumps(document))
    code, out, err = run("markets", "--json")
    assert code == 2 and out == ""
    line = one_error(err)
    assert str(path) in line and words in line


def test_nested_or_binary_deployment_file_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _deployment(tmp_path, monkeypatch, "[" * 100_000)
    code, _, err = run("markets")
    assert code == 2 and str(path) in one_error(err)
    path.write_bytes(b"\x00\x00")
    code, _, err = run("markets")
    assert code == 2 and str(path) in one_error(err)


def _valid_deployment() -> dict[str, object]:
    a = "0x" + "11" * 20
    market = {
        "collateral": "weETH",
        "base": "wstETH",
        "collateral_token": a,
        "base_token": a,
        "ilk_index": 0,
        **{
            k: a
            for k in (
                "pool",
                "gem_join",
                "handler",
                "reserve_oracle",
                "spot_oracle",
                "price_feed",
                "liquidation",
            )
        },
    }
    shared = {
        k: a
        for k in (
            "whitelist",
            "lens",
            "interest_rate",
            "weth",
            "steth",
            "wsteth",
            "uniswap_wsteth_weth_pool",
            "weth_flash_pool",
            "balancer_vault",
        )
    }
    shared["ezeth_weth_balancer_pool_id"] = "0x00"
    return {
        "version": 1,
        "chain_id": 31337,
        "rpc_url": "http://127.0.0.1:1",
        "block": 1,
        "deployed_at": 1,
        "admin": a,
        "dev_account": a,
        "shared": shared,
        "markets": {"weETH": market},
        "tokens": {"weETH": {"address": a}},
    }
