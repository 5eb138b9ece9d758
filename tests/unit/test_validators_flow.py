"""Where `ion validators` finds its beacon nodes and its ids (no network)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ion_cli.beacon.errors import BadValidatorId
from ion_cli.errors import DevnetNotRunning, UsageError
from ion_cli.flows import validators as flow


def opts(*urls: str, network: str | None = None) -> flow.BeaconOptions:
    return flow.BeaconOptions(urls=list(urls), network=network)


def test_flags_then_environment_then_profile_then_devnet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_DEVNET_DIR", str(tmp_path / "devnet"))
    monkeypatch.setenv("ION_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("")  # a missing ION_CONFIG is an error (issue 17)
    monkeypatch.delenv("ION_BEACON_URL", raising=False)
    with pytest.raises(DevnetNotRunning):
        flow.resolve_urls(opts())
    (tmp_path / "devnet").mkdir()
    (tmp_path / "devnet" / "deployment.json").write_text(json.dumps({"beacon_url": "http://d:1"}))
    assert flow.resolve_urls(opts()) == (["http://d:1"], True)
    (tmp_path / "config.toml").write_text(
        '[networks.mine]\nbase = "mainnet"\nbeacon_urls = ["http://p:1", "http://p:2"]\n'
    )
    assert flow.resolve_urls(opts(network="mine")) == (["http://p:1", "http://p:2"], False)
    with pytest.raises(UsageError):
        flow.resolve_urls(opts(network="mainnet"))
    monkeypatch.setenv("ION_BEACON_URL", "http://e:1, http://e:2")
    assert flow.resolve_urls(opts(network="mine")) == (["http://e:1", "http://e:2"], False)
    assert flow.resolve_urls(opts("http://f:1,http://f:2", "http://f:3"))[0] == [
        "http://f:1",
        "http://f:2",
        "http://f:3",
    ]


def test_ids_from_arguments_stdin_and_files(tmp_path: Path) -> None:
    key = "0x" + "Ab" * 48
    listed = tmp_path / "ids.txt"
    listed.write_text("# validators\n10, 11\n12 # twelve\n\n")
    ids = flow.collect_ids(["1", "-", "1"], listed, stdin=io.StringIO(f"2\n{key}\n"))
    assert ids == ["1", "2", key.lower(), "10", "11", "12"]
    with pytest.raises(UsageError):
        flow.collect_ids([], None)
    with pytest.raises(BadValidatorId):
        flow.collect_ids(["12a"], None)
    with pytest.raises(UsageError):
        flow.collect_ids([], tmp_path / "missing.txt")


def test_credentials_file_takes_credentials_and_addresses(tmp_path: Path) -> None:
    address = "0x" + "12" * 20
    cred = "0x02" + "00" * 11 + "34" * 20
    path = tmp_path / "creds.txt"
    path.write_text(f"{address}\n{cred.upper().replace('0X', '0x')}\n")
    assert flow.read_credentials(path) == [
        "0x01" + "00" * 11 + "12" * 20,
        "0x02" + "00" * 11 + "12" * 20,
        cred,
    ]
    path.write_text("0x1234\n")
    with pytest.raises(UsageError):
        flow.read_credentials(path)


def test_an_incomplete_set_is_reported_incomplete_never_as_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beacon_fake import FakeBeacon, cred, item, transport

    from ion_cli.beacon.client import BeaconClient

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    api = FakeBeacon([item(i, cred(i % 3)) for i in range(30)])
    monkeypatch.setattr(
        flow, "open_client", lambda o: BeaconClient(["http://a:1"], transport=transport(api))
    )
    partial = flow.TokenValidators("X", (cred(1),), (), (), "logs, half read", complete=False)
    monkeypatch.setattr(flow, "token_validators", lambda *a, **k: partial)
    warnings: list[str] = []
    doc = flow.summary("X", "finalized", flow.BeaconOptions(warn=warnings.append))
    assert doc["complete"] is False and doc["count"] == 10
    assert any("incomplete" in n for n in doc["notes"]) and warnings
    nothing = flow.TokenValidators("X", (), (), (), "registry unknown", complete=False)
    monkeypatch.setattr(flow, "token_validators", lambda *a, **k: nothing)
    with pytest.raises(UsageError, match="cannot enumerate"):
        flow.summary("X", "finalized", flow.BeaconOptions())


def test_no_validator_for_named_credentials_is_an_error_and_fewer_than_the_registry_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node that rewrote every credential: the adapter's credentials match nothing. That is
    an error (exit 4) naming the node, never "0 validators"; fewer than the registry says is
    `complete: false` with a note naming the node."""
    from beacon_fake import FakeBeacon, cred, item, transport

    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.errors import ValidatorSetShort

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lying = FakeBeacon([item(i, cred(99)) for i in range(30)])
    monkeypatch.setattr(
        flow, "open_client", lambda o: BeaconClient(["http://a:1"], transport=transport(lying))
    )
    token = flow.TokenValidators("X", (cred(1),), (), (), "registry", complete=True, expected=10)
    monkeypatch.setattr(flow, "token_validators", lambda *a, **k: token)
    with pytest.raises(ValidatorSetShort, match="returned no validator") as raised:
        flow.summary("X", "finalized", flow.BeaconOptions())
    assert raised.value.exit_code == 4 and "a:1" in raised.value.message

    honest = FakeBeacon([item(i, cred(i % 3)) for i in range(30)])  # 10 pay to cred(1)
    monkeypatch.setattr(
        flow, "open_client", lambda o: BeaconClient(["http://a:1"], transport=transport(honest))
    )
    doc = flow.summary("X", "finalized", flow.BeaconOptions(), rescan=True)
    assert doc["complete"] is True and doc["count"] == 10 and doc["cross_checked"] is False
    more = flow.TokenValidators("X", (cred(1),), (), (), "registry", complete=True, expected=12)
    monkeypatch.setattr(flow, "token_validators", lambda *a, **k: more)
    warnings: list[str] = []
    doc = flow.summary("X", "finalized", flow.BeaconOptions(warn=warnings.append), rescan=True)
    assert doc["complete"] is False and doc["count"] == 10
    assert any("10 of the 12" in n and "a:1" in n for n in doc["notes"]) and warnings


def test_the_devnet_registry_says_how_many_validators() -> None:
    from ion_cli.adapters import AdapterContext, devnet_validators

    deployment = {
        "tokens": {
            "X": {
                "withdrawal_credentials": ["0x01" + "00" * 31, "0x02" + "00" * 31],
                "validators_per_credential": 800,
            }
        }
    }
    ctx = AdapterContext(chain_id=31337, network="devnet", deployment=deployment)
    assert devnet_validators(ctx, "X").expected_count == 1600
