"""Broadcasts: compose, schedule, and fan out to every recipient exactly once.

Life of a broadcast (the statuses the API shows):

    draft ──schedule──▶ scheduled ──(due)──▶ generated ──▶ sending ──▶ sent
      ▲                    │  ▲
      └────unschedule──────┘  └─reschedule
                           │
                           └──cancel──▶ canceled    (a draft is deleted instead)

Cancel and delete are in campaigns.broadcast_actions, the content and time rules in
campaigns.broadcast_rules. Saving and scheduling happen in one transaction
(`broadcast_create(schedule_at=…)`), so a refused time never leaves a draft behind.

Schedule, reschedule and unschedule are refused once generation has begun: the row is
locked (SELECT … FOR UPDATE) by both the state changes and the generator, so an
unschedule racing the start either wins cleanly or gets a clear error.

Sending is not here: generation, chunks and delivery are in messaging.broadcast_sending,
above this layer. Scheduling a due broadcast starts it through the starter messaging
registers in `MessagingConfig.ready()` (`broadcast_generation_register`).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any, Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from profiles.models import Group

from .broadcast_rules import (  # noqa: F401 (the errors, broadcast_check: callers import them here)
    BroadcastCampaignError,
    BroadcastError,
    BroadcastStateError,
    BroadcastTimeError,
    ScheduleAt,
    broadcast_check,
)
from .broadcast_rules import broadcast_name as _name
from .broadcast_rules import delivery_time_check as _check_time
from .broadcast_rules import fields_validate as _validate
from .broadcast_rules import groups_clean as _clean_groups
from .broadcast_rules import template_check as _template_check
from .models import Broadcast, Campaign, MessageTemplate, Tag
from .selectors import broadcast_estimate

logger = logging.getLogger(__name__)

# Local-time broadcasts start when the first time zone reaches the delivery time:
# UTC+14 (Line Islands) is the earliest wall clock on Earth.
EARLIEST_UTC_OFFSET = dt.timedelta(hours=14)

Status = Broadcast.Status

# Starts generating a due broadcast (given its id) once the transaction commits.
# Generation sends, so it lives above in messaging.broadcast_sending; messaging registers
# its Celery task here in MessagingConfig.ready(), because this layer may not import it.
_generation_starters: list[Callable[[int], Any]] = []


def broadcast_generation_register(starter: Callable[[int], Any]) -> None:
    """Use `starter(broadcast_id)` to begin generation (the last one registered wins)."""
    _generation_starters[:] = [starter]


# ── compose ──────────────────────────────────────────────────────────────────────


@transaction.atomic
def broadcast_create(
    *,
    campaign: Campaign,
    body: str,
    name: str = "",
    actor: User | None = None,
    include_subscribers: bool = True,
    included_groups: Iterable[Group] = (),
    excluded_groups: Iterable[Group] = (),
    throttle_per_minute: int | None = None,
    localtime: bool = False,
    tags: Iterable[str] = (),
    schedule_at: ScheduleAt = None,
    message_template: MessageTemplate | None = None,
    shorten_links: bool = False,
) -> Broadcast:
    """A broadcast: a draft, or with `schedule_at` scheduled in the same transaction.

    Creating and scheduling succeed or fail together: the time is checked before
    anything is written, so a refused time leaves no draft behind for a retry to copy.
    """
    included = _clean_groups(campaign, included_groups)
    excluded = _clean_groups(campaign, excluded_groups)
    _template_check(campaign, message_template)
    _validate(
        campaign=campaign,
        body=body,
        include_subscribers=include_subscribers,
        included=included,
        excluded=excluded,
        throttle_per_minute=throttle_per_minute,
        shorten_links=shorten_links,
    )
    if schedule_at is not None:
        _check_time(None if schedule_at == "now" else schedule_at)
    broadcast = Broadcast.objects.create(
        company_id=campaign.company_id,
        campaign=campaign,
        name=_name(name, body),
        body=body,
        include_subscribers=include_subscribers,
        throttled=throttle_per_minute is not None,
        throttle_per_minute=throttle_per_minute,
        localtime=localtime,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        message_template=message_template,
        shorten_links=shorten_links,
    )
    broadcast.included_groups.set(included)
    broadcast.excluded_groups.set(excluded)
    _set_tags(broadcast, tags)
    _refresh_estimate(broadcast)
    if schedule_at is not None:
        broadcast = broadcast_schedule(
            broadcast=broadcast, delivery_time=None if schedule_at == "now" else schedule_at
        )
    return broadcast


@transaction.atomic
def broadcast_update(
    *,
    broadcast: Broadcast,
    body: str,
    name: str = "",
    include_subscribers: bool = True,
    included_groups: Iterable[Group] = (),
    excluded_groups: Iterable[Group] = (),
    throttle_per_minute: int | None = None,
    localtime: bool = False,
    tags: Iterable[str] = (),
    schedule_at: ScheduleAt | Literal["keep"] = "keep",
    message_template: MessageTemplate | None = None,
    shorten_links: bool = False,
) -> Broadcast:
    """Edit a broadcast that has not started (draft or scheduled).

    `schedule_at` changes its schedule in the same transaction: a moment or "now"
    (re)schedules it, None makes it a draft again, "keep" leaves the schedule alone.
    """
    broadcast = _locked(broadcast)
    if broadcast.status not in (Status.DRAFT, Status.SCHEDULED):
        raise BroadcastStateError(f"A {broadcast.status} broadcast can no longer be edited.")
    included = _clean_groups(broadcast.campaign, included_groups)
    excluded = _clean_groups(broadcast.campaign, excluded_groups)
    _template_check(broadcast.campaign, message_template)
    _validate(
        campaign=broadcast.campaign,
        body=body,
        include_subscribers=include_subscribers,
        included=included,
        excluded=excluded,
        throttle_per_minute=throttle_per_minute,
        shorten_links=shorten_links,
    )
    if schedule_at == "now":
        _check_time(None)
    elif isinstance(schedule_at, dt.datetime):
        _check_time(schedule_at)
    broadcast.name = _name(name, body)
    broadcast.body = body
    broadcast.include_subscribers = include_subscribers
    broadcast.throttled = throttle_per_minute is not None
    broadcast.throttle_per_minute = throttle_per_minute
    broadcast.localtime = localtime
    broadcast.message_template = message_template
    broadcast.shorten_links = shorten_links
    broadcast.save()
    broadcast.included_groups.set(included)
    broadcast.excluded_groups.set(excluded)
    _set_tags(broadcast, tags)
    _refresh_estimate(broadcast)
    if schedule_at == "keep":
        return broadcast
    if schedule_at is None:
        if broadcast.status == Status.SCHEDULED:
            return broadcast_unschedule(broadcast=broadcast)
        return broadcast
    when = None if schedule_at == "now" else schedule_at
    if broadcast.status == Status.SCHEDULED:
        return broadcast_reschedule(broadcast=broadcast, delivery_time=when)
    return broadcast_schedule(broadcast=broadcast, delivery_time=when)


def _set_tags(broadcast: Broadcast, names: Iterable[str]) -> None:
    tags = []
    for name in {n.strip() for n in names if n and n.strip()}:
        tag, _ = Tag.objects.get_or_create(company_id=broadcast.company_id, name=name[:100])
        tags.append(tag)
    broadcast.tags.set(tags)


def _refresh_estimate(broadcast: Broadcast) -> dict[str, int]:
    estimate = broadcast_estimate(
        company=broadcast.company,
        campaign=broadcast.campaign,
        include_subscribers=broadcast.include_subscribers,
        included_groups=broadcast.included_groups.all(),
        excluded_groups=broadcast.excluded_groups.all(),
    )
    broadcast.estimated_recipients_count = estimate["recipients"]
    Broadcast.objects.filter(pk=broadcast.pk).update(
        estimated_recipients_count=estimate["recipients"]
    )
    return estimate


# ── scheduling state machine ─────────────────────────────────────────────────────


def _locked(broadcast: Broadcast) -> Broadcast:
    return (
        Broadcast.objects.select_for_update(of=("self",))
        .select_related("campaign", "company")
        .get(pk=broadcast.pk)
    )


def broadcast_start_at(broadcast: Broadcast) -> dt.datetime:
    """When generation may begin: the delivery time, or for local-time delivery the
    moment the earliest time zone on Earth reaches the same wall-clock time."""
    assert broadcast.delivery_time is not None
    if not broadcast.localtime:
        return broadcast.delivery_time
    wall = broadcast.delivery_time.astimezone(_zone(broadcast.campaign.timezone))
    return wall.replace(tzinfo=dt.UTC) - EARLIEST_UTC_OFFSET


@transaction.atomic
def broadcast_schedule(
    *, broadcast: Broadcast, delivery_time: dt.datetime | None = None
) -> Broadcast:
    """Schedule a draft: at `delivery_time`, or now when it is None (the API's default)."""
    broadcast = _locked(broadcast)
    if broadcast.status != Status.DRAFT:
        raise BroadcastStateError(
            f"Only a draft can be scheduled; this broadcast is {broadcast.status}."
        )
    if not broadcast.campaign.active:
        raise BroadcastCampaignError(f"The campaign {broadcast.campaign.name} has ended.")
    broadcast.delivery_time = _check_time(delivery_time)
    broadcast.status = Status.SCHEDULED
    broadcast.save(update_fields=["delivery_time", "status", "updated_at"])
    _refresh_estimate(broadcast)
    _start_when_due(broadcast)
    return broadcast


@transaction.atomic
def broadcast_reschedule(
    *, broadcast: Broadcast, delivery_time: dt.datetime | None = None
) -> Broadcast:
    """Move a scheduled broadcast to another time (now when None), before it starts."""
    broadcast = _locked(broadcast)
    if broadcast.status != Status.SCHEDULED:
        raise BroadcastStateError(
            f"Only a scheduled broadcast can be rescheduled; this one is {broadcast.status}."
        )
    broadcast.delivery_time = _check_time(delivery_time)
    broadcast.save(update_fields=["delivery_time", "updated_at"])
    _start_when_due(broadcast)
    return broadcast


@transaction.atomic
def broadcast_unschedule(*, broadcast: Broadcast) -> Broadcast:
    """Take a scheduled broadcast back to draft, before it starts."""
    broadcast = _locked(broadcast)
    if broadcast.status != Status.SCHEDULED:
        raise BroadcastStateError(
            f"Only a scheduled broadcast can be unscheduled; this one is {broadcast.status}."
        )
    broadcast.status = Status.DRAFT
    broadcast.save(update_fields=["status", "updated_at"])
    return broadcast


def _start_when_due(broadcast: Broadcast) -> None:
    if broadcast_start_at(broadcast) <= timezone.now():
        if not _generation_starters:
            raise RuntimeError("No broadcast generation registered (messaging not ready).")
        start = _generation_starters[0]
        broadcast_id = broadcast.pk
        transaction.on_commit(lambda: start(broadcast_id))


def _zone(name: str) -> zoneinfo.ZoneInfo:
    """The campaign's zone, or UTC when its name is not a zone."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
