"""Inbound burst: signed Twilio webhooks at a fixed rate against a real web tier.

A burst of replies after a broadcast, a tenth of them STOP, sent open-loop (request i
leaves at i / rate whatever the answers do, as an aggregator does) to gunicorn
(gthread workers, as the README's "Sizing the web tier" says to run it), with real
Redis and a real Celery worker on the priority queue classifying what the webhook
stored. Then a double-delivery check: 150 message ids each posted twice at the same
moment.

Reported: p95 response time, the achieved rate against the target (the ratio), and
the checks: every message stored exactly once, every STOP opted out once the worker
caught up, no message typed `simultaneous`. `uptime`'s load is printed beside the
figures: the machine is shared, so the same code measures differently from one hour
to the next.

BENCH_INBOUND_RATE (1000/s), BENCH_INBOUND_SECONDS (30), BENCH_INBOUND_WEB_WORKERS (4),
BENCH_INBOUND_THREADS (8 per web worker), BENCH_INBOUND_CLIENTS (64 connections),
BENCH_INBOUND_CLASSIFIERS (2 worker processes) set the size.
"""

from __future__ import annotations

import http.client
import os
import queue
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / "test-artifacts" / "bench"
COMPANY_NAME = "Bench inbound"
NUMBER = "+12028839999"
TWILIO_SID = "AC" + "b" * 32
TWILIO_TOKEN = "bench-inbound-auth-token-0123456789"  # noqa: S105 (the bench's own fake number)
DOUBLE_IDS = 150
DRAIN_TIMEOUT = 15 * 60  # seconds to wait for the worker to classify the backlog
SWEEP_EVERY = 60  # seconds: messages_classify_stalled's schedule
AREA_CODES = ("202", "303", "415", "617", "312", "206", "512", "305", "404", "720")


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()  # noqa: S603,S607  # a fixed command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup():
    from accounts.models import Company
    from campaigns.models import Campaign
    from messaging.channels import channel_create
    from messaging.models import Channel

    company, _ = Company.objects.get_or_create(name=COMPANY_NAME)
    channel = Channel.objects.filter(company=company, number=NUMBER, active=True).first()
    if channel is None:
        channel = channel_create(
            company=company,
            kind="long_code_10dlc",
            number=NUMBER,
            provider="twilio",
            credentials={"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN},
        )
    Campaign.objects.get_or_create(company=company, name="Bench inbound news")
    return company, channel


def _env(port: int) -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": settings.REDIS_URL,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


def start_web(port: int, workers: int, threads: int, **extra_env: str) -> subprocess.Popen:
    """gunicorn with config/gunicorn.py on `port`, answering (or RuntimeError)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    env = {**_env(port), **extra_env}
    env.pop("CELERY_QUEUE", None)  # the production queues: classification on priority
    web_log = open(LOG_DIR / f"web_{port}.log", "w")  # noqa: SIM115 (lives as long as the server)
    web = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--log-level", "warning", "config.wsgi"],
        env=env, cwd=ROOT, stdout=web_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            # The webhook answers a GET with 405 once Django is up, touching no database.
            connection.request("GET", "/messaging/inbound/")
            connection.getresponse().read()
            return web
        except OSError:
            time.sleep(0.3)
    _stop([web])
    raise RuntimeError(f"gunicorn did not start: see {LOG_DIR}/web_{port}.log")


def _start(port: int, workers: int, threads: int, classifiers: int) -> list[subprocess.Popen]:
    web = start_web(port, workers, threads)
    env = _env(port)
    env.pop("CELERY_QUEUE", None)
    worker_log = open(LOG_DIR / "bench_inbound_worker.log", "w")  # noqa: SIM115  # the worker writes to it until the bench ends
    worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "-Q", "priority",
         f"--concurrency={classifiers}", "-n", "bench-inbound@%h", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle"],
        env=env, cwd=ROOT, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return [web, worker]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _signed(path: str, base: str, fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(TWILIO_TOKEN).compute_signature(base + path, fields)
    headers = {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return urlencode(fields).encode(), headers


def _fields(sid: str, phone: str, body: str) -> dict[str, str]:
    return {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": NUMBER,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": phone,
        "ApiVersion": "2010-04-01",
    }


def _phones(count: int) -> list[str]:
    """Fresh, valid US mobile-looking numbers: a random exchange per run and area code."""
    exchanges = random.sample(range(201, 999), len(AREA_CODES))  # noqa: S311 (not secrets)
    return [
        f"+1{AREA_CODES[i // 10000 % len(AREA_CODES)]}{exchanges[i // 10000 % len(AREA_CODES)]}"
        f"{i % 10000:04d}"
        for i in range(count)
    ]


def _burst(port: int, path: str, requests: list[tuple[bytes, dict]], rate: int, clients: int):
    """Send `requests` open-loop at `rate`/s over `clients` keep-alive connections.

    Returns (latencies in ms, statuses, seconds from the first send to the last answer,
    how late the sends ran behind schedule at p95 in ms)."""
    work: queue.Queue = queue.Queue()
    latencies: list[float] = []
    lateness: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    for index, request in enumerate(requests):
        work.put((start + index / rate, request))

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                due, (body, headers) = work.get_nowait()
            except queue.Empty:
                return
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            sent = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            done = time.perf_counter()
            with lock:
                latencies.append((done - sent) * 1000)
                lateness.append(max(0.0, sent - due) * 1000)
                statuses.append(status)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return latencies, statuses, elapsed, _p95(lateness)


def _double_delivery(port: int, path: str, base: str) -> list[str]:
    """DOUBLE_IDS ids, each posted twice at the same moment on two connections."""
    sids = [f"SMdup{uuid.uuid4().hex[:27]}" for _ in range(DOUBLE_IDS)]
    phones = _phones(DOUBLE_IDS + 40000)[-DOUBLE_IDS:]

    def post(body: bytes, headers: dict, barrier: threading.Barrier) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        connection.request("POST", path, body=body, headers=headers)
        connection.getresponse().read()
        connection.close()

    for sid, phone in zip(sids, phones, strict=True):
        body, headers = _signed(path, base, _fields(sid, phone, "Yes"))
        barrier = threading.Barrier(2)
        pair = [threading.Thread(target=post, args=(body, headers, barrier)) for _ in range(2)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()
    return sids


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else float("nan")


def _drain(company, since) -> tuple[float, int]:
    """Wait for the worker to classify this run's backlog (texts stored from `since`:
    an earlier run's leftovers are not this run's), running messages_classify_stalled
    every SWEEP_EVERY seconds as celery-beat would. Returns (seconds, texts the sweep
    queued again)."""
    from messaging import tasks
    from messaging.models import Message

    started = time.perf_counter()
    swept = 0
    next_sweep = started + SWEEP_EVERY
    pending = Message.objects.filter(
        company=company, classification_pending=True, created_at__gte=since
    )
    while time.perf_counter() - started < DRAIN_TIMEOUT:
        if not pending.exists():
            break
        if time.perf_counter() >= next_sweep:
            swept += tasks.messages_classify_stalled().get("queued", 0)
            next_sweep = time.perf_counter() + SWEEP_EVERY
        time.sleep(1)
    return time.perf_counter() - started, swept


def run(report) -> None:
    from django.conf import settings
    from django.utils import timezone

    from messaging.models import Message, MOType
    from profiles.models import ProfileState

    if not settings.REDIS_URL:
        print("skipped: the inbound bench needs REDIS_URL (a real worker)", flush=True)
        return
    rate = _env_int("BENCH_INBOUND_RATE", 1000)
    seconds = _env_int("BENCH_INBOUND_SECONDS", 30)
    workers = _env_int("BENCH_INBOUND_WEB_WORKERS", 4)
    threads = _env_int("BENCH_INBOUND_THREADS", 8)
    clients = _env_int("BENCH_INBOUND_CLIENTS", 64)
    classifiers = _env_int("BENCH_INBOUND_CLASSIFIERS", 2)
    company, channel = _setup()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    path = f"/messaging/channels/{channel.webhook_token}/inbound/"
    total = rate * seconds
    run_id = uuid.uuid4().hex[:8]
    phones = _phones(total)
    sids, stops, requests = [], [], []
    for index, phone in enumerate(phones):
        sid = f"SM{run_id}{index:024d}"
        stop = index % 10 == 0
        body = "STOP" if stop else random.choice(("Yes", "Thanks!", "What time?", "No"))  # noqa: S311  # benchmark text, not a secret
        sids.append(sid)
        if stop:
            stops.append(phone)
        requests.append(_signed(path, base, _fields(sid, phone, body)))
    print(f"  {total:,} webhooks at {rate:,}/s, gunicorn {workers}x{threads} threads, "
          f"{classifiers} classifier processes; {_load()}", flush=True)  # fmt: skip
    processes = _start(port, workers, threads, classifiers)
    since = timezone.now()
    try:
        latencies, statuses, elapsed, late = _burst(port, path, requests, rate, clients)
        load_after = _load()
        double_sids = _double_delivery(port, path, base)
        drained, swept = _drain(company, since)
    finally:
        _stop(processes)
    ok = sum(status == 200 for status in statuses)
    stored = Message.objects.filter(company=company, direction="mo", gateway_message_id__in=sids)
    stored_count = stored.count()
    distinct = stored.values("gateway_message_id").distinct().count()
    opted_out = ProfileState.objects.filter(
        profile__company=company, profile__phone_number__in=stops, opted_out_globally=True
    ).count()
    doubles = Message.objects.filter(
        company=company, direction="mo", gateway_message_id__in=double_sids
    )
    double_rows = doubles.count()
    simultaneous = Message.objects.filter(
        company=company,
        gateway_message_id__in=[*sids, *double_sids],
        message_type=MOType.SIMULTANEOUS,
    ).count()
    achieved = len(statuses) / elapsed if elapsed else 0.0
    print(f"  answered 200: {ok:,} of {total:,}; stored {stored_count:,} rows for {distinct:,} "
          f"ids (exactly once: {stored_count == distinct == total}); STOPs opted out "
          f"{opted_out:,} of {len(stops):,}; sends behind schedule p95 {late:.0f} ms; "
          f"classified the backlog {drained:.0f} s after the burst (the sweep queued "
          f"{swept:,} again); {load_after}",
          flush=True)  # fmt: skip
    print(f"  double delivery: {DOUBLE_IDS} ids posted twice at once -> {double_rows} rows, "
          f"{simultaneous} typed simultaneous", flush=True)  # fmt: skip
    name = f"inbound Twilio webhooks, {rate:,}/s for {seconds} s (gunicorn {workers}x{threads})"
    report(f"{name}, achieved rate vs the {rate:,}/s target", achieved, rate, unit="req/s")
    report(f"{name}, p95 response", _p95(latencies), unit="ms")
    report(f"{name}, p50 response", statistics.median(latencies), unit="ms")
    report(
        f"{name}, stored exactly once", float(stored_count == distinct == total), unit="(1 = yes)"
    )
    report(f"{name}, STOPs opted out", opted_out, len(stops), unit="profiles")
    report(f"inbound double delivery, rows for {DOUBLE_IDS} ids", double_rows, DOUBLE_IDS,
           unit="rows")  # fmt: skip
