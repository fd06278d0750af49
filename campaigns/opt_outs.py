"""What an opt-out changes, written once and set-based: one number or 100,000.

`profile_opt_out` (a STOP, the profile page, the inbox, the API) and the manual bulk
opt-out (inbox.bulk) both call `profiles_opt_out_set`, so the two cannot leave
different rows; a test opts the same numbers out both ways and compares them.

The target ids go into a temporary table (COPY on PostgreSQL) and a handful of
statements do the work, whatever the number of profiles:

  1. the profiles that change: an active subscription in scope or, company-wide, not
     yet opted out of everything (the rest is already opted out and stays untouched,
     so running it twice changes nothing the second time);
  2. one UPDATE of their active subscriptions in scope (status, opted_out_at, source);
  3. one INSERT … SELECT of an `opted_out` event per changed profile, naming the
     subscriptions it ended;
  4. one UPDATE of their narrow state rows: the opt-out record (opted_out_globally
     for a company-wide opt-out) and the status it leads to (profiles.status);
  5. pending double opt-ins in scope end: their flow runs close and the pending rows
     go (a STOP is the clearest "no"; a later YES must not subscribe the number).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from profiles.models import ActivityEvent, Profile, ProfileState
from profiles.status import profile_state_write

from .models import Campaign, FlowRun, OptInPath, Subscription


def _temp_ids(profile_ids: Iterable[int]) -> None:
    """Load ids into the session's temporary table opt_out_targets (dropped at commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE opt_out_targets (id bigint PRIMARY KEY) ON COMMIT DROP"
        )
        with cursor.copy("COPY opt_out_targets (id) FROM STDIN") as copy:
            for pk in profile_ids:
                copy.write_row((pk,))
        cursor.execute(
            "CREATE TEMPORARY TABLE opt_out_changed (id bigint PRIMARY KEY) ON COMMIT DROP"
        )


def _drop_temp() -> None:
    # ON COMMIT DROP covers a normal run; an enclosing transaction (a caller's atomic
    # block, a STOP inside message_receive, a test) may not commit yet, and the next
    # opt-out in it needs the names again.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS opt_out_targets")
        cursor.execute("DROP TABLE IF EXISTS opt_out_changed")


def _event_data_sql(sub_table: str) -> str:
    """The event's data, {"subscription_ids": [...], "source": ...}, built in SQL from
    the subscriptions this statement's opt-out just ended."""
    ended = (
        f"FROM {sub_table} s WHERE s.profile_id = c.id AND s.status = %(opted_out)s "
        "AND s.opted_out_at = %(now)s AND s.opt_out_source = %(source)s"
    )
    return (
        "jsonb_build_object('subscription_ids', COALESCE((SELECT jsonb_agg(s.id ORDER BY s.id) "
        f"{ended}), '[]'::jsonb), 'source', %(source)s::text)"
    )


@transaction.atomic
def profiles_opt_out_set(
    *,
    company_id: int,
    profile_ids: Iterable[int],
    source: str,
    now: datetime,
    campaign: Campaign | None = None,
    subscription: Subscription | None = None,
    actor_id: int | None = None,
    origin: str = "",
) -> set[int]:
    """Opt the profiles out of one subscription, one campaign, or (default) every
    campaign. Returns the ids of the profiles that changed. Callers check `source`."""
    everywhere = campaign is None and subscription is None
    if subscription is not None:
        scope_name = subscription.campaign.name
    else:
        scope_name = campaign.name if campaign is not None else "all campaigns"
    sub_table = Subscription._meta.db_table
    profile_table = Profile._meta.db_table
    state_table = ProfileState._meta.db_table
    event_table = ActivityEvent._meta.db_table
    in_scope = ""
    if subscription is not None:
        in_scope = "AND s.id = %(subscription)s"
    elif campaign is not None:
        in_scope = "AND s.campaign_id = %(campaign)s"
    params = {
        "company": company_id,
        "campaign": campaign.pk if campaign is not None else None,
        "subscription": subscription.pk if subscription is not None else None,
        "now": now,
        "source": source,
        "active": Subscription.Status.ACTIVE,
        "opted_out": Subscription.Status.OPTED_OUT,
        "pending": Subscription.Status.PENDING,
        "run_pending": FlowRun.State.PENDING,
        "run_waiting": FlowRun.State.WAITING,
        "run_ended": FlowRun.State.ENDED,
        "kind": ActivityEvent.Kind.OPTED_OUT,
        "description": f"Opted out of {scope_name}: {source}",
        "actor": actor_id,
        "origin": origin,
    }
    _temp_ids(profile_ids)
    try:
        with connection.cursor() as cursor:
            # Only table names from model metadata and fixed fragments are interpolated;
            # every value is a query parameter.
            # Two opt-outs of one number at once (a STOP and a page click) must
            # not both see its subscription active and both record the event.
            cursor.execute(
                f"SELECT 1 FROM {state_table} g JOIN opt_out_targets t "  # noqa: S608 (a model's table)
                "ON t.id = g.profile_id ORDER BY g.profile_id FOR UPDATE OF g"
            )
            not_global = (
                f"OR NOT EXISTS (SELECT 1 FROM {state_table} g WHERE g.profile_id = p.id"  # noqa: S608 (a model's table)
                " AND g.opted_out_globally)"
                if everywhere
                else ""
            )
            cursor.execute(
                f"""INSERT INTO opt_out_changed (id)
                    SELECT p.id FROM {profile_table} p JOIN opt_out_targets t ON t.id = p.id
                    WHERE p.company_id = %(company)s AND (
                        EXISTS (SELECT 1 FROM {sub_table} s WHERE s.profile_id = p.id
                                AND s.status = %(active)s {in_scope})
                        {not_global})""",  # noqa: S608 (table names from model metadata)
                params,
            )
            cursor.execute(
                f"""UPDATE {sub_table} AS s SET status = %(opted_out)s,
                        opted_out_at = %(now)s, opt_out_source = %(source)s
                    FROM opt_out_changed c
                    WHERE s.profile_id = c.id AND s.status = %(active)s {in_scope}""",  # noqa: S608 (table names from model metadata)
                params,
            )
            cursor.execute(
                f"""INSERT INTO {event_table} (company_id, profile_id, kind, channel, origin,
                        description, data, actor_id, created_at)
                    SELECT %(company)s, c.id, %(kind)s, '', %(origin)s, %(description)s,
                        {_event_data_sql(sub_table)}, %(actor)s, %(now)s
                    FROM opt_out_changed c""",  # noqa: S608 (table names from model metadata)
                params,
            )
            # The opt-out record and the status it leads to, in one UPDATE of the narrow
            # state rows; the wide profile rows (and their trigram indexes) stay as they are.
            values: dict[str, object] = {"opted_out_at": now, "opted_out_source": source}
            if everywhere:
                values["opted_out_globally"] = True
            profile_state_write(
                profiles=Profile.objects.filter(
                    pk__in=RawSQL("SELECT id FROM opt_out_changed", [])
                ),
                values=values,
                now=now,
            )
            _pending_end(cursor, params, in_scope=in_scope)
            cursor.execute("SELECT id FROM opt_out_changed")
            return {row[0] for row in cursor.fetchall()}
    finally:
        _drop_temp()


def _pending_end(cursor, params: dict, *, in_scope: str) -> None:
    """Close the targets' open flow runs in scope and drop their pending subscriptions."""
    run_table = FlowRun._meta.db_table
    path_table = OptInPath._meta.db_table
    sub_table = Subscription._meta.db_table
    run_scope = ""
    if params["subscription"] is not None:
        run_scope = (
            f"AND op.campaign_id = (SELECT campaign_id FROM {sub_table}"  # noqa: S608 (a model's table)
            " WHERE id = %(subscription)s)"
        )
    elif params["campaign"] is not None:
        run_scope = "AND op.campaign_id = %(campaign)s"
    cursor.execute(
        f"""UPDATE {run_table} SET state = %(run_ended)s,
                subscription_id = CASE WHEN state = %(run_pending)s THEN NULL
                                       ELSE subscription_id END,
                finished_at = %(now)s, updated_at = %(now)s
            WHERE state IN (%(run_pending)s, %(run_waiting)s)
              AND profile_id IN (SELECT id FROM opt_out_targets)
              AND opt_in_path_id IN (SELECT op.id FROM {path_table} op
                                     WHERE op.company_id = %(company)s {run_scope})""",  # noqa: S608 (table names from model metadata)
        params,
    )
    cursor.execute(
        f"""DELETE FROM {sub_table} WHERE id IN (
                SELECT s.id FROM {sub_table} s
                WHERE s.status = %(pending)s AND s.company_id = %(company)s
                  AND s.profile_id IN (SELECT id FROM opt_out_targets) {in_scope})""",  # noqa: S608 (table names from model metadata)
        params,
    )
