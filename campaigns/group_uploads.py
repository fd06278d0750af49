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

from inbox.bulk import NumberRow, number_rows_resolve, outcomes_csv
from inbox.phone_csv import CsvError, parse_phone_csv
from profiles.models import Group, GroupMembership, Profile, SourceType
from profiles.phones import phone_normalize

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


def _new_profiles(group: Group, numbers: list[str], actor_id: int | None) -> None:
    """Create a profile for each valid number nobody has yet (first seen: this group)."""
    now = timezone.now()
    profiles = []
    for e164 in numbers:
        phone = phone_normalize(e164)
        profiles.append(
            Profile(
                company_id=group.company_id,
                phone_number=e164,
                carrier_name=phone.carrier_name,
                number_type=phone.number_type or "unknown",
                number_country=phone.country,
                source_type=SourceType.UPLOADED_GROUP,
                source_name=group.name,
                source_user_id=actor_id,
                created_at=now,
            )
        )
    Profile.objects.bulk_create(profiles, batch_size=5000, ignore_conflicts=True)


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


@transaction.atomic
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
    missing = sorted({r.e164 for r in rows if not r.outcome and r.e164 not in found})  # type: ignore[misc]
    if missing:
        _new_profiles(group, missing, actor_id)  # type: ignore[arg-type]
        found.update(
            Profile.objects.filter(
                company_id=group.company_id, phone_number__in=missing
            ).values_list("phone_number", "pk")
        )
    report(70)
    targets = {row.e164: found[row.e164] for row in rows if not row.outcome and row.e164 in found}
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
    if upload.status == GroupUpload.Status.DONE:
        return {"skipped": 1}
    GroupUpload.objects.filter(pk=upload.pk).update(status=GroupUpload.Status.RUNNING, progress=5)

    def progress(pct: int) -> None:
        GroupUpload.objects.filter(pk=upload.pk).update(progress=pct)

    try:
        with upload.source_file.open("rb") as handle:
            data = handle.read()
        rows = group_upload_apply(
            group=upload.group, source=data, actor_id=upload.uploaded_by_id, progress=progress
        )
    except (CsvError, GroupError) as exc:
        GroupUpload.objects.filter(pk=upload.pk).update(
            status=GroupUpload.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        return {"failed": 1}
    upload.results_file.save(
        f"group-upload-results-{upload.pk}.csv", ContentFile(outcomes_csv(rows)), save=False
    )

    def count(outcome: str) -> int:
        return sum(1 for row in rows if row.outcome == outcome)

    counts = {
        "total_rows": len(rows),
        "added_count": count(Outcome.ADDED),
        "created_count": count(Outcome.CREATED),
        "already_count": count(Outcome.ALREADY),
        "invalid_count": count(Outcome.INVALID),
        "duplicate_count": count(Outcome.DUPLICATE),
    }
    GroupUpload.objects.filter(pk=upload.pk).update(
        status=GroupUpload.Status.DONE,
        progress=100,
        results_file=upload.results_file.name,
        finished_at=timezone.now(),
        **counts,
    )
    return counts
