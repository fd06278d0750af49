"""Each sending number's pace, shared by every worker: a token bucket in Redis.

One Lua script keeps a bucket per number (key `sms:bucket:<number key>`) and runs
atomically in Redis, so any number of workers together never take more than
`rate × t + capacity` tokens in t seconds. The caller passes `now`: the script does no
clock reading of its own, which is what lets the tests hold time still and count grants.

A provider's 429 (or Retry-After) pauses the number's bucket: the script empties it and
refills nothing until the pause ends, and every worker sees it at its next take.

Pace: the bucket runs at 97% of the number's messages per second with a capacity of
5 ms of tokens. Carriers count sends per second at their end of the wire, where a
request's arrival jitters by milliseconds, and a 429 costs the number its whole
Retry-After (a second, typically). In any one-second window the bucket lets through at
most rate + capacity, so the 3% is shared between the burst and the carrier's jitter:
measured against the local fake at 1,000 msg/s, a 20 ms capacity left 10 messages of
slack and drew 429s in 14 pauses in a two-minute broadcast (load 9–11); 5 ms leaves 25
and drew them in 2 (load 5–15). A bucket holding a full second would let a number that
sat idle send twice its rate in the next second.

Redis: every call has a 200 ms socket timeout. If Redis cannot be reached, the worker
falls back to a bucket of its own at rate / SMS_RATE_LIMIT_FALLBACK_WORKERS (the number
of workers expected to share a number), logs a warning (at most once a minute), and
tries Redis again after five seconds. Delivery goes on, at a pace that stays under the
limit as long as no more workers than that are sending.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SAFETY = 0.97
BURST_SECONDS = 0.005
SMALL_BURST_SECONDS = 0.02
REDIS_TIMEOUT_SECONDS = 0.2
REDIS_RETRY_AFTER_SECONDS = 5.0
WARN_EVERY_SECONDS = 60.0
KEY_PREFIX = "sms:bucket:"

# ARGV: mode ("take" | "pause"), now, rate (tokens/s), capacity, amount
# take: amount = tokens wanted; returns {granted, seconds until the next token}
# pause: amount = seconds; returns {0, seconds paused}
# Numbers leave Lua as strings: Redis would truncate a Lua float to an integer.
LUA = """
local key = KEYS[1]
local mode = ARGV[1]
local now = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local capacity = tonumber(ARGV[4])
local amount = tonumber(ARGV[5])
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local ttl = math.ceil((ts - now + capacity / rate) * 1000) + 60000
if mode == 'pause' then
  local resume = math.max(ts, now + amount)
  redis.call('HSET', key, 'tokens', math.min(tokens, 0), 'ts', resume)
  redis.call('PEXPIRE', key, math.ceil((resume - now) * 1000) + 60000)
  return {'0', tostring(resume - now)}
end
if now < ts then
  redis.call('PEXPIRE', key, ttl)
  return {'0', tostring(ts - now)}
end
local granted = math.max(0, math.min(amount, math.floor(tokens)))
tokens = tokens - granted
redis.call('HSET', key, 'tokens', tokens, 'ts', ts)
redis.call('PEXPIRE', key, ttl)
local wait = 0
if granted < amount then
  wait = (1 - tokens) / rate
end
return {tostring(granted), tostring(wait)}
"""


@dataclass(frozen=True)
class Grant:
    granted: int
    wait: float  # seconds until the next token, when fewer than asked were granted


def bucket_shape(mps: float) -> tuple[float, float]:
    """(rate, capacity) of the bucket for a number allowed `mps` messages a second."""
    rate = max(mps * SAFETY, 0.001)
    # Small numbers keep up to two tokens: a pump polling every few milliseconds loses
    # less of a bucket two tokens deep, and 2 is within the 3% from 100 msg/s up.
    return rate, max(1.0, min(2.0, mps * SMALL_BURST_SECONDS), mps * BURST_SECONDS)


class LocalBucket:
    """The same bucket in this process only: the fallback while Redis is unreachable."""

    def __init__(self) -> None:
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def call(self, key: str, mode: str, now: float, rate: float, capacity: float, amount: float):
        with self._lock:
            tokens, ts = self._state.get(key, (capacity, now))
            if now > ts:
                tokens, ts = min(capacity, tokens + (now - ts) * rate), now
            if mode == "pause":
                resume = max(ts, now + amount)
                self._state[key] = (min(tokens, 0.0), resume)
                return Grant(0, resume - now)
            if now < ts:
                self._state[key] = (tokens, ts)
                return Grant(0, ts - now)
            granted = max(0, min(int(amount), int(tokens)))
            tokens -= granted
            self._state[key] = (tokens, ts)
            return Grant(granted, (1 - tokens) / rate if granted < amount else 0.0)


class RateLimiter:
    """Token buckets per sending number in Redis, with a per-process fallback."""

    def __init__(
        self,
        client: redis.Redis | None,
        *,
        clock: Callable[[], float] = time.time,
        fallback_workers: int = 2,
    ) -> None:
        self.client = client
        self.clock = clock
        self.fallback_workers = max(fallback_workers, 1)
        self.local = LocalBucket()
        self._script = client.register_script(LUA) if client is not None else None
        self._redis_down_until = 0.0
        self._warned_at = -WARN_EVERY_SECONDS
        self.fallbacks = 0  # calls answered by the local bucket (for tests and logs)

    def _call(self, key: str, mode: str, mps: float, amount: float, now: float | None) -> Grant:
        now = self.clock() if now is None else now
        rate, capacity = bucket_shape(mps)
        if self._script is not None and time.monotonic() >= self._redis_down_until:
            try:
                granted, wait = self._script(
                    keys=[KEY_PREFIX + key], args=[mode, repr(now), rate, capacity, amount]
                )
                return Grant(int(float(granted)), float(wait))
            except redis.RedisError as exc:
                self._redis_down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
                self._warn(exc)
        self.fallbacks += 1
        share = rate / self.fallback_workers
        return self.local.call(
            key, mode, now, share, max(1.0, capacity / self.fallback_workers), amount
        )

    def _warn(self, exc: Exception) -> None:
        if time.monotonic() - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = time.monotonic()
            logger.warning(
                "rate limiter: Redis unreachable (%s); pacing each number in this process "
                "at 1/%s of its rate until it answers",
                exc,
                self.fallback_workers,
            )

    def take(self, key: str, *, mps: float, wanted: int, now: float | None = None) -> Grant:
        """Up to `wanted` tokens of the number's bucket, and how long until the next."""
        return self._call(key, "take", mps, wanted, now)

    def pause(self, key: str, *, mps: float, seconds: float, now: float | None = None) -> None:
        """The provider said slow down: no worker sends from this number for `seconds`."""
        self._call(key, "pause", mps, max(seconds, 0.0), now)


_limiter: tuple[str, RateLimiter] | None = None
_limiter_lock = threading.Lock()


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        retry_on_timeout=False,
    )


def get_limiter() -> RateLimiter:
    """This process's limiter, on settings.REDIS_URL (local buckets when it is empty)."""
    global _limiter
    url = settings.REDIS_URL
    with _limiter_lock:
        if _limiter is None or _limiter[0] != url:
            client = redis_client(url) if url else None
            limiter = RateLimiter(client, fallback_workers=settings.SMS_RATE_LIMIT_FALLBACK_WORKERS)
            _limiter = (url, limiter)
        return _limiter[1]
