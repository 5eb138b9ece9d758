"""ion adapter for ether.fi's weETH (entry point `ion.adapters: weeth`)."""

from ion_adapter_weeth.adapter import WeEthAdapter

adapter = WeEthAdapter()

__all__ = ["WeEthAdapter", "adapter"]
