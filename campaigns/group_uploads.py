"""CSV files of numbers added to an uploaded group, off the web request.

The page stores the file as a `GroupUpload` and a worker adds the numbers
(`group_upload_run`), with a progress bar on the group page and a per-row outcomes CSV,
as for the manual bulk opt-out (inbox.bulk), whose number matching it reuses.

Set-based so that 100,000 numbers take seconds: numbers are matched to profiles by a
cheap canonical form first (only unmatched rows go through libphonenumber), profiles
for new numbers are created in one INSERT … SELECT by profiles.creation (which refuses
numbers erased at their owner's request), and the memberships in one
INSERT … SELECT … ON CONFLICT DO NOTHING whose RETURNING tells added from already there.
Running the same file again adds nothing and reports every number as already a member.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from core.phone_csv import CsvError, parse_phone_csv
from core.phones import phone_normalize
from inbox.bulk import NumberRow, list_upload_run, number_rows_resolve, profiles_by_number
from profiles.creation import SUPPRESSED_DETAIL, profiles_create_many
from profiles.models import Group, GroupMembership, SourceType

from .groups import GroupError, Outcome
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


def _add_memberships(group: Group, profile_ids: list[int]) -> set[int]:
    """Make the profiles members; the ids of those that were not members before."""
    if not profile_ids:
        return set()
    table = GroupMembership._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (group_id, profile_id, added_at) "  # noqa: S608 (table name from model metadata)
            "SELECT %s, ids.id, %s FROM unnest(%s::bigint[]) AS ids(id) "
            "ON CONFLICT DO NOTHING RETURNING profile_id",
            [group.pk, now, profile_ids],
        )
        return {row[0] for row in cursor.fetchall()}


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
    missing = sorted(new_phones)  # type: ignore[type-var]
    report(60)
    # Only the writes share a transaction: the progress updates must show meanwhile.
    with transaction.atomic():
        made = profiles_create_many(
            company_id=group.company_id,
            phones=list(new_phones.values()),
            source_type=SourceType.UPLOADED_GROUP,
            source_name=group.name,
            by_id=actor_id,
            description=f"Created by the upload of a file to group {group.name}",
        )
        found.update(made.created)
        if len(made.created) + len(made.suppressed) < len(missing):
            # Created by someone else meanwhile: those numbers have a profile now.
            found.update(profiles_by_number(group.company_id, missing))
        targets = {
            row.e164: found[row.e164] for row in rows if not row.outcome and row.e164 in found
        }
        added = _add_memberships(group, sorted(set(targets.values())))
    for row in rows:
        if row.outcome:
            continue
        if row.e164 in made.suppressed:
            row.outcome, row.detail = Outcome.ERASED, SUPPRESSED_DETAIL
        elif row.e164 not in targets:
            row.outcome, row.detail = Outcome.INVALID, "The profile could not be created"
        elif targets[row.e164] not in added:
            row.outcome = Outcome.ALREADY
        elif row.e164 in made.created:
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
