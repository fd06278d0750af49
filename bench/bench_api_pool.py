"""The API's concurrency limit at the web tier: C clients calling /api/profiles at once.

The limit (API_CONCURRENCY_LIMIT calls in flight per company, error 27 past it) is
counted in Redis by every process, but only for calls that reach Django: with fewer
threads in the gunicorn pool than the limit, the calls past the pool wait in the listen
queue, nobody is refused and everyone waits. Run twice against a real gunicorn: a pool
smaller than the limit, then one larger than the client count. Scaled to fit this
machine's PostgreSQL (each thread holds a connection): limit BENCH_POOL_LIMIT (40),
BENCH_POOL_CLIENTS (60) clients for BENCH_POOL_SECONDS (15) each.

Reported per pool: answers a second, p50, and how many answers were error 27.
"""

from __future__ import annotations

import base64
import http.client
import os
import statistics
import threading
import time

from bench import bench_api_profiles, bench_inbound


def _calls(port: int, clients: int, seconds: int, auth: str) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    refused = errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    barrier = threading.Barrier(clients)

    def client() -> None:
        nonlocal refused, errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                connection.request(
                    "GET", "/api/profiles?limit=100", headers={"Authorization": auth}
                )
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                with lock:
                    errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if b'<error id="27"' in body:
                    refused += 1
                elif response.status != 200:
                    errors += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, refused, errors


def run(report) -> None:
    from django.conf import settings

    if not settings.REDIS_URL:
        print("skipped: the API pool bench needs REDIS_URL (slots across processes)")
        return
    limit = int(os.environ.get("BENCH_POOL_LIMIT", "40"))
    clients = int(os.environ.get("BENCH_POOL_CLIENTS", "60"))
    seconds = int(os.environ.get("BENCH_POOL_SECONDS", "15"))
    bench_api_profiles._bench_user()
    raw = f"{bench_api_profiles.USERNAME}:{bench_api_profiles.PASSWORD}"
    auth = "Basic " + base64.b64encode(raw.encode()).decode()
    for workers, threads in ((2, 8), (2, (clients + 9) // 2 + 5)):
        port = bench_inbound._free_port()
        web = bench_inbound.start_web(port, workers, threads, API_CONCURRENCY_LIMIT=str(limit))
        try:
            latencies, refused, errors = _calls(port, clients, seconds, auth)
        finally:
            bench_inbound._stop([web])
        name = (
            f"API {clients} concurrent clients, limit {limit}, gunicorn {workers}x{threads} threads"
        )
        print(f"  {name}: {len(latencies):,} answers, {refused:,} error 27, {errors} other "
              f"errors; {bench_inbound._load()}", flush=True)  # fmt: skip
        report(f"{name}, answers/s", len(latencies) / seconds, unit="/s")
        report(f"{name}, p50", statistics.median(latencies) if latencies else 0.0)
        report(f"{name}, answers that were error 27", refused, len(latencies), unit="answers")
