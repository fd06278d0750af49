"""The per-number token bucket in Redis, on a clock the test holds (no timing asserted)."""

import logging
import uuid

import pytest

from messaging.ratelimit import RateLimiter, bucket_shape, redis_client

MPS = 100  # a bucket of 97 tokens a second, 2 tokens deep


@pytest.fixture
def redis_url(requires_redis):
    return requires_redis


@pytest.fixture
def key():
    return f"test-{uuid.uuid4().hex}"


def _limiter(url: str) -> RateLimiter:
    return RateLimiter(redis_client(url), fallback_workers=1)


def test_the_bucket_runs_a_little_under_the_number_limit_and_holds_little():
    assert bucket_shape(MPS) == (97.0, 2.0)
    assert bucket_shape(1000) == (970.0, 5.0)
    assert bucket_shape(1) == (0.97, 1.0)


def test_the_token_bucket_grants_at_most_rate_times_t_plus_burst(redis_url, key):
    limiter = _limiter(redis_url)
    rate, burst = bucket_shape(MPS)
    t0 = 1_000_000.0
    granted = 0
    # Ten seconds of a greedy sender asking for 10 tokens every 10 ms.
    for step in range(1001):
        granted += limiter.take(key, mps=MPS, wanted=10, now=t0 + step * 0.01).granted
    assert granted <= rate * 10 + burst
    assert granted >= rate * 10 - 1  # and the number is kept busy: nothing is lost


def test_every_worker_draws_from_the_same_bucket(redis_url, key):
    workers = [_limiter(redis_url), _limiter(redis_url)]
    rate, burst = bucket_shape(MPS)
    t0 = 2_000_000.0
    granted = [0, 0]
    for step in range(501):
        for i, worker in enumerate(workers):
            now = t0 + step * 0.01 + i * 0.005
            granted[i] += worker.take(key, mps=MPS, wanted=10, now=now).granted
    # Together no more than one sender could take; each gets its share.
    assert sum(granted) <= rate * 5 + burst
    assert min(granted) >= rate * 5 / 2 - 2 * burst


def test_an_idle_number_does_not_save_up_more_than_the_burst(redis_url, key):
    limiter = _limiter(redis_url)
    assert limiter.take(key, mps=MPS, wanted=50, now=10.0).granted == 2
    assert limiter.take(key, mps=MPS, wanted=50, now=3600.0).granted == 2


def test_a_pause_stops_every_worker_for_its_length_then_refills_from_empty(redis_url, key):
    first, second = _limiter(redis_url), _limiter(redis_url)
    first.take(key, mps=MPS, wanted=1, now=100.0)
    first.pause(key, mps=MPS, seconds=2.0, now=100.0)
    during = second.take(key, mps=MPS, wanted=5, now=101.5)
    assert during.granted == 0
    assert during.wait == pytest.approx(0.5)
    assert second.take(key, mps=MPS, wanted=5, now=102.0).granted == 0  # empty at resume
    assert second.take(key, mps=MPS, wanted=5, now=102.01).granted == 0  # 0.97 of a token
    assert second.take(key, mps=MPS, wanted=5, now=102.02).granted == 1


def test_a_second_pause_never_shortens_the_first(redis_url, key):
    limiter = _limiter(redis_url)
    limiter.pause(key, mps=MPS, seconds=5.0, now=100.0)
    limiter.pause(key, mps=MPS, seconds=1.0, now=100.5)
    assert limiter.take(key, mps=MPS, wanted=1, now=103.0).granted == 0


def test_redis_down_falls_back_to_a_bucket_at_rate_over_workers(key, caplog, monkeypatch):
    # An earlier test may have run a logging configuration that disabled this logger.
    monkeypatch.setattr(logging.getLogger("messaging.ratelimit"), "disabled", False)
    caplog.set_level(logging.WARNING, logger="messaging.ratelimit")
    limiter = RateLimiter(redis_client("redis://127.0.0.1:1/0"), fallback_workers=2)
    rate, _ = bucket_shape(MPS)
    granted = 0
    for step in range(1001):
        granted += limiter.take(key, mps=MPS, wanted=10, now=500.0 + step * 0.01).granted
    assert limiter.fallbacks == 1001
    # Two workers each at half the rate stay under the number's limit together, and
    # each still sends (a one-token bucket polled every 10 ms loses a little).
    assert granted <= rate / 2 * 10 + 1
    assert granted >= rate / 2 * 10 * 0.6
    assert "Redis unreachable" in caplog.text
