"""What the accounts layer needs from outside itself, handed in by the edge (the CLI's commands,
`ion_cli.api.Ion`): the environment it may consult and the terminal's hidden prompt.

Nothing under `ion_cli.accounts` reads `os.environ` or talks to a terminal: the edge passes
`Sources(environ=os.environ, ask_hidden=<its prompt>)`. `environ` is read when a value is needed
(a password is looked up when a key is unlocked, not when the account is named), so a live
mapping stays live. The default `Sources()` has no environment and no terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD_ENV = "ION_PASSWORD"
PASSWORD_FILE_ENV = "ION_PASSWORD_FILE"
KEYSTORE_ONLY_ENV = "ION_KEYSTORE_ONLY"
SCRYPT_N_ENV = "ION_SCRYPT_N"

# (prompt text, ask twice?) -> the answer, typed without echo
AskHidden = Callable[[str, bool], str]


@dataclass(frozen=True)
class Sources:
    environ: Mapping[str, str] = field(default_factory=dict)
    ask_hidden: AskHidden | None = None  # None: no terminal to prompt on

    def password(self) -> str | None:
        return self.environ.get(PASSWORD_ENV) or None

    def password_file(self) -> Path | None:
        value = self.environ.get(PASSWORD_FILE_ENV)
        return Path(value) if value else None

    def keystore_only(self) -> bool:
        return self.environ.get(KEYSTORE_ONLY_ENV, "").strip().lower() in {"1", "true", "yes", "on"}

    def scrypt_n(self) -> str | None:
        """The raw ION_SCRYPT_N (a test-only setting; `keystore.scrypt_n` validates it)."""
        return self.environ.get(SCRYPT_N_ENV) or None


NO_SOURCES = Sources()
