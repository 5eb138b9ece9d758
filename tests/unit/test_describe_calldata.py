"""The preview's account of a call comes from its calldata (issue 16): decoded against the
published interfaces, the target named from the network profile; text from a file or a node
loses its control characters."""

from __future__ import annotations

from ion_cli.abi.describe import clean, decode_calldata
from ion_cli.chain.common_calls import approval_call, transfer_call
from ion_cli.commands._observer import describe_call

TOKEN = "0x" + "11" * 20
HANDLER = "0x" + "22" * 20
ATTACKER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_a_transfer_labelled_as_an_approval_is_shown_as_the_transfer() -> None:
    real = transfer_call(TOKEN, ATTACKER, 5 * 10**18, "weETH")
    targets = {HANDLER.lower(): ("the weETH handler", "WeEthHandler")}
    # the description a hostile plan file would keep: what is shown is the calldata's
    shown = describe_call(TOKEN, real.data, targets)
    assert "transfer(" in shown and ATTACKER in shown and "5000000000000000000" in shown
    assert "approve" not in shown


def test_the_target_and_the_addresses_are_named_from_the_profile() -> None:
    call = approval_call(TOKEN, HANDLER, 10**18, "weETH")
    shown = describe_call(TOKEN, call.data, {HANDLER.lower(): ("the weETH handler", "X")})
    assert shown.startswith(TOKEN) and "approve(" in shown
    assert f"{HANDLER} (the weETH handler)".lower() in shown.lower()


def test_unknown_selectors_and_trailing_bytes_are_not_decoded() -> None:
    call = approval_call(TOKEN, HANDLER, 10**18, "weETH")
    assert decode_calldata(call.data) is not None
    assert decode_calldata(call.data + b"\x00") is None
    assert decode_calldata(b"\xde\xad\xbe\xef" + bytes(32)) is None
    assert "unknown call 0xdeadbeef" in describe_call(TOKEN, b"\xde\xad\xbe\xef", {})


def test_control_characters_are_stripped() -> None:
    hostile = "approve\x1b[2J\x1b]0;owned\x07 the\rhandler\u202e\x9b31m"
    cleaned = clean(hostile)
    assert all(ch.isprintable() for ch in cleaned.replace("\n", ""))
    assert clean("two\nlines") == "two\nlines"
    assert "\x1b" not in cleaned and "\r" not in cleaned and "\u202e" not in cleaned
    assert "approve" in cleaned and "handler" in cleaned
