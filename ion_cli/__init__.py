"""ion: the terminal for Ion Protocol (LRT lending, leverage, validator state, zkML risk proofs)."""

__version__ = "0.1.0"
