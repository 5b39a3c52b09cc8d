"""The workstation's embedded backend runs without the drivers only a deployment of
several processes needs (the desktop build leaves the Redis and PostgreSQL clients out)."""

from __future__ import annotations

import subprocess
import sys

BLOCK_DRIVERS = """
import sys

class Blocked:
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("redis", "psycopg", "psycopg2"):
            raise ImportError(f"{name} is not in the desktop build")

sys.meta_path.insert(0, Blocked())
import backend.__main__
import backend.gateway.app
from backend.gateway.context import make_context
from backend.domain.markets import load_default_catalog
from backend.services.clock import SystemClock
from backend.services.trading.service import TradingService
from backend.store.database import create_engine_for
from backend.store.schema_version import create_at_head

db = create_engine_for("sqlite://")
create_at_head(db)
catalog = load_default_catalog()
trading = TradingService(catalog, db, SystemClock())
backend.gateway.app.create_app(make_context(catalog, "localhost", trading=trading))
print("started")
"""


def test_the_embedded_backend_needs_no_redis_or_postgresql_driver() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_DRIVERS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "started"
