"""Manual bulk opt-out (seed 003): a list of numbers out of one campaign or all of them.

Set-based so that 100,000 numbers take seconds. The opt-out itself is
campaigns.opt_outs.profiles_opt_out_set, the transition every single opt-out
(campaigns.services.profile_opt_out) runs too: the same subscriptions, state rows and
activity events, written by a handful of statements whatever the number of profiles,
and opting out what is already opted out changes nothing (so running the same file
twice changes nothing the second time). This module parses and matches the list.

Numbers are matched to profiles first by a cheap canonical form (quick_e164); only the
rows that match nothing go through libphonenumber, to tell an invalid number from a
number with no profile.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from campaigns.opt_outs import profiles_opt_out_set
from core.csv_safe import csv_row
from core.phone_csv import CsvError, parse_phone_csv, quick_e164
from core.phones import PhoneResult, phone_normalize
from core.text_rules import text_problem
from profiles.models import OptOutSource, Profile
from profiles.suppressions import MANUAL_OPT_OUT_WITHOUT_PROFILE, phones_suppress

from .models import BulkOptOut


class Outcome:
    OPTED_OUT = "opted out"
    ALREADY = "already opted out"
    NO_PROFILE = "no such profile"
    # The detail of a NO_PROFILE row of an opt-out: the number is suppressed instead.
    SUPPRESSED_DETAIL = "no profile: kept on the suppression list"
    INVALID = "invalid number"
    DUPLICATE = "duplicate in file"


RESULT_HEADER = ["line", "phone", "phone_number", "outcome", "detail"]


@dataclass
class NumberRow:
    """One line of an uploaded list of numbers and what became of it."""

    line_no: int
    raw: str
    e164: str | None = None
    outcome: str = ""
    detail: str = ""
    # The full parse, kept for the rows the cheap canonical form could not match.
    phone: PhoneResult | None = None


@dataclass
class BulkResult:
    rows: list[NumberRow] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def profiles_by_number(company_id: int, numbers: list[str]) -> dict[str, int]:
    """E.164 → profile id of the company, for the numbers given (one query)."""
    if not numbers:
        return {}
    # One array parameter: an IN list of 100,000 placeholders costs seconds to
    # build and bind, the array a fraction of that.
    table = connection.ops.quote_name(Profile._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phone_number, id FROM {table} "  # noqa: S608 (a model's table)
            "WHERE company_id = %s AND phone_number = ANY(%s)",
            [company_id, numbers],
        )
        return dict(cursor.fetchall())


def number_rows_resolve(rows: list[NumberRow], company_id: int) -> dict[str, int]:
    """Fill e164 / invalid outcomes and return the profiles found (E.164 → id).

    A valid number with no profile keeps an empty outcome and its E.164 form.
    """
    for row in rows:
        problem = text_problem(row.raw)
        if problem:
            # Never parsed, never queried (PostgreSQL refuses NUL): the row is invalid.
            row.outcome, row.detail = Outcome.INVALID, f"The cell contains {problem}"
            row.raw = row.raw.encode("unicode_escape").decode("ascii")
            continue
        row.e164 = quick_e164(row.raw)
    found = profiles_by_number(company_id, sorted({r.e164 for r in rows if r.e164}))
    unresolved = [r for r in rows if not r.outcome and not (r.e164 and r.e164 in found)]
    for row in unresolved:
        phone = row.phone = phone_normalize(row.raw)
        if not phone.valid:
            row.e164 = phone.e164
            row.outcome, row.detail = Outcome.INVALID, phone.reason
        else:
            row.e164 = phone.e164
    found.update(
        profiles_by_number(
            company_id, sorted({r.e164 for r in unresolved if r.e164 and not r.outcome})
        )
    )
    return found


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
    rows = [
        NumberRow(line_no=r.line_no, raw=r.raw) for r in parse_phone_csv(source, normalize=False)
    ]
    report(20)
    found = number_rows_resolve(rows, company_id)
    report(50)
    seen: dict[str, int] = {}
    for row in rows:
        if row.outcome:
            continue
        if row.e164 in seen:
            row.outcome, row.detail = Outcome.DUPLICATE, f"same number as line {seen[row.e164]}"
            continue
        seen[row.e164] = row.line_no  # type: ignore[index]
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
    targets = {row.e164: found[row.e164] for row in rows if not row.outcome}
    changed = profiles_opt_out_bulk(
        company_id=company_id,
        profile_ids=sorted(set(targets.values())),
        campaign=campaign,
        actor_id=actor_id,
    )
    report(90)
    scope = campaign.name if campaign is not None else "all campaigns"
    for row in rows:
        if not row.outcome:
            if targets[row.e164] in changed:
                row.outcome, row.detail = Outcome.OPTED_OUT, scope
            else:
                row.outcome = Outcome.ALREADY
    return BulkResult(rows=rows)


def outcomes_csv(rows: list[NumberRow]) -> bytes:
    """The per-row outcomes file of a list upload (bulk opt-out, group upload)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_HEADER)
    for row in rows:
        digits = (row.e164 or "").lstrip("+")
        writer.writerow(csv_row([row.line_no, row.raw, digits, row.outcome, row.detail]))
    return buffer.getvalue().encode("utf-8-sig")


def list_upload_run(
    *,
    job,
    apply: Callable[[bytes, Callable[[int], None]], list[NumberRow]],
    errors: tuple[type[Exception], ...],
    results_name: str,
    counted: dict[str, str],
) -> dict[str, int]:
    """The life of one uploaded number list (a bulk opt-out, a group upload).

    Claims the job, runs `apply(data, progress)` over the file, writes the per-row
    outcomes file and stores `total_rows` plus one count per `counted` field
    (field name → outcome). A refused file marks the job failed with its message.
    Safe to run again: a finished job is skipped.
    """
    model = type(job)
    if job.status == model.Status.DONE:
        return {"skipped": 1}
    jobs = model.objects.filter(pk=job.pk)
    jobs.update(status=model.Status.RUNNING, progress=5)
    try:
        with job.source_file.open("rb") as handle:
            data = handle.read()
        rows = apply(data, lambda pct: jobs.update(progress=pct))
    except errors as exc:
        jobs.update(status=model.Status.FAILED, error=str(exc), finished_at=timezone.now())
        return {"failed": 1}
    job.results_file.save(results_name, ContentFile(outcomes_csv(rows)), save=False)
    counts = {"total_rows": len(rows)}
    for name, outcome in counted.items():
        counts[name] = sum(1 for row in rows if row.outcome == outcome)
    jobs.update(
        status=model.Status.DONE,
        progress=100,
        results_file=job.results_file.name,
        finished_at=timezone.now(),
        **counts,
    )
    return counts


def bulk_opt_out_run(*, bulk_id: int) -> dict[str, int]:
    """Process one uploaded list (the Celery task calls this). Safe to run again."""
    bulk = BulkOptOut.objects.select_related("campaign").get(pk=bulk_id)
    if bulk.status == BulkOptOut.Status.CONFIRMING:
        return {"skipped": 1}  # nobody has confirmed it yet

    def apply(data: bytes, progress: Callable[[int], None]) -> list[NumberRow]:
        return bulk_opt_out_apply(
            company_id=bulk.company_id,
            source=data,
            campaign=bulk.campaign,
            actor_id=bulk.uploaded_by_id,
            progress=progress,
        ).rows

    return list_upload_run(
        job=bulk,
        apply=apply,
        errors=(CsvError,),
        results_name=f"opt-out-results-{bulk.pk}.csv",
        counted={
            "opted_out_count": Outcome.OPTED_OUT,
            "already_opted_out_count": Outcome.ALREADY,
            "no_profile_count": Outcome.NO_PROFILE,
            "invalid_count": Outcome.INVALID,
            "duplicate_count": Outcome.DUPLICATE,
        },
    )
