"""Manual bulk opt-out (seed 003): a list of numbers out of one campaign or all of them.

Set-based so that 100,000 numbers take seconds. The opt-out itself is
campaigns.opt_outs.profiles_opt_out_set, the transition every single opt-out
(campaigns.services_subscriptions.profile_opt_out) runs too: the same subscriptions, state rows and
activity events, written by a handful of statements whatever the number of profiles,
and opting out what is already opted out changes nothing (so running the same file
twice changes nothing the second time). This module parses and matches the list.

The list is a job of core.list_uploads (kind "inbox.bulk_opt_out"): parsed and
matched there as every uploaded list of numbers is, claimed and run by a worker, swept
if its worker dies.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.opt_outs import profiles_opt_out_set
from core.jobs import job_enqueue, job_execute, register_job_type
from core.list_uploads import (
    RESULT_HEADER,  # noqa: F401 (the outcomes file's columns, known to the tests from here)
    ListUploadType,
    NumberRow,
    number_rows_parse,
    number_rows_resolve,
)
from core.phone_csv import CsvError
from profiles.models import OptOutSource
from profiles.phone_lookup import profiles_by_number
from profiles.suppressions import MANUAL_OPT_OUT_WITHOUT_PROFILE, phones_suppress

from .models import BulkOptOut

BULK_OPT_OUT_JOB = "inbox.bulk_opt_out"


class Outcome:
    OPTED_OUT = "opted out"
    ALREADY = "already opted out"
    NO_PROFILE = "no such profile"
    # The detail of a NO_PROFILE row of an opt-out: the number is suppressed instead.
    SUPPRESSED_DETAIL = "no profile: kept on the suppression list"
    INVALID = "invalid number"
    DUPLICATE = "duplicate in file"


@dataclass
class BulkResult:
    rows: list[NumberRow] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def profiles_opt_out_bulk(
    *, company_id: int, profile_ids: list[int], campaign=None, actor_id: int | None = None
) -> set[int]:
    """Opt the given profiles out (of `campaign`, or of every campaign), set-based: the
    manual opt-out from the Inbox, through the same transition as a single opt-out.

    Returns the ids of the profiles that changed; the others were already opted out.
    """
    return profiles_opt_out_set(
        company_id=company_id,
        profile_ids=profile_ids,
        source=OptOutSource.MANUAL,
        now=timezone.now(),
        campaign=campaign,
        actor_id=actor_id,
        origin="inbox",
    )


def bulk_opt_out_apply(
    *, company_id: int, source: bytes | str, campaign=None, actor_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:  # fmt: skip
    """Parse, match and opt out; every row gets an outcome. Raises CsvError for a file
    that cannot be read at all."""
    report = progress or (lambda pct: None)
    rows = number_rows_parse(source)
    report(20)
    found = number_rows_resolve(rows, lambda numbers: profiles_by_number(company_id, numbers))
    report(50)
    seen: dict[str, int] = {}
    for row in rows:
        if row.outcome or not row.e164:  # matched rows all have a number
            continue
        if row.e164 in seen:
            row.outcome, row.detail = Outcome.DUPLICATE, f"same number as line {seen[row.e164]}"
            continue
        seen[row.e164] = row.line_no
        if row.e164 not in found:
            row.outcome = Outcome.NO_PROFILE
    # A number with no profile has nothing to opt out, but its owner asked not to be
    # texted: the suppression list keeps it from a later upload, API call or keyword.
    unknown = [row for row in rows if row.outcome == Outcome.NO_PROFILE]
    phones_suppress(
        company_id=company_id,
        numbers=[row.e164 for row in unknown if row.e164],
        reason=MANUAL_OPT_OUT_WITHOUT_PROFILE,
        actor=get_user_model().objects.filter(pk=actor_id).first() if actor_id else None,
    )
    for row in unknown:
        row.detail = Outcome.SUPPRESSED_DETAIL
    targets = {row.e164: found[row.e164] for row in rows if not row.outcome and row.e164}
    changed = profiles_opt_out_bulk(
        company_id=company_id,
        profile_ids=sorted(set(targets.values())),
        campaign=campaign,
        actor_id=actor_id,
    )
    report(90)
    scope = campaign.name if campaign is not None else "all campaigns"
    for row in rows:
        if not row.outcome and row.e164:
            if targets[row.e164] in changed:
                row.outcome, row.detail = Outcome.OPTED_OUT, scope
            else:
                row.outcome = Outcome.ALREADY
    return BulkResult(rows=rows)


@register_job_type
class BulkOptOutJob(ListUploadType):
    kind = BULK_OPT_OUT_JOB
    model = BulkOptOut
    select_related = ("campaign",)
    errors = (CsvError,)
    counted = {
        "opted_out_count": Outcome.OPTED_OUT,
        "already_opted_out_count": Outcome.ALREADY,
        "no_profile_count": Outcome.NO_PROFILE,
        "invalid_count": Outcome.INVALID,
        "duplicate_count": Outcome.DUPLICATE,
    }

    def apply(self, job: Any, data: bytes, progress: Callable[[int], None]) -> list[NumberRow]:
        return bulk_opt_out_apply(
            company_id=job.company_id,
            source=data,
            campaign=job.campaign,
            actor_id=job.uploaded_by_id,
            progress=progress,
        ).rows

    def results_name(self, job: Any) -> str:
        return f"opt-out-results-{job.pk}.csv"


def bulk_opt_out_queue(bulk: BulkOptOut) -> None:
    """Queue a confirmed list for a worker, once the confirmation commits."""
    job_enqueue(BULK_OPT_OUT_JOB, bulk.pk)


def bulk_opt_out_run(*, bulk_id: int) -> dict[str, int]:
    """Process one uploaded list in this process. Safe to run again: a list not yet
    confirmed, or already done, is skipped."""
    return job_execute(BULK_OPT_OUT_JOB, bulk_id)
