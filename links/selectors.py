"""Reads of tracked links and clicks, always from one company's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.models import Company
from profiles.models import Profile

from .models import Click, TrackedLink


@dataclass(frozen=True)
class ClickCounts:
    total: int = 0
    unique: int = 0  # distinct profiles that clicked


def clicks_for_broadcasts(*, company: Company, ids: Iterable[int]) -> dict[int, ClickCounts]:
    """Broadcast id → total and unique clicks on its tracked links (one query)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = (
        Click.objects.for_company(company)
        .filter(link__broadcast_id__in=ids)
        .values("link__broadcast_id")
        .annotate(total=Count("pk"), unique=Count("profile_id", distinct=True))
        .order_by()
    )
    return {
        row["link__broadcast_id"]: ClickCounts(total=row["total"], unique=row["unique"])
        for row in rows
    }


def broadcast_links(*, company: Company, broadcast_id: int) -> QuerySet[TrackedLink]:
    """A broadcast's links with their total and unique clicks."""
    return (
        TrackedLink.objects.for_company(company)
        .filter(broadcast_id=broadcast_id)
        .annotate(total=Count("clicks"), unique=Count("clicks__profile", distinct=True))
        .order_by("id")
    )


def tinyurl_list(*, company: Company) -> QuerySet[TrackedLink]:
    return TrackedLink.objects.for_company(company).order_by("-id")


def link_clicks(
    *,
    company: Company,
    link: TrackedLink,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Click]:
    clicks = Click.objects.for_company(company).filter(link=link)
    if since:
        clicks = clicks.filter(clicked_at__gte=since)
    if until:
        clicks = clicks.filter(clicked_at__lte=until)
    return clicks


def click_totals(clicks: QuerySet[Click]) -> ClickCounts:
    counts = clicks.aggregate(total=Count("pk"), unique=Count("profile_id", distinct=True))
    return ClickCounts(total=counts["total"], unique=counts["unique"])


def profile_clicks(*, profile: Profile, limit: int | None = None) -> QuerySet[Click]:
    clicks = (
        Click.objects.filter(company_id=profile.company_id, profile=profile)
        .select_related("link")
        .order_by("-clicked_at", "-id")
    )
    return clicks[:limit] if limit else clicks
