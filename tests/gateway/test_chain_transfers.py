"""Deposits and withdrawals signed by the user's wallet, end to end: a gateway in
``solana`` settlement over the local cluster, where the QuantDesk program runs (natively)
with its SPL Token vaults. The gateway builds the transaction, the wallet (a solders
keypair here) signs it, the gateway sends it, and once confirmed both the on-chain
account and the local ledger show it, credited exactly once."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import httpx
import pytest
from solders.keypair import Keypair
from solders.message import Message
from solders.transaction import Transaction
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import (
    TransferCheckedParams,
    create_idempotent_associated_token_account,
    get_associated_token_address,
    transfer_checked,
)
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.services.solana import instructions as ix
from backend.services.solana.idl import PROGRAM_ID, error_messages
from backend.services.solana.pending import PendingTransaction
from backend.services.solana.transfer_shape import (
    ChainAsset,
    TransferPlan,
    step_names,
    transfer_instructions,
)
from backend.services.solana.transfers import ChainTransfers
from backend.services.trading.commands import Deposit
from backend.services.trading.service import TradingService
from backend.store.chain_transfers import load_transfer
from backend.store.models.system_event import SystemEvent
from tests.gateway.chain_cluster import ChainGateway, chain_gateway, local_prices, solana_context
from tests.gateway.traders import Trader, sign_in
from tests.solana_rpc.native_program import NativeProgram, native_program

USDC = 10**6


@pytest.fixture(scope="module", autouse=True)
def native_library() -> NativeProgram:
    """The program's native runtime, built before any node answers."""
    return native_program()


@pytest.fixture
async def gw(catalog: MarketCatalog, db: Engine) -> AsyncIterator[ChainGateway]:
    async with chain_gateway(catalog, db) as gateway:
        yield gateway


async def wallet_trader(gw: ChainGateway, usdc: int = 1_000 * USDC) -> Trader:
    """A wallet with SOL and ``usdc`` units of USDC, signed in to the gateway."""
    return await sign_in(gw.http, await gw.exchange.trader(usdc))


async def build(trader: Trader, kind: str, asset: str, amount: str) -> httpx.Response:
    return await trader.post(
        "/api/chain/transfers", {"kind": kind, "asset": asset, "amount": amount}
    )


def sign(built: dict, key: Keypair) -> Transaction:
    """What a wallet does with the built transaction: sign its message as it is."""
    unsigned = Transaction.from_bytes(base64.b64decode(built["transaction"]))
    return Transaction([key], unsigned.message, unsigned.message.recent_blockhash)


def wire(transaction: Transaction) -> str:
    return base64.b64encode(bytes(transaction)).decode()


async def submit(trader: Trader, transaction: Transaction) -> httpx.Response:
    return await trader.post("/api/chain/transfers/submit", {"transaction": wire(transaction)})


async def signed(trader: Trader, kind: str, amount: str, asset: str = "USDC") -> Transaction:
    answer = await build(trader, kind, asset, amount)
    assert answer.status_code == 200, answer.text
    return sign(answer.json(), trader.key)


async def transfer(trader: Trader, kind: str, amount: str, asset: str = "USDC") -> dict:
    answer = await submit(trader, await signed(trader, kind, amount, asset))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def balances(trader: Trader) -> list[dict]:
    return (await trader.get("/api/account/balances")).json()


def steps(built: dict) -> list[str]:
    unsigned = Transaction.from_bytes(base64.b64decode(built["transaction"]))
    return step_names(unsigned.message, PROGRAM_ID)


async def test_the_chain_route_says_solana_with_the_program_and_its_assets(
    gw: ChainGateway,
) -> None:
    answer = await gw.http.get("/api/chain")

    assert answer.status_code == 200
    body = answer.json()
    assert body["settlement"] == "solana"
    assert body["program_id"] == str(PROGRAM_ID)
    assert body["rpc_url"] == gw.exchange.node.url
    assert body["commitment"] == "confirmed"
    assert [(a["symbol"], a["asset_index"], a["decimals"]) for a in body["assets"]] == [
        ("USDC", 0, 6),
        ("SOL", 1, 9),
    ]
    assert body["assets"][0]["mint"] == str(gw.exchange.mints["USDC"])


async def test_a_first_deposit_opens_the_account_and_both_ledgers_show_it(
    gw: ChainGateway,
) -> None:
    trader = await wallet_trader(gw)
    wallet = trader.key.pubkey()
    assert await gw.exchange.user(wallet) is None

    built = await build(trader, "deposit", "USDC", "250.5")

    assert built.status_code == 200, built.text
    body = built.json()
    assert body["summary"] == "Deposit 250.5 USDC"
    assert body["last_valid_block_height"] > 0
    assert steps(body) == ["initialize_user", "deposit"]
    unsigned = Transaction.from_bytes(base64.b64decode(body["transaction"]))
    assert unsigned.message.account_keys[0] == wallet  # the wallet pays the fee
    assert not unsigned.is_signed()

    done = await submit(trader, sign(body, trader.key))

    assert done.status_code == 200, done.text
    answer = done.json()
    assert (answer["kind"], answer["asset"], answer["amount"], answer["repeated"]) == (
        "deposit",
        "USDC",
        "250.5",
        False,
    )
    assert answer["balances"] == [{"asset": "USDC", "amount": "250.5"}]
    assert answer["signature"] == str(sign(body, trader.key).signatures[0])
    user = await gw.exchange.user(wallet)
    assert user is not None and user.collateral[0] == 250_500_000
    assert await gw.exchange.tokens(wallet, "USDC") == 749_500_000
    assert await balances(trader) == [{"asset": "USDC", "amount": "250.5"}]


async def test_a_later_deposit_and_a_withdrawal_move_tokens_both_ways(gw: ChainGateway) -> None:
    trader = await wallet_trader(gw)
    wallet = trader.key.pubkey()
    await transfer(trader, "deposit", "300")

    again = await build(trader, "deposit", "USDC", "200")
    assert steps(again.json()) == ["deposit"]  # the account is open already
    await submit(trader, sign(again.json(), trader.key))
    withdrawn = await build(trader, "withdraw", "USDC", "120.25")
    assert withdrawn.json()["summary"] == "Withdraw 120.25 USDC"
    assert steps(withdrawn.json()) == ["withdraw"]  # the token account exists
    done = await submit(trader, sign(withdrawn.json(), trader.key))

    assert done.status_code == 200, done.text
    assert done.json()["balances"] == [{"asset": "USDC", "amount": "379.75"}]
    user = await gw.exchange.user(wallet)
    assert user is not None and user.collateral[0] == 379_750_000
    assert await gw.exchange.tokens(wallet, "USDC") == 620_250_000


async def test_the_paper_transfer_routes_refuse_and_change_nothing(gw: ChainGateway) -> None:
    trader = await wallet_trader(gw)
    await transfer(trader, "deposit", "300")
    for route in ("/api/account/deposit", "/api/account/withdraw"):
        answer = await trader.post(route, {"asset": "USDC", "amount": "100"})
        assert answer.status_code == 400, answer.text
        assert "chain" in answer.json()["message"]
    assert await balances(trader) == [{"asset": "USDC", "amount": "300"}]
    user = await gw.exchange.user(trader.key.pubkey())
    assert user is not None and user.collateral[0] == 300_000_000


async def test_a_sol_deposit_uses_the_program_s_asset_index(gw: ChainGateway) -> None:
    trader = await wallet_trader(gw, usdc=0)
    wallet = trader.key.pubkey()
    await gw.exchange.give(wallet, "SOL", 3 * 10**9)

    answer = await transfer(trader, "deposit", "2.5", "SOL")

    assert answer["balances"] == [{"asset": "SOL", "amount": "2.5"}]
    user = await gw.exchange.user(wallet)
    assert user is not None and user.collateral[:2] == (0, 2_500_000_000)
    assert await gw.exchange.tokens(wallet, "SOL") == 500_000_000


async def test_the_same_transaction_submitted_twice_is_credited_once(gw: ChainGateway) -> None:
    trader = await wallet_trader(gw)
    transaction = await signed(trader, "deposit", "100")

    first, second = await asyncio.gather(submit(trader, transaction), submit(trader, transaction))
    third = await submit(trader, transaction)

    assert [a.status_code for a in (first, second, third)] == [200, 200, 200]
    assert sorted(a.json()["repeated"] for a in (first, second, third)) == [False, True, True]
    assert third.json()["balances"] == [{"asset": "USDC", "amount": "100"}]
    assert await balances(trader) == [{"asset": "USDC", "amount": "100"}]
    user = await gw.exchange.user(trader.key.pubkey())
    assert user is not None and user.collateral[0] == 100 * USDC
    assert gw.cluster.executed.count(str(transaction.signatures[0])) == 1


async def test_a_withdrawal_beyond_margin_is_refused_as_the_paper_one_and_builds_nothing(
    gw: ChainGateway,
) -> None:
    maker, taker = await wallet_trader(gw), await wallet_trader(gw)
    await transfer(maker, "deposit", "1000")
    await transfer(taker, "deposit", "1000")
    sell = {"market": "SOL-PERP", "side": "sell", "size": "10", "type": "limit", "price": "150"}
    buy = {"market": "SOL-PERP", "side": "buy", "size": "10", "type": "market"}
    assert (await maker.post("/api/orders", sell | {"client_order_id": "m"})).status_code == 201
    assert (await taker.post("/api/orders", buy | {"client_order_id": "t"})).status_code == 201
    held = await balances(taker)
    simulations, sends = len(gw.cluster.simulations), len(gw.cluster.sends)

    refused = await build(taker, "withdraw", "USDC", held[0]["amount"])

    assert refused.status_code == 400
    body = refused.json()
    assert (body["code"], body["field"]) == ("insufficient_margin", "amount")
    assert body["message"].startswith("withdrawing that much USDC would breach initial margin")
    assert (len(gw.cluster.simulations), len(gw.cluster.sends)) == (simulations, sends)
    assert await balances(taker) == held


async def test_a_refusal_by_the_program_is_told_in_its_own_words(gw: ChainGateway) -> None:
    trader = await wallet_trader(gw)
    await transfer(trader, "deposit", "100")
    # the local ledger believes in more than the chain holds (a deposit made elsewhere)
    await gw.trading.execute_durably(Deposit(str(trader.key.pubkey()), "USDC", 50 * USDC))
    sends = len(gw.cluster.sends)

    refused = await build(trader, "withdraw", "USDC", "150")

    assert refused.status_code == 400
    name, sentence = error_messages()[6005]
    assert refused.json() == {
        "code": "insufficient_collateral",
        "message": f"the program refused it: {sentence} ({name})",
        "field": "amount",
    }
    assert len(gw.cluster.sends) == sends
    assert await balances(trader) == [{"asset": "USDC", "amount": "150"}]


async def test_a_transaction_the_chain_refuses_on_submission_changes_nothing(
    gw: ChainGateway,
) -> None:
    trader = await wallet_trader(gw, usdc=100 * USDC)
    wallet = trader.key.pubkey()
    transaction = await signed(trader, "deposit", "100")
    # the tokens leave the wallet between signing and submitting
    elsewhere = Keypair().pubkey()
    mint = gw.exchange.mints["USDC"]
    params = TransferCheckedParams(
        TOKEN_PROGRAM_ID,
        get_associated_token_address(wallet, mint),
        mint,
        get_associated_token_address(elsewhere, mint),
        wallet,
        60 * USDC,
        6,
        [],
    )
    create = create_idempotent_associated_token_account(wallet, elsewhere, mint)
    await gw.exchange.sender.send([create, transfer_checked(params)], trader.key)
    sends = len(gw.cluster.sends)

    refused = await submit(trader, transaction)

    assert refused.status_code == 400
    assert refused.json()["code"] == "insufficient_funds"
    assert len(gw.cluster.sends) == sends
    assert await balances(trader) == []
    with Session(gw.trading.database) as session:
        assert load_transfer(session, str(transaction.signatures[0])) is None


async def test_foreign_tampered_and_other_wallets_transactions_are_refused_unsent(
    gw: ChainGateway,
) -> None:
    alice, bob = await wallet_trader(gw), await wallet_trader(gw)
    transaction = await signed(alice, "deposit", "100")
    wallet, mint = alice.key.pubkey(), gw.exchange.mints["USDC"]
    raised = [  # the amount raised after signing
        ix.initialize_user(wallet),
        ix.deposit(wallet, get_associated_token_address(wallet, mint), mint, 0, 900 * USDC),
    ]
    blockhash = transaction.message.recent_blockhash
    tampered = Transaction.populate(
        Message.new_with_blockhash(raised, wallet, blockhash), list(transaction.signatures)
    )
    sends = len(gw.cluster.sends)

    cases = [
        (bob, transaction, "not by your wallet"),
        (alice, tampered, "signature is not your wallet's"),
    ]
    for trader, candidate, why in cases:
        refused = await submit(trader, candidate)
        assert refused.status_code == 400, refused.text
        assert refused.json()["code"] == "not_a_transfer"
        assert why in refused.json()["message"]
    garbage = await alice.post("/api/chain/transfers/submit", {"transaction": "bm90IGEgdHg="})
    assert (garbage.status_code, garbage.json()["code"]) == (400, "not_a_transfer")
    too_long = await alice.post("/api/chain/transfers/submit", {"transaction": "A" * 4000})
    assert (too_long.status_code, too_long.json()["code"]) == (422, "invalid_request")

    assert len(gw.cluster.sends) == sends
    assert await balances(alice) == [] and await balances(bob) == []
    assert await gw.exchange.user(alice.key.pubkey()) is None


@pytest.mark.parametrize(
    ("kind", "asset", "amount", "status", "code", "field"),
    [
        ("deposit", "DOGE", "1", 404, "unknown_asset", "asset"),
        ("deposit", "USDC", "1.0000001", 400, "invalid_amount", "amount"),
        ("deposit", "USDC", "0", 400, "invalid_amount", "amount"),
        ("withdraw", "USDC", "-5", 400, "invalid_amount", "amount"),
        ("deposit", "USDC", "abc", 400, "invalid_amount", "amount"),
        ("deposit", "USDC", "1e999999", 400, "invalid_amount", "amount"),
        ("deposit", "USDC", "1e15", 400, "invalid_amount", "amount"),
        ("deposit", "USDC", "1000.01", 400, "insufficient_collateral", "amount"),
        ("deposit", "BTC", "1", 400, "unknown_asset", "asset"),  # not listed on chain
        ("withdraw", "USDC", "1", 400, "insufficient_collateral", "amount"),
        ("steal", "USDC", "1", 422, "invalid_request", "kind"),
    ],
)
async def test_bad_input_gets_a_clear_refusal_and_changes_nothing(
    gw: ChainGateway, kind: str, asset: str, amount: str, status: int, code: str, field: str
) -> None:
    body = {"kind": kind, "asset": asset, "amount": amount}
    trader = await wallet_trader(gw)
    sends = len(gw.cluster.sends)

    refused = await trader.post("/api/chain/transfers", body)

    assert refused.status_code == status, refused.text
    assert (refused.json()["code"], refused.json()["field"]) == (code, field)
    assert refused.json()["message"]
    assert len(gw.cluster.sends) == sends
    assert await balances(trader) == []
    assert await gw.exchange.tokens(trader.key.pubkey(), "USDC") == 1_000 * USDC


async def test_a_restarted_server_credits_a_resubmitted_transaction_once(
    gw: ChainGateway, catalog: MarketCatalog, db: Engine
) -> None:
    trader = await wallet_trader(gw)
    transaction = await signed(trader, "deposit", "100")
    assert (await submit(trader, transaction)).status_code == 200

    trading = TradingService.open(catalog, db, gw.clock)
    chain = ChainTransfers(gw.chain.rpc, gw.chain.sender, PROGRAM_ID, trading, clock=gw.clock)
    app = create_app(solana_context(catalog, trading, chain, gw.clock))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        again = await submit(
            Trader(http, trader.key, trader.headers["Authorization"][7:]), transaction
        )

    assert again.status_code == 200, again.text
    assert again.json()["repeated"] is True
    assert again.json()["balances"] == [{"asset": "USDC", "amount": "100"}]


async def test_a_transfer_not_confirmed_in_time_is_finished_after_a_restart(
    gw: ChainGateway, catalog: MarketCatalog, db: Engine
) -> None:
    trader = await wallet_trader(gw)
    transaction = await signed(trader, "deposit", "100")
    gw.cluster.faults.drop_sends = 10_000  # every broadcast is lost
    gw.chain.wait_s = 0.3

    pending = await submit(trader, transaction)

    assert pending.status_code == 409
    assert pending.json()["code"] == "transfer_unconfirmed"
    assert await balances(trader) == []
    gw.cluster.faults.drop_sends = 0
    trading = TradingService.open(catalog, db, gw.clock)
    local_prices(trading)
    chain = ChainTransfers(gw.chain.rpc, gw.chain.sender, PROGRAM_ID, trading, clock=gw.clock)

    assert await chain.resume_unfinished() == 1

    wallet = str(trader.key.pubkey())
    assert trading.state.ledger.accounts[wallet].balance("USDC") == 100 * USDC
    user = await gw.exchange.user(trader.key.pubkey())
    assert user is not None and user.collateral[0] == 100 * USDC
    assert await chain.resume_unfinished() == 0


async def test_a_credit_committed_just_before_a_crash_is_found_not_repeated(
    gw: ChainGateway, catalog: MarketCatalog, db: Engine
) -> None:
    trader = await wallet_trader(gw)
    wallet = str(trader.key.pubkey())
    transaction = await signed(trader, "deposit", "100")
    gw.chain.wait_s = 0.3
    gw.cluster.faults.drop_sends = 10_000
    assert (await submit(trader, transaction)).status_code == 409
    gw.cluster.faults.drop_sends = 0
    signature = str(transaction.signatures[0])
    # what a process stopped between the ledger's commit and the record's update leaves:
    # the record landed with where the log stood, and the credit's command in the log
    (record,) = gw.chain.ledger.unfinished()
    pending = PendingTransaction(signature, record.last_valid_block_height, record.wire)
    await gw.chain.sender.resume(pending)
    gw.chain.ledger.landed(signature, 1)
    with Session(db) as session:
        row = load_transfer(session, signature)
        assert row is not None
        row.command_from = gw.trading.last_command_id
        session.commit()
    await gw.trading.execute_durably(Deposit(wallet, "USDC", 100 * USDC))

    trading = TradingService.open(catalog, db, gw.clock)
    chain = ChainTransfers(gw.chain.rpc, gw.chain.sender, PROGRAM_ID, trading, clock=gw.clock)
    assert await chain.resume_unfinished() == 1

    assert trading.state.ledger.accounts[wallet].balance("USDC") == 100 * USDC
    record = chain.ledger.load(signature)
    assert record is not None and record.status == "credited"
    assert record.command_id == trading.last_command_id


async def test_a_withdrawal_the_chain_did_but_the_ledger_refuses_is_reported(
    gw: ChainGateway,
) -> None:
    maker, taker = await wallet_trader(gw), await wallet_trader(gw)
    await transfer(maker, "deposit", "1000")
    await transfer(taker, "deposit", "100")
    sell = {"market": "SOL-PERP", "side": "sell", "size": "3", "type": "limit", "price": "150"}
    buy = {"market": "SOL-PERP", "side": "buy", "size": "3", "type": "market"}
    assert (await maker.post("/api/orders", sell | {"client_order_id": "m"})).status_code == 201
    assert (await taker.post("/api/orders", buy | {"client_order_id": "t"})).status_code == 201
    # the wallet withdraws everything with its own tools: no keeper runs here, so the
    # chain knows no position yet and lets it go; the local ledger's margin does not
    wallet, mint = taker.key.pubkey(), gw.exchange.mints["USDC"]
    asset = ChainAsset("USDC", 0, mint, ix.vault_address(mint), 6)
    held = gw.trading.state.ledger.accounts[str(wallet)].balance("USDC")
    plan = TransferPlan("withdraw", wallet, asset, held, market_indexes=gw.chain.market_indexes)
    blockhash = (await gw.chain.rpc.latest_blockhash("confirmed")).blockhash
    message = Message.new_with_blockhash(transfer_instructions(plan, PROGRAM_ID), wallet, blockhash)
    transaction = Transaction([taker.key], message, blockhash)
    await gw.chain.rpc.send_raw(bytes(transaction))

    answer = await submit(taker, transaction)

    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "ledger_out_of_step"
    user = await gw.exchange.user(wallet)
    assert user is not None and user.collateral[0] == 100 * USDC - held  # the chain did it
    with Session(gw.trading.database) as session:
        events = session.exec(
            select(SystemEvent).where(SystemEvent.kind == "chain_ledger_mismatch")
        ).all()
    assert len(events) == 1 and str(wallet) in events[0].message
    record = gw.chain.ledger.load(str(transaction.signatures[0]))
    assert record is not None and record.status == "landed"  # tried again when resubmitted


async def test_a_withdrawal_while_the_chain_s_prices_are_stale_is_refused_for_now(
    gw: ChainGateway,
) -> None:
    trader = await wallet_trader(gw, usdc=0)
    await gw.exchange.give(trader.key.pubkey(), "SOL", 3 * 10**9)
    await transfer(trader, "deposit", "2", "SOL")
    # the keeper has not pushed a price for longer than SOL-PERP's max_oracle_age_s
    gw.cluster.set_unix_time(gw.cluster.unix_time + 60)
    sends = len(gw.cluster.sends)

    refused = await build(trader, "withdraw", "SOL", "1")

    assert refused.status_code == 409
    assert refused.json()["code"] == "stale_price"
    assert "(StalePrice)" in refused.json()["message"]
    assert len(gw.cluster.sends) == sends
    assert await balances(trader) == [{"asset": "SOL", "amount": "2"}]
