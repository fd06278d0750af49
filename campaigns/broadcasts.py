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

Fan-out never runs in a request. Generation splits the audience into chunks of profile
id ranges (`BroadcastChunk`); each chunk is a Celery task that creates its Message rows
through messaging's `message_send_many` (one INSERT … SELECT … ON CONFLICT DO NOTHING
under the send rule) and then delivers them with messaging's `messages_deliver_batch`:
broadcasts never write outgoing messages or call a gateway themselves. The partial
unique index on messages (broadcast, profile) makes a redelivered chunk (acks_late: a
killed worker's task comes back) insert nothing it already inserted, so each profile
gets a broadcast at most once; and because the chunk's rows commit before delivery,
nothing is lost either.

Quiet hours (messaging.quiet_hours): the audience is split by each recipient's zone, and
a chunk whose zone is outside the company's sending window gets `not_before` at the next
opening (`held_for_window`). The chunk checks again when it runs, because a backlog can
carry it past the window's end; delivery then checks each message once more.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from itertools import groupby
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from messaging.delivery import messages_deliver_batch
from messaging.models import Message
from messaging.quiet_hours import (
    recipient_zone_expression,
    sending_window,
    window_opens_at,
    zone_or,
)
from messaging.services import message_send_many
from profiles.models import Group, Profile

from .broadcast_rules import (  # noqa: F401 (BroadcastError, broadcast_check: callers import them here)
    BroadcastError,
    ScheduleAt,
    broadcast_check,
)
from .broadcast_rules import broadcast_name as _name
from .broadcast_rules import delivery_time_check as _check_time
from .broadcast_rules import fields_validate as _validate
from .broadcast_rules import groups_clean as _clean_groups
from .broadcast_rules import template_check as _template_check
from .models import Broadcast, BroadcastChunk, Campaign, MessageTemplate, Tag
from .selectors import broadcast_estimate, broadcast_recipients

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
# Local-time broadcasts start when the first time zone reaches the delivery time:
# UTC+14 (Line Islands) is the earliest wall clock on Earth.
EARLIEST_UTC_OFFSET = dt.timedelta(hours=14)

Status = Broadcast.Status


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
        raise BroadcastError(f"A {broadcast.status} broadcast can no longer be edited.")
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
        raise BroadcastError(
            f"Only a draft can be scheduled; this broadcast is {broadcast.status}."
        )
    if not broadcast.campaign.active:
        raise BroadcastError(f"The campaign {broadcast.campaign.name} has ended.", 1)
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
        raise BroadcastError(
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
        raise BroadcastError(
            f"Only a scheduled broadcast can be unscheduled; this one is {broadcast.status}."
        )
    broadcast.status = Status.DRAFT
    broadcast.save(update_fields=["status", "updated_at"])
    return broadcast


def _start_when_due(broadcast: Broadcast) -> None:
    if broadcast_start_at(broadcast) <= timezone.now():
        from .tasks import broadcast_generate

        broadcast_id = broadcast.pk
        transaction.on_commit(lambda: broadcast_generate.delay(broadcast_id))


# ── generation: audience → chunks ───────────────────────────────────────────────


def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zone_or(name, "UTC")


def _zone_expression(campaign: Campaign) -> Coalesce:
    """The recipient's zone: the profile's, else its number's, else the campaign's."""
    return recipient_zone_expression(fallback=campaign.timezone)


def _local_moment(broadcast: Broadcast, zone_name: str) -> dt.datetime:
    assert broadcast.delivery_time is not None
    wall = broadcast.delivery_time.astimezone(_zone(broadcast.campaign.timezone))
    zone = _zone(zone_name) if zone_name else _zone(broadcast.campaign.timezone)
    return wall.replace(tzinfo=zone).astimezone(dt.UTC)


Range = tuple[int, int, int]  # lowest profile id, highest, how many profiles


def _zone_ranges(profiles: QuerySet[Profile], zone: Coalesce, size: int) -> dict[str, list[Range]]:
    """Split the profiles by recipient zone, and each zone's ids into consecutive ranges
    of at most `size` profiles. One scan: the zone is computed once per profile."""
    rows = profiles.annotate(range_zone=zone).values("range_zone", range_id=F("pk"))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT zone, id, rn, total FROM (SELECT a.range_zone AS zone, a.range_id AS id, "  # noqa: S608 (compiled ORM SQL, parameters bound)
            "ROW_NUMBER() OVER (PARTITION BY a.range_zone ORDER BY a.range_id) AS rn, "
            "COUNT(*) OVER (PARTITION BY a.range_zone) AS total "
            f"FROM ({sql}) a) numbered WHERE (rn - 1) %% %s = 0 OR rn = total ORDER BY zone, id",
            [*params, size],
        )
        marks = cursor.fetchall()
    ranges: dict[str, list[Range]] = {}
    for zone_name, group in groupby(marks, key=lambda mark: mark[0]):
        zone_marks = [(pk, rn, total) for _, pk, rn, total in group]
        starts = [(pk, rn) for pk, rn, _ in zone_marks if (rn - 1) % size == 0]
        last, _, total = zone_marks[-1]
        ranges[zone_name] = []
        for i, (lo, rn) in enumerate(starts):
            following = starts[i + 1] if i + 1 < len(starts) else None
            hi = following[0] - 1 if following else last
            count = (following[1] if following else total + 1) - rn
            ranges[zone_name].append((lo, hi, count))
    return ranges


def broadcast_generate(*, broadcast_id: int) -> dict[str, Any]:
    """Turn a due scheduled broadcast into chunks and dispatch the ones due now."""
    with transaction.atomic():
        broadcast = (
            Broadcast.objects.select_for_update(of=("self",))
            .select_related("campaign", "company")
            .filter(pk=broadcast_id)
            .first()
        )
        if broadcast is None or broadcast.status != Status.SCHEDULED:
            return {"broadcast": broadcast_id, "skipped": getattr(broadcast, "status", "missing")}
        now = timezone.now()
        if broadcast_start_at(broadcast) > now:
            return {"broadcast": broadcast_id, "skipped": "not due"}
        audience = broadcast_recipients(broadcast=broadcast)
        size = broadcast.throttle_per_minute or CHUNK_SIZE
        chunks: list[BroadcastChunk] = []
        # Every broadcast is split by recipient zone, so that the sending window can
        # hold each zone's chunks set-based.
        ranges = _zone_ranges(audience, _zone_expression(broadcast.campaign), size)
        for zone_name in sorted(ranges):
            if broadcast.localtime:
                start = max(_local_moment(broadcast, zone_name), now)
            else:
                start = max(broadcast.delivery_time or now, now)
            chunks += _make_chunks(broadcast, ranges[zone_name], start, zone_name, len(chunks))
        BroadcastChunk.objects.bulk_create(chunks)
        broadcast.status = Status.GENERATED
        broadcast.started_at = now
        broadcast.save(update_fields=["status", "started_at", "updated_at"])
    if not chunks:
        broadcast_finish_if_done(broadcast_id=broadcast_id)
    dispatched = broadcast_chunks_dispatch(broadcast_id=broadcast_id)
    return {"broadcast": broadcast_id, "chunks": len(chunks), "dispatched": dispatched}


def _make_chunks(
    broadcast: Broadcast,
    ranges: list[Range],
    start: dt.datetime,
    zone_name: str,
    first_index: int,
) -> list[BroadcastChunk]:
    chunks = []
    zone = zone_or(zone_name, broadcast.campaign.timezone)
    window = sending_window(broadcast.company)
    moment = start
    for offset, (lo, hi, count) in enumerate(ranges):
        # Outside the window the chunk waits for the next opening; throttled chunks
        # keep their minute apart from there, across the night if need be.
        not_before = window_opens_at(moment, zone, window)
        chunks.append(
            BroadcastChunk(
                broadcast=broadcast,
                index=first_index + offset,
                lo_profile_id=lo,
                hi_profile_id=hi,
                timezone=zone_name,
                not_before=not_before,
                held_for_window=not_before != moment,
                planned_count=count,
            )
        )
        # Throttled broadcasts send one chunk of `throttle_per_minute` messages a minute.
        moment = not_before + dt.timedelta(minutes=1) if broadcast.throttled else not_before
    return chunks


def broadcast_chunks_dispatch(*, broadcast_id: int | None = None) -> int:
    """Queue the chunks that are due, and again those whose worker seems lost."""
    from .tasks import broadcast_send_chunk

    now = timezone.now()
    # A chunk started (or queued and never started) and unfinished after this long is
    # presumed lost with its worker and queued again (harmless: chunks are idempotent).
    stall = dt.timedelta(seconds=settings.BROADCAST_CHUNK_STALL_SECONDS)
    with transaction.atomic():
        due = BroadcastChunk.objects.select_for_update(skip_locked=True).filter(
            # Never queued; or started and silent since; or queued and never started
            # (its worker died holding the task before it began).
            Q(dispatched_at__isnull=True)
            | Q(started_at__lt=now - stall)
            | Q(started_at__isnull=True, dispatched_at__lt=now - stall),
            status=BroadcastChunk.Status.PENDING,
            not_before__lte=now,
        )
        if broadcast_id is not None:
            due = due.filter(broadcast_id=broadcast_id)
        ids = list(due.order_by("broadcast_id", "index").values_list("pk", flat=True))
        BroadcastChunk.objects.filter(pk__in=ids).update(dispatched_at=now, started_at=None)
    for chunk_id in ids:
        broadcast_send_chunk.delay(chunk_id)
    return len(ids)


# ── one chunk: insert its messages once, deliver them, count ─────────────────────


def _chunk_profiles(chunk: BroadcastChunk, broadcast: Broadcast) -> QuerySet[Profile]:
    profiles = broadcast_recipients(broadcast=broadcast).filter(
        pk__gte=chunk.lo_profile_id, pk__lte=chunk.hi_profile_id
    )
    if chunk.timezone:
        profiles = profiles.annotate(zone=_zone_expression(broadcast.campaign)).filter(
            zone=chunk.timezone
        )
    return profiles


def broadcast_send_chunk(*, chunk_id: int) -> dict[str, Any]:
    """Send one chunk. Safe to run any number of times: it sends each message once."""
    chunk = (
        BroadcastChunk.objects.select_related(
            "broadcast__campaign", "broadcast__company", "broadcast__created_by"
        )
        .filter(pk=chunk_id)
        .first()
    )
    if chunk is None:
        return {"chunk": chunk_id, "skipped": "missing"}
    if chunk.status == BroadcastChunk.Status.PENDING:
        held_until = _hold_for_window(chunk)
        if held_until is not None:
            return {"chunk": chunk_id, "held_until": held_until.isoformat()}
        BroadcastChunk.objects.filter(pk=chunk_id).update(started_at=timezone.now())
        _generate_chunk_messages(chunk)
        _deliver_chunk(chunk)
    broadcast_finish_if_done(broadcast_id=chunk.broadcast_id)
    chunk.refresh_from_db()
    return {
        "chunk": chunk_id,
        "recipients": chunk.recipients_count,
        "sent": chunk.sent_count,
        "undeliverable": chunk.undeliverable_count,
    }


def _hold_for_window(chunk: BroadcastChunk) -> dt.datetime | None:
    """A chunk that runs outside its zone's window (a backlog carried it past the end)
    goes back to pending until the next opening, when the dispatcher queues it again."""
    broadcast = chunk.broadcast
    now = timezone.now()
    zone = zone_or(chunk.timezone, broadcast.campaign.timezone)
    opens = window_opens_at(now, zone, sending_window(broadcast.company))
    if opens == now:
        return None
    BroadcastChunk.objects.filter(pk=chunk.pk, status=BroadcastChunk.Status.PENDING).update(
        not_before=opens, held_for_window=True, dispatched_at=None, started_at=None
    )
    return opens


def _chunk_messages(chunk: BroadcastChunk) -> QuerySet[Message]:
    messages = Message.objects.filter(
        broadcast_id=chunk.broadcast_id,
        direction=Message.Direction.MT,
        profile_id__gte=chunk.lo_profile_id,
        profile_id__lte=chunk.hi_profile_id,
    )
    if chunk.timezone:
        # The id range bounds the subquery too, or it would compute every profile's zone.
        in_zone = Profile.objects.filter(
            pk__gte=chunk.lo_profile_id, pk__lte=chunk.hi_profile_id
        ).annotate(zone=_zone_expression(chunk.broadcast.campaign))
        messages = messages.filter(profile__in=in_zone.filter(zone=chunk.timezone).values("pk"))
    return messages


def _generate_chunk_messages(chunk: BroadcastChunk) -> None:
    """Create the chunk's messages through messaging's `message_send_many`.

    It writes them set-based (one INSERT … SELECT under the send rule) with ON CONFLICT
    DO NOTHING against the (broadcast, profile) unique index, so a rerun creates nothing
    twice. Delivery follows in `_deliver_chunk`, hence no queueing here.
    """
    broadcast = chunk.broadcast
    Broadcast.objects.filter(pk=broadcast.pk, status=Status.GENERATED).update(
        status=Status.SENDING, updated_at=timezone.now()
    )
    with transaction.atomic():
        # The row lock keeps a redelivered copy of this chunk from working beside the
        # original; the second one waits, then finds the messages already there.
        locked = BroadcastChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status != BroadcastChunk.Status.PENDING:
            return
        message_send_many(
            company=broadcast.company,
            profiles=_chunk_profiles(chunk, broadcast),
            body=broadcast.body,
            campaign=broadcast.campaign,
            broadcast=broadcast,
            attachment=broadcast.attachment,
            sent_by=broadcast.created_by,
            enqueue=False,
            message_template=broadcast.message_template,
            shorten_links=broadcast.shorten_links,
        )


def _deliver_chunk(chunk: BroadcastChunk) -> None:
    messages = _chunk_messages(chunk)
    messages_deliver_batch(messages=messages.filter(status=Message.Status.QUEUED))
    with transaction.atomic():
        counts = messages.aggregate(
            recipients=Count("pk"),
            sent=Count("pk", filter=Q(status=Message.Status.SENT)),
            failed=Count("pk", filter=Q(status=Message.Status.FAILED)),
            undeliverable=Count("pk", filter=Q(status=Message.Status.UNDELIVERABLE)),
        )
        locked = BroadcastChunk.objects.select_for_update().get(pk=chunk.pk)
        locked.recipients_count = counts["recipients"]
        locked.sent_count = counts["sent"]
        locked.failed_count = counts["failed"]
        locked.undeliverable_count = counts["undeliverable"]
        # Messages still Queued wait for a gateway retry; the chunk is done with them.
        locked.status = BroadcastChunk.Status.DONE
        locked.finished_at = timezone.now()
        locked.save()


def broadcast_finish_if_done(*, broadcast_id: int) -> bool:
    """Mark the broadcast sent once no chunk is pending, with counts summed from chunks."""
    with transaction.atomic():
        broadcast = (
            Broadcast.objects.select_for_update().filter(
                pk=broadcast_id, status__in=[Status.GENERATED, Status.SENDING]
            )
        ).first()
        if broadcast is None:
            return False
        if broadcast.chunks.filter(status=BroadcastChunk.Status.PENDING).exists():
            return False
        totals = broadcast.chunks.aggregate(
            recipients=Coalesce(Sum("recipients_count"), 0),
            sent=Coalesce(Sum("sent_count"), 0),
            failed=Coalesce(Sum("failed_count"), 0),
            undeliverable=Coalesce(Sum("undeliverable_count"), 0),
        )
        broadcast.recipients_count = totals["recipients"]
        broadcast.sent_count = totals["sent"]
        broadcast.failed_count = totals["failed"]
        broadcast.undeliverable_count = totals["undeliverable"]
        broadcast.status = Status.SENT
        broadcast.finished_at = timezone.now()
        # Only the delivery counts: replies_count and opt_outs_count belong to incoming
        # messages (messaging.inbound) and may be growing while the broadcast finishes.
        broadcast.save(
            update_fields=[
                "recipients_count",
                "sent_count",
                "failed_count",
                "undeliverable_count",
                "status",
                "finished_at",
                "updated_at",
            ]
        )
    return True


# ── periodic ───────────────────────────────────────────────────────────────────


def broadcasts_send_due() -> dict[str, int]:
    """Start due scheduled broadcasts, queue due (or stalled) chunks, finish stragglers."""
    from .tasks import broadcast_generate

    now = timezone.now()
    due = []
    horizon = now + EARLIEST_UTC_OFFSET + dt.timedelta(hours=14)
    for broadcast in Broadcast.objects.filter(
        status=Status.SCHEDULED, delivery_time__lte=horizon
    ).select_related("campaign"):
        if broadcast_start_at(broadcast) <= now:
            due.append(broadcast.pk)
    for broadcast_id in due:
        broadcast_generate.delay(broadcast_id)
    dispatched = broadcast_chunks_dispatch()
    finished = 0
    for broadcast_id in Broadcast.objects.filter(
        status__in=[Status.GENERATED, Status.SENDING]
    ).values_list("pk", flat=True):
        finished += broadcast_finish_if_done(broadcast_id=broadcast_id)
    return {"started": len(due), "chunks_dispatched": dispatched, "finished": finished}
