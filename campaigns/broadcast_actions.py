"""What a sender does around a broadcast besides scheduling it: delete a draft, cancel
a scheduled one, read a current estimate, preview the text, send themselves a test.

The scheduling state machine itself is in campaigns.broadcasts; these share its row
lock so that a cancel racing the generator either wins or gets a clear refusal.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, Membership
from core.phones import phone_normalize
from messaging.compose import body_validate
from messaging.models import Message, MTType
from messaging.segments import SegmentInfo
from messaging.services import MessageBodyError, body_check, body_prepare, message_send
from profiles.models import SourceType

from .broadcasts import BroadcastError, _locked
from .models import Broadcast, Campaign
from .selectors import broadcast_estimate

Status = Broadcast.Status
NOT_STARTED = (Status.DRAFT, Status.SCHEDULED)


@transaction.atomic
def broadcast_delete(*, broadcast: Broadcast) -> None:
    """Delete a draft. Anything scheduled or started has a history worth keeping."""
    broadcast = _locked(broadcast)
    if broadcast.status != Status.DRAFT:
        raise BroadcastError(
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
        raise BroadcastError(
            "This broadcast has already started sending and can no longer be canceled."
        )
    if broadcast.status != Status.SCHEDULED:
        raise BroadcastError(
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


class TestSendError(Exception):
    """A test send refused before anything was sent; the message is for the sender."""


def _tester_membership(company: Company, actor: AbstractBaseUser) -> Membership | None:
    return Membership.objects.filter(company=company, user=actor).first()


def test_phone_for(*, company: Company, actor: AbstractBaseUser) -> str:
    """The number this user last sent a test to in this company ('' when none)."""
    membership = _tester_membership(company, actor)
    return membership.test_phone if membership else ""


@transaction.atomic
def broadcast_test_send(
    *,
    company: Company,
    campaign: Campaign,
    body: str,
    phone: str,
    actor: AbstractBaseUser,
) -> Message:
    """Send `body` to the sender's own phone, through the one send function.

    The message is typed broadcast_test and belongs to no broadcast, so it never counts
    in a broadcast's recipients or statistics. The number needs a profile to be sent
    through the send rule (which refuses opted-out, blacklisted or suppressed numbers);
    one is created when the company has none. The number is remembered on the user's
    membership for the next test.
    """
    from profiles.api_services import ProfileApiError, profile_get_or_create

    if campaign.company_id != company.pk:
        raise TestSendError("The campaign belongs to another company.")
    result = phone_normalize(phone)
    if not result.textable or not result.e164:
        raise TestSendError(f"{phone or 'That'} cannot receive a test: {result.reason}.")
    try:
        body_validate(body, company=company)  # merge fields too: the test is filled in
    except MessageBodyError as error:
        raise TestSendError(str(error)) from None
    try:
        profile, _ = profile_get_or_create(
            company=company,
            e164=result.e164,
            actor=actor,
            source_type=SourceType.INBOX,
            source_name="Broadcast test send",
        )
    except ProfileApiError as error:
        raise TestSendError(str(error)) from None
    message = message_send(
        company=company,
        profile=profile,
        body=body,
        campaign=campaign,
        message_type=MTType.BROADCAST_TEST,
        sent_by=actor,
    )
    # A refused test is kept like any refused message (status Undeliverable with its
    # reason): the caller shows the reason instead of "sent".
    if message.status != Message.Status.UNDELIVERABLE:
        Membership.objects.filter(company=company, user=actor).update(test_phone=result.e164)
    return message


def delivery_label(when: dt.datetime | None, zone: str) -> str:
    """How the confirmation names the moment: "now" or the time in the campaign's zone."""
    if when is None:
        return "now"
    local = when.astimezone(zoneinfo.ZoneInfo(zone))
    return f"for {local:%b %-d, %Y %H:%M} ({zone})"
