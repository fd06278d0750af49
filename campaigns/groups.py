"""Profile groups: add and remove members by number, replace members, delete.

Creating a group and the membership rule itself (filtered groups refused, activity
events, set-based writes) are profiles.services_groups'; this module reads numbers,
creates their profiles and reports one outcome per number.

CSV files of numbers are added by a worker: campaigns.group_uploads.

Uploaded groups hold explicit members. Adding a number nobody has yet creates its
profile, first seen type "Uploaded group" (seed 001), as Mobile Commons does; such a
profile has no subscription, so it is not messaged until it opts in somewhere. Filtered
groups hold a saved profiles-table query instead and have no member rows to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet

from core.phones import PhoneResult, phone_normalize
from profiles.creation import SUPPRESSED_DETAIL, profiles_create_many
from profiles.models import Group, GroupMembership, Profile, SourceType
from profiles.services_groups import (  # noqa: F401 (group_create and the errors: callers import them here)
    GroupError,
    GroupKindError,
    GroupNameError,
    group_create,
    group_members_add,
    group_members_check,
    group_members_remove,
    group_members_replace,
    group_name_clean,
)

# Why a group refuses a number the company has no profile for and must never text.


class Outcome:
    ADDED = "Added"
    CREATED = "Added (new profile)"
    ALREADY = "Already a member"
    REMOVED = "Removed"
    NOT_MEMBER = "Not a member"
    NO_PROFILE = "No profile with this number"
    DUPLICATE = "Duplicate"
    INVALID = "Invalid"
    ERASED = "Erased"


@dataclass
class RowOutcome:
    line_no: int
    raw: str
    phone_number: str
    outcome: str
    detail: str = ""


@dataclass
class GroupChange:
    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        return counts

    @property
    def problems(self) -> list[RowOutcome]:
        good = {Outcome.ADDED, Outcome.CREATED, Outcome.REMOVED, Outcome.ALREADY}
        return [row for row in self.rows if row.outcome not in good]


@transaction.atomic
def group_update(*, group: Group, name: str, filter_params: dict[str, Any] | None = None) -> Group:
    group.name = group_name_clean(name)
    if group.kind == Group.Kind.FILTERED and filter_params is not None:
        if not filter_params:
            raise GroupError("A filtered group needs a search or at least one filter.")
        group.filter_params = filter_params
    group.save()
    return group


@transaction.atomic
def group_delete(*, group: Group) -> None:
    from campaigns.models import Broadcast

    in_use = Broadcast.objects.filter(
        status__in=[
            Broadcast.Status.SCHEDULED,
            Broadcast.Status.GENERATED,
            Broadcast.Status.SENDING,
        ]
    ).filter(included_groups=group) | Broadcast.objects.filter(
        status__in=[
            Broadcast.Status.SCHEDULED,
            Broadcast.Status.GENERATED,
            Broadcast.Status.SENDING,
        ],
        excluded_groups=group,
    )
    if in_use.exists():
        raise GroupError("A scheduled or sending broadcast uses this group.")
    group.delete()


def _phone_rows(numbers: Iterable[str]) -> list[tuple[int, str, PhoneResult, int | None]]:
    rows: list[tuple[int, str, PhoneResult, int | None]] = []
    first: dict[str, int] = {}
    for line_no, raw in enumerate(numbers, start=1):
        raw = str(raw).strip()
        if not raw:
            continue
        phone = phone_normalize(raw)
        duplicate = first.get(phone.e164) if phone.e164 else None
        if phone.e164 and duplicate is None:
            first[phone.e164] = line_no
        rows.append((line_no, raw, phone, duplicate))
    return rows


def group_add_members(
    *,
    group: Group,
    phone_numbers: Iterable[str],
    actor: User | None = None,
) -> GroupChange:
    """Add numbers (creating unknown profiles), one outcome per number."""
    return _add_rows(group, _phone_rows(phone_numbers), actor)


@transaction.atomic
def _add_rows(
    group: Group,
    rows: list[tuple[int, str, PhoneResult, int | None]],
    actor: User | None,
) -> GroupChange:
    group_members_check(group)
    change = GroupChange()
    valid = {
        phone.e164: phone
        for _, _, phone, duplicate in rows
        if phone.valid and phone.e164 and duplicate is None
    }
    profiles = Profile.objects.for_company(group.company_id)
    existing = dict(profiles.filter(phone_number__in=list(valid)).values_list("phone_number", "pk"))
    made = profiles_create_many(
        company_id=group.company_id,
        phones=[phone for e164, phone in valid.items() if e164 not in existing],
        source_type=SourceType.UPLOADED_GROUP,
        source_name=group.name,
        by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        description=f"Created by adding it to group {group.name}",
    )
    created = set(made.created)
    ids = dict(profiles.filter(phone_number__in=list(valid)).values_list("phone_number", "pk"))
    added = group_members_add(group=group, profile_ids=ids.values(), actor=actor)
    for line_no, raw, phone, duplicate in rows:
        e164 = phone.e164 or ""
        if not phone.valid or not e164:
            outcome, detail = Outcome.INVALID, phone.reason
        elif duplicate is not None:
            outcome, detail = Outcome.DUPLICATE, f"Same number as line {duplicate}"
        elif e164 in made.suppressed:
            outcome, detail = Outcome.ERASED, SUPPRESSED_DETAIL
        elif ids.get(e164) not in added:
            outcome, detail = Outcome.ALREADY, ""
        elif e164 in created:
            outcome, detail = Outcome.CREATED, ""
        else:
            outcome, detail = Outcome.ADDED, ""
        change.rows.append(RowOutcome(line_no, raw, e164, outcome, detail))
    return change


@transaction.atomic
def group_remove_members(
    *, group: Group, phone_numbers: Iterable[str], actor: User | None = None
) -> GroupChange:
    group_members_check(group)
    change = GroupChange()
    rows = _phone_rows(phone_numbers)
    numbers = [phone.e164 for _, _, phone, _ in rows if phone.e164]
    ids = dict(
        Profile.objects.for_company(group.company_id)
        .filter(phone_number__in=numbers)
        .values_list("phone_number", "pk")
    )
    members = group_members_remove(group=group, profile_ids=ids.values(), actor=actor)
    for line_no, raw, phone, duplicate in rows:
        e164 = phone.e164 or ""
        if not e164:
            outcome, detail = Outcome.INVALID, phone.reason
        elif duplicate is not None:
            outcome, detail = Outcome.DUPLICATE, f"Same number as line {duplicate}"
        elif e164 not in ids:
            outcome, detail = Outcome.NO_PROFILE, ""
        elif ids[e164] in members:
            outcome, detail = Outcome.REMOVED, ""
        else:
            outcome, detail = Outcome.NOT_MEMBER, ""
        change.rows.append(RowOutcome(line_no, raw, e164, outcome, detail))
    return change


@transaction.atomic
def group_remove_profile(*, group: Group, profile: Profile, actor: User | None = None) -> bool:
    return bool(group_members_remove(group=group, profile_ids=[profile.pk], actor=actor))


@transaction.atomic
def group_replace_members(
    *,
    group: Group,
    profiles: QuerySet[Profile],
    actor: User | None = None,
    origin: str = "",
) -> int:
    """Make `profiles` the group's exact members, set-based (an analysis result)."""
    ids_sql, params = profiles.order_by().values(member_id=F("pk")).query.sql_with_params()
    group_members_replace(group=group, ids_sql=ids_sql, params=params, actor=actor, origin=origin)
    return GroupMembership.objects.filter(group=group).count()
