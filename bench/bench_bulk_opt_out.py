"""Manual bulk opt-out of 100,000 numbers (or every profile, at a smaller scale).

The list is written as people write it: a mix of E.164, national format with
punctuation and bare digits, under a `phone` header. Timed: parse, match, opt out of
all campaigns, activity events and status refresh (inbox.bulk.bulk_opt_out_apply).

Baseline, same run: COPY the E.164 numbers into a temporary table and one
`UPDATE subscriptions ... FROM` it: the least any set-based opt-out must do.

Every run is undone afterwards (subscriptions re-activated, the profiles' state rows
restored, new activity events deleted), so the bench database keeps its state.
"""

from __future__ import annotations

import os
import statistics
import time

NUMBERS = 100_000
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def _formats(e164: str, i: int) -> str:
    national = e164[2:]
    if i % 3 == 0:
        return e164
    if i % 3 == 1:
        return f"({national[:3]}) {national[3:6]}-{national[6:]}"
    return national


def _snapshot(company_id: int, numbers: list[str]):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT s.id FROM campaigns_subscription s JOIN profiles_profile p
               ON p.id = s.profile_id WHERE p.company_id = %s AND p.phone_number = ANY(%s)
               AND s.status = 'Active'""",
            [company_id, numbers],
        )
        active = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """SELECT s.profile_id, s.opted_out_globally, s.opted_out_at, s.opted_out_source,
                      s.status, s.status_description, s.updated_at
               FROM profiles_profilestate s JOIN profiles_profile p ON p.id = s.profile_id
               WHERE p.company_id = %s AND p.phone_number = ANY(%s)""",
            [company_id, numbers],
        )
        profiles = cursor.fetchall()
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM profiles_activityevent")
        last_event = cursor.fetchone()[0]
    return active, profiles, last_event


def _restore(snapshot) -> None:
    from django.db import connection, transaction

    active, profiles, last_event = snapshot
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """UPDATE campaigns_subscription SET status = 'Active', opted_out_at = NULL,
               opt_out_source = '' WHERE id = ANY(%s)""",
            [active],
        )
        cursor.execute(
            """CREATE TEMPORARY TABLE bench_restore (id bigint, g boolean, at timestamptz,
               src varchar(40), st varchar(30), descr varchar(200), upd timestamptz)
               ON COMMIT DROP"""
        )
        with cursor.copy("COPY bench_restore FROM STDIN") as copy:
            for row in profiles:
                copy.write_row(row)
        cursor.execute(
            """UPDATE profiles_profilestate s SET opted_out_globally = r.g, opted_out_at = r.at,
               opted_out_source = r.src, status = r.st, status_description = r.descr,
               updated_at = r.upd FROM bench_restore r WHERE s.profile_id = r.id"""
        )
        cursor.execute("DELETE FROM profiles_activityevent WHERE id > %s", [last_event])


def _baseline(numbers: list[str]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_numbers (phone varchar(20)) ON COMMIT DROP")
        with cursor.copy("COPY bench_numbers (phone) FROM STDIN") as copy:
            for number in numbers:
                copy.write_row((number,))
        cursor.execute(
            """UPDATE campaigns_subscription s SET status = 'Opted-Out', opted_out_at = now(),
               opt_out_source = 'Manual opt-out'
               FROM profiles_profile p JOIN bench_numbers n ON n.phone = p.phone_number
               WHERE s.profile_id = p.id AND s.status = 'Active'"""
        )


def run(report) -> None:
    from django.db.models import Count

    from accounts.models import Company
    from inbox.bulk import Outcome, bulk_opt_out_apply
    from profiles.models import Profile

    company = Company.objects.annotate(n=Count("profiles")).order_by("-n").first()
    assert company is not None, "no company: load the benchmark data first"
    numbers = list(
        Profile.objects.filter(company=company)
        .order_by("id")
        .values_list("phone_number", flat=True)[:NUMBERS]
    )
    csv_text = "phone\n" + "\n".join(_formats(n, i) for i, n in enumerate(numbers)) + "\n"
    snapshot = _snapshot(company.pk, numbers)
    print(f"{len(numbers):,} numbers, {len(snapshot[0]):,} active subscriptions", flush=True)

    samples, baseline = [], []
    try:
        for _ in range(RUNS):
            started = time.perf_counter()
            result = bulk_opt_out_apply(company_id=company.pk, source=csv_text.encode())
            samples.append((time.perf_counter() - started) * 1000)
            assert result.count(Outcome.NO_PROFILE) == 0, "every number has a profile"
            _restore(snapshot)
            started = time.perf_counter()
            _baseline(numbers)
            baseline.append((time.perf_counter() - started) * 1000)
            _restore(snapshot)
        again = bulk_opt_out_apply(company_id=company.pk, source=csv_text.encode())
        second = bulk_opt_out_apply(company_id=company.pk, source=csv_text.encode())
        assert second.count(Outcome.OPTED_OUT) == 0, "a second run must change nothing"
        opted, already = again.count(Outcome.OPTED_OUT), second.count(Outcome.ALREADY)
        print(f"opted out {opted:,}; second run: {already:,} already opted out", flush=True)
    finally:
        _restore(snapshot)
    report(
        f"bulk_opt_out {len(numbers):,} numbers",
        statistics.median(samples),
        statistics.median(baseline),
    )
