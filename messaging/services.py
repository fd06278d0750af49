"""Sending: the single chokepoint every outgoing message passes through.

The only ways out (a source scan in tests/messaging/test_single_way_out.py fails the
build if a module elsewhere writes outgoing Message rows or talks to a gateway):

* `message_send`: one message to one profile. Chat, replies, the API, help responses,
  welcome messages and opt-out receipts use it.
* `message_send_many`: the same for a set of profiles, set-based (one INSERT … SELECT);
  broadcasts fan out through it, chunk by chunk.
* `message_deliver` (here) and `messages_deliver_batch` (messaging.delivery): the only
  code that hands a message to a gateway. Failures of either go through
  `message_record_failure`.

Both send functions check the same compliance rule (campaigns.compliance) when the
message is created, and both delivery functions check it again just before the gateway
is called, so a STOP that arrives while a message waits in the queue still wins.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import (
    QuerySet,
)
from django.utils import timezone

from accounts.models import Company
from campaigns.compliance import profiles_with_refusal, refusal_reason
from campaigns.compose import (
    MessageBodyError,
    SendError,
    body_check,
    body_prepare,
)
from campaigns.merge_fields import (
    MergeFieldError,
    MergeTemplate,
    profile_values,
    template_compile,
    template_render,
)
from campaigns.services_subscriptions import profile_opt_out
from core.publish import task_publish
from core.safe_urls import UnsafeUrlError, external_url_clean
from links.services import links_for_body
from links.tokens import Link, link_url
from profiles.models import CleanedReason, OptOutSource, Profile

from .bounces import (
    CARRIER_ORIGIN,
    profile_clean,
    profile_delivered,
    profile_number_invalid,
    profile_soft_bounce,
)
from .gateways import Bounce, SendResult, get_gateway
from .models import Attachment, Conversation, Message, MTType
from .providers.base import NumberFact
from .quiet_hours import message_window
from .send_rows import insert_rows, message_rows, number_refusals

# A first failed attempt is re-sent once; the second failure is final (seed 004).
MAX_ATTEMPTS = 2
# A carrier that says the number opted out or cannot take texts will say so again.
_FINAL_FACTS = frozenset({NumberFact.OPTED_OUT, NumberFact.INVALID, NumberFact.HARD_BOUNCE})

# The only message type that may go to a number that just opted out: the one-time
# confirmation of that opt-out (CTIA: a single confirmation is expected, nothing more).
# Callers must ask for it explicitly with compliance_exempt_types.
COMPLIANCE_EXEMPTABLE = frozenset({MTType.OPT_OUT_RECEIPT})

# Sending one of these makes the next reply from the number an answer to it.
AWAITING_FOR_TYPE: dict[str, str] = {  # by the message_type value
    MTType.QUESTION: Conversation.Awaiting.QUESTION,
    MTType.INFO_REQUEST: Conversation.Awaiting.INFO,
    MTType.DIRECT_MESSAGE: Conversation.Awaiting.DIRECT,
}


def _exempt(message_type: str, compliance_exempt_types: Iterable[str]) -> bool:
    exempt_types = set(compliance_exempt_types)
    if exempt_types - COMPLIANCE_EXEMPTABLE:
        raise SendError("Only opt-out receipts may bypass the opt-out check.")
    return message_type in exempt_types


def _status_for(reason: str | None, scheduled_at: datetime | None) -> str:
    if reason:
        return Message.Status.UNDELIVERABLE
    if scheduled_at is not None and scheduled_at > timezone.now():
        return Message.Status.INITIAL
    return Message.Status.QUEUED


def _enqueue(message_ids: list[int], *, message_type: str = "", is_reply: bool = False) -> None:
    from . import tasks  # tasks import this module

    if len(message_ids) == 1:
        # A reply to the person goes on the priority queue, ahead of broadcast traffic.
        queue = tasks.delivery_queue(message_type, is_reply=is_reply)
        transaction.on_commit(
            lambda: _publish_or_hold(message_ids, tasks.message_deliver, (message_ids[0],), queue)
        )
    elif message_ids:
        transaction.on_commit(
            lambda: _publish_or_hold(message_ids, tasks.messages_deliver, (message_ids,))
        )


def _publish_or_hold(message_ids: list[int], task, args: tuple, queue: str | None = None) -> None:
    """Hand the messages to the broker; while it is away, hold them for the sweep.

    A Queued message whose task was never published would wait forever, so it goes back
    to Initial, due now: `messages_queue_due` (every minute) queues it again once the
    broker answers. Only rows still Queued and not in flight are touched.
    """
    options = {"queue": queue} if queue else {}
    if task_publish(task, args, **options):
        return
    Message.objects.filter(
        pk__in=message_ids, status=Message.Status.QUEUED, sending_started_at__isnull=True
    ).update(status=Message.Status.INITIAL, scheduled_at=timezone.now())


def conversation_await(
    *, profile: Profile, campaign, awaiting: str, last_message: Message | None
) -> Conversation:
    conversation, _ = Conversation.objects.update_or_create(
        company_id=profile.company_id,
        profile=profile,
        campaign=campaign,
        defaults={"awaiting": awaiting, "last_message": last_message},
    )
    return conversation


def _media_url_checked(media_url: str) -> str:
    try:
        return external_url_clean(
            media_url, max_length=Message._meta.get_field("media_url").max_length
        )
    except UnsafeUrlError as error:
        raise SendError(f"Media link: {error}") from None


def _template(
    *,
    company: Company,
    body: str,
    strict: bool,
    shorten_links: bool,
    campaign=None,
    broadcast=None,
) -> MergeTemplate:
    """The prepared body's merge template: fields resolved (an unknown one refused when
    `strict`), and its URLs as tracked links when `shorten_links`."""
    try:
        template_compile(body, company=company, strict=strict)
    except MergeFieldError as error:
        raise MessageBodyError(str(error)) from None
    links = {}
    if shorten_links:
        links = links_for_body(company=company, body=body, campaign=campaign, broadcast=broadcast)
    return template_compile(body, company=company, strict=False, links=links)


def _template_check(message_template, company: Company, campaign) -> None:
    if message_template is None:
        return
    if message_template.company_id != company.pk:
        raise SendError("The message template belongs to another company.")
    if campaign is not None and message_template.campaign_id != campaign.pk:
        raise SendError("The message template belongs to another campaign.")


@transaction.atomic
def message_send(
    *,
    company: Company,
    profile: Profile,
    body: str,
    campaign=None,
    broadcast=None,
    message_type: str = MTType.REGULAR_TEXT,
    attachment: Attachment | None = None,
    media_url: str = "",
    sent_by: User | None = None,
    in_reply_to: Message | None = None,
    originator: str | None = None,
    scheduled_at: datetime | None = None,
    enqueue: bool = True,
    compliance_exempt_types: Iterable[str] = (),
    message_template=None,
    shorten_links: bool = False,
    strict_fields: bool = True,
) -> Message:
    """Create one outgoing message and queue it for delivery, or refuse it.

    A number that may not be texted gets a message with status Undeliverable and the
    reason in status_reason; nothing reaches a gateway. A message scheduled for later
    stays Initial until messages_send_due queues it. For a broadcast the message is
    created once per profile: calling again returns the existing message.
    `compliance_exempt_types={MTType.OPT_OUT_RECEIPT}` lets the confirmation of an
    opt-out reach the number that just opted out (other refusals still apply).

    Merge fields (campaigns.merge_fields) are filled in from the profile; an unknown
    one raises MessageBodyError naming it (`strict_fields=False`, for auto-texts checked
    when they were saved: it renders as its fallback), and the length rule applies to
    the text the person receives. `shorten_links` sends the body's URLs as tracked links with the
    profile's own token; `message_template` is recorded on the message.
    """
    if profile.company_id != company.pk:
        raise SendError("The profile belongs to another company.")
    if campaign is not None and campaign.company_id != company.pk:
        raise SendError("The campaign belongs to another company.")
    _template_check(message_template, company, campaign)
    exempt = _exempt(message_type, compliance_exempt_types)
    if broadcast is not None:
        existing = Message.objects.filter(
            broadcast=broadcast, profile=profile, direction=Message.Direction.MT
        ).first()
        if existing is not None:
            return existing
    media_url = _media_url_checked(media_url)
    body = body_prepare(body)
    template = _template(
        company=company,
        body=body,
        strict=strict_fields,
        shorten_links=shorten_links,
        campaign=campaign,
        broadcast=broadcast,
    )

    def url(link: Link) -> str:
        return link_url(link_id=link.link_id, code=link.code, profile_id=profile.pk)

    # A plain body renders to itself (or with a vanished field's fallback in place).
    body = template_render(template, profile_values(template, profile), link_url=url)
    info = body_check(body, has_media=bool(attachment or media_url))
    reason = refusal_reason(
        profile=profile,
        campaign=campaign,
        allow_opted_out=exempt,
        allow_pending=message_type == MTType.OPT_IN_CONFIRMATION,
    )
    status = _status_for(reason, scheduled_at)
    message = Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MT,
        message_type=message_type,
        body=body,
        attachment=attachment,
        media_url=media_url,
        campaign=campaign,
        broadcast=broadcast,
        message_template=message_template,
        originator=originator or company.short_code or settings.SMS_DEFAULT_ORIGINATOR,
        channel=info.channel,
        encoding=info.encoding,
        segments=info.segments,
        multipart=info.multipart,
        status=status,
        status_reason=reason or "",
        sent_by=sent_by if sent_by is not None and sent_by.is_authenticated else None,
        in_reply_to=in_reply_to,
        scheduled_at=scheduled_at,
    )
    if not reason and message_type in AWAITING_FOR_TYPE:
        conversation_await(
            profile=profile,
            campaign=campaign,
            awaiting=AWAITING_FOR_TYPE[message_type],
            last_message=message,
        )
    if status == Message.Status.QUEUED and enqueue:
        _enqueue([message.pk], message_type=message_type, is_reply=in_reply_to is not None)
    return message


@dataclass(frozen=True)
class SendManyResult:
    queued: int
    undeliverable: int
    message_ids: list[int]


@transaction.atomic
def message_send_many(
    *,
    company: Company,
    profiles: QuerySet[Profile],
    body: str,
    campaign=None,
    broadcast=None,
    message_type: str = MTType.REGULAR_TEXT,
    attachment: Attachment | None = None,
    media_url: str = "",
    sent_by: User | None = None,
    originator: str | None = None,
    scheduled_at: datetime | None = None,
    enqueue: bool = True,
    batch_size: int = 2000,
    message_template=None,
    shorten_links: bool = False,
) -> SendManyResult:
    """`message_send` for a set of profiles, set-based: one INSERT … SELECT writes a
    message for every profile, Queued (or Initial when scheduled) where the rule
    (`campaigns.compliance.refusal_expression`, the one `message_send` applies) lets the
    number through, Undeliverable with the reason otherwise. The rows whose stored number
    SQL cannot judge get `number_refusal`, as in `message_send`. No Python object is
    built per recipient, so a broadcast chunk of thousands is one statement.

    Idempotent for broadcasts: ON CONFLICT DO NOTHING against the (broadcast, profile)
    unique index skips profiles that already have a message of the broadcast, so a
    redelivered fan-out chunk sends nothing twice. The counts and ids are those of the
    rows this call wrote. `batch_size` is how many queued ids one delivery task takes.

    Merge fields and tracked links are rendered in the same statement, each row's body
    from its profile's columns and custom values, and each row measured (encoding,
    segments); a row too long once filled in is Undeliverable. A broadcast's fields
    were checked when it was saved, so a custom field deleted since renders as its
    fallback rather than failing the chunk; other callers get MessageBodyError.
    """
    if campaign is not None and campaign.company_id != company.pk:
        raise SendError("The campaign belongs to another company.")
    _template_check(message_template, company, campaign)
    media_url = _media_url_checked(media_url)
    body = body_prepare(body)
    has_media = bool(attachment or media_url)
    template: MergeTemplate | None = _template(
        company=company,
        body=body,
        strict=broadcast is None,
        shorten_links=shorten_links,
        campaign=campaign,
        broadcast=broadcast,
    )
    if template is not None and template.is_plain:
        body = template_render(template, {})  # itself, or a vanished field's fallback
        template = None
    # The template's own text (fields empty) must pass; each row is measured in SQL.
    info = body_check(
        body if template is None else template_render(template, {}, link_url=lambda _: ""),
        has_media=has_media,
    )
    common = {
        "company_id": company.pk,
        "message_type": message_type,
        "body": body,
        "media_url": media_url,
        "campaign_id": campaign.pk if campaign is not None else None,
        "broadcast_id": broadcast.pk if broadcast is not None else None,
        "message_template_id": message_template.pk if message_template is not None else None,
        "attachment_id": attachment.pk if attachment is not None else None,
        "has_media": has_media,
        "originator": originator or company.short_code or settings.SMS_DEFAULT_ORIGINATOR,
        "channel": info.channel,
        "encoding": info.encoding,
        "segments": info.segments,
        "multipart": info.multipart,
        "sent_by_id": sent_by.pk if sent_by is not None and sent_by.is_authenticated else None,
        "scheduled_at": scheduled_at,
        "status": _status_for(None, scheduled_at),
    }
    skip_existing = broadcast is not None
    rows = profiles_with_refusal(profiles.filter(company=company), campaign=campaign)
    bad_numbers = number_refusals(rows)
    if bad_numbers:
        rows = rows.exclude(pk__in=list(bad_numbers))
    written = insert_rows(*message_rows(rows, common, None, template), skip_existing=skip_existing)
    if bad_numbers:
        refused = Profile.objects.filter(pk__in=list(bad_numbers))
        written += insert_rows(
            *message_rows(refused, common, bad_numbers, template), skip_existing=skip_existing
        )
    queued_ids = sorted(pk for pk, status in written if status == Message.Status.QUEUED)
    if enqueue:
        for start in range(0, len(queued_ids), batch_size):
            _enqueue(queued_ids[start : start + batch_size])
    return SendManyResult(
        queued=len(queued_ids),
        undeliverable=sum(status == Message.Status.UNDELIVERABLE for _, status in written),
        message_ids=sorted(pk for pk, _ in written),
    )


def _retry_later(message: Message, *, countdown: float | None = None) -> None:
    from . import tasks

    delay = settings.SMS_RETRY_DELAY_SECONDS if countdown is None else countdown
    queue = tasks.delivery_queue(message.message_type, is_reply=message.in_reply_to_id is not None)
    transaction.on_commit(
        lambda: tasks.message_deliver.apply_async((message.pk,), countdown=delay, queue=queue)
    )


def _number_fact_apply(profile: Profile, fact: str) -> None:
    """What a carrier's refusal says about the number, through the services that own it."""
    if fact == NumberFact.OPTED_OUT:
        # The carrier holds the subscriber's STOP: the same opt-out as a texted STOP.
        profile_opt_out(profile=profile, source=OptOutSource.STOP_WORD, origin=CARRIER_ORIGIN)
    elif fact == NumberFact.INVALID:
        profile_number_invalid(profile=profile)


def message_record_failure(message: Message, result: SendResult) -> str:
    """A failed attempt: bounce bookkeeping, then a re-send once or Failed Permanently.

    The one failure policy of every delivery path (single, batch, receipts). The caller
    has set `message.attempts`; returns "retry" or "failed". A failure that says the
    number opted out at the carrier or cannot take texts is final and changes the
    profile, so that nothing is sent to it again.
    """
    profile = message.profile
    if profile is not None and result.bounce == Bounce.HARD:
        profile_clean(profile=profile, reason=CleanedReason.HARD_BOUNCE)
    elif profile is not None and result.bounce == Bounce.SOFT:
        profile_soft_bounce(profile=profile)
    if profile is not None and result.number_fact:
        _number_fact_apply(profile, result.number_fact)
    message.error_code = result.error_code[:40]
    message.status_reason = (result.error or "Delivery failed")[:200]
    message.sending_started_at = None
    retry = (
        result.retriable
        and result.bounce != Bounce.HARD
        and result.number_fact not in _FINAL_FACTS
        and message.attempts < MAX_ATTEMPTS
    )
    message.status = Message.Status.QUEUED if retry else Message.Status.FAILED
    message.save(
        update_fields=[
            "status",
            "status_reason",
            "error_code",
            "attempts",
            "sending_started_at",
            "updated_at",
        ]
    )
    if retry:
        _retry_later(message)
        return "retry"
    return "failed"


def message_deliver(*, message_id: int) -> str:
    """Hand one queued message to the gateway. Safe to call twice for the same id.

    The message is marked in flight (committed) before the gateway is called, so a
    redelivered task finds it in flight, or Sent, or Failed, and does nothing; a worker
    that dies in between leaves it for messaging.in_flight to reconcile.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("profile", "campaign", "attachment", "company")
            .filter(pk=message_id, direction=Message.Direction.MT)
            .first()
        )
        if message is None or message.status not in (
            Message.Status.QUEUED,
            Message.Status.INITIAL,
        ):
            return "skipped"
        if message.sending_started_at is not None:
            return "in flight"
        if (
            message.status == Message.Status.INITIAL
            and message.scheduled_at
            and message.scheduled_at > timezone.now()
        ):
            return "not due"
        reason = (
            refusal_reason(
                profile=message.profile,
                campaign=message.campaign,
                allow_opted_out=message.message_type in COMPLIANCE_EXEMPTABLE,
                allow_pending=message.message_type == MTType.OPT_IN_CONFIRMATION,
            )
            if message.profile is not None
            else None
        )
        if reason:
            message.status = Message.Status.UNDELIVERABLE
            message.status_reason = reason[:200]
            message.save(update_fields=["status", "status_reason", "updated_at"])
            return "undeliverable"
        opens, validity = message_window(message, now=timezone.now())
        if opens is not None:
            # Quiet hours: Initial until the window opens; messages_queue_due sends it then.
            message.status = Message.Status.INITIAL
            message.scheduled_at = opens
            message.status_reason = "Waiting for the recipient's sending window"
            message.save(update_fields=["status", "scheduled_at", "status_reason", "updated_at"])
            return "held"
        message.validity_period = validity  # read by the gateway (messaging.gateways)
        message.attempts += 1
        message.status = Message.Status.QUEUED
        message.sending_started_at = timezone.now()
        message.save(update_fields=["status", "attempts", "sending_started_at", "updated_at"])
    try:
        result = get_gateway().send(message)
    except Exception as exc:  # noqa: BLE001 (any gateway crash is one failed attempt)
        result = SendResult(ok=False, error=f"Gateway error: {exc}")
    with transaction.atomic():
        if result.throttled:
            # Not taken: back to the queue uncounted, after the pause the provider asked.
            message.attempts -= 1
            message.sending_started_at = None
            message.save(update_fields=["attempts", "sending_started_at", "updated_at"])
            _retry_later(message, countdown=max(result.retry_after or 0.0, 1.0))
            return "retry"
        if not result.ok:
            return message_record_failure(message, result)
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.gateway_message_id = result.gateway_message_id[:100]
        message.status_reason = ""
        message.sending_started_at = None
        message.save(
            update_fields=[
                "status",
                "sent_at",
                "gateway_message_id",
                "status_reason",
                "attempts",
                "sending_started_at",
                "updated_at",
            ]
        )
        if message.profile is not None:
            profile_delivered(profile=message.profile)
        return "sent"


class ReceiptStatus:
    DELIVERED = "delivered"
    FAILED = "failed"


def message_receipt_apply(
    *,
    company: Company,
    gateway_message_id: str,
    status: str,
    error_code: str = "",
    error: str = "",
    bounce: str = "",
) -> str:
    """A delivery receipt from the aggregator: confirm, or treat as a failed attempt.

    Only `company`'s messages are looked at (the company whose number sent the message):
    gateway ids are unique per aggregator account, not across our companies.
    """
    with transaction.atomic():
        message = (
            Message.objects.for_company(company)
            .select_for_update(of=("self",))
            .select_related("profile")
            .filter(gateway_message_id=gateway_message_id, direction=Message.Direction.MT)
            .first()
        )
        if message is None:
            return "unknown message"
        if status == ReceiptStatus.DELIVERED:
            if message.status in (Message.Status.QUEUED, Message.Status.SENT):
                message.status = Message.Status.SENT
                message.sent_at = message.sent_at or timezone.now()
                message.delivered_at = message.delivered_at or timezone.now()
                message.save(update_fields=["status", "sent_at", "delivered_at", "updated_at"])
            if message.profile is not None:
                profile_delivered(profile=message.profile)
            return "delivered"
        if message.status != Message.Status.SENT:
            return "ignored"  # already failed, or a re-send is under way
        result = SendResult(
            ok=False,
            error_code=error_code,
            error=error or "Delivery failed",
            bounce=bounce,
            retriable=bounce != Bounce.HARD,
        )
        return message_record_failure(message, result)


def messages_queue_due(*, now: datetime | None = None, limit: int = 5000) -> dict[str, int]:
    """Queue scheduled messages whose time has come (run periodically)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                direction=Message.Direction.MT,
                status=Message.Status.INITIAL,
                scheduled_at__lte=now,
            )
            .values_list("pk", flat=True)[:limit]
        )
        Message.objects.filter(pk__in=due).update(status=Message.Status.QUEUED)
        _enqueue(due)
    return {"queued": len(due)}
