"""Use cases (lend, borrow, markets, positions): compose the chain, accounts and pure layers."""
