"""Message and attachment endpoints of the XML API (seed 004).

List Incoming Messages, List Outgoing Messages, Send SMS Message, Send MMS Message,
Attachments, Upload Attachment, Archive Attachment, Clear Conversation.
"""

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from lxml.etree import _Element as Element

from accounts.tenancy import Perm
from api import ApiCall, api_endpoint, invalid, not_found, sub, success
from api.xml import fmt_time
from profiles.models import Profile
from profiles.profile_xml import (
    ProfileParts,
    company_custom_fields,
    profile_element,
    profiles_with_details,
)

from .models import Attachment, Message

# Seed 004: "160 characters or fewer". Stricter than the segment limit every other way
# out has (settings.SMS_MAX_SEGMENTS, messaging.services.body_check), which message_send
# applies to API calls too; the API keeps the seed's rule its clients are written for.
SEND_BODY_LIMIT = 160


def _with_neighbours(queryset: QuerySet[Message]) -> QuerySet[Message]:
    """previous_id/next_id: the messages before and after in the number's thread.

    A message sent with previous_id keeps that link; otherwise the neighbour is the
    profile's message just before (or after) it. Each is an index lookup on
    (profile, created_at), so a page of 1,000 costs no extra queries.
    """
    thread = Message.objects.filter(profile=OuterRef("profile"))
    before = thread.filter(created_at__lt=OuterRef("created_at")).order_by("-created_at", "-id")
    after = thread.filter(created_at__gt=OuterRef("created_at")).order_by("created_at", "id")
    return queryset.annotate(
        previous_in_thread=Coalesce("previous_id", Subquery(before.values("id")[:1])),
        next_in_thread=Subquery(after.values("id")[:1]),
    )


def _campaign_ref(parent: Element, message: Message) -> None:
    if message.campaign is None:  # no query for a null campaign_id
        sub(parent, "campaign")
        return
    element = sub(parent, "campaign", id=message.campaign_id, active=message.campaign.active)
    sub(element, "name", message.campaign.name)


def incoming_element(parent: Element, message: Message) -> Element:
    element = sub(parent, "message", id=message.pk, type=message.message_type, approved="false")
    sub(element, "phone_number", message.phone_number.lstrip("+"))
    sub(element, "carrier_name", message.profile.carrier_name if message.profile else "")
    sub(element, "profile", message.profile_id)
    sub(element, "body", message.body)
    sub(element, "message_template_id", message.message_template_id)
    sub(element, "mms", message.channel == Message.Channel.MMS)
    sub(element, "multipart", message.multipart)
    sub(element, "keyword", message.keyword.name if message.keyword else None)
    sub(element, "received_at", fmt_time(message.received_at or message.created_at))
    sub(element, "previous_id", id=getattr(message, "previous_in_thread", None) or "")
    sub(element, "next_id", id=getattr(message, "next_in_thread", None) or "")
    _campaign_ref(element, message)
    return element


def outgoing_element(parent: Element, message: Message) -> Element:
    element = sub(
        parent, "message", id=message.pk, type=message.message_type, status=message.status.lower()
    )
    sub(element, "phone_number", message.phone_number.lstrip("+"))
    sub(element, "profile", message.profile_id)
    sub(element, "body", message.body)
    sub(element, "sent_at", fmt_time(message.sent_at))
    sub(element, "message_template_id", message.message_template_id)
    sub(element, "mms", message.channel == Message.Channel.MMS)
    sub(element, "multipart", message.multipart)
    _campaign_ref(element, message)
    sub(element, "previous_id", id=getattr(message, "previous_in_thread", None) or "")
    sub(element, "next_id", id=getattr(message, "next_in_thread", None) or "")
    return element


def message_summary_element(parent: Element, message: Message) -> Element:
    """A message inside Profile Summary's include_messages."""
    if message.direction == Message.Direction.MO:
        return incoming_element(parent, message)
    return outgoing_element(parent, message)


def _list(call: ApiCall, direction: str) -> Element:
    p = call.params
    page = p.page(default_limit=1000)
    since, until = p.date_range()
    start, end = p.date_range("start_time", "end_time", 7, 8)
    since, until = since or start, until or end
    include_profile = p.flag("include_profile", direction == Message.Direction.MO)
    campaign_id = p.integer("campaign_id", 1)
    numbers = p.phone_numbers(required=False)
    queryset = Message.objects.for_company(call.company).filter(direction=direction)
    if campaign_id is not None:
        queryset = queryset.filter(campaign_id=campaign_id)
    if numbers:
        queryset = queryset.filter(phone_number__in=numbers)
    if since:
        queryset = queryset.filter(created_at__gte=since)
    if until:
        queryset = queryset.filter(created_at__lte=until)
    total = queryset.count()
    rows = list(
        _with_neighbours(
            page.slice(queryset.order_by("-created_at", "-id")).select_related(
                "campaign", "keyword", "profile"
            )
        )
    )
    root = success()
    container = sub(
        root,
        "messages",
        page=page.number,
        limit=page.limit,
        page_count=max(1, -(-total // page.limit)),
    )
    render = incoming_element if direction == Message.Direction.MO else outgoing_element
    elements = [(render(container, m), m) for m in rows]
    if include_profile:
        parts = ProfileParts.for_company(call.company)
        fields = company_custom_fields(call.company, parts)
        ids = {m.profile_id for m in rows if m.profile_id}
        profiles = {
            p.pk: p for p in profiles_with_details(Profile.objects.filter(pk__in=ids), parts)
        }
        for element, message in elements:
            if message.profile_id in profiles:
                profile_element(
                    element, profiles[message.profile_id], custom_fields=fields, parts=parts
                )
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def messages(call: ApiCall) -> Element:
    return _list(call, Message.Direction.MO)


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def sent_messages(call: ApiCall) -> Element:
    return _list(call, Message.Direction.MT)


# --- Sending --------------------------------------------------------------------------


def _attachment(call: ApiCall, *, required: bool = False) -> Attachment | None:
    attachment_id = call.params.integer("attachment_id", 21, required=required)
    if attachment_id is None:
        return None
    attachment = (
        Attachment.objects.for_company(call.company)
        .filter(pk=attachment_id, archived_at__isnull=True)
        .first()
    )
    if attachment is None:
        raise not_found(21, str(attachment_id))
    return attachment


def _send(call: ApiCall, *, body: str, attachment: Attachment | None) -> Element:
    """Checks that need no write, then the one send path (messaging.services.message_send)."""
    from campaigns.compliance import refusal_reason
    from campaigns.models import Campaign, Subscription

    from .services import MessageBodyError, message_send

    p = call.params
    campaign_id = p.integer("campaign_id", 1, required=True)
    campaign = Campaign.objects.for_company(call.company).filter(pk=campaign_id).first()
    if campaign is None:
        raise not_found(1, str(campaign_id))
    e164 = p.phone_number()
    profile = Profile.objects.for_company(call.company).filter(phone_number=e164).first()
    if profile is None:
        raise not_found(5, f"no profile with phone number {e164.lstrip('+')}")
    previous = None
    previous_id = p.integer("previous_id", 31)
    if previous_id is not None:
        previous = Message.objects.for_company(call.company).filter(pk=previous_id).first()
        if previous is None:
            raise not_found(31, str(previous_id))
    if not Subscription.objects.filter(
        profile=profile, campaign=campaign, status=Subscription.Status.ACTIVE
    ).exists():
        raise invalid(11, f"{e164.lstrip('+')} is not subscribed to {campaign.name}")
    reason = refusal_reason(profile=profile, campaign=campaign)
    if reason:
        raise invalid(14, reason)
    with transaction.atomic():
        try:
            message = message_send(
                company=call.company,
                profile=profile,
                body=body,
                campaign=campaign,
                attachment=attachment,
                sent_by=call.user,
                in_reply_to=previous,
            )
        except MessageBodyError as error:
            raise invalid(3, str(error)) from None
        if previous is not None:
            Message.objects.filter(pk=message.pk).update(previous=previous)
    message = _with_neighbours(Message.objects.filter(pk=message.pk)).select_related("campaign")[0]
    root = success()
    outgoing_element(root, message)
    return root


@api_endpoint(methods=["POST"], perm=Perm.CHAT)
def send_message(call: ApiCall) -> Element:
    body = call.params.raw("body") or ""
    if not body.strip():
        raise invalid(3, "body is required")
    if len(body) > SEND_BODY_LIMIT:
        raise invalid(3, f"body must be {SEND_BODY_LIMIT} characters or fewer")
    return _send(call, body=body, attachment=_attachment(call))


@api_endpoint(methods=["POST"], perm=Perm.CHAT)
def send_mms(call: ApiCall) -> Element:
    from .services_attachments import AttachmentError, attachment_create

    body = call.params.raw("body") or ""
    attachment = _attachment(call)
    upload = call.params.files.get("uploaded_attachment")
    if attachment is None and upload is None:
        raise invalid(21, "give attachment_id or an uploaded_attachment file")
    with transaction.atomic():
        if attachment is None:
            assert upload is not None  # one of the two is given (checked above)
            try:
                attachment = attachment_create(
                    company=call.company, upload=upload, name=call.params.get("name")
                )
            except AttachmentError as error:
                raise invalid(21, str(error)) from None
        # Nothing stays behind when the send is refused: the upload rolls back with it.
        return _send(call, body=body, attachment=attachment)


# --- Attachments ----------------------------------------------------------------------


def attachment_element(parent: Element, call: ApiCall, attachment: Attachment) -> Element:
    element = sub(parent, "attachment")
    sub(element, "id", attachment.pk)
    sub(element, "name", attachment.name)
    link = call.request.build_absolute_uri(attachment.file.url) if attachment.file else ""
    sub(element, "thumbnail_link", link)
    return element


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def attachments(call: ApiCall) -> Element:
    root = success()
    container = sub(root, "attachments")
    queryset = Attachment.objects.for_company(call.company).filter(archived_at__isnull=True)
    for attachment in queryset.order_by("id"):
        attachment_element(container, call, attachment)
    return root


@api_endpoint(methods=["POST"], perm=Perm.CHAT)
def upload_attachment(call: ApiCall) -> Element:
    from .services_attachments import AttachmentError, attachment_create

    upload = call.params.files.get("uploaded_attachment")
    if upload is None:
        raise invalid(21, "uploaded_attachment (a multipart file) is required")
    try:
        attachment = attachment_create(
            company=call.company, upload=upload, name=call.params.get("name")
        )
    except AttachmentError as error:
        raise invalid(21, str(error)) from None
    root = success()
    attachment_element(root, call, attachment)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def archive_attachment(call: ApiCall) -> Element:
    from .services_attachments import attachment_archive

    attachment = _attachment(call, required=True)
    assert attachment is not None
    attachment_archive(attachment=attachment)
    return success()


@api_endpoint(methods=["POST"], perm=Perm.CHAT)
def clear_conversation(call: ApiCall) -> Element:
    """Forget what the platform waits for from this number in this campaign."""
    from campaigns.models import Campaign

    from .flows import flow_clear

    campaign_id = call.params.integer("campaign_id", 1, required=True)
    campaign = Campaign.objects.for_company(call.company).filter(pk=campaign_id).first()
    if campaign is None:
        raise not_found(1, str(campaign_id))
    e164 = call.params.phone_number()
    profile = Profile.objects.for_company(call.company).filter(phone_number=e164).first()
    if profile is None:
        raise not_found(5, f"no profile with phone number {e164.lstrip('+')}")
    # The open step of an opt-in path's flow, and what the conversation waits for.
    flow_clear(profile=profile, campaign=campaign)
    return success()
