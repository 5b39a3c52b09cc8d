"""The SQLModel tables of the store, one module per domain object.

Importing this package registers every table on ``SQLModel.metadata`` (migrations and
``create_all`` rely on it).
"""

from backend.store.models.auction import Auction, AuctionQuote, AuctionSettlement
from backend.store.models.balance import UserBalance
from backend.store.models.chain import ChainProgress
from backend.store.models.chain_transfer import ChainTransfer
from backend.store.models.command import Command
from backend.store.models.equity import EquitySnapshot
from backend.store.models.funding import FundingPayment, FundingRate
from backend.store.models.lease import Lease
from backend.store.models.liquidation import Liquidation, LiquidationEvent
from backend.store.models.market import Market
from backend.store.models.oracle_price import OraclePrice
from backend.store.models.order import Order
from backend.store.models.position import Position
from backend.store.models.snapshot import StateSnapshot
from backend.store.models.stats import MarketStats, UserStats
from backend.store.models.system_event import SystemEvent
from backend.store.models.trade import Trade
from backend.store.models.transfer import Transfer
from backend.store.models.user import User

__all__ = [
    "Auction",
    "AuctionQuote",
    "AuctionSettlement",
    "ChainProgress",
    "ChainTransfer",
    "Command",
    "EquitySnapshot",
    "FundingPayment",
    "FundingRate",
    "Lease",
    "Liquidation",
    "LiquidationEvent",
    "Market",
    "MarketStats",
    "OraclePrice",
    "Order",
    "Position",
    "StateSnapshot",
    "SystemEvent",
    "Trade",
    "Transfer",
    "User",
    "UserBalance",
    "UserStats",
]
