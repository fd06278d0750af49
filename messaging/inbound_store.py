"""Storing an incoming message (MO) as it arrives: one INSERT, before anything else.

The webhooks answer the aggregator as soon as the text is stored: an aggregator retries
whatever it does not hear back about within seconds, so the slow part (finding the
profile, keywords, opting out, replies) runs afterwards in a worker
(`messaging.inbound.message_classify`, queued by `messaging.inbound_accept`).

A message is stored once per company, gateway and aggregator message id: the partial
unique constraint `message_mo_once_per_gateway_id` decides, in the INSERT itself
(ON CONFLICT DO NOTHING), so a redelivery, a replayed request or two deliveries at the
same moment store one row, and the second is told `redelivered` without an error in
the database's log or a lookup before the insert that two requests could both pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from accounts.models import Company
from core.phones import phone_normalize
from core.safe_urls import UnsafeUrlError, external_url_clean

from .models import GATEWAY_MESSAGE_ID_MAX_LENGTH, GENERIC_GATEWAY, Channel, Message, MOType
from .routing import channel_for_number, company_for_number

logger = logging.getLogger(__name__)

# Twilio's OptOutType values: the provider already replied to the subscriber.
PROVIDER_ANSWERED = frozenset({"STOP", "START", "HELP"})
# The column's length: a longer carrier link is dropped with a reason, not a database error.
MEDIA_URL_MAX_LENGTH = Message._meta.get_field("media_url").max_length
# Every column, as Model.save() inserts them (the defaults are Python's, not the table's).
_FIELDS = [field for field in Message._meta.concrete_fields if not field.primary_key]


@dataclass(frozen=True)
class InboundStored:
    message_id: int
    company: Company
    channel: Channel | None
    redelivered: bool  # the aggregator sent a message id already stored
    # Why the carrier's media link was not stored ("" when it was, or there was none).
    media_url_refused: str = ""


def _media_url_clean(media_url: str) -> tuple[str, str]:
    """(the link to store, why it was refused). An unsafe link is dropped, not the message.

    The text of the message must still be processed: refusing the whole request would
    lose a STOP that arrived with a bad link, and an opt-out may never be lost.
    """
    try:
        return external_url_clean(media_url, max_length=MEDIA_URL_MAX_LENGTH), ""
    except UnsafeUrlError as error:
        return "", str(error)


def _insert_once(message: Message) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None when the
    constraint found the message already stored (or being stored by a concurrent
    request, whose commit PostgreSQL waits for before it decides).

    Django's bulk_create(ignore_conflicts=True) returns no id, and a savepoint around a
    plain INSERT turns every redelivery into an error in the server's log, so the
    statement is compiled by Django's own insert compiler (the model's columns and
    conversions) with the conflict clause and a RETURNING of the id.
    """
    sql, params = _insert_statement(message)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


# connection alias → the compiled INSERT; only while every column is a plain %s (no
# field with its own placeholder, no expression among the values).
_insert_sql: dict[str, str] = {}
_PLAIN_PLACEHOLDERS = not any(hasattr(field, "get_placeholder") for field in _FIELDS)


def _insert_statement(message: Message) -> tuple[str, list]:
    sql = _insert_sql.get(connection.alias)
    values = [field.pre_save(message, True) for field in _FIELDS]
    plain = _PLAIN_PLACEHOLDERS and not any(_is_expression(value) for value in values)
    if sql is None or not plain:
        sql, params = _insert_compiled(message)
        if plain:
            _insert_sql[connection.alias] = sql
        return sql, params
    # The statement is the same for every message (one row, every column as a %s):
    # compiling it was a fifth of a webhook's CPU. The values are converted as the
    # compiler converts them (pre_save, then get_db_prep_save).
    return sql, [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(_FIELDS, values, strict=True)
    ]


def _is_expression(value: object) -> bool:
    return hasattr(value, "resolve_expression")


def _insert_compiled(message: Message) -> tuple[str, list]:
    query = InsertQuery(Message, on_conflict=OnConflict.IGNORE)
    query.insert_values(_FIELDS, [message])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [Message._meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def inbound_store(
    *,
    phone: str,
    body: str,
    to: str,
    gateway_message_id: str,
    gateway: str = GENERIC_GATEWAY,
    media_url: str = "",
    received_at: datetime | None = None,
    provider_opt_out: str | None = None,
    channel: Channel | None = None,
) -> InboundStored:
    """Store one incoming message, unclassified, once per aggregator message id.

    The company is the one whose number `to` is: the `channel` a provider's webhook
    already found, else the number's channel or a legacy short code (Unroutable
    otherwise). `provider_opt_out` (STOP, START or HELP) says the provider already
    answered that word; it is kept for the classification. Raises ValueError for a
    missing or over-long message id and for a sender number that cannot be parsed.
    """
    if not gateway_message_id:
        raise ValueError("An incoming message needs the aggregator's message id")
    if len(gateway_message_id) > GATEWAY_MESSAGE_ID_MAX_LENGTH:
        raise ValueError(
            f"The message id is longer than {GATEWAY_MESSAGE_ID_MAX_LENGTH} characters"
        )
    if provider_opt_out is not None and provider_opt_out not in PROVIDER_ANSWERED:
        raise ValueError(f"Unknown provider opt-out type {provider_opt_out!r}")
    number = phone_normalize(phone)
    if not number.e164:
        raise ValueError(f"Not a phone number: {phone!r}")
    had_media = bool(media_url)
    media_url, media_url_refused = _media_url_clean(media_url)
    if channel is None:
        channel = channel_for_number(to)
    company = channel.company if channel is not None else company_for_number(to)
    now = timezone.now()
    message = Message(
        company=company,
        phone_number=number.e164,
        direction=Message.Direction.MO,
        # Until a worker classifies it; the inbox shows it meanwhile.
        message_type=MOType.UNKNOWN,
        body=body,
        media_url=media_url,
        channel=Message.Channel.MMS if had_media else Message.Channel.SMS,
        status=Message.Status.RECEIVED,
        originator=to,
        gateway=gateway,
        gateway_message_id=gateway_message_id,
        received_at=received_at or now,
        created_at=now,
        classification_pending=True,
        provider_opt_out=provider_opt_out or "",
    )
    message_id = _insert_once(message)
    if message_id is None:
        existing = (
            Message.objects.filter(
                company=company,
                direction=Message.Direction.MO,
                gateway=gateway,
                gateway_message_id=gateway_message_id,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if existing is None:  # the conflict was another constraint's: say so, loudly
            raise RuntimeError(f"MO {gateway}:{gateway_message_id} was neither stored nor found")
        logger.info("MO %s redelivered by %s as %s", existing, gateway, gateway_message_id)
        return InboundStored(existing, company, channel, True, media_url_refused)
    if media_url_refused:
        logger.warning("MO %s: media link dropped: %s", message_id, media_url_refused)
    return InboundStored(message_id, company, channel, False, media_url_refused)


def messages_awaiting_classification(*, older_than: timedelta, limit: int = 1000) -> list[int]:
    """Stored MOs still unclassified after `older_than`: their task was lost (the broker
    was down when the webhook published it, or a worker died holding it)."""
    return list(
        Message.objects.filter(
            classification_pending=True, created_at__lte=timezone.now() - older_than
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
