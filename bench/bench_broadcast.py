"""A broadcast to every subscriber, fanned out by two real Celery workers through Redis.

Setup: a company of BENCH_PROFILES profiles, all subscribed to one campaign; 5% of them
opted out (a STOP: subscription opted out and the profile opted out everywhere) and 1%
blacklisted while still subscribed, so the send rule itself has to refuse them.

Run 1 measures schedule → status sent with two workers (`celery worker --pool=solo`,
one process each, FakeGateway). Run 2 repeats it and SIGKILLs one worker halfway; the
bench process plays celery-beat (`broadcasts_send_due`), which queues the dead worker's
chunk again. Both runs are checked with SQL: every deliverable subscriber has exactly
one Sent message, nobody else has one, no (broadcast, profile) appears twice.

Baseline, same run: one INSERT … SELECT writing the same message rows, status Sent,
with no rule, no chunks and no gateway: the floor any fan-out is measured against.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPANY_NAME = "Bench broadcasts"
QUEUE = "bench_broadcast"
AREAS = [
    "202", "212", "213", "305", "312", "404", "415", "512", "602", "617",
    "702", "713", "718", "801", "804", "808", "917", "919", "971", "978",
]  # fmt: skip
TIMEOUT_SECONDS = 20 * 60
# BENCH_BROADCAST_MERGE=1: a body with a merge field, rendered per recipient in SQL.
BODY = (
    "Bench: {{first_name|friend}}, polls open 7am-8pm"
    if os.environ.get("BENCH_BROADCAST_MERGE") == "1"
    else "Bench: polls open 7am-8pm"
)
LOG_DIR = Path(tempfile.gettempdir())


def _literal_defaults(model, overrides: dict[str, str]) -> tuple[list[str], list[str], list]:
    """Columns, SQL expressions and parameters for an INSERT … SELECT of `model` rows:
    `overrides` give SQL for some columns, every other NOT NULL column gets its default."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        column = field.column
        if column in overrides:
            columns.append(column)
            expressions.append(overrides[column])
        elif not field.null:
            columns.append(column)
            expressions.append("%s")
            params.append(field.get_db_prep_value(field.get_default(), _connection()))
    return columns, expressions, params


def _connection():
    from django.db import connection

    return connection


def _seed(profiles: int):
    """The bench company, campaign, profiles and subscriptions, set-based."""
    from django.db import connection

    from accounts.models import Company
    from campaigns.models import Campaign, Subscription
    from profiles.models import Profile

    if Company.objects.filter(name=COMPANY_NAME).exists():
        _drop()
    company = Company.objects.create(name=COMPANY_NAME)
    campaign = Campaign.objects.create(company=company, name="Bench alerts")
    started = time.perf_counter()
    areas = "ARRAY[" + ",".join(f"'{a}'" for a in AREAS) + "]"
    columns, expressions, params = _literal_defaults(
        Profile,
        {
            "company_id": str(company.pk),
            "phone_number": (
                f"'+1' || ({areas})[i %% 20 + 1] || (200 + (i / 20) %% 800)::text "
                "|| lpad(((i / 16000) %% 10000)::text, 4, '0')"
            ),
            "number_type": "'mobile'",
            "created_at": "now()",
            "updated_at": "now()",
            "blacklisted": "(i %% 100 = 7)",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Profile._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(expressions)} FROM generate_series(0, %s) AS g(i)",
            [*params, profiles - 1],
        )
        # One in twenty texted STOP ALL (the insert's trigger gave each a state row).
        cursor.execute(
            "UPDATE profiles_profilestate s SET opted_out_globally = true, opted_out_at = now(), "
            "opted_out_source = 'Texted a STOP word', status = 'Undeliverable', "
            "status_description = 'Texted a STOP word' FROM profiles_profile p "
            "WHERE p.id = s.profile_id AND p.company_id = %s AND p.id %% 20 = 0",
            [company.pk],
        )
        columns, expressions, params = _literal_defaults(
            Subscription,
            {
                "company_id": str(company.pk),
                "profile_id": "p.id",
                "campaign_id": str(campaign.pk),
                "status": "CASE WHEN g.opted_out_globally THEN 'Opted-Out' ELSE 'Active' END",
                "opt_in_source": "'Bench'",
                "created_at": "now()",
                "activated_at": "now()",
                "opted_out_at": "g.opted_out_at",
                "opt_out_source": "g.opted_out_source",
            },
        )
        cursor.execute(
            f"INSERT INTO {Subscription._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(expressions)} FROM {Profile._meta.db_table} p "
            "JOIN profiles_profilestate g ON g.profile_id = p.id WHERE p.company_id = %s",
            [*params, company.pk],
        )
        cursor.execute("ANALYZE")
    print(f"seeded {profiles:,} profiles in {time.perf_counter() - started:.1f} s", flush=True)
    return company, campaign


def _drop() -> None:
    """Remove the bench company and everything in it (messages first: they protect;
    conversations before them: they point at their last message)."""
    from django.db import connection

    tables = [
        ("messaging_conversation", "company_id"),
        ("messaging_message", "company_id"),
        ("campaigns_broadcastchunk", "broadcast_id IN (SELECT id FROM campaigns_broadcast "
         "WHERE company_id"),
        ("campaigns_broadcast_tags", "broadcast_id IN (SELECT id FROM campaigns_broadcast "
         "WHERE company_id"),
        ("campaigns_broadcast", "company_id"),
        ("campaigns_subscription", "company_id"),
        ("profiles_activityevent", "company_id"),
        ("profiles_profilestate", "profile_id IN (SELECT id FROM profiles_profile "
         "WHERE company_id"),
        ("profiles_profile", "company_id"),
        ("campaigns_campaign", "company_id"),
        ("profiles_company", "id"),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM profiles_company WHERE name = %s", [COMPANY_NAME])
        for (company_id,) in cursor.fetchall():
            for table, condition in tables:
                closing = ")" if "(" in condition else ""
                cursor.execute(f"DELETE FROM {table} WHERE {condition} = %s{closing}", [company_id])


def _expected(campaign_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM campaigns_subscription s JOIN profiles_profile p "
            "ON p.id = s.profile_id JOIN profiles_profilestate g ON g.profile_id = p.id "
            "WHERE s.campaign_id = %s AND s.status = 'Active' "
            "AND NOT p.blacklisted AND NOT g.opted_out_globally",
            [campaign_id],
        )
        return cursor.fetchone()[0]


def _baseline(company, campaign) -> float:
    """The same message rows in one INSERT … SELECT (then removed)."""
    from django.db import connection, transaction

    from campaigns.models import Broadcast
    from messaging.models import Message

    broadcast = Broadcast.objects.create(
        company=company, campaign=campaign, name="baseline", body="Bench baseline", status="sent"
    )
    columns, expressions, params = _literal_defaults(
        Message,
        {
            "company_id": str(company.pk),
            "profile_id": "p.id",
            "phone_number": "p.phone_number",
            "direction": "'mt'",
            "message_type": "'regular_text'",
            "body": "'Bench baseline'",
            "campaign_id": str(campaign.pk),
            "broadcast_id": str(broadcast.pk),
            "status": "'Sent'",
            "created_at": "now()",
            "updated_at": "now()",
            "sent_at": "now()",
        },
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Message._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(expressions)} FROM campaigns_subscription s "
            "JOIN profiles_profile p ON p.id = s.profile_id "
            "JOIN profiles_profilestate g ON g.profile_id = p.id WHERE s.campaign_id = %s "
            "AND s.status = 'Active' AND NOT p.blacklisted AND NOT g.opted_out_globally",
            [*params, campaign.pk],
        )
    elapsed = time.perf_counter() - started
    Message.objects.filter(broadcast=broadcast).delete()
    broadcast.delete()
    return elapsed


def _start_worker(name: str, run: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SMS_GATEWAY": "messaging.gateways.FakeGateway",
        "CELERY_QUEUE": QUEUE,
        # The bench measures throughput at any hour: quiet hours would hold its
        # recipients at night (their area codes span the US zones).
        "SMS_SENDING_WINDOW_START": "00:00",
        "SMS_SENDING_WINDOW_END": "23:59:59.999999",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    log = open(LOG_DIR / f"bench_broadcast_{run}_{name}.log", "w")  # noqa: SIM115 (lives as long as the worker)
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [celery, "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", QUEUE,
         "-n", f"{name}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait_ready(names: list[str], workers: list[subprocess.Popen]) -> None:
    from config.celery import app

    wanted = {f"{name}@{os.uname().nodename}" for name in names}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(worker.poll() is not None for worker in workers):
            raise RuntimeError(
                "a bench worker exited at start: see bench_broadcast_*.log in the temp directory"
            )
        replies = app.control.ping(timeout=1.0) or []
        if wanted <= {name for reply in replies for name in reply}:
            return
    raise RuntimeError("the bench workers did not start")


def _verify(broadcast_id: int, campaign_id: int) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE m.status = 'Sent'), "
            "COUNT(*) - COUNT(DISTINCT m.profile_id), "
            "COUNT(*) FILTER (WHERE g.opted_out_globally), "
            "COUNT(*) FILTER (WHERE p.blacklisted AND m.status = 'Sent') "
            "FROM messaging_message m JOIN profiles_profile p ON p.id = m.profile_id "
            "JOIN profiles_profilestate g ON g.profile_id = p.id "
            "WHERE m.broadcast_id = %s AND m.direction = 'mt'",
            [broadcast_id],
        )
        sent, duplicates, to_opted_out, to_blacklisted = cursor.fetchone()
    expected = _expected(campaign_id)
    return {
        "expected": expected,
        "sent": sent,
        "missing": expected - sent,
        "duplicates": duplicates,
        "to_opted_out": to_opted_out,
        "to_blacklisted": to_blacklisted,
    }


def _broadcast_once(campaign, *, kill_halfway: bool, run: int) -> tuple[float, dict[str, int]]:
    from django.conf import settings

    from campaigns.broadcasts import broadcast_create, broadcast_schedule
    from campaigns.models import Broadcast, BroadcastChunk
    from messaging.broadcast_sending import broadcasts_send_due

    workers = [_start_worker("bench-a", run), _start_worker("bench-b", run)]
    # The bench process plays celery-beat; a chunk that started and is silent this
    # long is presumed dead with its worker.
    settings.BROADCAST_CHUNK_STALL_SECONDS = 20
    settings.SMS_SENDING_WINDOW_START = dt.time(0)  # as in the workers' environment
    settings.SMS_SENDING_WINDOW_END = dt.time(23, 59, 59, 999999)
    try:
        _wait_ready(["bench-a", "bench-b"], workers)  # the clock starts with both workers listening
        broadcast = broadcast_create(campaign=campaign, body=BODY)
        started = time.perf_counter()
        print(f"  scheduled at {time.strftime('%H:%M:%S')}", flush=True)
        broadcast_schedule(broadcast=broadcast)
        killed = False
        last_beat = time.perf_counter()
        while True:
            time.sleep(0.5)
            status = Broadcast.objects.filter(pk=broadcast.pk).values_list("status", flat=True)[0]
            if status == Broadcast.Status.SENT:
                break
            if time.perf_counter() - started > TIMEOUT_SECONDS:
                raise RuntimeError("the broadcast did not finish in time")
            if workers[1].poll() is not None or (not killed and workers[0].poll() is not None):
                raise RuntimeError(
                    "a bench worker died: see bench_broadcast_*.log in the temp directory"
                )
            chunks = BroadcastChunk.objects.filter(broadcast=broadcast)
            if kill_halfway and not killed and chunks.exists():
                done = chunks.filter(status="done").count()
                if done * 2 >= chunks.count():
                    workers[0].send_signal(signal.SIGKILL)
                    killed = True
                    print(f"  killed worker bench-a after {done} chunks", flush=True)
            if time.perf_counter() - last_beat > 5:
                broadcasts_send_due()
                last_beat = time.perf_counter()
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    return elapsed, _verify(broadcast.pk, campaign.pk)


def run(report) -> None:
    from django.conf import settings

    from bench.common import profiles_wanted
    from config.celery import app

    if not settings.REDIS_URL:
        print("skipped: the broadcast bench needs REDIS_URL (real workers)", flush=True)
        return
    # Later benches run in this process: leave Celery's configuration as it was found.
    # (The export bench runs its child in a fresh interpreter, so the broker connections
    # opened here are never inherited by a fork.)
    saved = {key: app.conf[key] for key in ("task_default_queue", "task_always_eager")}
    app.conf.task_default_queue = QUEUE
    app.conf.task_always_eager = False
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(QUEUE)
    profiles = profiles_wanted()
    company, campaign = _seed(profiles)
    try:
        baseline = _baseline(company, campaign)
        for run, (label, kill) in enumerate(
            (("", False), (", one worker killed halfway", True)), start=1
        ):
            elapsed, check = _broadcast_once(campaign, kill_halfway=kill, run=run)
            print(f"  {check}", flush=True)
            report(
                f"broadcast to {profiles:,} subscribers, 2 workers{label}",
                elapsed,
                baseline,
                unit="s",
            )
            faults = {k: v for k, v in check.items() if k not in ("expected", "sent") and v}
            if faults:
                raise AssertionError(f"broadcast check failed: {faults}")
    finally:
        _drop()
        app.conf.update(saved)


if __name__ == "__main__":
    from bench.common import Report, setup_django

    setup_django()
    report = Report()
    run(report)
