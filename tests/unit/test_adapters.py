"""Adapter API v1: signatures, calldata, contexts, helpers (pure, no chain)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode

from ion_cli import adapters as a

DEPLOYMENT: dict[str, Any] = {
    "chain_id": 31337,
    "tokens": {
        "weETH": {
            "address": "0x" + "11" * 20,
            "contracts": {"eeth": "0x" + "22" * 20},
            "withdrawal_credentials": ["0x01" + "00" * 11 + "33" * 20],
        }
    },
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("getRate()(uint256)", a.Signature("getRate", (), ("uint256",))),
        ("deposit()", a.Signature("deposit", (), ())),
        (
            "calculateTVLs()(uint256[][],uint256[],uint256)",
            a.Signature("calculateTVLs", (), ("uint256[][]", "uint256[]", "uint256")),
        ),
        (
            "f((uint256,address)[], string) ((bool,bytes32))",
            a.Signature("f", ("(uint256,address)[]", "string"), ("(bool,bytes32)",)),
        ),
    ],
)
def test_parse_signature(text: str, expected: a.Signature) -> None:
    assert a.parse_signature(text) == expected


@pytest.mark.parametrize("bad", ["", "noparens", "(uint256)", "f(uint256", "f()uint256"])
def test_parse_signature_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        a.parse_signature(bad)


def test_encode_call_matches_known_selectors() -> None:
    # Selectors computed independently (cast sig): getRate() and approve(address,uint256).
    assert a.encode_call("getRate()(uint256)") == bytes.fromhex("679aefce")
    spender = "0x" + "ab" * 20
    data = a.encode_call("approve(address,uint256)", [spender, 5])
    assert data[:4] == bytes.fromhex("095ea7b3")
    assert data[4:] == encode(["address", "uint256"], [spender, 5])


def test_encode_call_checks_arity() -> None:
    with pytest.raises(ValueError, match="takes 1 arguments"):
        a.encode_call("wrap(uint256)", [])


def test_decode_result_single_many_none() -> None:
    assert a.decode_result("getRate()(uint256)", encode(["uint256"], [7])) == 7
    data = encode(["uint256[][]", "uint256[]", "uint256"], [[], [1], 9])
    assert a.decode_result("calculateTVLs()(uint256[][],uint256[],uint256)", data) == ((), (1,), 9)
    assert a.decode_result("deposit()", b"") is None


def test_chain_call_from_round_trips() -> None:
    seen: list[tuple[str, bytes]] = []

    def eth_call(to: str, data: bytes) -> bytes:
        seen.append((to, data))
        return encode(["uint256"], [42])

    call = a.chain_call_from(eth_call)
    assert call("0xabc", "balanceOf(address)(uint256)", ["0x" + "00" * 20]) == 42
    assert seen[0][1][:4] == bytes.fromhex("70a08231")


def test_offline_context_refuses_chain_reads() -> None:
    ctx = a.AdapterContext.offline()
    assert ctx.chain_id == a.MAINNET_CHAIN_ID and ctx.deployment is None
    with pytest.raises(a.AdapterError, match="no chain connection"):
        ctx.call("0x" + "00" * 20, "getRate()(uint256)")


def test_devnet_helpers_read_the_deployment() -> None:
    ctx = a.AdapterContext(chain_id=31337, network="devnet", deployment=DEPLOYMENT)
    addrs = a.devnet_addresses(ctx, "weETH")
    assert addrs.require_token() == "0x" + "11" * 20
    assert addrs.contract("eeth") == "0x" + "22" * 20
    with pytest.raises(a.AdapterError, match="liquidity_pool"):
        addrs.contract("liquidity_pool", "weETH")
    source = a.devnet_validators(ctx, "weETH")
    assert source.withdrawal_credentials == tuple(
        DEPLOYMENT["tokens"]["weETH"]["withdrawal_credentials"]
    )
    assert source.complete
    with pytest.raises(a.AdapterError, match=r"tokens\.rsETH"):
        a.deployment_token(ctx, "rsETH")
    with pytest.raises(a.AdapterError, match="no devnet deployment"):
        a.deployment_token(a.AdapterContext.offline(), "weETH")


def test_require_mainnet() -> None:
    a.require_mainnet(a.AdapterContext.offline(), "weETH")
    with pytest.raises(a.AdapterError, match="chain 5"):
        a.require_mainnet(a.AdapterContext.offline(chain_id=5, network="goerli"), "weETH")


class _Base(a.BaseAdapter):
    symbol = "weETH"
    name = "Test protocol"
    decimals = 18
    mainnet = a.TokenAddresses(token="0x" + "44" * 20, contracts={"minter": "0x" + "55" * 20})

    def exchange_rate(self, ctx: a.AdapterContext) -> int:
        return 10**18

    def mint_plan(self, ctx: a.AdapterContext, eth_amount: int, recipient: str) -> a.MintPlan:
        raise NotImplementedError

    def withdrawal(self) -> a.WithdrawalInfo:
        return a.WithdrawalInfo(path="p", delay="d", contract=None)

    def mainnet_validators(self, ctx: a.AdapterContext) -> a.ValidatorSource:
        return a.ValidatorSource(withdrawal_credentials=(), method="mainnet", complete=False)


def test_base_adapter_is_a_complete_adapter() -> None:
    adapter = _Base()
    assert adapter.api_version == a.API_VERSION
    assert a.missing_members(adapter) == [] and isinstance(adapter, a.LrtAdapter)
    assert a.missing_members(a.BaseAdapter()) == [
        "symbol",
        "name",
        "decimals",
        "exchange_rate",
        "mint_plan",
        "withdrawal",
    ]


def test_base_adapter_answers_from_devnet_or_mainnet() -> None:
    adapter = _Base()
    devnet = a.AdapterContext(chain_id=31337, network="devnet", deployment=DEPLOYMENT)
    assert adapter.addresses(devnet) == a.devnet_addresses(devnet, "weETH")
    assert adapter.validators(devnet) == a.devnet_validators(devnet, "weETH")
    mainnet = a.AdapterContext.offline()
    assert adapter.addresses(mainnet) is _Base.mainnet
    assert adapter.validators(mainnet).method == "mainnet"
    elsewhere = a.AdapterContext.offline(chain_id=5, network="goerli")
    with pytest.raises(a.AdapterError, match="weETH: no addresses for chain 5"):
        adapter.addresses(elsewhere)
    with pytest.raises(a.AdapterError, match="weETH: no addresses for chain 5"):
        adapter.validators(elsewhere)


def test_require_positive_amount() -> None:
    a.require_positive_amount(1, "weETH")
    for bad in (0, -1):
        with pytest.raises(a.AdapterError, match="weETH: the amount to mint from must be positive"):
            a.require_positive_amount(bad, "weETH")


def test_payable_mint_plan_sends_the_whole_amount_in_one_call() -> None:
    plan = a.payable_mint_plan(
        "weETH",
        7,
        to="0x" + "11" * 20,
        data=b"\x01",
        description="deposit",
        expected_out=6,
        min_out=5,
        notes=("n",),
    )
    call = a.PlannedCall(to="0x" + "11" * 20, value=7, data=b"\x01", description="deposit")
    assert plan == a.MintPlan(
        symbol="weETH", eth_in=7, calls=(call,), expected_out=6, min_out=5, notes=("n",)
    )
    assert (
        a.payable_mint_plan(
            "weETH", 7, to="0x" + "11" * 20, data=b"", description="d", expected_out=6
        ).min_out
        is None
    )


def test_withdrawal_credentials_for_a_pod() -> None:
    pod = "0xAbCdEf0123456789aBCDef0123456789abcdef01"
    c1, c2 = a.withdrawal_credentials(pod)
    assert c1 == "0x01" + "00" * 11 + pod[2:].lower()
    assert c2.startswith("0x02") and len(c2) == 66
    with pytest.raises(a.AdapterError):
        a.withdrawal_credentials("0x1234")


def test_eigenpod_validators_reads_each_pod() -> None:
    pods = {"0x" + "a1" * 20: "0x" + "b1" * 20, "0x" + "a2" * 20: "0x" + "b2" * 20}

    def call(to: str, signature: str, args: Any = ()) -> Any:
        assert signature == "eigenPod()(address)" and args == ()
        return pods[to]

    ctx = a.AdapterContext(chain_id=1, network="mainnet", call=call)
    source = a.eigenpod_validators(ctx, list(pods), method="m")
    assert source == a.ValidatorSource(
        withdrawal_credentials=a.withdrawal_credentials("0x" + "b1" * 20)
        + a.withdrawal_credentials("0x" + "b2" * 20),
        method="m",
        pods=tuple(pods.values()),
        complete=True,
    )


def test_missing_members_and_protocol() -> None:
    class Partial:
        api_version = 1
        symbol = "x"

        def addresses(self, ctx: a.AdapterContext) -> a.TokenAddresses:
            raise NotImplementedError

    v1 = ["name", "decimals", "exchange_rate", "mint_plan", "withdrawal", "validators"]
    assert a.missing_members(Partial(), version=1) == v1
    # API v2 asks for every fact too (None where the token has none)
    assert a.missing_members(Partial()) == v1[:2] + list(a.FACTS_V2) + v1[2:]
    assert not isinstance(Partial(), a.LrtAdapter)


def test_plans_serialise_for_json_output() -> None:
    call = a.PlannedCall(to="0x" + "11" * 20, value=10**18, data=b"\x01\x02", description="d")
    plan = a.MintPlan(symbol="weETH", eth_in=10**18, calls=(call,), expected_out=99)
    assert plan.to_json() == {
        "symbol": "weETH",
        "eth_in": "1000000000000000000",
        "expected_out": "99",
        "min_out": None,
        "calls": [
            {
                "to": "0x" + "11" * 20,
                "value": "1000000000000000000",
                "data": "0x0102",
                "description": "d",
            }
        ],
        "notes": [],
    }


def test_api_module_imports_only_light_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ion_cli.adapters, ion_cli.plugins_registry\n"
        "heavy = {'web3', 'eth_abi', 'eth_utils', 'eth_account', 'httpx', 'keyring', 'ezkl'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
