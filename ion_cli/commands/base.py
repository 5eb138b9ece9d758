"""The wrapper every command goes through: the options accepted on every command, and the
promise that a failure is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ion_cli.commands._numbers import ascii_float, ascii_int
from ion_cli.errors import ExitCode, IonError
from ion_cli.output import Output, error_line

if TYPE_CHECKING:
    from ion_cli.api import Ion
    from ion_cli.api._core import Session
    from ion_cli.chain.observer import Observer

F = TypeVar("F", bound=Callable[..., Any])

MAX_TIMEOUT = 86_400.0  # seconds: a day; nan, inf and 1e999 are refused
# Blocks to wait after inclusion: mainnet finalizes in about 64; 99999999999999999999 waited
# until killed.
MAX_CONFIRMATIONS = 1_000


@dataclass
class GlobalOptions:
    """Options that every command accepts after its name."""

    network: str | None = None
    rpc_url: str | None = None
    account: str | None = None
    json: bool = False
    yes: bool = False
    dry_run: bool = False
    output: Output = field(default_factory=Output)
    # the options of commands that sign (`command(..., signing=True)`)
    password_file: Path | None = None
    confirmations: int = 1
    timeout: float = 120.0
    # the multisig options of the write commands (`command(..., batch=True)`)
    unsigned: Path | None = None
    safe: str | None = None
    _api: Ion | None = field(default=None, repr=False)

    def session(self) -> Session:
        """The command's session (the API's: the config read once, when the API is opened)."""
        return self.api().session

    def observer(self) -> Observer:
        """Who watches this command's writes: the terminal (a journal joins here, through
        `ion_cli.chain.observer.combine`)."""
        from ion_cli.commands._observer import TerminalObserver

        return TerminalObserver(self.output, lambda: self.api().target_names())

    def api(self) -> Ion:
        """The Python API for this command, opened once from its options (the config file read
        here, once), rendering on the terminal: previews, prompts and warnings on stderr."""
        if self._api is None:
            from ion_cli.api import Ion
            from ion_cli.commands._observer import terminal_confirm
            from ion_cli.commands._prompts import terminal_sources
            from ion_cli.config import load_config

            self._api = Ion.open(
                network=self.network,
                rpc_url=self.rpc_url,
                account=self.account,
                password_file=self.password_file,
                config=load_config(warn=self.output.warn),
                account_sources=terminal_sources(),
                confirm=terminal_confirm,
                observer=self.observer(),
                confirmations=self.confirmations,
                timeout=self.timeout,
                yes=self.yes,
                dry_run=self.dry_run,
            )
        return self._api


_COMMON = [
    inspect.Parameter(
        "network",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Option(
                "--network",
                envvar="ION_NETWORK",
                help="Network profile (devnet, mainnet, or one from the config file).",
                rich_help_panel="Global options",
            ),
        ],
    ),
    inspect.Parameter(
        "rpc_url",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Option(
                "--rpc-url",
                envvar="ETH_RPC_URL",
                help="JSON-RPC URL (overrides the profile's).",
                rich_help_panel="Global options",
            ),
        ],
    ),
    inspect.Parameter(
        "account",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Option(
                "--account",
                envvar="ION_ACCOUNT",
                help="Account name (see `ion account list`).",
                rich_help_panel="Global options",
                autocompletion=lambda: _complete_accounts(),
            ),
        ],
    ),
    inspect.Parameter(
        "json_output",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool,
            typer.Option(
                "--json",
                help="Print one JSON document on stdout.",
                rich_help_panel="Global options",
            ),
        ],
    ),
    inspect.Parameter(
        "yes",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool,
            typer.Option(
                "--yes", "-y", help="Do not ask for confirmation.", rich_help_panel="Global options"
            ),
        ],
    ),
    inspect.Parameter(
        "dry_run",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool,
            typer.Option(
                "--dry-run",
                help="Simulate and preview, send nothing.",
                rich_help_panel="Global options",
            ),
        ],
    ),
    inspect.Parameter(
        "timeout",
        inspect.Parameter.KEYWORD_ONLY,
        default=120.0,
        annotation=Annotated[
            float,
            typer.Option(
                "--timeout",
                parser=ascii_float(1, MAX_TIMEOUT),
                help="Seconds to wait for each receipt; the deadline of each network read.",
                rich_help_panel="Global options",
            ),
        ],
    ),
]
_COMMON_NAMES = [p.name for p in _COMMON]


# Options of the commands that sign and send transactions.
_SIGNING = [
    inspect.Parameter(
        "password_file",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            Path | None,
            typer.Option(
                "--password-file",
                envvar="ION_PASSWORD_FILE",
                help="File holding the keystore password.",
                rich_help_panel="Sending",
            ),
        ],
    ),
    inspect.Parameter(
        "confirmations",
        inspect.Parameter.KEYWORD_ONLY,
        default=1,
        annotation=Annotated[
            int,
            typer.Option(
                "--confirmations",
                parser=ascii_int(0, MAX_CONFIRMATIONS),
                help="Blocks to wait for after inclusion.",
                rich_help_panel="Sending",
            ),
        ],
    ),
]
_SIGNING_NAMES = [p.name for p in _SIGNING]

# Options of the writes that can be planned for a Safe multisig instead of signed.
_BATCH = [
    inspect.Parameter(
        "unsigned",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            Path | None,
            typer.Option(
                "--unsigned",
                help=(
                    "Sign nothing: write the plan to FILE as a Safe Transaction Builder batch "
                    "(executed atomically through MultiSendCallOnly)."
                ),
                metavar="FILE",
                rich_help_panel="Multisig",
            ),
        ],
    ),
    inspect.Parameter(
        "safe",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Option(
                "--safe",
                help="The Safe that owns the vault: plan and simulate from its address.",
                metavar="ADDRESS",
                rich_help_panel="Multisig",
            ),
        ],
    ),
]
_BATCH_NAMES = [p.name for p in _BATCH]


def _bad_batch(batch: dict[str, Any]) -> str | None:
    """--safe only with --unsigned; both non-empty; --safe an address (checked on the chain
    later: a contract, a Safe)."""
    unsigned, safe = batch.get("unsigned"), batch.get("safe")
    if unsigned is not None and not str(unsigned).strip():
        return "--unsigned is empty: give the batch file to write"
    if safe is None:
        return None
    if unsigned is None:
        return "--safe needs --unsigned FILE (a Safe's owners sign the batch, not this account)"
    from ion_cli.addresses import is_address

    if not is_address(str(safe).strip()):
        return f"--safe: {safe!r} is not an address (0x and 40 hex digits)"
    return None


def _complete_accounts() -> list[str]:
    from ion_cli.completion_data import account_names

    return account_names()


def _bad_option(common: dict[str, Any], sending: dict[str, Any]) -> str | None:
    """Values typer lets through but that must not silently mean "the default": an empty
    --account, --rpc-url or --network would fall back to the devnet's and send there."""
    import math

    for name, flag in (
        ("network", "--network"),
        ("rpc_url", "--rpc-url"),
        ("account", "--account"),
    ):
        value = common.get(name)
        if value is not None and not str(value).strip():
            return f"{flag} is empty: give a value or leave the option out"
    rpc_url = common.get("rpc_url")
    if rpc_url is not None:
        from ion_cli.errors import UsageError
        from ion_cli.inputs import check_url

        try:
            check_url(rpc_url, "--rpc-url")
        except UsageError as exc:
            return exc.message
    timeout = common.get("timeout")
    if timeout is not None and not (math.isfinite(timeout) and 1 <= timeout <= MAX_TIMEOUT):
        return f"--timeout must be a number of seconds from 1 to {MAX_TIMEOUT:g}, not {timeout}"
    password_file = sending.get("password_file")
    if password_file is not None and not str(password_file).strip():
        return "--password-file is empty: give a file or leave the option out"
    if password_file is not None:
        # checked even where no password is needed (the devnet account): a device, FIFO or
        # directory given by mistake is said now, not when a keystore account first needs it
        from ion_cli.accounts.passwords import read_password_file
        from ion_cli.errors import UsageError

        try:
            read_password_file(Path(password_file))
        except UsageError as exc:
            return exc.message
    return None


def _label(parameter: inspect.Parameter) -> str:
    """How the user names a parameter: its first flag (--address), or its metavar (MARKET)."""
    for meta in getattr(parameter.annotation, "__metadata__", ()):
        if isinstance(meta, typer.models.OptionInfo):
            # typer keeps the first flag as the info's default when no default is given
            decls = [d for d in (meta.default, *(meta.param_decls or ())) if isinstance(d, str)]
            flags = [d for d in decls if d.startswith("--")]
            return flags[0] if flags else "--" + parameter.name.replace("_", "-")
    return parameter.name.upper()


def _blank_argument(values: dict[str, Any], labels: dict[str, str]) -> str | None:
    """An empty or blank market, vault, address, account, file or amount never means "the
    default" (`ion liquidate weETH ''` targeted the caller's own vault): refused, exit 2."""
    for name, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, str) and not item.strip():
                return f"{labels.get(name, name)} is empty: give a value or leave it out"
            if isinstance(item, str | Path) and "\x00" in str(item):
                # (no real command line holds one; the Python API and tests can)
                return f"{labels.get(name, name)} holds a NUL byte"
    return None


def run_guarded(func: Callable[[], Any]) -> Any:
    """Run a command body; turn every failure into one line on stderr and an exit code."""
    try:
        return func()
    except IonError as exc:
        error_line(exc.message)
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except KeyboardInterrupt:
        error_line("interrupted")
        raise typer.Exit(130) from None
    except OSError as exc:
        import errno

        if exc.errno != errno.ENAMETOOLONG or os.environ.get("ION_DEBUG"):
            return _unexpected(exc)
        name = str(exc.filename or "")
        shown = name if len(name) <= 60 else name[:60] + "..."
        error_line(f"{shown}: file name too long")
        raise typer.Exit(ExitCode.USAGE) from None
    except Exception as exc:  # a bug or an unforeseen library error: still one line
        return _unexpected(exc)


def _unexpected(exc: Exception) -> Any:
    if os.environ.get("ION_DEBUG"):
        raise exc
    error_line(f"{type(exc).__name__}: {exc} (set ION_DEBUG=1 for details)")
    raise typer.Exit(ExitCode.FAILURE) from None


def command(
    app: typer.Typer,
    name: str | None = None,
    *,
    signing: bool = False,
    batch: bool = False,
    **kwargs: Any,
) -> Callable[[F], F]:
    """Register `fn` on `app` with the global options appended (and, for commands that sign,
    --password-file, --confirmations and --timeout; for writes a Safe can make, `batch`,
    --unsigned and --safe); `fn` receives them all as `opts`."""

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "opts"]
        extra = _COMMON + (_SIGNING if signing else []) + (_BATCH if batch else [])

        labels = {p.name: _label(p) for p in own}

        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            common = {n: kw.pop(n) for n in _COMMON_NAMES}
            sending = {n: kw.pop(n) for n in _SIGNING_NAMES} if signing else {}
            multisig = {n: kw.pop(n) for n in _BATCH_NAMES} if batch else {}
            bad = (
                _bad_option(common, sending) or _bad_batch(multisig) or _blank_argument(kw, labels)
            )
            if bad:
                error_line(bad)
                raise typer.Exit(ExitCode.USAGE)
            opts = GlobalOptions(
                network=common["network"],
                rpc_url=common["rpc_url"],
                account=common["account"],
                json=common["json_output"],
                yes=common["yes"],
                dry_run=common["dry_run"],
                timeout=common["timeout"],
                output=Output(json_mode=common["json_output"]),
                **sending,
                **multisig,
            )
            from ion_cli import netdeadline

            netdeadline.set_deadline(opts.timeout)
            return run_guarded(lambda: fn(*args, opts=opts, **kw))

        wrapper.__signature__ = signature.replace(parameters=own + extra)  # type: ignore[attr-defined]
        app.command(name, **kwargs)(wrapper)
        return fn

    return decorate
