"""Reads of revocations: the Opt-out review queue and the revocation report."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import Company
from profiles.models import ActivityEvent, OptOutSource

from .bounces import CARRIER_ORIGIN
from .business_days import business_days_after
from .models import Message, MOType
from .models_revocation import FreeTextRevocation
from .revocation_services import HONOUR_BUSINESS_DAYS

Status = FreeTextRevocation.Status
STOP_TYPES = (MOType.OPT_OUT, MOType.UNKNOWN_OPT_OUT, MOType.DEACTIVATION)


def revocation_queue(*, company: Company) -> QuerySet[FreeTextRevocation]:
    """Items waiting for review: escalated ones first, then by due date."""
    return (
        FreeTextRevocation.objects.for_company(company)
        .filter(kind=FreeTextRevocation.Kind.PROBABLE, status=Status.PENDING)
        .select_related("message", "profile", "channel")
        .order_by(F("escalated_at").asc(nulls_last=True), "due_date", "received_at", "pk")
    )


def revocation_counts(*, company: Company) -> dict[str, int]:
    return (
        FreeTextRevocation.objects.for_company(company)
        .filter(kind=FreeTextRevocation.Kind.PROBABLE, status=Status.PENDING)
        .aggregate(waiting=Count("pk"), escalated=Count("pk", filter=Q(escalated_at__isnull=False)))
    )


def revocations_decided(*, company: Company, limit: int = 20) -> QuerySet[FreeTextRevocation]:
    return (
        FreeTextRevocation.objects.for_company(company)
        .filter(kind=FreeTextRevocation.Kind.PROBABLE)
        .exclude(status=Status.PENDING)
        .select_related("message", "profile", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


@dataclass
class ChannelRow:
    """One way of revoking in the report, and how long its revocations took to honour."""

    channel: str
    durations: list[timedelta] = field(default_factory=list)
    past_deadline: int = 0
    waiting: int = 0  # review items not decided yet
    dismissed: int = 0  # review items read as "not a revocation"
    at_once: bool = False  # the request and the opt-out are one action (no wait to measure)

    @property
    def count(self) -> int:
        return len(self.durations)

    @property
    def median(self) -> timedelta | None:
        return statistics.median(self.durations) if self.durations else None  # type: ignore[type-var]  # typeshed allows numbers only; timedeltas add and halve fine

    @property
    def longest(self) -> timedelta | None:
        return max(self.durations) if self.durations else None


# Opt-outs recorded only as activity events: the action is the request.
EVENT_CHANNELS = (
    ("Carrier opt-out", Q(data__source=OptOutSource.STOP_WORD, origin=CARRIER_ORIGIN)),
    ("API", Q(data__source=OptOutSource.API)),
    ("Manual opt-out", Q(data__source=OptOutSource.MANUAL)),
    ("Profile page", Q(data__source=OptOutSource.PROFILE)),
    ("Inbox", Q(data__source=OptOutSource.INBOX)),
)


def _bounds(company: Company, start: date, end: date) -> tuple[datetime, datetime]:
    zone = company.zone
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _measure(
    row: ChannelRow,
    company: Company,
    pairs: Iterable[tuple[datetime | None, datetime | None]],
) -> None:
    zone = company.zone
    for received_at, honoured_at in pairs:
        if received_at is None or honoured_at is None:
            continue  # the queries ask for both; the columns allow null elsewhere
        row.durations.append(max(honoured_at - received_at, timedelta(0)))
        due = business_days_after(
            timezone.localtime(received_at, zone).date(), HONOUR_BUSINESS_DAYS
        )
        if timezone.localtime(honoured_at, zone).date() > due:
            row.past_deadline += 1


def revocation_report(*, company: Company, start: date, end: date) -> list[ChannelRow]:
    """Revocations received from `start` to `end` (the company's dates, inclusive), by
    the way they arrived, with how long each took to honour and how many were honoured
    after their due date or are still undecided past it (both must stay 0)."""
    since, until = _bounds(company, start, end)
    today = timezone.localtime(timezone.now(), company.zone).date()
    stops = ChannelRow("Keyword STOP")
    # A STOP is honoured as the message is stored (messaging.inbound), so its wait is
    # from when the person sent it (the aggregator's time) to when it was processed.
    _measure(
        stops,
        company,
        Message.objects.for_company(company)
        .filter(
            direction=Message.Direction.MO,
            message_type__in=STOP_TYPES,
            received_at__gte=since,
            received_at__lt=until,
            revocation__isnull=True,
        )
        .values_list("received_at", "created_at")
        .iterator(),
    )
    clear = ChannelRow("Free text (clear)")
    review = ChannelRow("Opt-out review")
    revocations = FreeTextRevocation.objects.for_company(company).filter(
        received_at__gte=since, received_at__lt=until
    )
    _measure(
        clear,
        company,
        revocations.filter(
            kind=FreeTextRevocation.Kind.CLEAR, status__in=FreeTextRevocation.HONOURED
        )
        .values_list("received_at", "decided_at")
        .iterator(),
    )
    probable = revocations.filter(kind=FreeTextRevocation.Kind.PROBABLE)
    _measure(
        review,
        company,
        probable.filter(status__in=FreeTextRevocation.HONOURED)
        .values_list("received_at", "decided_at")
        .iterator(),
    )
    review.waiting = probable.filter(status=Status.PENDING).count()
    review.dismissed = probable.filter(status=Status.NOT_REVOCATION).count()
    review.past_deadline += probable.filter(status=Status.PENDING, due_date__lt=today).count()
    rows = [stops, clear, review]
    events = ActivityEvent.objects.for_company(company).filter(
        kind=ActivityEvent.Kind.OPTED_OUT, created_at__gte=since, created_at__lt=until
    )
    for label, condition in EVENT_CHANNELS:
        row = ChannelRow(label, at_once=True)
        row.durations = [timedelta(0)] * events.filter(condition).count()
        rows.append(row)
    return rows
