"""One lock for every periodic task, and a record of what each run did.

A periodic run that overlaps the previous one (a slow run, beat firing again) would
only do the same work twice, or worse re-queue the same job twice: `periodic` takes a
cache lock around the run and skips the run while another holds it. The lock expires
on its own (`timeout`) if the worker holding it dies, so a lost worker never blocks a
task for longer than that.

Each finished run is logged with its result and its duration, and the last one is
kept in the cache (`periodic_last_run`) for whoever wants to know when a sweep last
ran and what it found.
"""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

SKIPPED = {"skipped": "another run is in progress"}
STATS_KEY = "periodic:last:{lock}"
# Kept long enough to see a daily task's last run; the stats are small.
STATS_SECONDS = 2 * 24 * 3600


def periodic(
    *,
    lock: str,
    timeout: int = 300,
    skipped: dict[str, Any] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R | dict[str, Any]]]:
    """Run the decorated function under the cache lock `lock`, or return `skipped`.

    `timeout` is how long the lock outlives a worker that died holding it: longer than
    a normal run, short enough that the next run after a crash is not lost for long.
    """
    skip_result = dict(SKIPPED if skipped is None else skipped)

    def decorate(func: Callable[P, R]) -> Callable[P, R | dict[str, Any]]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R | dict[str, Any]:
            if not cache.add(lock, "1", timeout):
                logger.info("%s skipped: %s is held", func.__qualname__, lock)
                return dict(skip_result)
            started = time.monotonic()
            try:
                result = func(*args, **kwargs)
            finally:
                cache.delete(lock)
            seconds = round(time.monotonic() - started, 3)
            _record(lock, func.__qualname__, result, seconds)
            return result

        run.lock = lock  # type: ignore[attr-defined]
        return run

    return decorate


def _record(lock: str, name: str, result: Any, seconds: float) -> None:
    logger.info("%s done in %.3fs: %s", name, seconds, result)
    stats = {
        "task": name,
        "result": result if isinstance(result, dict) else repr(result),
        "seconds": seconds,
        "finished_at": timezone.now().isoformat(),
    }
    try:
        cache.set(STATS_KEY.format(lock=lock), stats, STATS_SECONDS)
    except Exception:  # the stats are a convenience: never fail a run that worked
        logger.warning("could not store the stats of %s", name, exc_info=True)


def periodic_last_run(lock: str) -> dict[str, Any] | None:
    """What the last finished run under `lock` returned, how long it took and when."""
    return cache.get(STATS_KEY.format(lock=lock))
