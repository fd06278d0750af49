"""The rules a broadcast's content and delivery time must pass before anything is saved.

Shared by saving (campaigns.broadcasts), the confirmation step (which checks before it
asks, so that what the sender confirms will be accepted) and the API. Each refusal is a
`BroadcastError` subclass naming the part at fault (time, body, groups, ...), so a page
shows the message and the API edge (campaigns.api) finds its seed error code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from django.utils import timezone

from core.errors import ErrorKind, ServiceError
from core.text_rules import TextError, bidi_strip, name_clean
from profiles.models import Group

from .compose import MessageBodyError, body_validate
from .models import Broadcast, Campaign, MessageTemplate

Status = Broadcast.Status

# When to send, for the services that save and schedule in one step: a moment, "now",
# or None for a draft.
ScheduleAt = dt.datetime | Literal["now"] | None


class BroadcastError(ServiceError):
    """A broadcast change the rules refuse; str(error) is written for the sender."""


class BroadcastStateError(BroadcastError):
    """The broadcast's status does not allow the change (a sent one cannot be edited)."""

    kind = ErrorKind.CONFLICT


class BroadcastCampaignError(BroadcastError):
    """The campaign cannot take the broadcast (it has ended)."""

    kind = ErrorKind.CONFLICT


class BroadcastTimeError(BroadcastError):
    """The delivery time is not one a broadcast can have."""


class BroadcastBodyError(BroadcastError):
    """The body may not be sent."""


class BroadcastGroupError(BroadcastError):
    """The audience's groups do not fit together (or are not the company's)."""


class BroadcastTemplateError(BroadcastError):
    """The message template is not the campaign's."""


class BroadcastNameError(BroadcastError):
    """The broadcast name breaks the text rule."""


def groups_clean(campaign: Campaign, groups: Iterable[Group]) -> list[Group]:
    groups = list(groups)
    for group in groups:
        if group.company_id != campaign.company_id:
            raise BroadcastGroupError(
                "A chosen group belongs to another company.", kind=ErrorKind.NOT_FOUND
            )
    return groups


def template_check(campaign: Campaign, template: MessageTemplate | None) -> None:
    if template is not None and template.campaign_id != campaign.pk:
        raise BroadcastTemplateError("The message template belongs to another campaign.")


def broadcast_name(name: str, body: str) -> str:
    """The given name (bidi controls stripped), or the body's start when there is none."""
    try:
        name = name_clean(name, field="The broadcast name").strip()
    except TextError as error:
        raise BroadcastNameError(str(error)) from None
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
        raise BroadcastCampaignError(f"The campaign {campaign.name} has ended.")
    if not body.strip():
        raise BroadcastBodyError("The message body is empty.")
    try:
        # The rule message_send_many applies at fan-out, checked when the broadcast is
        # saved: a body refused then would fail every chunk after it was scheduled.
        # Merge fields must exist, and the likely longest expansion must fit.
        body_validate(body, company=campaign.company, shorten_links=shorten_links)
    except MessageBodyError as error:
        raise BroadcastBodyError(str(error)) from None
    if not include_subscribers and not included:
        raise BroadcastGroupError("Choose the campaign's subscribers, an included group, or both.")
    if {g.pk for g in included} & {g.pk for g in excluded}:
        raise BroadcastGroupError("A group cannot be both included and excluded.")
    if throttle_per_minute is not None and throttle_per_minute < 1:
        raise BroadcastError("Throttling needs at least 1 message per minute.")


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
        raise BroadcastStateError(f"A {broadcast.status} broadcast can no longer be edited.")
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
        raise BroadcastTimeError("The delivery time needs a time zone.")
    # A minute of grace: "now" typed into a form is already in the past when it arrives.
    if delivery_time < now - dt.timedelta(minutes=1):
        raise BroadcastTimeError("The delivery time is in the past.")
    return delivery_time
