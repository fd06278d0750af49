"""The profile's subscription status (seed 001), as one SQL expression.

The rule is written once, as a database expression, so that refreshing one profile
after an opt-out and refreshing 100,000 after a bulk opt-out run the same logic in a
single UPDATE. Order matters: the first matching rule wins.

  1. invalid data                           → Invalid Profile Data
  2. blacklisted, deactivated, cleaned,
     or opted out of every campaign         → Undeliverable (description: the reason)
  3. an active subscription to an active
     campaign                               → Active Subscriber
  4. subscriptions, the latest opted out    → Opted Out (description: its source)
  5. other subscriptions (campaigns ended)  → Former Subscriber
  6. matched by a CRM sync                  → Synced
  7. otherwise                              → No Subscriptions

A subscription pending confirmation (double opt-in) is no subscription yet: it counts
in none of these (seed 001: Active "is not pending confirmation").

The result is stored in the profile's ProfileState row (`standing`), next to the
opt-out record it partly depends on; see that model for why it is a table of its own.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.model_fields import column_of, concrete_field

from .extensions import SUBSCRIPTION_STATUS, status_rules
from .models import OptOutSource, Profile, ProfileState, ProfileStatus


def _subscription_expressions() -> tuple[Exists, Exists, Exists, Subquery]:
    # Subscriptions are campaigns' (a layer above): campaigns registers this half of
    # the rule in its AppConfig.ready() (campaigns/profile_parts.py).
    return status_rules.require(SUBSCRIPTION_STATUS).expressions()


def status_expressions() -> tuple[Case, Case]:
    """(status, status_description) as expressions over a Profile queryset."""
    active, any_sub, opted_out, latest_source = _subscription_expressions()
    status = Case(
        When(invalid_data=True, then=Value(ProfileStatus.INVALID)),
        When(
            Q(blacklisted=True)
            | Q(deactivated=True)
            | Q(cleaned_at__isnull=False)
            | Q(standing__opted_out_globally=True),
            then=Value(ProfileStatus.UNDELIVERABLE),
        ),
        When(active, then=Value(ProfileStatus.ACTIVE)),
        When(opted_out, then=Value(ProfileStatus.OPTED_OUT)),
        When(any_sub, then=Value(ProfileStatus.FORMER)),
        When(crm_sync__isnull=False, then=Value(ProfileStatus.SYNCED)),
        default=Value(ProfileStatus.NONE),
        output_field=CharField(),
    )
    description = Case(
        When(invalid_data=True, then=F("invalid_data_description")),
        When(blacklisted=True, then=Value(OptOutSource.BLACKLISTED)),
        When(deactivated=True, then=Value(OptOutSource.DEACTIVATED)),
        When(cleaned_reason="Hard Bounce", then=Value(OptOutSource.HARD_BOUNCE)),
        When(cleaned_at__isnull=False, then=Value(OptOutSource.SOFT_BOUNCE)),
        When(standing__opted_out_globally=True, then=F("standing__opted_out_source")),
        When(active, then=Value("")),
        When(opted_out, then=latest_source),
        default=Value(""),
        output_field=CharField(),
    )
    return status, description


def _as_if(expression, values: Mapping[str, object]):
    """The expression evaluated as if the profile's standing already held `values`.

    An UPDATE's right-hand side reads the row as it was, so the status of a profile
    whose opt-out columns the same statement writes is computed from the rule above
    (unchanged) with those columns replaced by their new values.
    """
    if isinstance(expression, F):
        name = expression.name.removeprefix("standing__")  # type: ignore[attr-defined]  # F keeps its name; django-stubs does not declare it
        if name in values:
            return Value(values[name])
    if isinstance(expression, Q):
        rebuilt = Q(_connector=expression.connector, _negated=expression.negated)
        for child in expression.children:
            if isinstance(child, tuple):
                lookup, value = child
                name = lookup.removeprefix("standing__")
                if name in values:
                    rebuilt.children.append(Q(pk__isnull=values[name] != value))
                else:
                    rebuilt.children.append(child)
            else:
                rebuilt.children.append(_as_if(child, values))
        return rebuilt
    if hasattr(expression, "get_source_expressions"):
        copy = expression.copy()
        if isinstance(copy, When):
            copy.condition = _as_if(copy.condition, values)
            copy.result = _as_if(copy.result, values)
            return copy
        copy.set_source_expressions(
            [_as_if(source, values) for source in copy.get_source_expressions()]
        )
        return copy
    return expression


def profile_state_write(
    *,
    profiles: QuerySet[Profile] | Iterable[int],
    values: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> int:
    """Write `values` (opt-out columns of ProfileState) and the status that follows.

    One UPDATE of the narrow state rows, whatever the number of profiles. Without
    `values` only the rows whose status actually changes are written (and get a new
    updated_at); with them, every given profile's row is. Returns the rows written.
    """
    values = dict(values or {})
    queryset = (
        profiles
        if isinstance(profiles, QuerySet)
        else Profile.objects.filter(pk__in=list(profiles))
    )
    status, description = (_as_if(e, values) for e in status_expressions())
    select = (
        queryset.order_by()
        .annotate(target_id=F("pk"), new_status=status, new_description=description)
        .values("target_id", "new_status", "new_description")
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(ProfileState._meta.db_table)
    fields = {name: concrete_field(ProfileState, name) for name in values}
    assignments = "".join(
        f", {connection.ops.quote_name(column_of(ProfileState, name))} = %s" for name in fields
    )
    assigned = [field.get_db_prep_save(values[name], connection) for name, field in fields.items()]
    changed_only = (
        ""
        if values
        else f" AND ({table}.status <> x.new_status"
        f" OR {table}.status_description <> x.new_description)"
    )
    with connection.cursor() as cursor:
        # Only quoted model metadata and compiled ORM SQL are interpolated; every value
        # is a parameter.
        cursor.execute(
            f"UPDATE {table} SET status = x.new_status,"  # noqa: S608 (model metadata, compiled ORM SQL)
            f" status_description = x.new_description, updated_at = %s{assignments}"
            f" FROM ({sql}) AS x WHERE {table}.profile_id = x.target_id{changed_only}",
            [now or timezone.now(), *assigned, *params],
        )
        return cursor.rowcount


def profile_refresh_status(*, profiles: QuerySet[Profile] | Iterable[int]) -> int:
    """Recompute the status of the given profiles (a queryset or ids) in one UPDATE.

    Returns the number of profiles whose status or description changed.
    """
    return profile_state_write(profiles=profiles)


def profile_last_change() -> Greatest:
    """When the profile last changed: its own data or its standing (status, opt-out).

    A bulk opt-out writes only the standing rows, and an integration syncing "profiles
    updated since" must still see those opt-outs.
    """
    return Greatest(
        "updated_at",
        Coalesce("standing__updated_at", "updated_at"),
        output_field=DateTimeField(),
    )


def profiles_changed_between(
    queryset: QuerySet[Profile], *, since: datetime | None, until: datetime | None
) -> QuerySet[Profile]:
    """The profiles whose last change (profile_last_change) falls in [since, until]."""
    if since is None and until is None:
        return queryset
    queryset = queryset.alias(last_change=profile_last_change())
    if since is not None:
        queryset = queryset.filter(last_change__gte=since)
    if until is not None:
        queryset = queryset.filter(last_change__lte=until)
    return queryset
