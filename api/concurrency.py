"""At most API_CONCURRENCY_LIMIT calls in flight per company (seed 004: 160).

Slots live in a Redis sorted set per company: member = a random request token, score =
when it was taken. Taking a slot is one Lua script (drop slots older than SLOT_TTL,
count, add if below the limit), so two app servers never both take the last slot. A
slot is given back in `finally`; one whose process died mid-request expires after
SLOT_TTL seconds instead of leaking forever.

Without Redis (quick start, or Redis down) each process keeps its own counter: the limit
is then per process, which is weaker but never locks every client out. Every Redis call
gives up after REDIS_SOCKET_TIMEOUT, and after a failure this process uses its own
counter for REDIS_RETRY_AFTER seconds before trying Redis again, so an outage costs one
timeout every few seconds, not one per call.
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings

from .errors import ApiError

log = logging.getLogger(__name__)

SLOT_TTL = 300  # seconds; no API call is allowed to run longer than this
REDIS_RETRY_AFTER = 5.0

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""

_client_lock = threading.Lock()
_client: tuple[str, redis.Redis] | None = None
_local_lock = threading.Lock()
_local_counts: dict[int, int] = {}
_redis_down_until = 0.0


def _redis() -> redis.Redis | None:
    global _client
    url = settings.REDIS_URL
    if not url or time.monotonic() < _redis_down_until:
        return None
    with _client_lock:
        if _client is None or _client[0] != url:
            timeout = settings.REDIS_SOCKET_TIMEOUT
            _client = (
                url,
                redis.Redis.from_url(
                    url,
                    socket_timeout=timeout,
                    socket_connect_timeout=timeout,
                    retry_on_timeout=False,
                ),
            )
        return _client[1]


def _redis_failed() -> None:
    global _redis_down_until
    _redis_down_until = time.monotonic() + REDIS_RETRY_AFTER


def _key(company_id: int) -> str:
    return f"api:slots:{company_id}"


def _rate_limited(limit: int) -> ApiError:
    return ApiError(
        27,
        f"API rate limit exceeded: at most {limit} concurrent calls per company",
        429,
        headers={"Retry-After": "1"},
    )


@contextmanager
def _local_slot(company_id: int, limit: int) -> Iterator[None]:
    with _local_lock:
        if _local_counts.get(company_id, 0) >= limit:
            raise _rate_limited(limit)
        _local_counts[company_id] = _local_counts.get(company_id, 0) + 1
    try:
        yield
    finally:
        with _local_lock:
            _local_counts[company_id] -= 1


@contextmanager
def concurrency_slot(company_id: int) -> Iterator[None]:
    """Hold one of the company's API slots for the duration of the block."""
    limit = settings.API_CONCURRENCY_LIMIT
    client = _redis()
    token = uuid.uuid4().hex
    acquired = False
    if client is not None:
        try:
            acquired = bool(
                client.eval(_ACQUIRE, 1, _key(company_id), time.time(), SLOT_TTL, limit, token)
            )
        except redis.RedisError:
            log.warning("API concurrency: Redis unavailable, limiting per process", exc_info=True)
            _redis_failed()
            client = None
        else:
            if not acquired:
                raise _rate_limited(limit)
    if client is None:
        with _local_slot(company_id, limit):
            yield
        return
    try:
        yield
    finally:
        try:
            client.zrem(_key(company_id), token)
        except redis.RedisError:
            log.warning("API concurrency: could not release a slot; it expires", exc_info=True)
            _redis_failed()
