"""CSV files of numbers added to an uploaded group, off the web request.

The page stores the file as a `GroupUpload` and a worker adds the numbers
(`group_upload_run`), with a progress bar on the group page and a per-row outcomes CSV,
as for the manual bulk opt-out: both are list-upload jobs of core.list_uploads (this
one of kind "campaigns.group_upload"), which parses and matches their numbers.

Set-based so that 100,000 numbers take seconds: numbers are matched to profiles by a
cheap canonical form first (only unmatched rows go through libphonenumber), profiles
for new numbers are created in one INSERT … SELECT by profiles.creation (which refuses
numbers erased at their owner's request), and the memberships in one
INSERT … SELECT … ON CONFLICT DO NOTHING whose RETURNING tells added from already there.
Running the same file again adds nothing and reports every number as already a member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction

from core.jobs import job_enqueue, job_execute, register_job_type
from core.list_uploads import ListUploadType, NumberRow, number_rows_parse, number_rows_resolve
from core.phone_csv import CsvError
from core.phones import phone_normalize
from profiles.creation import SUPPRESSED_DETAIL, profiles_create_many
from profiles.models import Group, SourceType
from profiles.phone_lookup import profiles_by_number

from .groups import GroupError, Outcome, group_members_add, group_members_check
from .models import GroupUpload

GROUP_UPLOAD_JOB = "campaigns.group_upload"


@transaction.atomic
def group_upload_start(
    *, group: Group, content: bytes, source_name: str, actor: User | None = None
) -> GroupUpload:
    """Store the file and queue its processing; the page shows the progress."""
    group_members_check(group)
    upload = GroupUpload(
        company_id=group.company_id,
        group=group,
        source_name=source_name[:200],
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    upload.source_file.save("group-upload.csv", ContentFile(content), save=False)
    upload.save()
    job_enqueue(GROUP_UPLOAD_JOB, upload.pk)
    return upload


def group_upload_apply(
    *,
    group: Group,
    source: bytes | str,
    actor_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[NumberRow]:
    """Parse, match, create and add; every row gets an outcome. Raises CsvError for a
    file that cannot be read at all."""
    group_members_check(group)
    report = progress or (lambda pct: None)
    rows = number_rows_parse(source)
    report(20)
    found = number_rows_resolve(rows, lambda numbers: profiles_by_number(group.company_id, numbers))
    for row in rows:
        if row.outcome:  # the only outcome matching gives: not a valid number
            row.outcome = Outcome.INVALID
    report(50)
    seen: dict[str, int] = {}
    for row in rows:
        if row.outcome or not row.e164:  # matched rows all have a number
            continue
        if row.e164 in seen:
            row.outcome, row.detail = Outcome.DUPLICATE, f"Same number as line {seen[row.e164]}"
            continue
        seen[row.e164] = row.line_no
    # Matching parsed every unmatched row fully; a new number reuses that parse.
    new_phones = {
        row.e164: row.phone or phone_normalize(row.raw)
        for row in rows
        if not row.outcome and row.e164 and row.e164 not in found
    }
    missing = sorted(new_phones)
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
        added = group_members_add(group=group, profile_ids=targets.values(), actor=actor_id)
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
    report(90)
    return rows


@register_job_type
class GroupUploadJob(ListUploadType):
    kind = GROUP_UPLOAD_JOB
    model = GroupUpload
    select_related = ("group",)
    errors = (CsvError, GroupError)
    counted = {
        "added_count": Outcome.ADDED,
        "created_count": Outcome.CREATED,
        "already_count": Outcome.ALREADY,
        "invalid_count": Outcome.INVALID,
        "duplicate_count": Outcome.DUPLICATE,
    }

    def apply(self, job: Any, data: bytes, progress: Callable[[int], None]) -> list[NumberRow]:
        return group_upload_apply(
            group=job.group, source=data, actor_id=job.uploaded_by_id, progress=progress
        )

    def results_name(self, job: Any) -> str:
        return f"group-upload-results-{job.pk}.csv"


def group_upload_run(*, upload_id: int) -> dict[str, int]:
    """Process one uploaded file in this process. Safe to run again: a finished upload
    is skipped."""
    return job_execute(GROUP_UPLOAD_JOB, upload_id)
