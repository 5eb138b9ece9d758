"""Keys in the OS keyring (service "ion-cli", username = account name, value = 0x-hex key).

"Works" is decided per operation: a fail backend, or any error while storing (NoKeyringError,
EOFError from a backend that wants a terminal, KeyringError, RuntimeError from D-Bus, ...), makes
`save` raise KeyringUnavailable so the caller falls back to a keystore file.

The file backends of keyrings.alt are not an OS keyring: the encrypted one asks for its own
password (a second password for the same job a keystore does) and the plaintext one stores keys
in clear. They are used only when chosen explicitly, through PYTHON_KEYRING_BACKEND or keyring's
own config file (as the tests do).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ion_cli.errors import IonError

SERVICE = "ion-cli"


class KeyringUnavailable(Exception):
    """No usable keyring; `reason` is one line for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _explicitly_chosen() -> bool:
    """PYTHON_KEYRING_BACKEND (read by the keyring library itself) or keyring's config file."""
    from keyring import core

    try:
        if core.load_env() is not None:
            return True
    except Exception:  # a broken PYTHON_KEYRING_BACKEND: get_keyring reports it
        return False
    from keyring.util import platform_

    config: Path = Path(platform_.config_root()) / "keyringrc.cfg"
    return config.exists()


def _is_file_fallback(backend: Any) -> bool:
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        # The chainer tries its highest-priority backend first: that one decides.
        return not chained or _is_file_fallback(chained[0])
    module: str = type(backend).__module__
    return module.startswith("keyrings.alt")


def backend() -> Any:
    """The keyring backend to use, or KeyringUnavailable."""
    try:
        import keyring
        from keyring.backends import fail

        chosen = keyring.get_keyring()
    except Exception as exc:  # a broken PYTHON_KEYRING_BACKEND, a missing D-Bus, ...
        raise KeyringUnavailable(_describe(exc)) from None
    if isinstance(chosen, fail.Keyring):
        raise KeyringUnavailable("no OS keyring backend")
    if _is_file_fallback(chosen) and not _explicitly_chosen():
        raise KeyringUnavailable("only keyrings.alt file backends, which are not an OS keyring")
    return chosen


def save(name: str, private_key: str) -> None:
    """Store the key, read it back to be sure the backend kept it; else KeyringUnavailable."""
    chosen = backend()
    try:
        existing = chosen.get_password(SERVICE, name)
    except Exception as exc:
        raise KeyringUnavailable(_describe(exc)) from None
    if existing is not None:
        # Overwriting could destroy a key ion no longer lists; let the user decide.
        raise IonError(
            f"the OS keyring already holds a key under {SERVICE}/{name} that ion does not list; "
            "remove it with your keyring tool or pick another name"
        )
    try:
        chosen.set_password(SERVICE, name, private_key)
        kept = chosen.get_password(SERVICE, name)
    except Exception as exc:
        raise KeyringUnavailable(_describe(exc)) from None
    if kept != private_key:
        raise KeyringUnavailable("the keyring did not keep the key")


def load(name: str) -> str:
    try:
        chosen = backend()
        key = chosen.get_password(SERVICE, name)
    except KeyringUnavailable as exc:
        raise IonError(f"cannot read account {name} from the OS keyring: {exc.reason}") from None
    except Exception as exc:
        raise IonError(
            f"cannot read account {name} from the OS keyring: {_describe(exc)}"
        ) from None
    if not isinstance(key, str) or not key:
        raise IonError(
            f"the OS keyring has no key for account {name} ({SERVICE}/{name}); "
            "was it removed outside ion?"
        )
    return key


def delete(name: str) -> str | None:
    """Delete the entry; returns None when done, else why it could not be (the caller warns)."""
    try:
        from keyring.errors import PasswordDeleteError

        chosen = backend()
        try:
            chosen.delete_password(SERVICE, name)
        except PasswordDeleteError:
            return None  # already gone: the goal is reached
    except KeyringUnavailable as exc:
        return exc.reason
    except Exception as exc:
        return _describe(exc)
    return None
