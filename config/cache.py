"""The Django cache on Redis, with a process-local fallback while Redis is away.

Everything the cache holds is disposable or per-moment: the API's failed sign-in
counters and remembered Basic logins (api/auth.py) and the periodic
tasks' locks. Django's RedisCache raises on every call when Redis is unreachable and,
without a socket timeout, waits forever on one that stopped answering, which is how
HTTP Basic API calls hung while bearer calls (no cache) kept working.

So every call has a short connect and read timeout (the OPTIONS in settings), and a
call that fails is answered by a LocMemCache of this process instead; Redis is tried
again RETRY_AFTER seconds later, so an outage costs one timeout per process every few
seconds, not one per call. What the fallback means, per user:
- remembered Basic logins: per process, so a client pays the password check once per
  process instead of once per call (not once per call: that is what queued the calls);
- failed sign-in counters: per process, so a guesser gets the limit per process;
- periodic task locks: per process; the tasks themselves need the broker, which is
  the same Redis, so none run while it is away.
django-axes (web sign-ins) keeps its counters in the database and does not use this.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis after a failed call
WARN_EVERY = 60.0  # at most one warning a minute per process

_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "decr",
    "set_many",
    "delete_many",
    "clear",
)


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(f"fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT")})
        self._down_until = 0.0
        self._warned_at = 0.0

    @property
    def redis_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.redis_available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except RedisError:
                self._down_until = time.monotonic() + RETRY_AFTER
                if time.monotonic() - self._warned_at >= WARN_EVERY:
                    self._warned_at = time.monotonic()
                    logger.warning(
                        "Cache: Redis unreachable, using this process's memory for %ss",
                        RETRY_AFTER,
                        exc_info=True,
                    )
        return getattr(self._local, name)(*args, **kwargs)


def _delegate(name: str):
    def method(self: FallbackRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in _METHODS:
    setattr(FallbackRedisCache, _name, _delegate(_name))
