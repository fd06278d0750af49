"""What the Home page and the broadcast reports show, read from the daily aggregates.

Nothing here reads the messages table: the figures come from the rows reports.rollup
writes (a handful of small indexed reads whatever the company's size), plus the
broadcasts' own counters of replies and opt-outs and one grouped read of their clicks
(links.selectors.clicks_for_broadcasts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone

from accounts.models import Company
from campaigns.models import Broadcast
from links.selectors import ClickCounts, clicks_for_broadcasts

from .models import BroadcastDay, CompanyDay, FailureDay
from .rollup import local_today

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
RECENT_BROADCASTS = 5
TOP_REASONS = 8
FUNNEL_ROW, FUNNEL_BAR = 40, 230
COUNTED = ("opt_ins", "opt_outs", "sent", "delivered", "failed", "undeliverable", "replies")


def period_from(value: str | None) -> int:
    """The selector's period in days; anything else is the default."""
    try:
        days = int(value or "")
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Day:
    day: dt.date
    opt_ins: int = 0
    opt_outs: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    undeliverable: int = 0
    replies: int = 0

    @property
    def net(self) -> int:
        return self.opt_ins - self.opt_outs

    @property
    def cells(self) -> list[str]:
        """The data table's row, written out here: 90 rows of eight |intcomma filters
        were a third of the page's time."""
        values = (
            self.opt_ins,
            self.opt_outs,
            self.net,
            self.sent,
            self.delivered,
            self.failed + self.undeliverable,
            self.replies,
        )
        return [f"{v:,}" for v in values]


@dataclass
class Summary:
    first: dt.date
    last: dt.date
    days: list[Day]
    totals: dict[str, int]
    failures: list[dict]
    rolled_up_at: dt.datetime | None

    @property
    def net(self) -> int:
        return self.totals["opt_ins"] - self.totals["opt_outs"]

    @property
    def delivery_rate(self) -> float | None:
        return percent(self.totals["delivered"], self.totals["sent"])

    @property
    def not_delivered(self) -> int:
        return self.totals["failed"] + self.totals["undeliverable"]


def dashboard_summary(*, company: Company, days: int, today: dt.date | None = None) -> Summary:
    """The last `days` local days of the company, today included; days without a row
    (nothing happened) are zeros."""
    last = today or local_today(company)
    first = last - dt.timedelta(days=days - 1)
    rows = CompanyDay.objects.for_company(company).filter(day__gte=first, day__lte=last)
    by_day = {row.day: row for row in rows}
    series = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        row = by_day.get(day)
        values = {name: getattr(row, name) for name in COUNTED} if row else {}
        series.append(Day(day=day, **values))
    totals = {name: sum(getattr(d, name) for d in series) for name in COUNTED}
    # When the roll-up last ran for the company, even if the period had no activity
    # (a few hundred rows a year: no index needed beyond the company's).
    latest = CompanyDay.objects.for_company(company).aggregate(at=Max("rolled_up_at"))["at"]
    return Summary(
        first=first,
        last=last,
        days=series,
        totals=totals,
        failures=failures_by_reason(company=company, first=first, last=last),
        rolled_up_at=latest,
    )


def failures_by_reason(*, company: Company, first: dt.date, last: dt.date) -> list[dict]:
    """The period's messages that did not get through, by kind and reason, most first;
    the reasons past TOP_REASONS are summed into one line."""
    rows = list(
        FailureDay.objects.for_company(company)
        .filter(day__gte=first, day__lte=last)
        .values("kind", "reason")
        .annotate(count=Sum("count"))
        .order_by("-count", "reason")
    )
    labels = dict(FailureDay.Kind.choices)
    shown: list[dict[str, Any]] = [
        {**row, "kind_label": labels.get(row["kind"], row["kind"])} for row in rows
    ]
    if len(shown) > TOP_REASONS:
        rest = shown[TOP_REASONS - 1 :]
        shown = shown[: TOP_REASONS - 1]
        shown.append(
            {
                "kind": "",
                "kind_label": "",
                "reason": f"{len(rest)} other reasons",
                "count": sum(r["count"] for r in rest),
            }
        )
    peak = max((r["count"] for r in shown), default=0)
    for row in shown:
        row["share"] = row["count"] / peak if peak else 0
    return shown


def inbox_waiting(*, company: Company) -> dict:
    """People waiting for an answer in the inbox and since when: the company's
    conversations that need a reply and the oldest unanswered text among them, read
    live (one count on the conversations' (company, state) index; the inbox's rule in
    inbox/conversations.py keeps the states)."""
    from inbox.models import InboxConversation

    found = (
        InboxConversation.objects.for_company(company)
        .filter(state=InboxConversation.State.NEEDS_REPLY)
        .aggregate(waiting=Count("pk"), oldest=Min("last_incoming_at"))
    )
    oldest = found["oldest"]
    return {
        "waiting": found["waiting"],
        "oldest_since": oldest,
        "oldest_wait": timezone.now() - oldest if oldest else None,
    }


@dataclass
class Funnel:
    """A broadcast's recipients → delivered → replies → opt-outs, and its clicks."""

    broadcast: Broadcast
    recipients: int = 0
    delivered: int = 0
    failed: int = 0
    undeliverable: int = 0
    rolled_up_at: dt.datetime | None = None
    clicks: ClickCounts = field(default_factory=ClickCounts)

    @property
    def replies(self) -> int:
        return self.broadcast.replies_count

    @property
    def opt_outs(self) -> int:
        return self.broadcast.opt_outs_count

    @property
    def steps(self) -> list[dict]:
        base = self.recipients
        steps = [
            ("Recipients", self.recipients, "funnel-recipients"),
            ("Delivered", self.delivered, "funnel-delivered"),
            ("Replies", self.replies, "funnel-replies"),
            ("Opt-outs", self.opt_outs, "funnel-opt-outs"),
        ]
        rows = []
        for i, (label, value, css) in enumerate(steps):
            share = min(value / base, 1.0) if base else 0.0
            rows.append(
                {
                    "label": label,
                    "value": value,
                    "css": css,
                    "percent": percent(value, base),
                    "share": share,
                    # The report's funnel chart: one 44-unit row per step, bars of
                    # up to FUNNEL_BAR units.
                    "y": i * FUNNEL_ROW,
                    "bar_w": round(share * FUNNEL_BAR, 2),
                }
            )
        return rows

    @property
    def unique_clicks_percent(self) -> float | None:
        return percent(self.clicks.unique, self.recipients)

    @property
    def chart_height(self) -> int:
        return 4 * FUNNEL_ROW

    @property
    def in_flight(self) -> int:
        """Neither delivered nor failed yet (or the carrier sends no receipts)."""
        return max(self.recipients - self.delivered - self.failed - self.undeliverable, 0)


def _funnels(company: Company, broadcasts: list[Broadcast]) -> list[Funnel]:
    sums: dict[int, Mapping[str, Any]] = {
        row["broadcast_id"]: row
        for row in BroadcastDay.objects.filter(broadcast__in=[b.pk for b in broadcasts])
        .values("broadcast_id")
        .annotate(
            recipients=Sum("recipients"),
            delivered=Sum("delivered"),
            failed=Sum("failed"),
            undeliverable=Sum("undeliverable"),
            rolled_up_at=Max("rolled_up_at"),
        )
    }
    clicks = broadcast_clicks(company=company, broadcasts=broadcasts)
    funnels = []
    for broadcast in broadcasts:
        row = sums.get(broadcast.pk, {})
        funnels.append(
            Funnel(
                broadcast=broadcast,
                recipients=row.get("recipients") or 0,
                delivered=row.get("delivered") or 0,
                failed=row.get("failed") or 0,
                undeliverable=row.get("undeliverable") or 0,
                rolled_up_at=row.get("rolled_up_at"),
                clicks=clicks[broadcast.pk],
            )
        )
    return funnels


def broadcasts_started(*, company: Company) -> QuerySet[Broadcast]:
    """The company's broadcasts that have gone out (or are going out), newest first."""
    return (
        Broadcast.objects.for_company(company)
        .exclude(status__in=[Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED])
        .select_related("campaign")
        .order_by("-created_at", "-id")
    )


def broadcasts_recent(*, company: Company, limit: int = RECENT_BROADCASTS) -> list[Funnel]:
    return _funnels(company, list(broadcasts_started(company=company)[:limit]))


def broadcast_funnel(*, company: Company, broadcast: Broadcast) -> Funnel:
    return _funnels(company, [broadcast])[0]


def broadcast_clicks(*, company: Company, broadcasts: list[Broadcast]) -> dict[int, ClickCounts]:
    """The clicks of the broadcast tables, total and unique (distinct profiles), by
    broadcast id; a broadcast nobody clicked has ClickCounts(0, 0).

    One grouped read of the clicks table through the broadcasts' tracked links, never
    of the messages table; only the company's own clicks count.
    """
    counts = clicks_for_broadcasts(company=company, ids=[b.pk for b in broadcasts])
    return {b.pk: counts.get(b.pk, ClickCounts()) for b in broadcasts}
