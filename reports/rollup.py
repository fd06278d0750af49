"""The dashboard's daily aggregates, recomputed set-based from the rows they count.

The Home page and the broadcast reports read `CompanyDay`, `FailureDay`,
`BroadcastDay` (reports.models) and never the messages table. This
module is their only writer:

- `dashboards_roll_up_recent` (celery-beat, every few minutes, under a lock) recomputes
  yesterday and today of every company, in the company's time zone: receipts, retries
  and opt-outs keep changing a day for a while after it ends, and a message created late
  yesterday is delivered today;
- `dashboard_backfill` (the `dashboard_backfill` command) recomputes any range of days,
  a week per transaction.

Each day is recomputed whole with INSERT … SELECT … ON CONFLICT DO UPDATE from one
index range scan of the messages (message_company_dir_time: company, direction,
created_at) and of the subscriptions (subscription_activated, subscription_opted_out
through the company's campaigns); rows of the range that the new result no longer has
(a failure whose message was re-sent) are deleted by their older `rolled_up_at`. Running
it twice leaves the same rows. Days are the company's calendar days: the SQL turns each
timestamp into the local date with the database's own time-zone rules
(`connection.ops.datetime_cast_date_sql`, AT TIME ZONE on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import Company
from campaigns.models import Campaign, Subscription
from messaging.models import Message

from .models import BroadcastDay, CompanyDay, FailureDay

logger = logging.getLogger(__name__)

MO, MT = Message.Direction.MO.value, Message.Direction.MT.value
FAILED, UNDELIVERABLE = Message.Status.FAILED.value, Message.Status.UNDELIVERABLE.value
BACKFILL_STEP_DAYS = 7


def local_today(company: Company, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), company.zone).date()


def day_bounds(company: Company, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants [start, end) of local days first..last in the company's zone; a DST
    change day is 23 or 25 hours long, as the zone says."""
    zone = company.zone
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _local_day(column: str, zone: str) -> tuple[str, list]:
    sql, params = connection.ops.datetime_cast_date_sql(column, (), zone)
    return sql, list(params)


def _stamp(now: dt.datetime):
    return connection.ops.adapt_datetimefield_value(now)


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _company_days(company: Company, start, end, now) -> None:
    zone = company.zone.key
    message_day, message_day_params = _local_day("m.created_at", zone)
    in_day, in_day_params = _local_day("s.activated_at", zone)
    out_day, out_day_params = _local_day("s.opted_out_at", zone)
    message, subscription, campaign = (
        Message._meta.db_table,
        Subscription._meta.db_table,
        Campaign._meta.db_table,
    )
    table = CompanyDay._meta.db_table
    # Subscriptions are reached through the company's campaigns, so that the
    # (campaign, activated_at) and (campaign, opted_out_at) indexes serve the range.
    campaigns = f"SELECT c.id FROM {campaign} c WHERE c.company_id = %s"  # noqa: S608  # table names from the models; the id is a parameter
    sql = f"""
        INSERT INTO {table} (company_id, day, opt_ins, opt_outs, sent, delivered, failed,
                             undeliverable, replies, rolled_up_at)
        SELECT %s, src.day, SUM(src.opt_ins), SUM(src.opt_outs), SUM(src.sent),
               SUM(src.delivered), SUM(src.failed), SUM(src.undeliverable),
               SUM(src.replies), %s
        FROM (
            SELECT {message_day} AS day, 0 AS opt_ins, 0 AS opt_outs,
                   COUNT(CASE WHEN m.direction = %s THEN 1 END) AS sent,
                   COUNT(CASE WHEN m.direction = %s AND m.delivered_at IS NOT NULL
                         THEN 1 END) AS delivered,
                   COUNT(CASE WHEN m.direction = %s AND m.status = %s THEN 1 END) AS failed,
                   COUNT(CASE WHEN m.direction = %s AND m.status = %s THEN 1 END)
                       AS undeliverable,
                   COUNT(CASE WHEN m.direction = %s THEN 1 END) AS replies
            FROM {message} m
            WHERE m.company_id = %s AND m.direction IN (%s, %s)
              AND m.created_at >= %s AND m.created_at < %s
            GROUP BY 1
            UNION ALL
            SELECT {in_day}, COUNT(*), 0, 0, 0, 0, 0, 0
            FROM {subscription} s
            WHERE s.campaign_id IN ({campaigns})
              AND s.activated_at >= %s AND s.activated_at < %s
            GROUP BY 1
            UNION ALL
            SELECT {out_day}, 0, COUNT(*), 0, 0, 0, 0, 0
            FROM {subscription} s
            WHERE s.campaign_id IN ({campaigns})
              AND s.opted_out_at >= %s AND s.opted_out_at < %s
            GROUP BY 1
        ) src
        WHERE true
        GROUP BY src.day
        ON CONFLICT (company_id, day) DO UPDATE SET
            opt_ins = excluded.opt_ins, opt_outs = excluded.opt_outs, sent = excluded.sent,
            delivered = excluded.delivered, failed = excluded.failed,
            undeliverable = excluded.undeliverable, replies = excluded.replies,
            rolled_up_at = excluded.rolled_up_at
    """  # noqa: S608 (table names come from the models; values are parameters)
    params = [
        company.pk,
        _stamp(now),
        *message_day_params,
        MT,
        MT,
        MT,
        FAILED,
        MT,
        UNDELIVERABLE,
        MO,
        company.pk,
        MO,
        MT,
        _stamp(start),
        _stamp(end),
        *in_day_params,
        company.pk,
        _stamp(start),
        _stamp(end),
        *out_day_params,
        company.pk,
        _stamp(start),
        _stamp(end),
    ]
    _execute(sql, params)


def _failure_days(company: Company, start, end, now) -> None:
    message_day, message_day_params = _local_day("m.created_at", zone=company.zone.key)
    message, table = Message._meta.db_table, FailureDay._meta.db_table
    # The reason as the analyses word it: the carrier's code and its text; the send
    # rule's refusals have a text only.
    reason = "TRIM(m.error_code || ' ' || m.status_reason)"
    sql = f"""
        INSERT INTO {table} (company_id, day, kind, reason, count, rolled_up_at)
        SELECT %s, f.day, f.kind, f.reason, COUNT(*), %s
        FROM (
            SELECT {message_day} AS day,
                   CASE WHEN m.status = %s THEN 'failed' ELSE 'undeliverable' END AS kind,
                   SUBSTR(COALESCE(NULLIF({reason}, ''), 'No reason given'), 1, 200) AS reason
            FROM {message} m
            WHERE m.company_id = %s AND m.direction = %s AND m.status IN (%s, %s)
              AND m.created_at >= %s AND m.created_at < %s
        ) f
        WHERE true
        GROUP BY f.day, f.kind, f.reason
        ON CONFLICT (company_id, day, kind, reason) DO UPDATE SET
            count = excluded.count, rolled_up_at = excluded.rolled_up_at
    """  # noqa: S608 (table names come from the models; values are parameters)
    params = [
        company.pk,
        _stamp(now),
        *message_day_params,
        FAILED,
        company.pk,
        MT,
        FAILED,
        UNDELIVERABLE,
        _stamp(start),
        _stamp(end),
    ]
    _execute(sql, params)


def _broadcast_days(company: Company, start, end, now) -> None:
    message_day, message_day_params = _local_day("m.created_at", zone=company.zone.key)
    message, table = Message._meta.db_table, BroadcastDay._meta.db_table
    sql = f"""
        INSERT INTO {table} (company_id, broadcast_id, day, recipients, delivered, failed,
                             undeliverable, rolled_up_at)
        SELECT %s, m.broadcast_id, {message_day}, COUNT(*),
               COUNT(CASE WHEN m.delivered_at IS NOT NULL THEN 1 END),
               COUNT(CASE WHEN m.status = %s THEN 1 END),
               COUNT(CASE WHEN m.status = %s THEN 1 END), %s
        FROM {message} m
        WHERE m.company_id = %s AND m.direction = %s AND m.broadcast_id IS NOT NULL
          AND m.created_at >= %s AND m.created_at < %s
        GROUP BY m.broadcast_id, 3
        ON CONFLICT (broadcast_id, day) DO UPDATE SET
            recipients = excluded.recipients, delivered = excluded.delivered,
            failed = excluded.failed, undeliverable = excluded.undeliverable,
            rolled_up_at = excluded.rolled_up_at
    """  # noqa: S608 (table names come from the models; values are parameters)
    params = [
        company.pk,
        *message_day_params,
        FAILED,
        UNDELIVERABLE,
        _stamp(now),
        company.pk,
        MT,
        _stamp(start),
        _stamp(end),
    ]
    _execute(sql, params)


@transaction.atomic
def dashboard_roll_up(
    *, company: Company, first: dt.date, last: dt.date, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Recompute the company's aggregates of local days first..last (inclusive)."""
    now = now or timezone.now()
    start, end = day_bounds(company, first, last)
    _company_days(company, start, end, now)
    _failure_days(company, start, end, now)
    _broadcast_days(company, start, end, now)
    # What this run did not write no longer exists in the rows (days are whole).
    stale = 0
    for model in (CompanyDay, FailureDay, BroadcastDay):
        stale += (
            model.objects.for_company(company)
            .filter(day__gte=first, day__lte=last)
            .exclude(rolled_up_at=now)
            .delete()[0]
        )
    return {"company": company.pk, "first": str(first), "last": str(last), "removed": stale}


def dashboards_roll_up_recent(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Periodic: yesterday and today of every company."""
    now = now or timezone.now()
    companies, failed = 0, []
    for company in Company.objects.order_by("pk"):
        today = local_today(company, now)
        try:
            dashboard_roll_up(
                company=company, first=today - dt.timedelta(days=1), last=today, now=now
            )
        except DatabaseError:
            # One company's trouble (a zone the database does not know) must not
            # leave every other company's dashboard stale.
            logger.exception("dashboard roll-up of company %s failed", company.pk)
            failed.append(company.pk)
            continue
        companies += 1
    stats: dict[str, Any] = {"companies": companies}
    if failed:
        stats["failed"] = failed
    return stats


def dashboard_backfill(
    *,
    company: Company,
    first: dt.date,
    last: dt.date | None = None,
    log=lambda line: None,
) -> dict[str, Any]:
    """Recompute a range of days (default: up to today), a week per transaction, so a
    long history never holds one transaction open for the whole scan."""
    last = last or local_today(company)
    days = 0
    cursor = first
    while cursor <= last:
        chunk_last = min(cursor + dt.timedelta(days=BACKFILL_STEP_DAYS - 1), last)
        dashboard_roll_up(company=company, first=cursor, last=chunk_last)
        days += (chunk_last - cursor).days + 1
        log(f"{company.name}: {cursor} … {chunk_last}")
        cursor = chunk_last + dt.timedelta(days=1)
    return {"company": company.pk, "days": days}


def history_first_day(company: Company) -> dt.date | None:
    """The local day of the company's first message, where a full backfill starts."""
    first = (
        Message.objects.for_company(company)
        .filter(direction__in=[MO, MT])
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    first_sub = (
        Subscription.objects.filter(
            campaign__in=Campaign.objects.for_company(company), activated_at__isnull=False
        )
        .order_by("activated_at")
        .values_list("activated_at", flat=True)
        .first()
    )
    moments = [m for m in (first, first_sub) if m is not None]
    if not moments:
        return None
    return timezone.localtime(min(moments), company.zone).date()
