"""Seeded history for the dashboard tests: messages, subscriptions and opt-outs on days
of the company's own time zone, and the SQL the figures must equal."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection

from accounts.models import Company
from messaging.models import Message

ZONE = "America/Los_Angeles"  # UTC-8 in winter: local midnight is 08:00 UTC


def local(day: dt.date, hour: int, minute: int = 0, zone: str = ZONE) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(zone))


def mt(company: Company, profile, at: dt.datetime, **fields) -> Message:
    fields.setdefault("status", Message.Status.SENT)
    return Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MT,
        message_type=fields.pop("message_type", "regular_text"),
        body=fields.pop("body", "Hello"),
        created_at=at,
        **fields,
    )


def mo(company: Company, profile, at: dt.datetime, **fields) -> Message:
    """An incoming text, applied to its inbox conversation as the inbound path does."""
    from inbox.conversations import conversation_incoming

    message = Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MO,
        message_type=fields.pop("message_type", "reply"),
        body=fields.pop("body", "Thanks"),
        status=Message.Status.RECEIVED,
        created_at=at,
        received_at=at,
        **fields,
    )
    conversation_incoming(message=message)
    return message


def rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sql_message_days(company: Company) -> dict[dt.date, tuple]:
    """Per local day: sent, delivered, failed, undeliverable, replies, by plain SQL."""
    found = rows(
        """
        SELECT (created_at AT TIME ZONE %s)::date AS day,
               COUNT(*) FILTER (WHERE direction = 'mt'),
               COUNT(*) FILTER (WHERE direction = 'mt' AND delivered_at IS NOT NULL),
               COUNT(*) FILTER (WHERE direction = 'mt' AND status = 'Failed Permanently'),
               COUNT(*) FILTER (WHERE direction = 'mt' AND status = 'Undeliverable'),
               COUNT(*) FILTER (WHERE direction = 'mo')
        FROM messaging_message WHERE company_id = %s GROUP BY 1
        """,
        [company.time_zone, company.pk],
    )
    return {row[0]: tuple(row[1:]) for row in found}


def sql_subscription_days(company: Company) -> dict[dt.date, tuple[int, int]]:
    """Per local day: subscriptions activated, subscriptions opted out."""
    ins = rows(
        "SELECT (activated_at AT TIME ZONE %s)::date, COUNT(*) FROM campaigns_subscription "
        "WHERE company_id = %s AND activated_at IS NOT NULL GROUP BY 1",
        [company.time_zone, company.pk],
    )
    outs = rows(
        "SELECT (opted_out_at AT TIME ZONE %s)::date, COUNT(*) FROM campaigns_subscription "
        "WHERE company_id = %s AND opted_out_at IS NOT NULL GROUP BY 1",
        [company.time_zone, company.pk],
    )
    days: dict[dt.date, list[int]] = {}
    for day, n in ins:
        days.setdefault(day, [0, 0])[0] = n
    for day, n in outs:
        days.setdefault(day, [0, 0])[1] = n
    return {day: (a, b) for day, (a, b) in days.items()}


def sql_failures(company: Company, first: dt.date, last: dt.date) -> dict[str, int]:
    found = rows(
        """
        SELECT TRIM(error_code || ' ' || status_reason), COUNT(*)
        FROM messaging_message
        WHERE company_id = %s AND direction = 'mt'
          AND status IN ('Failed Permanently', 'Undeliverable')
          AND (created_at AT TIME ZONE %s)::date BETWEEN %s AND %s
        GROUP BY 1
        """,
        [company.pk, company.time_zone, first, last],
    )
    return dict(found)


def sql_broadcast(broadcast_id: int) -> dict[str, int]:
    (recipients, delivered, failed, undeliverable), *_ = rows(
        """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE delivered_at IS NOT NULL),
               COUNT(*) FILTER (WHERE status = 'Failed Permanently'),
               COUNT(*) FILTER (WHERE status = 'Undeliverable')
        FROM messaging_message WHERE broadcast_id = %s AND direction = 'mt'
        """,
        [broadcast_id],
    )
    ((replies,),) = rows(
        "SELECT COUNT(*) FROM messaging_message r JOIN messaging_message b "
        "ON b.id = r.in_reply_to_id WHERE r.direction = 'mo' AND b.broadcast_id = %s",
        [broadcast_id],
    )
    return {
        "recipients": recipients,
        "delivered": delivered,
        "failed": failed,
        "undeliverable": undeliverable,
        "replies": replies,
    }
