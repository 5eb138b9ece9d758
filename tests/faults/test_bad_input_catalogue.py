"""The bad-input catalogue (issues #7 and #17): hypothesis drives every command's arguments,
options and files with hostile values, in-process against the test devnet, and checks for each
case the README's exit code (2 malformed, 3 refused, 4 node), exactly one `error:` line and no
catch-all ("... (set ION_DEBUG=1 for details)"), no traceback, nothing on stdout, no transaction
sent (the account's nonce), no block mined, no file changed, key material in any file named on
the command line never in the output, and each case within a generous bound (a hang guard).

CI draws the same cases on every run (the `ci` hypothesis profile in conftest.py derandomizes;
`tests/unit/test_hypothesis_determinism.py` checks it); local runs explore new ones, and a case
found failing locally is kept below as an explicit `@example`.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ion_cli.amounts import parse_amount
from ion_cli.cli import app
from ion_cli.errors import UsageError
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration

WRITES = ["deposit", "borrow", "repay", "withdraw", "supply", "redeem"]
MARKETS = ["weETH", "rsETH", "rswETH", "ezETH"]
EXAMPLES = int(os.environ.get("ION_CATALOGUE_EXAMPLES", "1600"))  # fewer while developing
CASE_BOUND_S = 120.0  # a hang guard (a FIFO read without a deadline), not a speed measurement
TALLY: Counter[str] = Counter()
SLOWEST: list[tuple[float, str]] = []
CATCH_ALL = "set ION_DEBUG=1 for details"

# A private key (anvil's account 1). Whatever file holds it, it must never be printed back.
KEY = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
# Click's help tokens: `ion deposit weETH -h` prints help (exit 0); they are not hostile amounts.
HELP_TOKENS = {"-h", "--help"}

HOSTILE_TEXT = [
    "", " ", "\t", "nan", "NaN", "inf", "-inf", "1e999", "-1", "-0.5", "0x10", "1,5", "1 2",
    "1.0000000000000000001", "1e-19", "١", "½", "1/2", "1..2", "..", "0b1", "1_000_000_000e999",
    "9" * 100, "1ETHETH", "all all", "--", "\x00", "\u202e1", "'; drop", "$(id)", "`id`",
    "%s%s%s", "{}", "[]", "null", "None", "True", "✓", "a" * 5000, "٣", "１", "߁", "१",
]  # fmt: skip
NON_ASCII_DIGITS = ["١", "٣", "１", "߁", "१", "༣", "𝟙", "٤٢"]
BAD_URLS = [
    "http://", "https://", "http://[::1", "http://127.0.0.1:99999", "http://127.0.0.1:0",
    "http://127.0.0.1:-1", "http://127.0.0.1:x", "ftp://127.0.0.1:8545", "127.0.0.1:8545",
    "http:// 127.0.0.1", "http://exa mple.com", "http://\x00", "javascript:alert(1)",
    "file:///etc/passwd", "http://:8545", "//127.0.0.1:8545", "http://[fe80::1%en0:x",
    "http://пример.рф", "ws://127.0.0.1:8545", "http://127.0.0.1:65536/",
]  # fmt: skip
BLANKS = ["", " ", "\t", "  \n"]

# Every option that reads a file the user names, with the rest of its command line.
READ_FILE_OPTIONS: list[tuple[list[str], list[str]]] = [
    (["account", "import", "k1", "--private-key-file"], []),
    (["account", "import", "k2", "--keystore-file"], []),
    (["account", "new", "k3", "--keystore", "--password-file"], []),
    (["deposit", "weETH", "1", "--yes", "--password-file"], []),
    (["validators", "show", "--from-file"], []),
    (["validators", "summary", "--lrt", "weETH", "--credentials-file"], []),
    (["validators", "summary", "--lrt", "weETH", "--indices-file"], []),
    (["risk", "--lrt", "weETH", "--snapshot"], []),
    (["prove", "--lrt", "weETH", "--snapshot"], []),
    (["apply"], ["--yes"]),
]
# Hostile files (made once per module, see `hostile_files`): every one is refused with exit 2.
FILE_KINDS = [
    "dev_zero", "dev_null", "dev_full", "fifo", "directory", "missing", "dangling", "loop",
    "binary", "huge", "key", "key_json", "key_lines", "empty", "nul", "long",
]  # fmt: skip
# Output files: only a regular file (or a new one) is written.
BAD_OUTPUTS = ["dev_null", "dev_full", "fifo", "directory", "dangling_out", "nul", "long"]


def _refused(argv: list[str], name: str) -> bool:
    """Whether the file `name` is bad for the option ending `argv`: a file holding a valid key
    is what --private-key-file is for, and any line of text is a password."""
    if argv[-1] == "--private-key-file":
        return name != "key"
    if argv[-1] == "--password-file":
        return not name.startswith("key")
    return True


def _bad_amount(text: str, allow_all: bool) -> bool:
    try:
        value = parse_amount(text, allow_all=allow_all)
    except UsageError:
        return True
    return value == 0


def _not_option(text: str) -> bool:
    """A positional value click passes through: not a help token, not `-x`/`--x` (an option
    or help), though `-1` and `--` are (negatives reach the parser; `--` ends the options)."""
    if text in HELP_TOKENS:
        return False
    if text.startswith("-") and len(text) > 1 and text != "--":
        return text[1].isdigit() or text[1] == "."
    return True


texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40)).filter(_not_option)
digits = st.sampled_from(NON_ASCII_DIGITS)

# (argv before the value, argv after it, bound-checked: a value out of range) for numbers
NUMBER_OPTIONS: list[tuple[list[str], list[str]]] = [
    (["deposit", "weETH", "1", "--yes", "--confirmations"], []),
    (["deposit", "weETH", "1", "--yes", "--timeout"], []),
    (["markets", "--timeout"], []),
    (["devnet", "slash", "--lrt", "weETH", "--count"], []),
    (["devnet", "penalize", "--lrt", "weETH", "--gwei"], []),
    (["devnet", "advance", "--epochs"], []),
    (["devnet", "reset", "--yes", "--port"], []),
    (["devnet", "up", "--port"], []),
    (["risk", "--lrt", "weETH", "--what-if-slashed"], []),
    (["watch", "--once", "--market", "weETH", "--min-health"], []),
    (["watch", "--once", "--market", "weETH", "--interval"], []),
    (["watch", "--once", "--market", "weETH", "--max-proof-age"], []),
    (["leverage", "weETH", "--deposit", "1", "--yes", "--to"], []),
    (["leverage", "weETH", "--deposit", "1", "--yes", "--ltv"], []),
    (["leverage", "weETH", "--deposit", "1", "--to", "2x", "--yes", "--max-slippage"], []),
    (["leverage", "weETH", "--deposit", "1", "--to", "2x", "--yes", "--deadline"], []),
    (["liquidate", "weETH", "0x" + "11" * 20, "--yes", "--max-repay"], []),
    (["guard", "add", "weETH", "--to", "1.6", "--repay-below"], []),
    (["guard", "add", "weETH", "--repay-below", "1.3", "--to"], []),
    (["guard", "add", "weETH", "--repay-below", "1.3", "--to", "1.6", "--max-per-day"], []),
    (["guard", "add", "weETH", "--to", "1.5x", "--deleverage-on-slashing"], []),
    (["guard", "add", "weETH", "--to", "1.5x", "--deleverage-on-avs-slashing"], []),
    (["guard", "add", "weETH", "--to", "1.5x", "--deleverage-on-score"], []),
    (["guard", "run", "--once", "--interval"], []),
    (["guard", "remove"], []),
    (["guard", "history"], []),
]
OUT_OF_RANGE: list[list[str]] = [
    ["deposit", "weETH", "1", "--yes", "--confirmations", "99999999999999999999"],
    ["deposit", "weETH", "1", "--yes", "--confirmations", "1001"],
    ["deposit", "weETH", "1", "--yes", "--confirmations", "-1"],
    ["devnet", "slash", "--lrt", "weETH", "--count", "99999999"],
    ["devnet", "slash", "--lrt", "weETH", "--count", "99999"],
    ["devnet", "slash", "--lrt", "weETH", "--count", "0"],
    ["devnet", "penalize", "--lrt", "weETH", "--gwei", str(2**64)],
    ["devnet", "penalize", "--lrt", "weETH", "--gwei", "0"],
    ["devnet", "advance", "--epochs", "0"],
    ["devnet", "advance", "--epochs", str(10**12)],
    ["devnet", "up", "--port", "70000"],
    ["devnet", "up", "--port", "0"],
    ["risk", "--lrt", "weETH", "--what-if-slashed", "101%"],
    ["risk", "--lrt", "weETH", "--what-if-slashed", "99999999"],
    ["watch", "--once", "--market", "weETH", "--interval", "0"],
    ["watch", "--once", "--market", "weETH", "--max-proof-age", "99999d"],
    ["leverage", "weETH", "--deposit", "1", "--yes", "--to", "1000x"],
    ["guard", "add", "weETH", "--repay-below", "1000", "--to", "2000"],
    ["guard", "add", "weETH", "--close-below-rate", "0"],
    ["guard", "add", "weETH", "--deleverage-on-slashing", "101%", "--to", "1.5x"],
    ["guard", "add", "weETH", "--deleverage-on-slashing", "0%", "--to", "1.5x"],
    ["guard", "add", "weETH", "--deleverage-on-score", "1.2", "--to", "1.1"],
    ["guard", "run", "--once", "--interval", "0"],
    ["guard", "remove", "0"],
]

# Commands with a market, vault, address, account, network, name or hash argument: blank -> 2.
BLANK_SLOTS: list[tuple[list[str], list[str]]] = [
    (["position"], []),
    (["position", "weETH", "--address"], []),
    (["liquidate", "weETH"], ["--yes"]),
    (["liquidate"], ["0x" + "11" * 20, "--yes"]),
    (["vaults"], []),
    (["oracle", "show"], []),
    (["oracle", "update"], ["--yes"]),
    (["oracle", "finalize"], ["--yes"]),
    (["oracle", "finalize", "weETH"], ["--yes"]),
    (["challenge"], ["--yes"]),
    (["challenge", "weETH"], ["--yes"]),
    (["deposit"], ["1", "--yes"]),
    (["borrow", "weETH"], ["--yes"]),
    (["leverage"], ["--deposit", "1", "--to", "2x", "--yes"]),
    (["deleverage"], ["--close", "--yes"]),
    (["watch", "--once", "--market"], []),
    (["watch", "--once", "--address"], ["--market", "weETH"]),
    (["watch", "--once", "--lrt"], []),
    (["risk", "--lrt"], []),
    (["risk", "--lrt", "weETH", "--what-if-slashed", "1", "--address"], []),
    (["validators", "summary", "--lrt"], []),
    (["devnet", "slash", "--lrt"], []),
    (["account", "show"], []),
    (["account", "remove"], ["--yes"]),
    (["tx", "status"], []),
    (["tx", "cancel"], ["--yes"]),
    (["apply"], ["--yes"]),
    (["markets", "--network"], []),
    (["markets", "--account"], []),
    (["markets", "--rpc-url"], []),
    (["deposit", "weETH", "1", "--yes", "--account"], []),
    (["deposit", "weETH", "1", "--yes", "--network"], []),
    (["guard", "add"], ["--repay-below", "1.3", "--to", "1.6"]),
    (["guard", "list", "--address"], []),
]

URL_COMMANDS: list[tuple[list[str], str]] = [
    (["markets"], "--rpc-url"),
    (["position", "weETH"], "--rpc-url"),
    (["deposit", "weETH", "1", "--yes"], "--rpc-url"),
    (["vaults", "weETH"], "--rpc-url"),
    (["validators", "show", "1"], "--beacon-url"),
    (["validators", "summary", "--lrt", "weETH"], "--beacon-url"),
    (["risk", "--lrt", "weETH"], "--beacon-url"),
    (["watch", "--once", "--lrt", "weETH"], "--beacon-url"),
    (["devnet", "up"], "--fork-url"),
    (["guard", "run", "--once"], "--cross-check"),
]

CONFIG_PATHS = ["missing", "dangling", "loop", "directory", "fifo", "dev_zero"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[str], int, bytes | None]:
    """(category, argv, expected exit code, config file bytes or None). `{name}` in argv is
    one of the hostile files; `ION_CONFIG={name}` as the first item sets the environment."""
    kind = draw(
        st.sampled_from(
            [
                "amount",
                "market",
                "empty_option",
                "timeout",
                "confirmations",
                "address",
                "tx_hash",
                "account",
                "network",
                "rpc_scheme",
                "config",
                "unconfirmed",
                "node_down",
                "file",
                "output_file",
                "url",
                "ascii_digits",
                "out_of_range",
                "blank",
                "config_path",
                "default_network",
            ]
        )
    )
    write = draw(st.sampled_from(WRITES))
    market = draw(st.sampled_from(MARKETS))
    if kind == "amount":
        text = draw(
            texts.filter(lambda t: _bad_amount(t, write in ("repay", "withdraw", "redeem")))
        )
        return kind, [write, market, text, "--yes"], 2, None
    if kind == "market":
        text = draw(texts.filter(lambda t: t.strip().lower() not in {m.lower() for m in MARKETS}))
        return kind, [write, text, "1", "--yes"], 2, None
    if kind == "empty_option":
        option = draw(st.sampled_from(["--account", "--rpc-url", "--network"]))
        blank = draw(st.sampled_from(BLANKS))
        command = draw(st.sampled_from([[write, market, "1", "--yes"], ["position"], ["markets"]]))
        return kind, [*command, option, blank], 2, None
    if kind == "timeout":
        value = draw(
            st.one_of(
                st.sampled_from(["nan", "inf", "-inf", "1e999", "0", "0.5", "86401", "abc", ""]),
                st.floats(max_value=0.99).map(repr),
                st.floats(min_value=86400.01).map(repr),
                digits,
            )
        )
        return kind, [write, market, "1", "--yes", "--timeout", value], 2, None
    if kind == "confirmations":
        value = draw(
            st.one_of(
                st.integers(max_value=-1).map(str),
                st.integers(min_value=1001).map(str),
                st.sampled_from(["x", "1.5", "", "99999999999999999999"]),
                digits,
            )
        )
        return kind, [write, market, "1", "--yes", "--confirmations", value], 2, None
    if kind == "address":
        text = draw(texts.filter(lambda t: not t.startswith("-") and t.strip() != "dev"))
        return kind, ["position", market, "--address", text], 2, None
    if kind == "tx_hash":
        text = draw(texts.filter(lambda t: not t.startswith("-")))
        return kind, ["tx", "status", text], 2, None
    if kind == "account":
        name = draw(
            st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True).filter(lambda n: n != "dev")
        )
        return kind, [write, market, "1", "--yes", "--account", name], 2, None
    if kind == "network":
        name = draw(
            st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True).filter(
                lambda n: n not in ("devnet", "mainnet")
            )
        )
        return kind, [write, market, "1", "--yes", "--network", name], 2, None
    if kind == "rpc_scheme":
        scheme = draw(st.sampled_from(["ftp", "ws", "file", "javascript", "", "htp"]))
        return kind, ["markets", "--rpc-url", f"{scheme}://127.0.0.1:8545"], 2, None
    if kind == "config":
        data = draw(
            st.one_of(
                st.binary(min_size=1, max_size=64).map(lambda b: b"\x00" + b),
                st.sampled_from(
                    [
                        b"[safety]\nmargin = nan\n",
                        b"[safety]\nmargin = -1\n",
                        b"[safety]\nmargin = 1\n",
                        b"[safety]\nmargin = 'x'\n",
                        b'default_network = "x"\n[networks]\nx = 1\n',
                        b"default_network = 5\n",
                        b"a = " + b"[" * 200 + b"]" * 200,
                        b"[[[",
                        b"\xff\xfe\xfd",
                    ]
                ),
            )
        )
        return kind, ["markets", "--json"], 2, data
    if kind == "unconfirmed":  # a valid write without --yes and without a terminal: refused
        return kind, ["deposit", market, "1"], 3, None
    if kind == "node_down":  # the node refuses connections: exit 4, before anything is signed
        return kind, [write, market, "1", "--yes", "--rpc-url", "http://127.0.0.1:1"], 4, None
    if kind == "file":
        before, after = draw(st.sampled_from(READ_FILE_OPTIONS))
        name = draw(st.sampled_from(FILE_KINDS).filter(lambda n: _refused(before, n)))
        return kind, [*before, "{" + name + "}", *after], 2, None
    if kind == "output_file":
        name = draw(st.sampled_from(BAD_OUTPUTS))
        command = draw(
            st.sampled_from(
                [
                    ["leverage", market, "--deposit", "1", "--to", "2x", "--yes"],
                    ["deleverage", market, "--close", "--yes"],
                    ["prove", "--lrt", market, "--out"],
                ]
            )
        )
        flag = [] if command[-1] == "--out" else ["--plan-out"]
        return kind, [*command, *flag, "{" + name + "}"], 2, None
    if kind == "url":
        command, option = draw(st.sampled_from(URL_COMMANDS))
        url = draw(st.sampled_from(BAD_URLS))
        return kind, [*command, option, url], 2, None
    if kind == "ascii_digits":
        before, after = draw(st.sampled_from(NUMBER_OPTIONS))
        value = draw(
            st.one_of(digits, digits.map(lambda d: d + "%"), digits.map(lambda d: d + "s"))
        )
        return kind, [*before, value, *after], 2, None
    if kind == "out_of_range":
        return kind, draw(st.sampled_from(OUT_OF_RANGE)), 2, None
    if kind == "blank":
        before, after = draw(st.sampled_from(BLANK_SLOTS))
        return kind, [*before, draw(st.sampled_from(BLANKS)), *after], 2, None
    if kind == "config_path":
        name = draw(st.sampled_from(CONFIG_PATHS))
        command = draw(st.sampled_from([["markets"], [write, market, "1", "--yes"]]))
        return kind, ["ION_CONFIG={" + name + "}", *command], 2, None
    # default_network = "" (or blank) must not mean the devnet
    blank = draw(st.sampled_from(BLANKS))
    data = b'default_network = "' + blank.replace("\n", "\\n").encode() + b'"\n'
    return kind, [write, market, "1", "--yes"], 2, data


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("hostile")
    files = {
        "dev_zero": "/dev/zero",
        "dev_null": "/dev/null",
        "dev_full": "/dev/full",
        "directory": str(base),
        "missing": str(base / "missing"),
        "nul": str(base / "a\x00b"),  # (only in-process: no real command line holds one)
        "long": str(base / ("a" * 5000)),
    }
    fifo = base / "fifo"
    os.mkfifo(fifo)
    files["fifo"] = str(fifo)
    (base / "dangling").symlink_to(base / "nowhere")
    files["dangling"] = str(base / "dangling")
    (base / "dangling_out").symlink_to(base / "no-dir" / "nowhere")
    files["dangling_out"] = str(base / "dangling_out")
    (base / "loop").symlink_to(base / "loop")
    files["loop"] = str(base / "loop")
    (base / "binary").write_bytes(b"\x7fELF\x00\x01\x02" + bytes(range(256)) + KEY.encode())
    files["binary"] = str(base / "binary")
    huge = base / "huge"
    with huge.open("wb") as f:  # sparse: bigger than every kind's bound, and nothing written
        f.truncate(300 * 1024 * 1024)
    files["huge"] = str(huge)
    (base / "key").write_text(f"0x{KEY}\n")
    files["key"] = str(base / "key")
    (base / "key_json").write_text(
        json.dumps({"lrt": f"0x{KEY}", "format": f"0x{KEY}", "calls": [f"0x{KEY}"]})
    )
    files["key_json"] = str(base / "key_json")
    (base / "key_lines").write_text(f"1\n2\n{KEY}\n0x{KEY}\n# {KEY}\n")
    files["key_lines"] = str(base / "key_lines")
    (base / "empty").write_bytes(b"")
    files["empty"] = str(base / "empty")
    yield files


@pytest.fixture(scope="module", autouse=True)
def _click_tree_built_once() -> Iterator[None]:
    """typer's CliRunner converts the whole command tree on every invoke (about 0.1 s, most of
    a case's time): the catalogue builds it once (the same tree `ion` runs)."""
    import typer.testing
    from typer.main import get_command

    tree = get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda _app: tree)
        yield


@pytest.fixture(scope="module", autouse=True)
def _no_retry_pauses() -> Iterator[None]:
    """Cases naming an unreachable node retry their reads (exit 4 all the same) after pauses of
    0.1 + 0.2 s: most of those cases' time, and no part of what the catalogue checks."""
    from ion_cli.chain import rpc

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rpc, "BACKOFF", 0.001)
        yield


def _fill(argv: list[str], files: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    env: dict[str, str] = {}
    out: list[str] = []
    for item in argv:
        for name, path in files.items():
            item = item.replace("{" + name + "}", path)
        if item.startswith("ION_CONFIG="):
            env["ION_CONFIG"] = item.split("=", 1)[1]
        else:
            out.append(item)
    return out, env


def _leaks_key(text: str) -> bool:
    lowered = text.lower()
    return any(KEY[i : i + 16] in lowered for i in range(0, len(KEY) - 15, 4))


def _state(devnet: DevnetHandle) -> tuple[int, int, bytes]:
    """The account's pending nonce, the block number, the deployment file. Both reads in one
    plain JSON-RPC batch: through web3 they were most of a case's time."""
    from ion_cli.devnet import node

    nonce, block = node.rpc_batch(
        devnet.rpc_url,
        [("eth_getTransactionCount", [devnet.dev, "pending"]), ("eth_blockNumber", [])],
    )
    deployment = (devnet.deployment_dir / "deployment.json").read_bytes()
    return int(nonce, 16), int(block, 16), deployment


def _check(
    devnet: DevnetHandle,
    files: dict[str, str],
    case: tuple[str, list[str], int, bytes | None],
) -> None:
    kind, raw_argv, code, config = case
    argv, env = _fill(raw_argv, files)
    before = _state(devnet)
    config_path = Path(os.environ["XDG_CONFIG_HOME"]) / "ion" / "config.toml"
    if config is not None:
        config_path.parent.mkdir(parents=True, exist_ok=True)
        config_path.write_bytes(config)
    started = time.monotonic()
    try:
        result = CliRunner().invoke(app, argv, env=env or None)
    finally:
        took = time.monotonic() - started
        if config is not None:
            after_config = config_path.read_bytes()
            config_path.unlink()
    out: Any = (kind, argv, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr, out
    assert CATCH_ALL not in result.stderr, out  # a masked internal error: each is a bug
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        argv,
        repr(result.exception),
    )
    assert result.exit_code == code, out
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    assert result.stdout == "", out
    assert not _leaks_key(result.stdout + result.stderr), out
    assert _state(devnet) == before, argv  # nothing sent, no block mined, deployment unchanged
    if config is not None:
        assert after_config == config  # never rewritten
    for name in ("dev_null", "dev_full"):
        assert Path(files[name]).is_char_device(), name  # never replaced by a regular file
    assert not any(Path(files["directory"]).glob(".*.tmp")), "a temporary file was left"
    assert took < CASE_BOUND_S, (argv, took)
    TALLY[f"{kind} -> exit {code}"] += 1
    SLOWEST.append((took, " ".join(argv)[:80]))
    SLOWEST.sort(reverse=True)
    del SLOWEST[5:]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(case=cases())
# Kept from local runs (issue 17): a help token drawn as an amount; digits that are not ASCII;
# the cases of the "Why".
@example(case=("amount", ["deposit", "weETH", "١", "--yes"], 2, None))
@example(case=("ascii_digits", ["risk", "--lrt", "weETH", "--what-if-slashed", "١"], 2, None))
@example(case=("url", ["markets", "--rpc-url", "http://"], 2, None))
@example(case=("url", ["markets", "--rpc-url", "http://[::1"], 2, None))
@example(case=("url", ["markets", "--rpc-url", "http://127.0.0.1:99999"], 2, None))
@example(case=("blank", ["position", ""], 2, None))
@example(case=("blank", ["liquidate", "weETH", "", "--yes"], 2, None))
@example(case=("file", ["validators", "show", "--from-file", "{key}"], 2, None))
@example(case=("file", ["account", "import", "k1", "--private-key-file", "{dev_zero}"], 2, None))
@example(case=("file", ["risk", "--lrt", "weETH", "--snapshot", "{fifo}"], 2, None))
@example(case=("config_path", ["ION_CONFIG={loop}", "borrow", "weETH", "1", "--yes"], 2, None))
@example(case=("out_of_range", OUT_OF_RANGE[0], 2, None))
@example(case=("out_of_range", OUT_OF_RANGE[3], 2, None))
@example(case=("out_of_range", OUT_OF_RANGE[6], 2, None))
@example(case=("output_file", ["leverage", "weETH", "--deposit", "1", "--to", "2x", "--yes",
                               "--plan-out", "{dev_full}"], 2, None))  # fmt: skip
@example(case=("default_network", ["borrow", "weETH", "1", "--yes"], 2, b'default_network = ""\n'))
def test_hostile_inputs_are_refused_before_anything_is_sent(
    devnet: DevnetHandle,
    hostile_files: dict[str, str],
    case: tuple[str, list[str], int, bytes | None],
) -> None:
    _check(devnet, hostile_files, case)


def test_catalogue_tally(devnet: DevnetHandle) -> None:
    """Runs after the catalogue (file order): it covered every category, 1,500+ cases."""
    if not TALLY:
        pytest.skip("run with the catalogue")
    print("\nbad-input catalogue:", dict(sorted(TALLY.items())), "total", sum(TALLY.values()))
    print("slowest cases (s):", [(round(t, 2), a) for t, a in SLOWEST])
    assert sum(TALLY.values()) >= min(1500, EXAMPLES)
    assert len(TALLY) == 21


def test_the_catalogue_covers_every_command() -> None:
    """Each leaf command of `ion` appears in some category of the catalogue."""
    from typer.main import get_command

    covered = {" ".join(a[:2]) for a, _ in READ_FILE_OPTIONS + NUMBER_OPTIONS + BLANK_SLOTS}
    covered |= {" ".join(a[:2]) for a, _ in URL_COMMANDS} | {" ".join(a[:2]) for a in OUT_OF_RANGE}
    covered |= {f"{w} weETH" for w in WRITES} | {"leverage weETH", "deleverage weETH", "tx status"}
    names: list[str] = []

    root = get_command(app)
    context = root.make_context("ion", [], resilient_parsing=True)

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "list_commands"):  # a group (the root one builds commands lazily)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name])
        else:
            names.append(" ".join(path))

    walk(root, [])
    assert len(names) > 30, names
    missing = [n for n in names if not any(c == n or c.startswith(n + " ") for c in covered)]
    assert not [m for m in missing if m not in UNCOVERED], missing


# Commands without a hostile-input surface of their own (no argument, or only the global
# options, which the categories above cover on other commands), and those of issue 17's
# receipts work (verify, submit: their files are checked by tests/cli/test_zk_cli.py).
UNCOVERED = {
    "devnet down", "devnet status", "account list", "plugins list", "plugins check",
    "tx list", "tx speedup", "verify", "submit",
    # (added by the restaking work in the same session: their own tests cover their input)
    "restaking", "devnet avs-slash", "devnet allocate",
    # the Safe work: tests/cli/test_safe_cli.py covers its bad owners, threshold and addresses
    "devnet safe",
}  # fmt: skip
