"""Groups and their members: the one rule every path that changes a membership calls.

Members come and go through the group page, a CSV upload, the API (Add/Remove Group
Member), an analysis result saved as a group and the demo data. A membership change
always means the same things, written here once and set-based (an upload adds 100,000
numbers in a few statements, with no Python loop per row on the database side):

  1. only an uploaded group has members of its own: a filtered group's come from its
     saved search, so changing them is refused (`GroupKindError`);
  2. each profile that really joins or leaves gets one `group_added` / `group_removed`
     event in its activity feed (seed 002's feed shows group changes), and only those:
     adding a member twice records nothing;
  3. the group's `updated_at` moves, so lists sorted by change see it.

Creating profiles for new numbers is profiles.creation's rule; the callers do that
first and pass profile ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Company
from core.errors import ErrorKind, ServiceError
from core.phones import phone_normalize
from core.text_rules import TextError, name_clean

from . import creation
from .models import ActivityEvent, Group, GroupMembership, Profile, SourceType
from .services_attributes import PhoneNumberError

GROUP_NAME_MAX_LENGTH = 200


class GroupError(ServiceError):
    """A group change the rules refuse; str(error) is written for the person asking."""


class GroupNameError(GroupError):
    """The group name is empty, too long or breaks the text rule."""


class GroupKindError(GroupError):
    """The change needs an uploaded group (a filtered group's members are a search)."""

    kind = ErrorKind.CONFLICT


def group_name_clean(name: str) -> str:
    """The text rule for names (core.text_rules: controls refused, bidi stripped),
    and 1 to 200 characters."""
    try:
        name = name_clean(name, field="The group name").strip()
    except TextError as error:
        raise GroupNameError(str(error)) from None
    if not name:
        raise GroupNameError("A group needs a name.")
    if len(name) > GROUP_NAME_MAX_LENGTH:
        raise GroupNameError(
            f"A group name can be at most {GROUP_NAME_MAX_LENGTH} characters "
            f"(this one has {len(name)})."
        )
    return name


@transaction.atomic
def group_create(
    *,
    company: Company,
    name: str,
    kind: str = Group.Kind.UPLOADED,
    filter_params: dict | None = None,
    actor: User | None = None,
) -> Group:
    name = group_name_clean(name)
    if kind not in Group.Kind.values:
        raise GroupError(f"Unknown group type {kind!r}.")
    if kind == Group.Kind.FILTERED and not filter_params:
        raise GroupError("A filtered group needs a search or at least one filter.")
    return Group.objects.create(
        company=company,
        name=name,
        kind=kind,
        filter_params=filter_params or {} if kind == Group.Kind.FILTERED else {},
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )


def group_members_check(group: Group) -> None:
    """Refuse a membership change of a group whose members are not its own."""
    if group.kind != Group.Kind.UPLOADED:
        raise GroupKindError("Members of a filtered group come from its saved search.")


def _actor_id(actor: User | int | None) -> int | None:
    if actor is None or isinstance(actor, int):
        return actor
    return actor.pk if actor.is_authenticated else None


def _record(
    cursor, group: Group, kind: str, profile_ids: list[int], actor_id: int | None, origin: str
) -> None:
    if not profile_ids:
        return
    verb = "Added to" if kind == ActivityEvent.Kind.GROUP_ADDED else "Removed from"
    table = ActivityEvent._meta.db_table
    cursor.execute(
        f"INSERT INTO {table} "  # noqa: S608 (table name from model metadata)
        "(company_id, profile_id, kind, actor_id, origin, channel, description, data, "
        "created_at) "
        "SELECT %s, ids.id, %s, %s, %s, '', %s, %s, %s FROM unnest(%s::bigint[]) AS ids(id)",
        [
            group.company_id,
            kind,
            actor_id,
            origin,
            f"{verb} group {group.name}"[:500],
            json.dumps({"group_id": group.pk}),
            timezone.now(),
            profile_ids,
        ],
    )


def _members_change(
    group: Group, sql: str, params: list, profile_ids: Iterable[int], kind: str, actor, origin: str
) -> set[int]:
    """Run one membership statement, its `params` then the ids (RETURNING the profiles
    it changed), then record their events and touch the group."""
    group_members_check(group)
    ids = sorted(set(profile_ids))
    changed: set[int] = set()
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(sql, [*params, ids])
            changed = {row[0] for row in cursor.fetchall()}
        _record(cursor, group, kind, sorted(changed), _actor_id(actor), origin)
    Group.objects.filter(pk=group.pk).update(updated_at=timezone.now())
    return changed


_TABLE = GroupMembership._meta.db_table
_ADD_SQL = (
    f"INSERT INTO {_TABLE} (group_id, profile_id, added_at) "  # noqa: S608 (model metadata)
    "SELECT %s, ids.id, %s FROM unnest(%s::bigint[]) AS ids(id) "
    "ON CONFLICT DO NOTHING RETURNING profile_id"
)
_REMOVE_SQL = (
    f"DELETE FROM {_TABLE} WHERE group_id = %s "  # noqa: S608 (model metadata)
    "AND profile_id = ANY(%s::bigint[]) RETURNING profile_id"
)


@transaction.atomic
def group_members_add(
    *,
    group: Group,
    profile_ids: Iterable[int],
    actor: User | int | None = None,
    origin: str = "",
) -> set[int]:
    """Make the profiles members of `group`; the ids of those that were not before."""
    kind = ActivityEvent.Kind.GROUP_ADDED
    params = [group.pk, timezone.now()]
    return _members_change(group, _ADD_SQL, params, profile_ids, kind, actor, origin)


@transaction.atomic
def group_members_remove(
    *,
    group: Group,
    profile_ids: Iterable[int],
    actor: User | int | None = None,
    origin: str = "",
) -> set[int]:
    """Take the profiles out of `group`; the ids of those that were members."""
    kind = ActivityEvent.Kind.GROUP_REMOVED
    return _members_change(group, _REMOVE_SQL, [group.pk], profile_ids, kind, actor, origin)


@transaction.atomic
def group_members_replace(
    *,
    group: Group,
    ids_sql: str,
    params: Iterable,
    actor: User | int | None = None,
    origin: str = "",
) -> None:
    """Make the rows of `ids_sql` (compiled ORM SQL selecting `member_id`) the group's
    exact members, set-based, with the events of those who left and those who joined."""
    group_members_check(group)
    params = list(params)
    table = GroupMembership._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE group_id = %s AND profile_id NOT IN ({ids_sql}) "  # noqa: S608 (compiled ORM SQL)
            "RETURNING profile_id",
            [group.pk, *params],
        )
        removed = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"INSERT INTO {table} (group_id, profile_id, added_at) "  # noqa: S608 (table name from the model, ids bound as parameters)
            f"SELECT %s, r.member_id, %s FROM ({ids_sql}) r "
            "ON CONFLICT DO NOTHING RETURNING profile_id",
            [group.pk, timezone.now(), *params],
        )
        added = sorted(row[0] for row in cursor.fetchall())
        actor_id = _actor_id(actor)
        _record(cursor, group, ActivityEvent.Kind.GROUP_REMOVED, removed, actor_id, origin)
        _record(cursor, group, ActivityEvent.Kind.GROUP_ADDED, added, actor_id, origin)
    Group.objects.filter(pk=group.pk).update(updated_at=timezone.now())


@transaction.atomic
def group_members_add_numbers(*, group: Group, numbers: list[str], actor: User) -> dict[str, Any]:
    """Add numbers (E.164) to an uploaded group, creating profiles for new numbers.

    All numbers are checked before anything is written: one invalid or erased number
    refuses the whole batch (seed 004's clients retry whole calls).
    """
    group_members_check(group)
    company = group.company
    existing = set(
        Profile.objects.for_company(company)
        .filter(phone_number__in=numbers)
        .values_list("phone_number", flat=True)
    )
    phones = {n: phone_normalize(n) for n in numbers if n not in existing}
    for number, phone in phones.items():
        if not phone.valid:
            raise PhoneNumberError(f"{number} is not a valid phone number ({phone.reason})")
    made = creation.profiles_create_many(
        company_id=company.pk,
        phones=list(phones.values()),
        source_type=SourceType.UPLOADED_GROUP,
        source_name=group.name,
        by_id=actor.pk if actor.is_authenticated else None,
        origin="api",
        description=f"Created by adding it to group {group.name} through the API",
    )
    if made.suppressed:
        # One erased number refuses the whole batch (the atomic block undoes the rest).
        raise creation.ProfileSuppressed(sorted(made.suppressed)[0])
    ids = Profile.objects.for_company(company).filter(phone_number__in=numbers)
    added = group_members_add(
        group=group, profile_ids=ids.values_list("pk", flat=True), actor=actor, origin="api"
    )
    return {"added": len(added), "created_profiles": len(made.created)}


@transaction.atomic
def group_members_remove_numbers(*, group: Group, numbers: list[str], actor: User) -> int:
    group_members_check(group)
    ids = Profile.objects.for_company(group.company).filter(phone_number__in=numbers)
    removed = group_members_remove(
        group=group, profile_ids=ids.values_list("pk", flat=True), actor=actor, origin="api"
    )
    return len(removed)
