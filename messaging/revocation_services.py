"""Honouring revocations texted in free text: the FCC's ten business days (2025).

`revocation_receive` is the one call the MO classification makes (messaging.inbound,
after the exact STOP words, HELP, OOPS and keywords): a clear revocation is opted out
there and then, company-wide and with at most one confirmation (the handler's own
opt-out path, so the receipt rule is the STOP word's); a probable one becomes an item
of the Opt-out review queue, due ten business days after it arrived.

Every opt-out here goes through campaigns.services_subscriptions.profile_opt_out with the source
"Revoked in free text". A decision after review sends nothing: the rule allows one
confirmation, and only within five minutes of the revocation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from campaigns.services_subscriptions import profile_opt_out
from core.errors import ErrorKind, ServiceError
from profiles.models import ActivityEvent, OptOutSource, Profile
from profiles.services import activity_record

from .business_days import business_days_after, business_days_before
from .models import Channel, Message
from .models_revocation import FreeTextRevocation
from .revocations import Verdict, revocation_classify

logger = logging.getLogger(__name__)

# 47 CFR 64.1200(a)(10): honoured "within a reasonable time not to exceed ten business
# days". A rule of law, not a setting.
HONOUR_BUSINESS_DAYS = 10
ORIGIN_REVIEW = "opt_out_review"
ORIGIN_DEADLINE = "opt_out_review_deadline"

Status = FreeTextRevocation.Status


class RevocationError(ServiceError):
    """A review decision that cannot be taken; the message is for the agent."""

    kind = ErrorKind.CONFLICT


def revocation_dates(*, company: Company, received_at: datetime) -> tuple[date, date]:
    """(due date, escalation date) of a revocation received at `received_at`, both
    business days in the company's zone."""
    received_on = timezone.localtime(received_at, company.zone).date()
    due = business_days_after(received_on, HONOUR_BUSINESS_DAYS)
    escalate_on = business_days_before(due, settings.REVOCATION_ESCALATE_BUSINESS_DAYS)
    return due, max(escalate_on, received_on)


def revocation_receive(
    *,
    message: Message,
    profile: Profile,
    channel: Channel | None,
    opt_out: Callable[..., str],
) -> str | None:
    """Classify an incoming text that no exact word or keyword matched.

    Returns the MO type when it revoked consent (the message is then an opt-out);
    None lets classification go on: a probable revocation is queued for review and
    still reaches the inbox as the reply it is. `opt_out(source=, everywhere=)` is the
    MO handler's opt-out, which sends the one opt-out receipt when something changed.
    """
    found = revocation_classify(message.body)
    if found.verdict is Verdict.NONE:
        return None
    # An incoming text carries the aggregator's time; the stored time stands in without it.
    received_at = message.received_at or message.created_at
    due, escalate_on = revocation_dates(company=message.company, received_at=received_at)
    row = FreeTextRevocation(
        company=message.company,
        message=message,
        profile=profile,
        channel=channel,
        kind=found.verdict.value,
        rule=found.rule,
        matched=found.matched[:160],
        received_at=received_at,
        due_date=due,
        escalate_on=escalate_on,
    )
    if found.verdict is Verdict.CLEAR:
        # Company-wide: the person asked not to be texted, not to leave one campaign.
        message_type = opt_out(source=OptOutSource.FREE_TEXT, everywhere=True)
        row.status = Status.OPTED_OUT
        row.decided_at = timezone.now()
        row.save()
        _close_pending(profile=profile, status=Status.OPTED_OUT, user=None, now=row.decided_at)
        logger.info("MO %s revoked consent (%s)", message.pk, found.rule)
        return message_type
    if profile.standing.opted_out_globally:
        return None  # nothing left to honour
    row.save()
    logger.info("MO %s queued for opt-out review (%s)", message.pk, found.rule)
    return None


def _close_pending(*, profile: Profile, status: str, user: User | None, now: datetime) -> int:
    """Every other item of the profile waiting for review is decided by this opt-out."""
    return FreeTextRevocation.objects.filter(profile=profile, status=Status.PENDING).update(
        status=status, decided_at=now, decided_by=user
    )


def _locked(*, company: Company, pk: int) -> FreeTextRevocation:
    item = (
        FreeTextRevocation.objects.for_company(company)
        .select_for_update()
        .select_related("profile", "message")
        .filter(pk=pk, kind=FreeTextRevocation.Kind.PROBABLE)
        .first()
    )
    if item is None:
        raise FreeTextRevocation.DoesNotExist
    if item.status != Status.PENDING:
        raise RevocationError(f"This text was already decided: {item.get_status_display()}.")
    return item


@transaction.atomic
def revocation_opt_out(*, company: Company, pk: int, user: User) -> FreeTextRevocation:
    """An agent reads the text as a revocation: the number is opted out everywhere."""
    item = _locked(company=company, pk=pk)
    profile_opt_out(
        profile=item.profile, source=OptOutSource.FREE_TEXT, actor=user, origin=ORIGIN_REVIEW
    )
    _close_pending(profile=item.profile, status=Status.OPTED_OUT, user=user, now=timezone.now())
    item.refresh_from_db()
    return item


@transaction.atomic
def revocation_dismiss(*, company: Company, pk: int, user: User) -> FreeTextRevocation:
    """An agent reads the text as something else ("stop by at 5"): recorded with who."""
    item = _locked(company=company, pk=pk)
    item.status = Status.NOT_REVOCATION
    item.decided_at = timezone.now()
    item.decided_by = user
    item.save(update_fields=["status", "decided_at", "decided_by"])
    activity_record(
        profile=item.profile,
        kind=ActivityEvent.Kind.NOT_REVOCATION,
        actor=user,
        description=f"Opt-out review: “{item.message.body[:200]}” is not a revocation",
        channel="sms",
        origin=ORIGIN_REVIEW,
        data={"message_id": item.message_id, "rule": item.rule},
    )
    return item


def revocations_enforce(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic guard: escalate items near their due date, and opt out every item
    whose due date has come, so none passes the deadline undecided.

    An item is opted out at the start of its due date in the company's zone, the
    conservative reading: the day itself is the margin for a late or failed run.
    """
    now = now or timezone.now()
    stats = {"escalated": 0, "auto_opted_out": 0, "already_opted_out": 0}
    pending = FreeTextRevocation.objects.filter(status=Status.PENDING)
    company_ids = pending.values_list("company_id", flat=True).distinct()
    for company in Company.objects.filter(pk__in=company_ids):
        today = timezone.localtime(now, company.zone).date()
        mine = pending.filter(company=company)
        stats["escalated"] += mine.filter(escalated_at__isnull=True, escalate_on__lte=today).update(
            escalated_at=now
        )
        for item in mine.filter(due_date__lte=today).select_related("profile__standing"):
            stats[_honour_at_deadline(item, now=now)] += 1
        # A number opted out meanwhile (a STOP, the profile page) has nothing left to
        # honour: its items close with the time of that opt-out.
        for item in mine.filter(profile__standing__opted_out_globally=True).select_related(
            "profile__standing"
        ):
            with transaction.atomic():
                closed = FreeTextRevocation.objects.filter(pk=item.pk, status=Status.PENDING)
                opted_out_at = item.profile.standing.opted_out_at or now
                stats["already_opted_out"] += closed.update(
                    status=Status.ALREADY_OPTED_OUT, decided_at=max(opted_out_at, item.received_at)
                )
    return stats


@transaction.atomic
def _honour_at_deadline(item: FreeTextRevocation, *, now: datetime) -> str:
    locked = FreeTextRevocation.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None or locked.status != Status.PENDING:
        return "already_opted_out"
    opted_out_before = item.profile.standing.opted_out_globally
    profile_opt_out(profile=item.profile, source=OptOutSource.FREE_TEXT, origin=ORIGIN_DEADLINE)
    status = Status.ALREADY_OPTED_OUT if opted_out_before else Status.AUTO_OPTED_OUT
    _close_pending(profile=item.profile, status=status, user=None, now=now)
    logger.warning(
        "Revocation %s (MO %s) reached its due date %s undecided: opted out",
        item.pk,
        item.message_id,
        item.due_date,
    )
    return "auto_opted_out" if status == Status.AUTO_OPTED_OUT else "already_opted_out"
