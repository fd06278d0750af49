"""The profiles table at BENCH_PROFILES profiles, through Django's test client.

Each figure is the median of several GET requests of /profiles/ by a signed-in member
(the whole view: filters, count, page, rendering), beside a same-run baseline: the
bare SQL of the same page (its rows, nothing else). The search figures also check in
EXPLAIN that PostgreSQL used the trigram GIN indexes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

RUNS = 7


def _member(company):
    from django.contrib.auth import get_user_model

    from accounts.models import Membership

    user, _ = get_user_model().objects.get_or_create(username="bench-table")
    Membership.objects.get_or_create(
        user=user, company=company, defaults={"role": "analyst", "is_default": True}
    )
    return user


def _uses_trigram(queryset) -> bool:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return "_trgm" in plan


def run(report) -> None:
    from django.conf import settings
    from django.test import override_settings

    # Pages link static files by name; the bench has not run collectstatic.
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    with override_settings(STORAGES=storages):
        _run(report)


STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"


def _run(report) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from accounts.models import Company
    from bench.common import median_ms
    from core.phones import phone_format_readable
    from profiles.models import Profile
    from profiles.pagination import DEFAULT_PER_PAGE
    from profiles.selectors import profile_list

    company = Company.objects.annotate(n=Count("profiles")).order_by("-n").first()
    assert company is not None, "no company: load the benchmark data first"
    total = Profile.objects.for_company(company).count()
    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: fresh statistics for the count
        # estimate, and a visibility map so deep pages scan the sort index only.
        cursor.execute("VACUUM (ANALYZE) profiles_profile")
    client = Client()
    client.force_login(_member(company))
    print(f"{company.name}: {total:,} profiles", flush=True)

    sample = (
        Profile.objects.for_company(company)
        .exclude(last_name="")
        .exclude(email="")
        .order_by("id")[total // 3]
    )
    name_part = sample.last_name[1:5]
    email_part = sample.email.split("@")[0][1:7]
    phone_typed = phone_format_readable(sample.phone_number)
    deep_page = min(20_000, max(1, total // DEFAULT_PER_PAGE // 2))

    def page(params: dict) -> None:
        response = client.get("/profiles/", params)
        assert response.status_code == 200, response.status_code

    def bare_sql(params: dict, offset: int = 0) -> None:
        queryset = profile_list(company=company, params=params)
        list(queryset[offset : offset + DEFAULT_PER_PAGE])

    cases: list[tuple[str, dict[str, Any], int]] = [
        ("profiles table: first page, default sort", {}, 0),
        (f"profiles table: name search {name_part!r}", {"q": name_part}, 0),
        (f"profiles table: email search {email_part!r}", {"q": email_part}, 0),
        (f"profiles table: phone search {phone_typed!r}", {"q": phone_typed}, 0),
        (
            f"profiles table: page {deep_page:,}",
            {"page": deep_page},
            (deep_page - 1) * DEFAULT_PER_PAGE,
        ),
        (
            "profiles table: filter active subscribers + opted in",
            {"subscription_status": "active", "first_seen_type": ["opted_in"]},
            0,
        ),
        (
            "profiles table: filter undeliverable (STOP word), oldest first",
            {"subscription_status": "undeliverable_stop", "sort": "created_at"},
            0,
        ),
        (
            "profiles table: filter uploaded group or CRM + name search",
            {"first_seen_type": ["uploaded_group", "crm"], "q": name_part},
            0,
        ),
    ]
    for name, params, offset in cases:
        value = median_ms(partial(page, params), runs=RUNS)
        baseline = median_ms(partial(bare_sql, params, offset), runs=RUNS)
        report(name, value, baseline)
        if "q" in params and not any(c.isdigit() for c in params["q"]):
            queryset = profile_list(company=company, params={"q": params["q"]})
            print(f"  trigram index used: {_uses_trigram(queryset)}", flush=True)
