"""Every list page at BENCH_PROFILES profiles and BENCH_MESSAGES messages.

Each figure is the median of several GET requests by a signed-in Admin through
Django's test client (every middleware, the view, the template), beside a same-run
baseline: the SQL the page needs, executed directly. That SQL is captured from the
request itself (connection.execute_wrapper) and replayed with the same parameters, so
the baseline is exactly the page's rows and count queries, whatever strategy the page
uses. The signed-in frame's queries (session, user, company and membership, before
the view runs) are not the page's own and are left out of the baseline; the line under
each figure says how many there were, and the request's own CPU time in this process
(its Python: middleware, view, ORM, template), which other processes' load disturbs
far less than wall time. Requests and replays alternate, so a burst of load on this
shared machine hits both.

BENCH_PROFILE=1 also prints each page's cProfile top functions (one extra request).
"""

from __future__ import annotations

import cProfile
import importlib
import io
import os
import pstats
import re
import statistics
import time
from dataclasses import dataclass
from typing import Any

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
# Tables of the signed-in frame that every page pays for, not the page's own SQL.
FRAME_TABLES = ("django_session", "auth_user", "profiles_membership", "profiles_company")
_FROM = re.compile(r'\bFROM\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Query:
    sql: str
    params: Any  # as the cursor took them: a sequence, a mapping or None
    ms: float

    @property
    def frame(self) -> bool:
        match = _FROM.search(self.sql)
        return match is not None and match.group(1) in FRAME_TABLES


def _member(company):
    from django.contrib.auth import get_user_model

    from accounts.models import Membership

    user, _ = get_user_model().objects.get_or_create(username="bench-pages")
    Membership.objects.update_or_create(
        user=user, company=company, defaults={"role": "admin", "is_default": True}
    )
    return user


def _exports(company, user, count: int = 40) -> None:
    """A Reports page with a page and a half of exports of every status."""
    from reports.models import Export

    have = Export.objects.filter(company=company).count()
    statuses = ["done", "failed", "running", "pending"]
    Export.objects.bulk_create(
        Export(
            company=company,
            requested_by=user,
            kind="profiles",
            name=f"profiles-{i}.csv",
            status=statuses[i % len(statuses)],
            config={"query": "", "scope": None},
        )
        for i in range(have, count)
    )


def _conversations(company, user) -> None:
    """The inbox's conversations of the seeded and copied messages, as the migration that
    introduced conversations made them from an existing history (the seed writes
    messages only), so the inbox list shows full pages rather than none; a fifth are
    the bench user's and a seventh tagged, so those columns have something to show."""
    from django.db import connection

    from inbox.models import ConversationTag, InboxConversation

    if InboxConversation.objects.filter(company=company).exists():
        return
    started = time.perf_counter()
    backfill = importlib.import_module("inbox.migrations.0005_conversations").BACKFILL
    table = InboxConversation._meta.db_table
    tag = ConversationTag.objects.create(company=company, name="needs callback")
    through = InboxConversation.tags.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(backfill)
        cursor.execute(
            f"UPDATE {table} SET assignee_id = %s, assigned_at = now() "  # noqa: S608 (the model's own table)
            "WHERE company_id = %s AND id %% 5 = 0",
            [user.pk, company.pk],
        )
        cursor.execute(
            f"INSERT INTO {through} (inboxconversation_id, conversationtag_id) "  # noqa: S608 (the model's own tables)
            f"SELECT id, %s FROM {table} WHERE company_id = %s AND id %% 7 = 0",
            [tag.pk, company.pk],
        )
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    count = InboxConversation.objects.filter(company=company).count()
    print(f"conversations: {count:,} in {time.perf_counter() - started:.0f} s", flush=True)


def _capture(client, url: str, params: dict) -> list[Query]:
    from django.db import connection

    queries: list[Query] = []

    def wrapper(execute, sql, params_, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params_, many, context)
        finally:
            queries.append(Query(sql, params_, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(wrapper):
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return queries


def _replay(queries: list[Query]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query.sql, query.params)
            if cursor.description is not None:
                cursor.fetchall()


def _profile(client, url: str, params: dict) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url, params)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(15)
    print("\n".join("    " + line for line in out.getvalue().splitlines() if line), flush=True)


def _measure(report, client, name: str, url: str, params: dict) -> None:
    captured = _capture(client, url, params)
    # The frame is the leading run of session, user and membership queries, before the
    # view starts; anything later (a header's lookups, a per-row query) is the page's.
    lead = next((i for i, q in enumerate(captured) if not q.frame), len(captured))
    frame, own = captured[:lead], captured[lead:]
    pages, sqls, cpus = [], [], []
    _replay(own)  # warm both paths once
    client.get(url, params)
    for _ in range(RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        pages.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        started = time.perf_counter()
        _replay(own)
        sqls.append((time.perf_counter() - started) * 1000)
    page, sql = statistics.median(pages), statistics.median(sqls)
    report(name, page, sql)
    verdict = "ok" if page <= 2 * sql and page < 150 else "over"
    print(
        f"  {len(own)} page queries (the baseline), {len(frame)} of the signed-in frame; "
        f"{page - sql:.1f} ms beyond the SQL; request CPU {statistics.median(cpus):.1f} ms "
        f"(steadier than wall time under load); goal 2x and < 150 ms: {verdict}",
        flush=True,
    )
    if os.environ.get("BENCH_PROFILE"):
        _profile(client, url, params)


def run(report) -> None:
    from django.conf import settings
    from django.test import override_settings

    # Pages link static files by name; the bench has not run collectstatic.
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    with override_settings(STORAGES=storages):
        _run(report)


def _run(report) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from accounts.models import Company
    from bench.common import ensure_messages, messages_wanted
    from messaging.models import Message
    from profiles.models import Profile
    from profiles.pagination import DEFAULT_PER_PAGE

    company = Company.objects.annotate(n=Count("profiles")).order_by("-n").first()
    assert company is not None, "no company: load the benchmark data first"
    total = Profile.objects.for_company(company).count()
    ensure_messages(company, messages_wanted(total))
    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: fresh statistics for the count
        # estimate, and a visibility map so deep pages scan the sort index only.
        cursor.execute("VACUUM (ANALYZE) profiles_profile")
    user = _member(company)
    _exports(company, user)
    _conversations(company, user)
    client = Client()
    client.force_login(user)
    messages = Message.objects.filter(company=company).count()
    print(f"{company.name}: {total:,} profiles, {messages:,} messages", flush=True)

    sample = (
        Profile.objects.for_company(company)
        .exclude(last_name="")
        .order_by("id")
        .only("last_name")[total // 3]
    )
    name_part = sample.last_name[1:5]
    deep_page = min(20_000, max(1, total // DEFAULT_PER_PAGE // 2))
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("profiles table: first page", "/profiles/", {}),
        (f"profiles table: name search {name_part!r}", "/profiles/", {"q": name_part}),
        (
            "profiles table: STOP-word filter, oldest first",
            "/profiles/",
            {"subscription_status": "undeliverable_stop", "sort": "created_at"},
        ),
        (f"profiles table: page {deep_page:,}", "/profiles/", {"page": deep_page}),
        ("groups list", "/campaigns/groups/", {}),
        ("campaigns list", "/campaigns/", {}),
        ("broadcasts list", "/campaigns/broadcasts/", {}),
        ("inbox list", "/inbox/", {}),
        ("reports page", "/reports/", {}),
    ]
    for name, url, params in cases:
        _measure(report, client, name, url, params)
