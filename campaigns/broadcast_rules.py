"""The rules a broadcast's content and delivery time must pass before anything is saved.

Shared by saving (campaigns.broadcasts), the confirmation step (which checks before it
asks, so that what the sender confirms will be accepted) and the API. `BroadcastError`
carries the API's error id (seed 004).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from django.utils import timezone

from core.text_rules import TextError, bidi_strip, name_clean
from messaging.compose import body_validate
from messaging.services import MessageBodyError
from profiles.models import Group

from .models import Broadcast, Campaign, MessageTemplate

Status = Broadcast.Status

# When to send, for the services that save and schedule in one step: a moment, "now",
# or None for a draft.
ScheduleAt = dt.datetime | Literal["now"] | None


class BroadcastError(Exception):
    """A broadcast change the rules refuse. `code` is the API error id (seed 004)."""

    INVALID_CAMPAIGN = 1
    INVALID_TIME = 2
    INVALID_BODY = 3
    INVALID_GROUP = 6
    INVALID_STATE_CHANGE = 23

    def __init__(self, message: str, code: int = INVALID_STATE_CHANGE) -> None:
        super().__init__(message)
        self.code = code


def groups_clean(campaign: Campaign, groups: Iterable[Group]) -> list[Group]:
    groups = list(groups)
    for group in groups:
        if group.company_id != campaign.company_id:
            raise BroadcastError("A chosen group belongs to another company.", 6)
    return groups


def template_check(campaign: Campaign, template: MessageTemplate | None) -> None:
    if template is not None and template.campaign_id != campaign.pk:
        raise BroadcastError("The message template belongs to another campaign.", 13)


def broadcast_name(name: str, body: str) -> str:
    """The given name (bidi controls stripped), or the body's start when there is none."""
    try:
        name = name_clean(name, field="The broadcast name").strip()
    except TextError as error:
        raise BroadcastError(str(error), 18) from None
    return name or bidi_strip(body.strip()[:60])


def fields_validate(
    *,
    campaign: Campaign,
    body: str,
    include_subscribers: bool,
    included: list[Group],
    excluded: list[Group],
    throttle_per_minute: int | None,
    shorten_links: bool = False,
) -> None:
    if not campaign.active:
        raise BroadcastError(f"The campaign {campaign.name} has ended.", 1)
    if not body.strip():
        raise BroadcastError("The message body is empty.", 3)
    try:
        # The rule message_send_many applies at fan-out, checked when the broadcast is
        # saved: a body refused then would fail every chunk after it was scheduled.
        # Merge fields must exist, and the likely longest expansion must fit.
        body_validate(body, company=campaign.company, shorten_links=shorten_links)
    except MessageBodyError as error:
        raise BroadcastError(str(error), 3) from None
    if not include_subscribers and not included:
        raise BroadcastError("Choose the campaign's subscribers, an included group, or both.", 6)
    if {g.pk for g in included} & {g.pk for g in excluded}:
        raise BroadcastError("A group cannot be both included and excluded.", 6)
    if throttle_per_minute is not None and throttle_per_minute < 1:
        raise BroadcastError("Throttling needs at least 1 message per minute.", 16)


def broadcast_check(
    *,
    campaign: Campaign,
    body: str,
    broadcast: Broadcast | None = None,
    include_subscribers: bool = True,
    included_groups: Iterable[Group] = (),
    excluded_groups: Iterable[Group] = (),
    throttle_per_minute: int | None = None,
    schedule_at: ScheduleAt = None,
    shorten_links: bool = False,
) -> None:
    """Raise the BroadcastError that saving these values would raise, writing nothing.

    The confirmation step calls it, so that what the sender confirms will be accepted.
    """
    if broadcast is not None and broadcast.status not in (Status.DRAFT, Status.SCHEDULED):
        raise BroadcastError(f"A {broadcast.status} broadcast can no longer be edited.")
    fields_validate(
        campaign=campaign,
        body=body,
        include_subscribers=include_subscribers,
        included=groups_clean(campaign, included_groups),
        excluded=groups_clean(campaign, excluded_groups),
        throttle_per_minute=throttle_per_minute,
        shorten_links=shorten_links,
    )
    if schedule_at is not None:
        delivery_time_check(None if schedule_at == "now" else schedule_at)


def delivery_time_check(delivery_time: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if delivery_time is None:
        return now
    if timezone.is_naive(delivery_time):
        raise BroadcastError("The delivery time needs a time zone.", 2)
    # A minute of grace: "now" typed into a form is already in the past when it arrives.
    if delivery_time < now - dt.timedelta(minutes=1):
        raise BroadcastError("The delivery time is in the past.", 2)
    return delivery_time
