"""ion adapter for Kelp's rsETH (entry point `ion.adapters: rseth`)."""

from ion_adapter_rseth.adapter import RsEthAdapter

adapter = RsEthAdapter()

__all__ = ["RsEthAdapter", "adapter"]
