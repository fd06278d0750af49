"""Deliver many queued messages at once: the batch form of `message_deliver`.

Per message, `message_deliver` locks the row, re-checks the rule, calls the gateway and
saves: four round trips, too many for a million-recipient broadcast. Here the same
steps run for a batch: one UPDATE per reason marks the messages whose number became
untextable since they were queued (a STOP that arrived meanwhile still wins); then
slice after slice, one committed `UPDATE … RETURNING` marks a slice in flight
(messaging.in_flight) and hands it to the gateway's stream (messaging.send_engine),
which starts its requests, each from its company's number at that number's pace
(messaging.sending_numbers), while the next slice is claimed; the outcomes are written
back in one UPDATE as the answers come. No slice waits for the one before it to be
answered: the number stays busy across our database round trips. Gateways without a
stream (console, fake) are sent a slice at a time with `send_many`/`send`.
Failures go through the same `message_record_failure` (re-send once, bounces clean
the profile, a carrier opt-out opts the profile out); throttled messages go back to
the queue uncounted. Broadcast chunks deliver through here.

Quiet hours (messaging.quiet_hours) are checked here too, zone by zone: a broadcast
message whose recipient is outside the sending window goes back to Initial, scheduled
at the next opening (`messages_queue_due` queues it then), and each one sent carries the
seconds left in the window as its validity period.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Company
from campaigns.compliance import profiles_with_refusal
from profiles.models import Profile

from .gateways import SendResult, gateway_send_many, get_gateway
from .in_flight import in_flight_claim, in_flight_release
from .models import Attachment, Message
from .quiet_hours import (
    EXEMPT_TYPES,
    recipient_zone_expression,
    sending_window,
    validity_period,
    window_opens_at,
    zone_or,
)
from .services import message_record_failure

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

BATCH = 1000
# How long the delivery loop waits for answers before it looks at claiming again.
COLLECT_WAIT = 0.02


def messages_deliver_batch(*, messages: QuerySet[Message]) -> dict[str, int]:
    """Send the Queued MT messages of `messages`. Safe to rerun: only Queued rows move."""
    outcomes = {"sent": 0, "failed": 0, "retry": 0, "undeliverable": 0, "held": 0}
    queued = messages.filter(
        status=Message.Status.QUEUED,
        direction=Message.Direction.MT,
        sending_started_at__isnull=True,  # in flight: another worker has them
    )
    outcomes["undeliverable"] = _mark_refused(queued)
    outcomes["held"] = _hold_outside_window(queued)
    ids = list(queued.order_by("pk").values_list("pk", flat=True))
    # One stream for the whole batch: no pause between its slices.
    _add(outcomes, _deliver_ids(ids))
    return outcomes


def _mark_refused(queued: QuerySet[Message]) -> int:
    """Queued messages whose profile the rule now refuses become Undeliverable, with why."""
    from campaigns.models import Campaign

    total = 0
    now = timezone.now()
    # The campaign matters for a per-campaign opt-out; a chunk's messages share one.
    for campaign_id in queued.order_by().values_list("campaign_id", flat=True).distinct():
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        refusal = Subquery(
            profiles_with_refusal(
                Profile.objects.filter(pk=OuterRef("profile_id")), campaign=campaign
            ).values("refusal")[:1]
        )
        refused = (
            queued.filter(campaign_id=campaign_id)
            .annotate(refusal=refusal)
            .exclude(refusal="")
            .values_list("pk", "refusal")
        )
        by_reason: dict[str, list[int]] = {}
        for pk, reason in refused:
            by_reason.setdefault(reason[:200], []).append(pk)
        # One UPDATE per reason (there are a handful), not one per refused message.
        with transaction.atomic():
            for reason, pks in by_reason.items():
                total += Message.objects.filter(pk__in=pks, status=Message.Status.QUEUED).update(
                    status=Message.Status.UNDELIVERABLE, status_reason=reason, updated_at=now
                )
    return total


class _ZoneAnnotation(TypedDict):
    zone: str  # the recipient's IANA zone name


def _windowed(
    messages: QuerySet[Message],
) -> QuerySet[WithAnnotations[Message, _ZoneAnnotation]]:
    """The broadcast messages quiet hours apply to, with each recipient's zone."""
    return (
        messages.filter(broadcast__isnull=False)
        .exclude(message_type__in=EXEMPT_TYPES)
        .annotate(
            zone=recipient_zone_expression(
                fallback=Coalesce(F("campaign__timezone"), Value("UTC")),
                profile_path="profile__",
            )
        )
    )


def _hold_outside_window(queued: QuerySet[Message]) -> int:
    """Queued broadcast messages whose recipient is outside the window wait for it:
    Initial, scheduled at the zone's next opening. One UPDATE per (company, zone)."""
    now = timezone.now()
    windowed = _windowed(queued)
    held = 0
    groups = list(windowed.order_by().values_list("company_id", "zone").distinct())
    companies = {c.pk: c for c in Company.objects.filter(pk__in={c for c, _ in groups})}
    for company_id, zone_name in groups:
        opens = window_opens_at(
            now, zone_or(zone_name, "UTC"), sending_window(companies[company_id])
        )
        if opens == now:
            continue
        in_zone = windowed.filter(company_id=company_id, zone=zone_name).values("pk")
        held += Message.objects.filter(pk__in=in_zone, status=Message.Status.QUEUED).update(
            status=Message.Status.INITIAL,
            scheduled_at=opens,
            status_reason=f"Waiting for the sending window ({zone_name})"[:200],
            updated_at=now,
        )
    return held


def _validity_periods(ids: list[int]) -> dict[int, int]:
    """Message id → seconds left in its recipient's window, for windowed messages."""
    rows = list(
        _windowed(Message.objects.filter(pk__in=ids)).values_list("pk", "company_id", "zone")
    )
    if not rows:
        return {}
    companies = {c.pk: c for c in Company.objects.filter(pk__in={c for _, c, _ in rows})}
    now = timezone.now()
    periods = {}
    for pk, company_id, zone_name in rows:
        window = sending_window(companies[company_id])
        periods[pk] = validity_period(now, zone_or(zone_name, "UTC"), window)
    return periods


@dataclass
class _Outgoing:
    """What a gateway reads of a message, loaded as plain values (no model instance)."""

    pk: int
    # The sending number is the company's channel for the campaign (sending_numbers).
    company_id: int
    campaign_id: int | None
    profile_id: int | None
    phone_number: str
    originator: str
    body: str
    channel: str
    encoding: str
    segments: int
    media_url: str
    attachment_id: int | None
    attempts: int
    attachment: Attachment | None = None
    # Seconds the provider may keep trying (gateways' `validity_period`); None: its default.
    validity_period: int | None = None


_FIELDS = [f.name for f in fields(_Outgoing) if f.name not in ("attachment", "validity_period")]


def _slice_size() -> int:
    """Messages claimed at once: few enough that a crash leaves a small window in flight,
    and that one slice is sent well within the in-flight timeout at the number's pace."""
    per_timeout = settings.SMS_NUMBER_MPS * settings.SMS_IN_FLIGHT_TIMEOUT_SECONDS // 4
    return max(1, min(BATCH, 2 * settings.SMS_SEND_CONCURRENCY, per_timeout))


def _deliver_ids(ids: list[int]) -> dict[str, int]:
    gateway = get_gateway()
    size = _slice_size()
    slices = [ids[start : start + size] for start in range(0, len(ids), size)]
    outcomes = {"sent": 0, "failed": 0, "retry": 0}
    open_stream = getattr(gateway, "open_stream", None)
    if open_stream is None:
        # A gateway without a stream (console, fake): a slice at a time.
        for part in slices:
            messages = _claim(part)
            _add(outcomes, _record(list(zip(messages, _send(gateway, messages), strict=True))))
        return outcomes
    _stream_slices(open_stream(), slices, size, outcomes)
    return outcomes


def _stream_slices(stream: Any, slices: list[list[int]], size: int, outcomes: dict) -> None:
    """Claim a slice while the one before is still in flight, and write outcomes as
    they come, so the number never waits for the database or for a slice's slowest
    request: the stream keeps requests going between our round trips."""
    pending = iter(slices)
    more = True
    done: list[tuple[Any, SendResult]] = []
    with stream:
        try:
            while more or stream.pending:
                if more and stream.unstarted < size:
                    part = next(pending, None)
                    if part is None:
                        more = False
                    else:
                        stream.submit_messages(_claim(part))
                    continue
                done += stream.collect(timeout=COLLECT_WAIT if more else None)
                if len(done) >= size or (done and not stream.pending):
                    _add(outcomes, _record(done))
                    done = []
        finally:
            # Leaving early (a database error): what the provider answered is still
            # written; a message left claimed is for messages_reconcile_in_flight.
            with contextlib.suppress(Exception):
                while stream.pending:
                    done += stream.collect()
                if done:
                    _add(outcomes, _record(done))


def _add(outcomes: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        outcomes[key] += value


def _claim(ids: list[int]) -> list[_Outgoing]:
    """Mark a slice in flight (committed) and load what the gateway reads of it."""
    attachments: dict[int, Attachment | None] = {}
    validity = _validity_periods(ids)
    messages = [_Outgoing(*row) for row in in_flight_claim(ids, _FIELDS)]
    for message in messages:
        message.validity_period = validity.get(message.pk)
        if message.attachment_id is not None:
            if message.attachment_id not in attachments:
                attachments[message.attachment_id] = Attachment.objects.filter(
                    pk=message.attachment_id
                ).first()
            message.attachment = attachments[message.attachment_id]
    return messages


def _send(gateway: Any, messages: list[_Outgoing]) -> list[SendResult]:
    try:
        return gateway_send_many(gateway, messages)
    except Exception as exc:  # noqa: BLE001 (any gateway crash is one failed attempt each)
        return [SendResult(ok=False, error=f"Gateway error: {exc}") for _ in messages]


def _record(answered: list[tuple[_Outgoing, SendResult]]) -> dict[str, int]:
    """Write every outcome: Sent in one UPDATE, failures one by one, throttled back."""
    outcomes = {"sent": 0, "failed": 0, "retry": 0}
    sent: list[tuple[int, str, int]] = []
    delivered: list[int] = []
    throttled: list[int] = []
    retry_after = 0.0
    with transaction.atomic():
        for message, result in answered:
            if result.ok:
                sent.append((message.pk, result.gateway_message_id[:100], message.attempts))
                if message.profile_id:
                    delivered.append(message.profile_id)
            elif result.throttled:
                throttled.append(message.pk)
                retry_after = max(retry_after, result.retry_after or 0.0)
            else:
                failed = Message.objects.select_related("profile").get(pk=message.pk)
                failed.attempts = message.attempts
                failed.sending_started_at = None
                outcomes[message_record_failure(failed, result)] += 1
        _mark_sent(sent)
        outcomes["sent"] = len(sent)
        if delivered:
            # A delivered message ends a run of soft bounces (messaging.bounces).
            Profile.objects.filter(pk__in=delivered, consecutive_soft_bounces__gt=0).update(
                consecutive_soft_bounces=0
            )
        if throttled:
            # Not taken, not failed: back to the queue, sent again once the pause is over.
            in_flight_release(throttled)
            _requeue(throttled, countdown=max(retry_after, 1.0))
            outcomes["retry"] += len(throttled)
    return outcomes


def _requeue(ids: list[int], *, countdown: float) -> None:
    from . import tasks  # tasks import services, which import this module's neighbours

    transaction.on_commit(lambda: tasks.messages_deliver.apply_async((ids,), countdown=countdown))


def _mark_sent(sent: list[tuple[int, str, int]]) -> None:
    """Write (id, gateway id, attempts) of sent messages back in one statement."""
    if not sent:
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Message._meta.db_table} AS m SET status = %s, sent_at = %s, "  # noqa: S608 (table name from the model)
            "updated_at = %s, status_reason = '', attempts = v.attempts, "
            "sending_started_at = NULL, "
            "gateway_message_id = v.gid FROM unnest(%s::bigint[], %s::text[], "
            "%s::int[]) AS v(id, gid, attempts) WHERE m.id = v.id",
            [
                Message.Status.SENT,
                now,
                now,
                [row[0] for row in sent],
                [row[1] for row in sent],
                [row[2] for row in sent],
            ],
        )
