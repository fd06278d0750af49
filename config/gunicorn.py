"""gunicorn settings of the web tier: `gunicorn -c config/gunicorn.py config.wsgi`.

Sizing (README, "Sizing the web tier"): Python runs one thread at a time per process,
so processes use the cores: one worker per core, a few threads each to overlap the
database and Redis round trips. More workers than cores only adds switching: on 2
cores, tracked-link redirects at 1,000/s (bench/bench_links.py) had a p95 of ~7 ms with
2 workers × 4 threads against ~15 ms with 3 × 4 and ~55 ms with 3 × 8. Idle
keep-alive connections hold no thread (gthread parks them), so a long keep-alive costs
little and saves a handshake per click. WEB_WORKERS / WEB_THREADS override.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = int(os.environ.get("WEB_KEEPALIVE", "30"))
# A worker that served this many requests is replaced (with jitter, not all at once):
# a slow leak in any dependency cannot grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))


def post_worker_init(worker) -> None:
    """Queue one click drain from each new worker, before it takes requests.

    A process's first task publish imports every tasks module and sets up Celery's
    producer (~0.2–0.8 s); otherwise the first click into an empty queue would pay it
    while holding the worker's GIL, stalling every redirect of that worker. A drain is
    harmless at any time (it also sweeps clicks a stopped worker left queued).
    """
    from django.conf import settings

    if not settings.REDIS_URL:
        return
    try:
        from links import tasks

        tasks.clicks_drain.apply_async(countdown=1)
    except Exception:  # noqa: BLE001 (a broker away at start: beat sweeps, clicks still queue)
        worker.log.exception("could not queue the first click drain")
