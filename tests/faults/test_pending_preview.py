"""A preview (--dry-run) made while a transaction of the account is pending lists it (hash,
nonce, what it does from the journal) and one ion did not send; a real write waits for them."""

from __future__ import annotations

from faultkit import Chain, ion, journal


def test_dry_run_lists_the_pending_borrow(chain: Chain) -> None:
    assert ion("deposit", "weETH", "4", "--yes").returncode == 0
    quiet = ion("borrow", "weETH", "1.5", "--dry-run")
    assert quiet.returncode == 0 and "pending:" not in quiet.stderr  # nothing pending
    chain.automine(False)
    stalled = ion("borrow", "weETH", "1", "--yes", "--timeout", "1")
    assert stalled.returncode == 1, stalled.stderr
    entry = next(e for e in journal().entries().values() if e.state == "sent")
    preview = ion("borrow", "weETH", "1.5", "--dry-run")
    assert preview.returncode == 0, preview.stderr
    flat = " ".join(preview.stderr.split())
    assert f"pending: {entry.hash} nonce {entry.nonce}: Borrow 1" in flat
    assert "not counted" in flat
    assert chain.txpool() == 1  # the preview sent nothing
    # a transaction ion did not send is counted too
    chain.rpc(
        "eth_sendTransaction", {"from": chain.me, "to": chain.me, "value": "0x0", "gas": "0x5208"}
    )
    preview = ion("borrow", "weETH", "1.5", "--dry-run")
    flat = " ".join(preview.stderr.split())
    assert "pending: 1 transaction(s)" in flat and "ion did not send" in flat
