"""ion adapter for Renzo's ezETH (entry point `ion.adapters: ezeth`)."""

from ion_adapter_ezeth.adapter import EzEthAdapter

adapter = EzEthAdapter()

__all__ = ["EzEthAdapter", "adapter"]
