"""A broadcast through a Twilio-shaped provider at its cap, by two real Celery workers.

The provider is the local fake (tests/fakes/providers.py) in its own process: every
request takes 50 ms, above 1,000 requests a second it answers 429 with Retry-After, and
it counts every message it accepts by our message id (the `ref` of the status-callback
URL). One sending number: the bench company's own Twilio channel (Settings → Sending
numbers), 1,000 msg/s, its credentials the fake's account, through
messaging.carriers.CarrierGateway, as a company's messages leave in production.

Setup: bench_broadcast's seeding, BENCH_CARRIER_SUBSCRIBERS subscribers (5% opted out,
1% blacklisted), plus 50 profiles outside the campaign for an agent's chat messages.

Run 1 measures the sustained rate the provider accepted (from 10% to 90% of the
broadcast, sampled from the fake's counters) against the cap, while the bench sends
50 chat messages through message_send, one every 200 ms; their time from created to
Sent (the provider's answer included) gives the p95. Chat messages go to their own
queue and worker, as the priority queue does in production: a worker busy with a
5,000-message chunk cannot take a task for seconds. Both the chats and the broadcast
share the number's token bucket.

Run 2 repeats the broadcast and SIGKILLs one worker once the provider has taken half
of it, so in the middle of a slice of requests in flight. The bench plays
celery-beat: `broadcasts_send_due` queues the dead worker's chunk again, and
`messages_reconcile_in_flight` settles the messages it had in flight (Twilio's list
says whether each was taken).

Both runs are checked against the fake's counts and SQL: no message Failed (a 429 must
never fail one), no reference accepted twice, none missing, none to an opted-out or
blacklisted profile.
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench import bench_broadcast
from bench.common import profiles_wanted
from tests.fakes.providers import FakeConfig

# The production queues (config/celery.py), in the bench's own Redis db: broadcasts on
# bulk, an agent's chat on priority, each with its own workers, as the README advises.
# (A chat sent with queue=priority must find a worker there, not wait behind the
# broadcast on one shared queue.)
QUEUE = "bulk"
CHAT_QUEUE = "priority"
CAP = 1000
LATENCY = 0.05
CHATS = 50
TIMEOUT_SECONDS = 30 * 60
COMPANY_NAME = "Bench carrier"  # its own company: bench_broadcast's seeding, apart
LOG_DIR = bench_broadcast.LOG_DIR

# The same values for the workers (environment) and this process (settings): this
# process plays celery-beat, so it reconciles messages in flight with the same gateway.
SETTINGS = {
    "SMS_GATEWAY": "messaging.carriers.CarrierGateway",
    "SMS_PROVIDER": "twilio",
    "TWILIO_ACCOUNT_SID": FakeConfig.twilio_account_sid,
    "TWILIO_AUTH_TOKEN": FakeConfig.twilio_auth_token,
    "SMS_NUMBER_MPS": CAP,
    "SMS_DEFAULT_ORIGINATOR": "+12028830000",  # the settings' number: not used here
    "SMS_STATUS_CALLBACK_URL": "https://sms.example.org/messaging/receipts/",
    "SMS_IN_FLIGHT_TIMEOUT_SECONDS": 60,
    "SMS_SEND_CONCURRENCY": 100,
    # The bench measures throughput at any hour: quiet hours would hold its recipients
    # at night (their area codes span the US zones), as in bench_broadcast.
    "SMS_SENDING_WINDOW_START": dt.time(0),
    "SMS_SENDING_WINDOW_END": dt.time(23, 59, 59, 999999),
}


def subscribers_wanted() -> int:
    """BENCH_CARRIER_SUBSCRIBERS, else BENCH_PROFILES, at most the issue's 100,000."""
    given = os.environ.get("BENCH_CARRIER_SUBSCRIBERS")
    return int(given) if given else min(profiles_wanted(), 100_000)


def _start_fake() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "tests.fakes.providers", "--port", "0",
         "--latency", str(LATENCY), "--rate", str(CAP)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    line = process.stdout.readline() if process.stdout else ""
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"the fake provider did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


def _start_worker(name: str, queue: str, run: int, base_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        **{key: str(value) for key, value in SETTINGS.items()},
        "SMS_PROVIDER_BASE_URL": base_url,
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",  # httpx logs every request at INFO
    }
    celery = str(Path(sys.executable).with_name("celery"))
    log = open(LOG_DIR / f"bench_carrier_{run}_{name}.log", "w")  # noqa: SIM115 (lives as long as the worker)
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [celery, "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
         "-n", f"{name}@%h", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


CHANNEL_NUMBER = "+12028830000"


def _drop_channels() -> None:
    """The bench company's sending numbers (no campaign is bound to them): before the
    company itself goes, which they protect."""
    from messaging.models import Channel

    Channel.objects.filter(company__name=COMPANY_NAME).delete()


def _channel(company):
    """The company's Twilio number at the cap, with the fake's account."""
    from messaging.channels import channel_create

    return channel_create(
        company=company,
        kind="long_code_10dlc",
        number=CHANNEL_NUMBER,
        provider="twilio",
        credentials={
            "account_sid": FakeConfig.twilio_account_sid,
            "auth_token": FakeConfig.twilio_auth_token,
        },
        mps=CAP,
    )


def _chat_profiles(company) -> list:
    from profiles.models import Profile

    return [
        Profile.objects.create(
            company=company, phone_number=f"+1303555{i:04d}", number_type="mobile"
        )
        for i in range(CHATS)
    ]


_http = httpx.Client(timeout=30)  # one connection for the bench's own questions (run)


def _stats(base_url: str) -> dict:
    return _http.get(f"{base_url}/_fake/stats").json()


def _sustained(samples: list[tuple[float, int]], expected: int) -> float:
    """Messages a second between 10% and 90% of the broadcast, from the fake's count."""
    low = next(s for s in samples if s[1] >= expected * 0.1)
    high = next(s for s in samples if s[1] >= expected * 0.9)
    return (high[1] - low[1]) / max(high[0] - low[0], 1e-9)


def _check(broadcast_id: int, campaign_id: int, base_url: str, chat_ids: list[int]) -> dict:
    from django.db import connection

    refs = _http.get(f"{base_url}/_fake/refs").json()
    check = bench_broadcast._verify(broadcast_id, campaign_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.id, p.blacklisted OR g.opted_out_globally, m.status, m.error_code "
            "FROM messaging_message m JOIN profiles_profile p ON p.id = m.profile_id "
            "JOIN profiles_profilestate g ON g.profile_id = p.id "
            "WHERE m.broadcast_id = %s AND m.direction = 'mt'",
            [broadcast_id],
        )
        rows = cursor.fetchall()
    refused = {str(pk) for pk, barred, _, _ in rows if barred}
    deliverable = {str(pk) for pk, barred, _, _ in rows if not barred}
    chats = {str(pk) for pk in chat_ids}
    return {
        **check,
        "failed": sum(status == "Failed Permanently" for _, _, status, _ in rows),
        "failed_by_429": sum(code in ("429", "20429") for _, _, _, code in rows),
        "provider_duplicates": sum(1 for count in refs.values() if count > 1),
        "provider_missing": len(deliverable - set(refs)),
        "provider_to_refused": len(refused & set(refs)),
        "chats_missing": len(chats - set(refs)),
    }


def _chat_latencies(chat_ids: list[int]) -> list[float]:
    from messaging.models import Message

    rows = Message.objects.filter(pk__in=chat_ids, status="Sent").values_list(
        "created_at", "sent_at"
    )
    return [(sent - created).total_seconds() for created, sent in rows if sent is not None]


def _cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU the process has used so far (Linux /proc), 0 when gone."""
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def _broadcast_once(company, campaign, chat_profiles, *, kill_halfway: bool, run: int) -> dict:
    from django.conf import settings

    from campaigns.broadcasts import broadcast_create, broadcast_schedule
    from campaigns.models import Broadcast, BroadcastChunk
    from messaging.broadcast_sending import broadcasts_send_due
    from messaging.in_flight import messages_reconcile_in_flight
    from messaging.models import Message, MTType
    from messaging.services import message_send

    fake, base_url = _start_fake()
    settings.SMS_PROVIDER_BASE_URL = base_url
    workers = [
        _start_worker("carrier-a", QUEUE, run, base_url),
        _start_worker("carrier-b", QUEUE, run, base_url),
    ]
    chat_worker = _start_worker("carrier-chat", CHAT_QUEUE, run, base_url)
    chat_ids: list[int] = []
    samples: list[tuple[float, int]] = []
    try:
        bench_broadcast._wait_ready(
            ["carrier-a", "carrier-b", "carrier-chat"], [*workers, chat_worker]
        )
        broadcast = broadcast_create(campaign=campaign, body="Bench: polls open 7am-8pm")
        cpu_before = [_cpu_seconds(w) for w in workers]
        expected = bench_broadcast._expected(campaign.pk)
        started = time.perf_counter()
        print(f"  scheduled at {time.strftime('%H:%M:%S')}", flush=True)
        broadcast_schedule(broadcast=broadcast)
        killed = False
        last_beat = time.perf_counter()
        while True:
            time.sleep(0.2)
            now = time.perf_counter()
            samples.append((now, sum(_stats(base_url)["accepted"].values())))
            if not kill_halfway and len(chat_ids) < CHATS and samples[-1][1] > expected * 0.1:
                chat = message_send(
                    company=company,
                    profile=chat_profiles[len(chat_ids)],
                    body=f"Agent reply {len(chat_ids)}",
                    message_type=MTType.DIRECT_MESSAGE,  # as the inbox chat sends it
                )
                chat_ids.append(chat.pk)
            status = Broadcast.objects.filter(pk=broadcast.pk).values_list("status", flat=True)[0]
            waiting = Message.objects.filter(broadcast=broadcast, status="Queued").exists()
            if status == Broadcast.Status.SENT and not waiting and len(chat_ids) in (0, CHATS):
                break
            if now - started > TIMEOUT_SECONDS:
                raise RuntimeError("the broadcast did not finish in time")
            alive = [w for w in workers if w.poll() is None]
            if len(alive) < (1 if killed else 2) or chat_worker.poll() is not None:
                raise RuntimeError("a bench worker died: see bench_carrier_*.log in the temp dir")
            # Halfway by what the provider took: the worker is then in the middle of a
            # slice, with messages claimed and requests in flight.
            if kill_halfway and not killed and samples[-1][1] >= expected / 2:
                workers[0].send_signal(signal.SIGKILL)
                killed = True
                done = BroadcastChunk.objects.filter(broadcast=broadcast, status="done").count()
                print(
                    f"  killed worker carrier-a at {samples[-1][1]:,} accepted, {done} chunks done",
                    flush=True,
                )
            if now - last_beat > 5:
                broadcasts_send_due()
                messages_reconcile_in_flight()
                last_beat = now
        elapsed = time.perf_counter() - started
        # What the machine's load cannot blur: the broadcast workers' CPU per message
        # (a killed worker's share is lost with it, so only the plain run reports it).
        cpu = sum(_cpu_seconds(w) for w in workers) - sum(cpu_before)
        load = os.getloadavg()[0]
        check = _check(broadcast.pk, campaign.pk, base_url, chat_ids)
        stats = _stats(base_url)
    finally:
        _stop([*workers, chat_worker, fake])
    return {
        "elapsed": elapsed,
        "sustained": _sustained(samples, expected),
        "check": check,
        "throttled": stats["throttled"],
        "throttle_episodes": stats["throttle_episodes"],
        "profile": _profile(samples),
        "max_in_flight": stats["max_in_flight"],
        "chat": _chat_latencies(chat_ids),
        "cpu_ms_per_message": cpu * 1000 / max(expected, 1),
        "load": load,
    }


def _profile(samples: list[tuple[float, int]], step: float = 5.0) -> str:
    """Accepted messages a second in each `step` seconds of the run: where it slowed."""
    if not samples:
        return ""
    start, rates, mark = samples[0][0], [], samples[0]
    for sample in samples[1:]:
        if sample[0] - mark[0] >= step:
            rates.append((sample[1] - mark[1]) / (sample[0] - mark[0]))
            mark = sample
    return " ".join(f"{rate:.0f}" for rate in rates) + f" (every {step:.0f} s from {start:.0f})"


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else float("nan")


def run(report) -> None:
    from django.conf import settings

    from config.celery import app
    from messaging import carriers

    if not settings.REDIS_URL:
        print("skipped: the carrier bench needs REDIS_URL (real workers)", flush=True)
        return
    import redis

    global _http
    _http = httpx.Client(timeout=30)

    # Leave Celery's configuration, the settings and every connection as found.
    saved_conf = {key: app.conf[key] for key in ("task_default_queue", "task_always_eager")}
    saved_routes = app.conf.task_routes
    changed = (*SETTINGS, "SMS_PROVIDER_BASE_URL")
    saved_settings = dict(zip(changed, operator.attrgetter(*changed)(settings), strict=True))
    saved_stall = settings.BROADCAST_CHUNK_STALL_SECONDS
    app.conf.task_default_queue = QUEUE
    app.conf.task_always_eager = False
    app.conf.task_routes = {"messaging.message_deliver": {"queue": CHAT_QUEUE}}
    for key, value in SETTINGS.items():
        setattr(settings, key, value)
    settings.BROADCAST_CHUNK_STALL_SECONDS = 20
    httpx_logger = logging.getLogger("httpx")
    saved_level = httpx_logger.level
    httpx_logger.setLevel(logging.WARNING)  # it logs every request at INFO
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(QUEUE, CHAT_QUEUE)
    subscribers = subscribers_wanted()
    saved_company = bench_broadcast.COMPANY_NAME
    bench_broadcast.COMPANY_NAME = COMPANY_NAME
    _drop_channels()  # a run that died before its clean-up
    company, campaign = bench_broadcast._seed(subscribers)
    try:
        channel = _channel(company)
        print(f"  sending number {channel} at {channel.mps:,} msg/s", flush=True)
        chat_profiles = _chat_profiles(company)
        runs: tuple[tuple[str, bool], ...] = (("", False), (", one worker killed halfway", True))
        # BENCH_CARRIER_RUNS=1: the plain run only (while profiling or tuning).
        runs = runs[: int(os.environ.get("BENCH_CARRIER_RUNS", "2"))]
        for run_number, (label, kill) in enumerate(runs, start=1):
            result = _broadcast_once(
                company, campaign, chat_profiles, kill_halfway=kill, run=run_number
            )
            check = result["check"]
            print(
                f"  {check}; provider throttled {result['throttled']} requests in "
                f"{result['throttle_episodes']} episodes, max in flight {result['max_in_flight']}",
                flush=True,
            )
            print(f"  accepted msg/s: {result['profile']}", flush=True)
            name = f"carrier broadcast to {subscribers:,} subscribers, 2 workers{label}"
            report(f"{name}, sustained msg/s vs the {CAP:,}/s cap", result["sustained"], CAP,
                   unit="msg/s")  # fmt: skip
            report(f"{name}, schedule to last Sent", result["elapsed"], unit="s")
            print(f"  load average (1 min) at the end: {result['load']:.1f} on "
                  f"{os.cpu_count()} cores", flush=True)  # fmt: skip
            if not kill:
                report(f"{name}, broadcast workers' CPU per message", result["cpu_ms_per_message"],
                       unit="ms")  # fmt: skip
            if result["chat"]:
                report(
                    f"agent chat during the broadcast, p95 of {len(result['chat'])} sends "
                    "(created to Sent)",
                    _p95(result["chat"]),
                    unit="s",
                )
            faults = {
                k: v
                for k, v in check.items()
                if k in ("missing", "duplicates", "to_opted_out", "to_blacklisted", "failed",
                         "failed_by_429", "provider_duplicates", "provider_missing",
                         "provider_to_refused", "chats_missing")
                and v
            }  # fmt: skip
            if faults:
                raise AssertionError(f"carrier broadcast check failed: {faults}")
    finally:
        _drop_channels()
        bench_broadcast._drop()
        bench_broadcast.COMPANY_NAME = saved_company
        app.conf.update(saved_conf)
        app.conf.task_routes = saved_routes
        for key, value in saved_settings.items():
            setattr(settings, key, value)
        settings.BROADCAST_CHUNK_STALL_SECONDS = saved_stall
        client.delete(QUEUE, CHAT_QUEUE)
        client.close()
        httpx_logger.setLevel(saved_level)
        _http.close()
        carriers.engine_close()


if __name__ == "__main__":
    from bench.common import Report, setup_django

    setup_django()
    run(Report())
