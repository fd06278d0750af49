"""CSV files of numbers added to an uploaded group, off the web request.

The page stores the file as a `GroupUpload` and a worker adds the numbers
(`group_upload_run`), with a progress bar on the group page and a per-row outcomes CSV,
as for the manual bulk opt-out (inbox.bulk), whose number matching it reuses.

Set-based so that 100,000 numbers take seconds: numbers are matched to profiles by a
cheap canonical form first (only unmatched rows go through libphonenumber), profiles
for new numbers are created in one bulk INSERT, and the memberships in one
INSERT … SELECT … ON CONFLICT DO NOTHING whose RETURNING tells added from already there.
Running the same file again adds nothing and reports every number as already a member.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from inbox.bulk import NumberRow, list_upload_run, number_rows_resolve, profiles_by_number
from inbox.phone_csv import CsvError, parse_phone_csv
from profiles.models import Group, GroupMembership, Profile, SourceType
from profiles.phones import PhoneResult, phone_normalize
from profiles.suppressions import phones_suppressed

from .groups import SUPPRESSED_DETAIL, GroupError, Outcome
from .models import GroupUpload


@transaction.atomic
def group_upload_start(
    *, group: Group, content: bytes, source_name: str, actor: AbstractBaseUser | None = None
) -> GroupUpload:
    """Store the file and queue its processing; the page shows the progress."""
    from .tasks import group_upload_run_task

    if group.kind != Group.Kind.UPLOADED:
        raise GroupError("Members of a filtered group come from its saved search.")
    upload = GroupUpload(
        company_id=group.company_id,
        group=group,
        source_name=source_name[:200],
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    upload.source_file.save("group-upload.csv", ContentFile(content), save=False)
    upload.save()
    transaction.on_commit(lambda: group_upload_run_task.delay(upload.pk))
    return upload


# Written per new profile; every other column gets its model default.
_PROFILE_COLUMNS = {
    "phone_number": "text",
    "carrier_name": "text",
    "number_type": "text",
    "number_country": "text",
}


def _new_profiles(group: Group, phones: list[PhoneResult], actor_id: int | None) -> None:
    """Create a profile for each valid number nobody has yet (first seen: this group).

    On PostgreSQL one INSERT … SELECT FROM unnest(arrays) writes them all: building
    50,000 model instances for bulk_create costs more than the database's own work.
    """
    now = timezone.now()
    values = {
        "phone_number": [p.e164 for p in phones],
        "carrier_name": [p.carrier_name for p in phones],
        "number_type": [p.number_type or "unknown" for p in phones],
        "number_country": [p.country for p in phones],
    }
    common = {
        "company_id": group.company_id,
        "source_type": SourceType.UPLOADED_GROUP,
        "source_name": group.name,
        "source_user_id": actor_id,
        "created_at": now,
        "updated_at": now,
    }
    if connection.vendor != "postgresql":
        Profile.objects.bulk_create(
            [Profile(**common, **{k: v[i] for k, v in values.items()}) for i in range(len(phones))],
            batch_size=5000,
            ignore_conflicts=True,
        )
        return
    columns, expressions, params = [], [], []
    for field in Profile._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in _PROFILE_COLUMNS:
            continue
        if field.attname in common:
            value = common[field.attname]
        elif field.null:
            continue
        else:
            value = field.get_default()
        columns.append(field.column)
        expressions.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    arrays = ", ".join(f"%s::{kind}[]" for kind in _PROFILE_COLUMNS.values())
    names = ", ".join(_PROFILE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Profile._meta.db_table} ({', '.join(columns)}, {names}) "  # noqa: S608 (column names from model metadata)
            f"SELECT {', '.join(expressions)}, {names} FROM unnest({arrays}) AS n ({names}) "
            "ON CONFLICT DO NOTHING",
            [*params, *values.values()],
        )


def _add_memberships(group: Group, profile_ids: list[int]) -> set[int]:
    """Make the profiles members; the ids of those that were not members before."""
    if not profile_ids:
        return set()
    table = GroupMembership._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (group_id, profile_id, added_at) "  # noqa: S608 (table name from model metadata)
                "SELECT %s, ids.id, %s FROM unnest(%s::bigint[]) AS ids(id) "
                "ON CONFLICT DO NOTHING RETURNING profile_id",
                [group.pk, now, profile_ids],
            )
            return {row[0] for row in cursor.fetchall()}
    members = set(
        GroupMembership.objects.filter(group=group, profile_id__in=profile_ids).values_list(
            "profile_id", flat=True
        )
    )
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, profile_id=pk, added_at=now) for pk in profile_ids],
        ignore_conflicts=True,
    )
    return set(profile_ids) - members


def group_upload_apply(
    *,
    group: Group,
    source: bytes | str,
    actor_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[NumberRow]:
    """Parse, match, create and add; every row gets an outcome. Raises CsvError for a
    file that cannot be read at all."""
    if group.kind != Group.Kind.UPLOADED:
        raise GroupError("Members of a filtered group come from its saved search.")
    report = progress or (lambda pct: None)
    rows = [
        NumberRow(line_no=r.line_no, raw=r.raw) for r in parse_phone_csv(source, normalize=False)
    ]
    report(20)
    found = number_rows_resolve(rows, group.company_id)
    for row in rows:
        if row.outcome:  # the only outcome matching gives: not a valid number
            row.outcome = Outcome.INVALID
    report(50)
    seen: dict[str, int] = {}
    for row in rows:
        if row.outcome:
            continue
        if row.e164 in seen:
            row.outcome, row.detail = Outcome.DUPLICATE, f"Same number as line {seen[row.e164]}"
            continue
        seen[row.e164] = row.line_no  # type: ignore[index]
    # Matching parsed every unmatched row fully; a new number reuses that parse.
    new_phones = {
        row.e164: row.phone or phone_normalize(row.raw)
        for row in rows
        if not row.outcome and row.e164 not in found
    }
    # A suppressed number gets no profile: its owner asked never to be texted.
    suppressed = phones_suppressed(company_id=group.company_id, numbers=list(new_phones))
    for row in rows:
        if not row.outcome and row.e164 in suppressed:
            row.outcome, row.detail = Outcome.INVALID, SUPPRESSED_DETAIL
    new_phones = {e164: p for e164, p in new_phones.items() if e164 not in suppressed}
    missing = sorted(new_phones)  # type: ignore[type-var]
    report(60)
    # Only the writes share a transaction: the progress updates must show meanwhile.
    with transaction.atomic():
        if missing:
            _new_profiles(group, list(new_phones.values()), actor_id)
            found.update(profiles_by_number(group.company_id, missing))
        targets = {
            row.e164: found[row.e164] for row in rows if not row.outcome and row.e164 in found
        }
        added = _add_memberships(group, sorted(set(targets.values())))
    created = set(missing)
    for row in rows:
        if row.outcome:
            continue
        if row.e164 not in targets:
            row.outcome, row.detail = Outcome.INVALID, "The profile could not be created"
        elif targets[row.e164] not in added:
            row.outcome = Outcome.ALREADY
        elif row.e164 in created:
            row.outcome = Outcome.CREATED
        else:
            row.outcome = Outcome.ADDED
    Group.objects.filter(pk=group.pk).update(updated_at=timezone.now())
    report(90)
    return rows


def group_upload_run(*, upload_id: int) -> dict[str, int]:
    """Process one uploaded file (the Celery task calls this). Safe to run again."""
    upload = GroupUpload.objects.select_related("group").get(pk=upload_id)

    def apply(data: bytes, progress: Callable[[int], None]) -> list[NumberRow]:
        return group_upload_apply(
            group=upload.group, source=data, actor_id=upload.uploaded_by_id, progress=progress
        )

    return list_upload_run(
        job=upload,
        apply=apply,
        errors=(CsvError, GroupError),
        results_name=f"group-upload-results-{upload.pk}.csv",
        counted={
            "added_count": Outcome.ADDED,
            "created_count": Outcome.CREATED,
            "already_count": Outcome.ALREADY,
            "invalid_count": Outcome.INVALID,
            "duplicate_count": Outcome.DUPLICATE,
        },
    )
