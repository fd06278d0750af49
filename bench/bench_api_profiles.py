"""GET /api/profiles?limit=1000 with custom columns and subscriptions (seed 004 target:
p50 under 300 ms on 1M profiles).

Measured through Django's test Client with HTTP Basic auth, so the figure includes
authentication, the concurrency slot, the queries and the XML rendering. Baseline: the
same page's SQL, captured from one call and replayed raw (the database's share).
"""

import base64
import statistics
import time
from collections.abc import Callable

from bench.common import Report, median_ms

USERNAME = "bench-api"
PASSWORD = "bench-api-password"  # noqa: S105 (a local benchmark login, not a secret)


def _bench_user():
    from django.contrib.auth import get_user_model

    from accounts.models import Company, Membership
    from profiles.models import Profile

    company_id = (
        Profile.objects.values("company_id")
        .order_by("company_id")
        .values_list("company_id", flat=True)
        .first()
    )
    company = Company.objects.get(pk=company_id)
    users = get_user_model()
    user = users.objects.filter(username=USERNAME).first()
    if user is None:
        user = users.objects.create_user(USERNAME, f"{USERNAME}@example.org", PASSWORD)
    Membership.objects.update_or_create(
        user=user, company=company, defaults={"role": "admin", "is_default": True}
    )
    return user, company


def median_cpu_ms(fn: Callable[[], object], runs: int = 7) -> float:
    """Median CPU time of this process for `fn`, in ms (one warm-up run first)."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def run(report: Report) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from profiles.models import Profile

    _user, company = _bench_user()
    auth = base64.b64encode(f"{USERNAME}@example.org:{PASSWORD}".encode()).decode()
    client = Client(HTTP_AUTHORIZATION=f"Basic {auth}")
    url = f"/api/profiles?limit=1000&company={company.key}"

    def page(number: int = 1):
        response = client.get(f"{url}&page={number}")
        assert response.status_code == 200, response.content[:300]
        return response

    def replay_of(number: int):
        """The page's own SQL, captured from one call, to replay raw (the database's share)."""
        with CaptureQueriesContext(connection) as ctx:
            body = page(number).content
        queries = [q["sql"] for q in ctx.captured_queries]

        def replay():
            with connection.cursor() as cursor:
                for sql in queries:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()

        return replay, queries, body

    replay, queries, body = replay_of(1)
    print(f"  one page: {len(queries)} queries, {len(body) / 1024:.0f} KiB of XML", flush=True)
    baseline = median_ms(replay)
    report("api profiles limit=1000 page 1", median_ms(page), baseline)
    report("api profiles limit=1000 page 10", median_ms(lambda: page(10)), baseline)
    # This process's CPU time for a page: what the Python side costs, free of the
    # waits that other work on a shared machine adds to the wall-clock figures.
    report("api profiles limit=1000 page 1, CPU of the app", median_cpu_ms(page))

    # The last full page: OFFSET paging makes the database skip every earlier row.
    last = max(1, Profile.objects.filter(company=company).count() // 1000)
    replay_last, _, _ = replay_of(last)
    report(
        f"api profiles limit=1000 page {last} (last)",
        median_ms(lambda: page(last)),
        median_ms(replay_last),
    )
