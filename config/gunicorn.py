"""gunicorn settings of the web tier: `gunicorn -c config/gunicorn.py config.wsgi`.

Sizing (README, "Sizing the web tier"): the pages and the API are CPU-bound Python
behind the GIL, so processes, not threads, use the cores: one worker per core plus one,
a few threads each to overlap database and Redis round trips. Tracked-link redirects
(links/fastpath.py) cost ~0.1 ms of CPU each; on 2 cores 3 workers × 4 threads answered
1,000 a second (bench/bench_links.py). Idle keep-alive connections hold no thread
(gthread parks them), so a long keep-alive costs little and saves a handshake per click.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() + 1))
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
