"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from backend.domain.markets import MarketCatalog, load_default_catalog


@pytest.fixture(scope="session")
def catalog() -> MarketCatalog:
    """The shipped market catalog."""
    return load_default_catalog()
