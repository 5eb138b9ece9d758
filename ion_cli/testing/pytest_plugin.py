"""pytest plugin entry point: re-exports the fixtures of the devnet and the conformance kit."""

from __future__ import annotations

import contextlib

# Each part is optional while the project grows: a missing module must not break pytest itself.
with contextlib.suppress(ImportError):
    from ion_cli.testing.devnet import *  # noqa: F403
with contextlib.suppress(ImportError):
    from ion_cli.testing.conformance import *  # noqa: F403
