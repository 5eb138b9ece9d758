"""Moved to ion_cli.chain.market_state (reading a market is I/O, not a use case). This name
stays only until the flows of other streams (leverage, watch, risk) import it from there."""

from ion_cli.chain.market_state import MarketState, read_market, read_markets

__all__ = ["MarketState", "read_market", "read_markets"]
