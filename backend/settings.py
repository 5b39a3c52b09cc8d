"""Server settings, from the command line, the environment (``QUANTDESK_*``) or defaults."""

from __future__ import annotations

import os
import socket
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.services.solana.settings_checks import check_program_id, check_rpc_url


class BackendSettings(BaseSettings):
    """How `quantdesk-backend` runs; every field is also ``QUANTDESK_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="QUANTDESK_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    database_url: str | None = None
    """None: SQLite in the user data directory."""
    domain: str = "localhost"
    """The domain named in sign-in messages."""
    token_secret: str | None = Field(default=None, repr=False)
    """Signs access tokens; None: a random secret per process."""
    cors_origins: list[str] = Field(default_factory=list)
    """Browser origins allowed to call the API (JSON list); none by default."""
    admin_keys: list[str] = Field(default_factory=list)
    """Wallet public keys allowed on /api/admin (JSON list); none by default."""
    demo_usdc: int = Field(default=100_000, ge=0)
    """Paper USDC a new wallet's demo account starts with (0: none)."""
    public_rate_per_s: float = Field(default=20, gt=0)
    """Public requests per second per client address (average)."""
    public_burst: int = Field(default=40, ge=1)
    private_rate_per_s: float = Field(default=50, gt=0)
    """Private requests and socket orders per second per account (average)."""
    private_burst: int = Field(default=100, ge=1)
    log_level: str = "info"
    commit_interval_ms: float = Field(default=4.0, ge=0, le=100)
    """The shortest time between two group commits of orders: under load, orders wait up
    to this long to share a transaction (one write instead of many); a quiet server
    commits at once."""
    book_frame_ms: int = Field(default=50, ge=0)
    """Book deltas faster than this are merged into one message per market per frame;
    a change on a quiet book is sent at once (0: every change is its own message)."""
    ws_compression: bool = False
    """permessage-deflate on the socket. Off by default: stream messages are small, and
    compressing each one again for every subscriber costs more CPU than it saves bytes."""
    snapshot_interval_s: float = Field(default=600, gt=0)
    """How often the trading state is snapshotted (if it changed), so that a restart
    replays at most this long of the command log; one more is written at shutdown."""
    equity_interval_s: float = Field(default=60, gt=0)
    """How often each trader's equity is recorded for the equity curve (accounts that hold
    positions or whose equity moved; one more is written after each transfer)."""
    oracle_source: Literal["sim", "replay", "pyth", "coingecko"] = "sim"
    """Where prices come from: the offline simulator, a recorded file, Pyth Hermes (with
    the fallback below), or CoinGecko alone."""
    oracle_fallback: Literal["coingecko", "none"] = "coingecko"
    """The source that serves a market when Pyth has given no valid price for
    ``oracle_failover_after_s`` (``oracle_source=pyth`` only)."""
    oracle_failover_after_s: float = Field(default=3.0, gt=0, le=60)
    """Silence (or only refused prices) from the primary before the fallback serves."""
    oracle_fallback_max_age_s: float = Field(default=120.0, gt=0)
    """The oldest fallback price that may serve: CoinGecko refreshes a coin's price about
    once a minute on its public API."""
    pyth_url: str = "https://hermes.pyth.network"
    """The Hermes endpoint (v2 API)."""
    pyth_api_key: str | None = Field(default=None, repr=False)
    """Sent as a bearer token, for Hermes providers that need one."""
    coingecko_url: str = "https://api.coingecko.com"
    coingecko_api_key: str | None = Field(default=None, repr=False)
    """A CoinGecko demo key, sent as ``x-cg-demo-api-key``."""
    coingecko_calls_per_minute: float = Field(default=10, gt=0, le=6000)
    """How often CoinGecko is polled (its free tier allows a few calls a minute)."""
    oracle_replay_path: str | None = None
    """The recorded file (JSON lines of Hermes updates) for ``oracle_source=replay``."""
    oracle_replay_speed: float = Field(default=1.0, gt=0)
    """Replay speed: 1 as recorded, 60 a minute per second."""
    oracle_record_path: str | None = None
    """Append every price the source gives to this file, in the replay format."""
    flow_trades_per_s: float = Field(default=1.0, ge=0, le=100)
    """Small market orders per second per market from the embedded flow traders, so that
    the simulated market trades (0: none, only the makers quote)."""
    simulator_seed: int = 7
    """Seed of the offline price simulator (the embedded default's oracle)."""
    settlement: Literal["local", "solana"] = "local"
    """Where trades settle: the backend's local ledger (the default, offline), or the
    QuantDesk program on Solana through ``solana_rpc_url``, signed by the keeper key."""
    solana_rpc_url: str | None = None
    """The Solana JSON-RPC endpoint (http or https); required when ``settlement=solana``."""
    solana_program_id: str = "G7isTpCkw8TWhPhozSuZMbUjTEF8Jf8xxAguZyL39L8J"
    """The address (base58) of the QuantDesk perpetuals program."""
    solana_keeper_key_name: str = Field(default="solana-keeper", min_length=1)
    """The name of the OS keyring entry (service ``quantdesk``) that holds the keeper's
    keypair; the key itself never appears in settings."""
    solana_commitment: Literal["processed", "confirmed", "finalized"] = "confirmed"
    """How settled a transaction must be before the keeper counts it as done."""

    role: Literal["all", "gateway", "engine"] = "all"
    """What this process does: everything (one process, the default), or in a deployment
    of several over Redis and PostgreSQL, the API (``gateway``) or the matching of the
    markets it holds a lease on (``engine``). See docs/deployment.md."""
    bus: Literal["memory", "redis"] = "memory"
    """How commands and stream messages travel: inside this process, or through Redis
    (required by the ``gateway`` and ``engine`` roles)."""
    redis_url: str | None = Field(default=None, repr=False)
    """The Redis server of a deployment of several (``redis://host:6379/0``)."""
    node_name: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    """This process's name in leases and on the bus; unique per process."""
    engine_markets: list[str] = Field(default_factory=list)
    """The markets an engine may own (JSON list); empty: all of them."""
    lease_ttl_s: float = Field(default=3.0, ge=0.5, le=60)
    """How long an engine's lease on a market lasts unrenewed: a standby takes over this
    long (plus under a second) after the owner stops."""

    @field_validator("solana_rpc_url")
    @classmethod
    def _rpc_url(cls, url: str | None) -> str | None:
        return None if url is None or not url.strip() else check_rpc_url(url)

    @model_validator(mode="after")
    def _roles_need_redis_and_postgresql(self) -> BackendSettings:
        if self.role == "all" and self.bus == "redis":
            raise ValueError("bus=redis needs role=gateway or role=engine (QUANTDESK_ROLE)")
        if self.role != "all":
            if self.bus != "redis" or not self.redis_url:
                raise ValueError(
                    f"role={self.role} needs bus=redis and a Redis URL "
                    "(QUANTDESK_BUS, QUANTDESK_REDIS_URL)"
                )
            if not (self.database_url or "").startswith(("postgresql", "postgres")):
                raise ValueError(
                    f"role={self.role} needs a PostgreSQL database URL (QUANTDESK_DATABASE_URL)"
                )
        return self

    @model_validator(mode="after")
    def _solana_needs_an_rpc(self) -> BackendSettings:
        if self.settlement == "solana":
            if self.solana_rpc_url is None:
                raise ValueError(
                    "settlement=solana needs a Solana RPC URL (QUANTDESK_SOLANA_RPC_URL)"
                )
            check_program_id(self.solana_program_id)
        return self
