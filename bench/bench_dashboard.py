"""The Home page (dashboard) at BENCH_PROFILES profiles and BENCH_MESSAGES messages.

Setup: the demo company (BENCH_PROFILES profiles and their seeded history) gets more
messages, set-based (one INSERT … SELECT over generate_series), until it holds
BENCH_MESSAGES: broadcasts of one message per subscriber, then one-to-one texts both
ways over the last 120 days, with receipts, carrier failures (four reasons) and
refusals. The added rows belong to the campaign "Bench dashboard" and are kept for
the next run; a demo reseed removes them with the rest.

Figures, each the median of several requests through Django's test client by a
signed-in member, beside a same-run baseline: the SQL that very request ran (captured
once, then executed alone on the same connection). Also printed: the roll-up's cost
(a full backfill, and the periodic yesterday-and-today run) and whether its scan of
the messages used the (company, direction, created_at) index.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

RUNS = 7
BENCH_CAMPAIGN = "Bench dashboard"
HISTORY_DAYS = 120
BROADCASTS_SHARE = 0.6  # of the added messages
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"


def messages_wanted() -> int:
    return int(os.environ.get("BENCH_MESSAGES", "10000000"))


def _insert_defaults(model, overrides: dict[str, str]) -> tuple[list[str], list[str], list]:
    """Columns and SQL of an INSERT … SELECT of `model` rows: `overrides` give SQL for
    some columns, every other NOT NULL column gets its default as a parameter."""
    from django.db import connection

    columns, expressions, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.column in overrides:
            columns.append(f.column)
            expressions.append(overrides[f.column])
        elif not f.null:
            columns.append(f.column)
            expressions.append("%s")
            params.append(f.get_db_prep_value(f.get_default(), connection))
    return columns, expressions, params


def _seed_messages(company, wanted: int) -> None:
    from django.db import connection

    from campaigns.models import Broadcast, Campaign
    from messaging.models import Message
    from profiles.models import Profile

    have = Message.objects.for_company(company).count()
    extra = wanted - have
    print(f"{company.name}: {have:,} messages, {wanted:,} wanted", flush=True)
    if extra <= 0:
        return
    profiles = Profile.objects.for_company(company).count()
    campaign, _ = Campaign.objects.get_or_create(company=company, name=BENCH_CAMPAIGN)
    now = dt.datetime.now(dt.UTC)
    # Broadcasts reach every profile once each (the unique (broadcast, profile) rule).
    count = int(extra * BROADCASTS_SHARE) // profiles
    broadcasts = [
        Broadcast.objects.create(
            company=company,
            campaign=campaign,
            name=f"{BENCH_CAMPAIGN} {i + 1}",
            body="Bench broadcast",
            status=Broadcast.Status.SENT,
            started_at=now - dt.timedelta(days=3 + 13 * i),
            recipients_count=profiles,
        )
        for i in range(count)
    ]
    broadcast_ids = "ARRAY[" + ",".join(str(b.pk) for b in broadcasts) + "]::bigint[]"
    in_broadcasts = count * profiles
    # Message i: broadcast i / profiles to profile i % profiles, or past them a
    # one-to-one text (one in five incoming) at a spread-out moment of the history.
    columns, expressions, params = _insert_defaults(
        Message,
        {
            "company_id": str(company.pk),
            "profile_id": "p.id",
            "phone_number": "p.phone_number",
            "direction": "CASE WHEN g.i >= %(b)s AND g.i %% 5 = 0 THEN 'mo' ELSE 'mt' END",
            "message_type": "CASE WHEN g.i >= %(b)s AND g.i %% 5 = 0 THEN 'reply' "
            "ELSE 'regular_text' END",
            "body": "'Bench text'",
            "campaign_id": str(campaign.pk),
            "broadcast_id": f"CASE WHEN g.i < %(b)s THEN ({broadcast_ids})[g.i / %(n)s + 1] END",
            "status": (
                "CASE WHEN g.i >= %(b)s AND g.i %% 5 = 0 THEN 'Received' "
                "WHEN g.i %% 40 = 1 THEN 'Failed Permanently' "
                "WHEN g.i %% 50 = 2 THEN 'Undeliverable' ELSE 'Sent' END"
            ),
            "status_reason": (
                "CASE WHEN g.i %% 40 = 1 THEN (ARRAY['Unreachable destination handset', "
                "'Carrier filtered', 'Unknown destination handset', 'Queue overflow'])"
                "[g.i %% 4 + 1] WHEN g.i %% 50 = 2 THEN 'Opted out of this campaign' "
                "ELSE '' END"
            ),
            "error_code": "CASE WHEN g.i %% 40 = 1 THEN (ARRAY['30003', '30007', '30005', "
            "'30001'])[g.i %% 4 + 1] ELSE '' END",
            "created_at": (
                "CASE WHEN g.i < %(b)s THEN %(now)s - make_interval(days => 3 + 13 * "
                "(g.i / %(n)s)) + make_interval(secs => (g.i %% %(n)s) / 500) "
                "ELSE %(now)s - make_interval(secs => (g.i::bigint * 7919) %% %(span)s) END"
            ),
            "updated_at": "%(now)s",
        },
    )
    select = ", ".join(expressions)
    named: dict[str, Any] = {
        "b": in_broadcasts,
        "n": profiles,
        "now": now,
        "span": HISTORY_DAYS * 86400,
    }
    # The defaults' positional parameters become named ones, so that both can mix.
    for k, value in enumerate(params):
        select = select.replace("%s", f"%(d{k})s", 1)
        named[f"d{k}"] = value
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Message._meta.db_table} ({', '.join(columns)}, delivered_at) "
            f"SELECT {select}, CASE WHEN g.i %% 40 <> 1 AND g.i %% 50 <> 2 "
            "AND NOT (g.i >= %(b)s AND g.i %% 5 = 0) THEN %(now)s END "
            "FROM generate_series(0, %(extra)s - 1) AS g(i) "
            "JOIN (SELECT id, phone_number, row_number() OVER (ORDER BY id) - 1 AS n "
            "FROM profiles_profile WHERE company_id = %(company)s) p ON p.n = g.i %% %(n)s",
            {**named, "extra": extra, "company": company.pk},
        )
        cursor.execute("ANALYZE messaging_message")
    print(f"added {extra:,} messages in {time.perf_counter() - started:.1f} s", flush=True)


def _roll_up(company, report) -> None:
    from django.db import connection

    from reports.rollup import (
        dashboard_backfill,
        dashboard_roll_up,
        day_bounds,
        history_first_day,
        local_today,
    )

    today = local_today(company)
    started = time.perf_counter()
    dashboard_backfill(company=company, first=history_first_day(company) or today)
    print(f"roll-up backfill of the whole history: {time.perf_counter() - started:.1f} s")

    def recent() -> None:
        dashboard_roll_up(company=company, first=today - dt.timedelta(days=1), last=today)

    from bench.common import median_ms

    report("dashboard: periodic roll-up (yesterday and today)", median_ms(recent, runs=3))
    start, end = day_bounds(company, today - dt.timedelta(days=1), today)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT COUNT(*) FROM messaging_message m WHERE m.company_id = %s "
            "AND m.direction IN ('mo', 'mt') AND m.created_at >= %s AND m.created_at < %s",
            [company.pk, start, end],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"  roll-up scan uses message_company_dir_time: {'message_company_dir_time' in plan}")


def _member(company):
    from django.contrib.auth import get_user_model

    from accounts.models import Membership

    user, _ = get_user_model().objects.get_or_create(username="bench-dashboard")
    Membership.objects.get_or_create(
        user=user, company=company, defaults={"role": "staff", "is_default": True}
    )
    return user


def _page_against_its_sql(client, report, name: str, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.common import median_ms

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    page()
    with CaptureQueriesContext(connection) as captured:
        page()
    statements = [q["sql"] for q in captured.captured_queries]
    touched = " ".join(statements)
    assert "messaging_message" not in touched, "the dashboard read the messages table"

    def sql() -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                if cursor.description:
                    cursor.fetchall()

    value = median_ms(page, runs=RUNS)
    baseline = median_ms(sql, runs=RUNS)
    report(f"{name} ({len(statements)} queries)", value, baseline)
    # On a loaded shared machine wall time mostly measures the wait for a core; the
    # process's own CPU time per request is the steadier figure of what the page costs.
    report(f"{name}: Python CPU per request", _median_cpu_ms(page))


def _median_cpu_ms(fn) -> float:
    import statistics

    samples = []
    for _ in range(RUNS):
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def run(report) -> None:
    from django.conf import settings
    from django.test import override_settings

    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    with override_settings(STORAGES=storages, ALLOWED_HOSTS=["*"]):
        _run(report)


def _run(report) -> None:
    from django.test import Client

    from accounts.models import Company
    from campaigns.models import Broadcast
    from demo.catalog import DEMO_COMPANY

    company = Company.objects.get(name=DEMO_COMPANY)
    _seed_messages(company, messages_wanted())
    _roll_up(company, report)
    client = Client()
    client.force_login(_member(company))
    # The same framework cost on a page with little of its own (sign-in, company,
    # layout): what any page pays on this machine at this moment.
    _page_against_its_sql(client, report, "reference: the Reports page", "/reports/")
    for days in (7, 30, 90):
        _page_against_its_sql(client, report, f"dashboard: home, {days} days", f"/?days={days}")
    broadcast = (
        Broadcast.objects.for_company(company)
        .filter(name__startswith=BENCH_CAMPAIGN)
        .order_by("-pk")
        .first()
    )
    if broadcast is not None:
        url = f"/campaigns/broadcasts/{broadcast.pk}/report/"
        _page_against_its_sql(client, report, "dashboard: broadcast report", url)
