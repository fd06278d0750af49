"""Message templates: a campaign's named, reusable bodies (create, edit, delete).

A body passes the rule every saved body passes (campaigns.compose.body_validate:
control characters, length, known merge fields). A template some message was sent
from cannot be deleted: the message history names it (the API's message_template_id).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError

from core.errors import ServiceError
from core.text_rules import TextError, name_clean

from .compose import MessageBodyError, body_validate
from .models import Campaign, MessageTemplate


class MessageTemplateError(ServiceError):
    """A template change refused; str() is written for the person who made it."""


def _clean(campaign: Campaign, name: str, body: str) -> tuple[str, str]:
    try:
        name = name_clean(name, field="The template name").strip()
    except TextError as error:
        raise MessageTemplateError(str(error)) from None
    if not name:
        raise MessageTemplateError("A template needs a name.")
    body = body.strip()
    if not body:
        raise MessageTemplateError("A template needs a message body.")
    try:
        body_validate(body, company=campaign.company)
    except MessageBodyError as error:
        raise MessageTemplateError(str(error)) from None
    return name, body


def _unique(campaign: Campaign, name: str, exclude: int | None = None) -> None:
    taken = MessageTemplate.objects.filter(campaign=campaign, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise MessageTemplateError(f"{campaign.name} already has a template named {name}.")


@transaction.atomic
def message_template_create(*, campaign: Campaign, name: str, body: str) -> MessageTemplate:
    name, body = _clean(campaign, name, body)
    _unique(campaign, name)
    return MessageTemplate.objects.create(
        company_id=campaign.company_id, campaign=campaign, name=name, body=body
    )


@transaction.atomic
def message_template_update(*, template: MessageTemplate, name: str, body: str) -> MessageTemplate:
    name, body = _clean(template.campaign, name, body)
    _unique(template.campaign, name, exclude=template.pk)
    template.name, template.body = name, body
    template.save(update_fields=["name", "body", "updated_at"])
    return template


def message_template_delete(*, template: MessageTemplate) -> None:
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError:
        raise MessageTemplateError(
            f"Messages were sent from {template.name}, so it stays in their history; "
            "rename it or stop using it instead."
        ) from None
