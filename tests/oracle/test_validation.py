"""Price validation and feed status: stale, wide, backwards and unconfirmed jumps are
refused; a market's price comes from Pyth, then CoinGecko, then nowhere (halted)."""

from __future__ import annotations

from backend.domain.fixed_point import parse_price
from backend.services.oracle.validation import (
    FeedStatus,
    FeedSupervisor,
    PriceValidator,
    ValidationPolicy,
)

P = parse_price
POLICY = ValidationPolicy(max_age_s=30)


def test_a_fresh_narrow_forward_price_is_accepted() -> None:
    feed = PriceValidator(POLICY)
    assert feed.check(P("150"), P("0.1"), 1000, now=1001).accepted
    assert feed.price == P("150") and feed.publish_time == 1000


def test_stale_wide_and_backwards_prices_are_refused_with_a_reason() -> None:
    feed = PriceValidator(POLICY)
    assert feed.check(P("150"), P("0.1"), 1000, now=1000).accepted
    cases = [
        ((P("150"), P("0.1"), 960, 1000.5), "older than 30 s"),
        ((P("150"), P("3.1"), 1001, 1001), "confidence interval too wide"),  # > 2% of 150
        ((P("150"), P("0.1"), 1000, 1001), "did not move forward"),  # a repeat
        ((P("150"), P("0.1"), 999, 1001), "did not move forward"),
        ((0, 0, 1002, 1002), "not positive"),
    ]
    for (price, conf, published, now), reason in cases:
        verdict = feed.check(price, conf, published, now)
        assert not verdict.accepted and reason in verdict.reason
    assert feed.price == P("150")  # nothing refused changed the feed


def test_a_jump_needs_the_next_update_to_confirm_it() -> None:
    feed = PriceValidator(POLICY)
    feed.check(P("150"), 0, 1000, now=1000)
    held = feed.check(P("180"), 0, 1001, now=1001)  # +20%: held
    assert not held.accepted and "confirms" in held.reason and feed.price == P("150")
    assert feed.check(P("181"), 0, 1002, now=1002).accepted  # confirmed
    assert feed.price == P("181")


def test_an_outlier_that_is_not_confirmed_is_dropped() -> None:
    feed = PriceValidator(POLICY)
    feed.check(P("150"), 0, 1000, now=1000)
    assert not feed.check(P("300"), 0, 1001, now=1001).accepted  # a bad tick
    assert feed.check(P("150.5"), 0, 1002, now=1002).accepted  # back to normal
    assert not feed.check(P("180"), 0, 1003, now=1003).accepted  # a new jump is held again


def test_status_moves_from_live_to_fallback_and_back() -> None:
    feeds = FeedSupervisor(max_age_s=30, failover_after_s=5)
    assert feeds.status(now=1000) == (FeedStatus.HALTED, None)  # nothing yet
    feeds.primary(P("150"), 1000, now=1000)
    assert feeds.status(now=1004) == (FeedStatus.LIVE, P("150"))
    feeds.fallback(P("149.9"), 1003)
    # Pyth quiet for more than 5 s: CoinGecko serves
    assert feeds.status(now=1006) == (FeedStatus.FALLBACK, P("149.9"))
    feeds.primary(P("150.2"), 1007, now=1007)  # Pyth recovers
    assert feeds.status(now=1008) == (FeedStatus.LIVE, P("150.2"))


def test_status_is_stale_then_halted_when_no_fallback_is_fresh() -> None:
    feeds = FeedSupervisor(max_age_s=30, failover_after_s=5)
    feeds.primary(P("150"), 1000, now=1000)
    feeds.fallback(P("149.9"), 950)  # too old to serve
    assert feeds.status(now=1010) == (FeedStatus.STALE, P("150"))
    assert feeds.status(now=1031) == (FeedStatus.HALTED, None)
