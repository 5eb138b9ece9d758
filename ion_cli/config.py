"""The user's config file (TOML, in the XDG config dir): default network, named network
profiles, and the safety margin. Read with the standard library only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ion_cli.errors import UsageError
from ion_cli.paths import config_file

DEFAULT_SAFETY_MARGIN = Decimal("0.05")
KNOWN_KEYS = frozenset({"default_network", "networks", "safety"})
CONFIG_LIMIT = 1024 * 1024  # bytes: a config file is a few hundred


@dataclass(frozen=True)
class Config:
    default_network: str = "devnet"
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A borrow or withdrawal that leaves liquidation health below 1 + margin is refused
    # unless --force: the reserve rate can fall by up to MAX_CHANGE per oracle update.
    safety_margin: Decimal = DEFAULT_SAFETY_MARGIN


def _absent(path: Path) -> bool:
    """True when there is no config file at all (the defaults apply). A path named by
    ION_CONFIG that is missing, a dangling symlink or a symlink loop is an error: silently
    using the defaults would send to the devnet (or worse) instead of the configured network."""
    import os

    try:
        os.lstat(path)
    except FileNotFoundError:
        if os.environ.get("ION_CONFIG"):
            raise UsageError(
                f"cannot read the config file {path} (ION_CONFIG): no such file"
            ) from None
        return True
    except OSError as exc:
        raise UsageError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    try:
        os.stat(path)
    except OSError as exc:
        reason = "a dangling symlink" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise UsageError(f"cannot read the config file {path}: {reason or exc}") from None
    return False


def load_config(warn: Callable[[str], None] | None = None) -> Config:
    """Read the config file once (at the edge: the CLI's commands, `ion_cli.api.Ion`); the
    result is passed down. `warn` receives warnings (default: stderr)."""
    path = config_file()
    if _absent(path):
        return Config()
    import tomllib  # only with a config file (start-up cost)

    from ion_cli.atomic import CorruptFileError, check_nesting, read_text_bounded

    text = read_text_bounded(path, "config file", limit=CONFIG_LIMIT)
    check_nesting(path, text, "config file")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"cannot read the config file {path}: {exc}") from None
    except RecursionError:
        raise CorruptFileError(path, "the config file nests too deeply") from None
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:  # a typo ("default-network") must not silently fall back to the devnet
        message = f"{path}: unknown setting(s) ignored: {', '.join(unknown)}"
        if warn is None:
            from ion_cli.output import Output

            Output().warn(message)
        else:
            warn(message)
    networks = raw.get("networks", {})
    if not isinstance(networks, dict):
        raise UsageError(f"{path}: [networks] must be a table of profiles")
    safety = raw.get("safety", {})
    if not isinstance(safety, dict):
        raise UsageError(f"{path}: [safety] must be a table, e.g. [safety] margin = 0.05")
    default_network = raw.get("default_network", "devnet")
    if not isinstance(default_network, str) or not default_network.strip():
        # an empty name must not silently mean the devnet
        raise UsageError(f'{path}: default_network must be a network name such as "devnet"')
    value = safety.get("margin", DEFAULT_SAFETY_MARGIN)
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise InvalidOperation
        margin = Decimal(str(value))
    except InvalidOperation:
        raise UsageError(f"{path}: safety.margin must be a number such as 0.05") from None
    if not margin.is_finite():
        raise UsageError(f"{path}: safety.margin must be a finite number such as 0.05")
    if margin < 0 or margin >= 1:
        raise UsageError(f"{path}: safety.margin must be in [0, 1)")
    return Config(
        default_network=default_network,
        networks=networks,
        safety_margin=margin,
    )
