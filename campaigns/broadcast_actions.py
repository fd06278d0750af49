"""What a sender does around a broadcast besides scheduling it: delete a draft, cancel
a scheduled one, read a current estimate, preview the text, send themselves a test.

The test send itself is messaging's (it sends): `broadcast_test_send` calls it through
campaigns.messaging_port. The scheduling state machine itself is in campaigns.broadcasts;
these share its row lock so that a cancel racing the generator either wins or gets a clear refusal.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, Membership
from core.errors import ServiceError
from core.segments import SegmentInfo

from .broadcasts import BroadcastStateError, _locked
from .compose import MessageBodyError, body_check, body_prepare
from .messaging_port import messaging_port
from .models import Broadcast, Campaign
from .selectors import broadcast_estimate

Status = Broadcast.Status
NOT_STARTED = (Status.DRAFT, Status.SCHEDULED)


@transaction.atomic
def broadcast_delete(*, broadcast: Broadcast) -> None:
    """Delete a draft. Anything scheduled or started has a history worth keeping."""
    broadcast = _locked(broadcast)
    if broadcast.status != Status.DRAFT:
        raise BroadcastStateError(
            f"Only a draft can be deleted; this broadcast is {broadcast.status}."
            + (" Cancel it instead." if broadcast.status == Status.SCHEDULED else "")
        )
    broadcast.delete()


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast) -> Broadcast:
    """Cancel a scheduled broadcast for good (it stays listed under Canceled).

    Refused once generation has begun: its messages are being written and sent, and
    stopping half-way would leave part of the audience texted and the rest not.
    """
    broadcast = _locked(broadcast)
    if broadcast.status in (Status.GENERATED, Status.SENDING, Status.SENT):
        raise BroadcastStateError(
            "This broadcast has already started sending and can no longer be canceled."
        )
    if broadcast.status != Status.SCHEDULED:
        raise BroadcastStateError(
            f"Only a scheduled broadcast can be canceled; this one is {broadcast.status}."
        )
    broadcast.status = Status.CANCELED
    broadcast.save(update_fields=["status", "updated_at"])
    return broadcast


def broadcast_estimate_current(*, broadcast: Broadcast) -> dict[str, Any]:
    """The estimate as it stands now, with the moment it was computed (`as_of`).

    Subscribers join and leave between saving a broadcast and looking at it, so a
    broadcast that has not started is counted afresh each time it is shown and the
    stored count is brought up to date (the list and the API show that one). Once
    started, its audience is fixed: the count stored when it was scheduled is kept.
    """
    if broadcast.status not in NOT_STARTED:
        return {
            "recipients": broadcast.estimated_recipients_count,
            "audience": None,
            "undeliverable": None,
            "as_of": broadcast.started_at or broadcast.updated_at,
        }
    estimate: dict[str, Any] = dict(
        broadcast_estimate(
            company=broadcast.company,
            campaign=broadcast.campaign,
            include_subscribers=broadcast.include_subscribers,
            included_groups=broadcast.included_groups.all(),
            excluded_groups=broadcast.excluded_groups.all(),
        )
    )
    if estimate["recipients"] != broadcast.estimated_recipients_count:
        Broadcast.objects.filter(pk=broadcast.pk).update(
            estimated_recipients_count=estimate["recipients"]
        )
        broadcast.estimated_recipients_count = estimate["recipients"]
    estimate["as_of"] = timezone.now()
    return estimate


@dataclass(frozen=True)
class Preview:
    """The text as the phone shows it, and what it costs to send."""

    text: str
    info: SegmentInfo | None
    problem: str = ""


def broadcast_preview(*, body: str) -> Preview:
    text = body_prepare(body)
    try:
        return Preview(text=text, info=body_check(text, has_media=False))
    except MessageBodyError as error:
        return Preview(text=text, info=None, problem=str(error))


class TestSendError(ServiceError):
    """A test send refused before anything was sent; the message is for the sender."""


@dataclass(frozen=True)
class TestSent:
    """What became of a test: sent, or kept as Undeliverable with the send rule's reason."""

    phone_number: str
    undeliverable: bool
    reason: str = ""


def _tester_membership(company: Company, actor: User) -> Membership | None:
    return Membership.objects.filter(company=company, user=actor).first()


def test_phone_for(*, company: Company, actor: User) -> str:
    """The number this user last sent a test to in this company ('' when none)."""
    membership = _tester_membership(company, actor)
    return membership.test_phone if membership else ""


def broadcast_test_send(
    *,
    company: Company,
    campaign: Campaign,
    body: str,
    phone: str,
    actor: User,
) -> TestSent:
    """Send `body` to the sender's own phone: messaging's test send (through the port,
    messaging.broadcast_reads.broadcast_test_send)."""
    return messaging_port().broadcast_test_send(
        company=company, campaign=campaign, body=body, phone=phone, actor=actor
    )


def delivery_label(when: dt.datetime | None, zone: str) -> str:
    """How the confirmation names the moment: "now" or the time in the campaign's zone."""
    if when is None:
        return "now"
    local = when.astimezone(zoneinfo.ZoneInfo(zone))
    return f"for {local:%b %-d, %Y %H:%M} ({zone})"
