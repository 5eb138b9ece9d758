"""ABIs from the published interfaces (pure: no web3, no I/O beyond package data).

- `ion_cli.abi.signature`: the one signature parser and canonical-type helper;
- `ion_cli.abi.published`: one data file of published signatures per contract and venue;
- `ion_cli.abi.codec`: the one calldata encoder and return-data decoder.
"""

from __future__ import annotations

from ion_cli.abi.published import (
    Interface,
    NotPublished,
    UnknownInterface,
    abi,
    all_errors,
    all_interfaces,
    interface,
    names,
)
from ion_cli.abi.signature import (
    AbiEntry,
    AbiParam,
    SignatureError,
    canonical_type,
    event_topic,
    parse_signature,
    selector,
    signature_text,
)

__all__ = [
    "AbiEntry",
    "AbiParam",
    "Interface",
    "NotPublished",
    "SignatureError",
    "UnknownInterface",
    "abi",
    "all_errors",
    "all_interfaces",
    "canonical_type",
    "event_topic",
    "interface",
    "names",
    "parse_signature",
    "selector",
    "signature_text",
]
