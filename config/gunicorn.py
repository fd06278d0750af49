"""gunicorn's settings for the web tier: `gunicorn -c config/gunicorn.py config.wsgi`.

Threaded workers (gthread): a request waiting on PostgreSQL or Redis holds a thread, not
a whole process, so a few processes per core answer many slow calls at once. The API's
concurrency limit (API_CONCURRENCY_LIMIT calls per company, counted in Redis across
every process) only refuses calls that reach Django: with fewer threads in the pool
than the limit, calls past the pool wait in the listen queue instead and the limit
never engages. README, "Sizing the web tier", says how to choose the numbers.

WEB_CONCURRENCY (processes, default 2 per core), WEB_THREADS (threads per process,
default 8), WEB_BIND (default 127.0.0.1:8000), WEB_TIMEOUT (seconds, default 30).
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count())))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# Aggregators and API clients reuse connections: keep them open between requests.
keepalive = 5
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# Connections a process accepts beyond its busy threads, waiting for one to free up.
worker_connections = 1000
backlog = 2048


def post_worker_init(worker) -> None:
    """Queue one click drain from each new worker, before it takes requests.

    A process's first task publish imports every tasks module and sets up Celery's
    producer (~0.2–0.8 s measured); otherwise the first click into an empty queue pays
    it while holding the worker's GIL, stalling every redirect of that worker. A drain
    is harmless at any time (it also sweeps clicks a stopped worker left queued).
    """
    from django.conf import settings

    if not settings.REDIS_URL:
        return
    try:
        from links import tasks

        tasks.clicks_drain.apply_async(countdown=1)
    except Exception:  # noqa: BLE001 (a broker away at start: beat sweeps, clicks still queue)
        worker.log.exception("could not queue the first click drain")
