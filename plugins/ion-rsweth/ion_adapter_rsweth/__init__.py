"""ion adapter for Swell's rswETH (entry point `ion.adapters: rsweth`)."""

from ion_adapter_rsweth.adapter import RswEthAdapter

adapter = RswEthAdapter()

__all__ = ["RswEthAdapter", "adapter"]
