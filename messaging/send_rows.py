"""The rows `message_send_many` writes: one INSERT … SELECT of outgoing messages.

The SELECT gives one Message row per profile, its status from the compliance rule's
SQL (`refusal`), and, for a body with merge fields or tracked links, each row's body
rendered in SQL (campaigns.merge_fields.template_sql) and measured
(core.segments_sql). Only messaging.services calls these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Left
from django.utils import timezone

from campaigns.compliance import RefusalAnnotation
from campaigns.merge_fields import MergeTemplate, template_sql
from core.segments_sql import rows_with_segments
from links.tokens import Link, link_url_sql
from profiles.deliverability import number_refusal
from profiles.models import Profile

from .models import Message

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# number_type is written by phone_normalize together with the number, and only for a
# number it found valid; those need no second parse. Any other number is checked again
# with the rule's own `number_refusal` (libphonenumber, ~0.3 ms a number).
_CLASSIFIED_VALID = ["mobile", "fixed_or_mobile", "voip"]

# The columns one INSERT … SELECT writes, in the order `message_rows` selects them.
_INSERT_COLUMNS = [
    "company_id",
    "profile_id",
    "phone_number",
    "direction",
    "message_type",
    "body",
    "media_url",
    "campaign_id",
    "broadcast_id",
    "message_template_id",
    "attachment_id",
    "originator",
    "originator_type",
    "channel",
    "status",
    "status_reason",
    "encoding",
    "segments",
    "multipart",
    "attempts",
    "gateway_message_id",
    "error_code",
    "sent_by_id",
    "scheduled_at",
    "created_at",
    "updated_at",
]


def number_refusals(
    profiles: QuerySet[WithAnnotations[Profile, RefusalAnnotation]],
) -> dict[int, str]:
    """Profile id → reason, for the SQL-textable rows whose number itself is refused."""
    unclassified = profiles.filter(refusal="").exclude(number_type__in=_CLASSIFIED_VALID)
    refusals = {}
    for pk, phone in unclassified.values_list("pk", "phone_number").iterator(chunk_size=2000):
        reason = number_refusal(phone)
        if reason:
            refusals[pk] = reason
    return refusals


def message_rows(
    profiles: QuerySet[Profile],
    common: dict[str, Any],
    reasons: dict[int, str] | None,
    template: MergeTemplate | None = None,
) -> tuple[str, tuple]:
    """SELECT giving one outgoing Message row per profile, in `_INSERT_COLUMNS` order.

    Without `reasons` the status comes from the SQL rule (`refusal`); with them every
    row is Undeliverable with its profile's reason (the numbers SQL cannot judge).
    A `template` with merge fields or tracked links renders each row's body in SQL
    (campaigns.merge_fields.template_sql) and measures it (core.segments_sql).
    """
    status: Case | Value
    reason: Left | Case
    if reasons is None:
        status = Case(
            When(refusal="", then=Value(common["status"])),
            default=Value(Message.Status.UNDELIVERABLE),
            output_field=CharField(),
        )
        reason = Left(F("refusal"), 200)
    else:
        status = Value(Message.Status.UNDELIVERABLE)
        reason = Case(
            *[When(pk=pk, then=Value(text[:200])) for pk, text in reasons.items()],
            default=Value(""),
            output_field=CharField(),
        )
    now = timezone.now()
    columns = {
        "m_company": Value(common["company_id"], output_field=BigIntegerField()),
        "m_profile": F("pk"),
        "m_phone": F("phone_number"),
        "m_direction": Value(Message.Direction.MT),
        "m_type": Value(common["message_type"]),
        "m_body": (
            Value(common["body"])
            if template is None
            else template_sql(template, link_sql=_link_sql)
        ),
        "m_media": Value(common["media_url"]),
        "m_campaign": Value(common["campaign_id"], output_field=BigIntegerField()),
        "m_broadcast": Value(common["broadcast_id"], output_field=BigIntegerField()),
        "m_template": Value(common["message_template_id"], output_field=BigIntegerField()),
        "m_attachment": Value(common["attachment_id"], output_field=BigIntegerField()),
        "m_originator": Value(common["originator"]),
        "m_originator_type": Value(Message.OriginatorType.SHORT_CODE),
        "m_channel": Value(common["channel"]),
        "m_status": status,
        "m_reason": reason,
        "m_encoding": Value(common["encoding"]),
        "m_segments": Value(common["segments"], output_field=IntegerField()),
        "m_multipart": Value(common["multipart"], output_field=BooleanField()),
        "m_attempts": Value(0, output_field=IntegerField()),
        "m_gateway_id": Value(""),
        "m_error": Value(""),
        "m_sent_by": Value(common["sent_by_id"], output_field=IntegerField()),
        "m_scheduled": Value(common["scheduled_at"], output_field=DateTimeField()),
        "m_created": Value(now, output_field=DateTimeField()),
        "m_updated": Value(now, output_field=DateTimeField()),
    }
    rows = profiles.annotate(**columns).values_list(*columns).order_by()
    sql, params = rows.query.sql_with_params()
    if template is None:
        return sql, params
    return rows_with_segments(
        sql, params, columns=list(columns), has_media=common["has_media"], casts=_CASTS
    )


# The SQL types of the nullable columns `rows_with_segments` passes through.
_CASTS = {
    "m_campaign": "bigint",
    "m_broadcast": "bigint",
    "m_template": "bigint",
    "m_attachment": "bigint",
    "m_sent_by": "integer",
    "m_scheduled": "timestamptz",
    "m_created": "timestamptz",
    "m_updated": "timestamptz",
}


def _link_sql(link: Link):
    return link_url_sql(link_id=link.link_id, code=link.code)


def insert_rows(sql: str, params: tuple, *, skip_existing: bool) -> list[tuple[int, str]]:
    """Run one INSERT … SELECT; (id, status) of the rows it actually wrote."""
    conflict = " ON CONFLICT DO NOTHING" if skip_existing else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Message._meta.db_table} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608 (constant column names, compiled ORM SQL)
            f"{sql}{conflict} RETURNING id, status",
            params,
        )
        return cursor.fetchall()
