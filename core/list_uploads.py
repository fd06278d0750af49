"""Uploaded lists of numbers as jobs (the bulk opt-out, the group upload).

What every list upload shares lives here: the upload's row (`ListUpload`: the source
file and who sent it, on top of `Job`), one row per line of the file (`NumberRow`), the
parse of the file, the cheap-then-full matching of the numbers to profiles, the per-row
outcomes file, and the job type that ties them together (`ListUploadType`). What a
list does with its numbers (opt them out, add them to a group) is the subclass's
`apply`, in its own app.

The matching asks the caller for the profiles of a company by number (`lookup`): core
knows no companies or profiles, only numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from core.csv_safe import csv_row

# These three move down to core with the other utilities that know no company.
from core.phone_csv import parse_phone_csv, quick_e164
from core.phones import phone_normalize
from core.private_files import PrivatePath, private_storage
from core.text_rules import text_problem

from .jobs import Job, JobContext, JobType

RESULT_HEADER = ["line", "phone", "phone_number", "outcome", "detail"]
INVALID = "invalid number"

# E.164 numbers -> profile id, for the numbers given that have a profile.
Lookup = Callable[[list[str]], dict[str, int]]
Progress = Callable[[int], None]


def _source_path(instance: ListUpload, filename: str) -> str:
    return PrivatePath(instance.files_folder)(instance, filename)


class ListUpload(Job):
    """A job whose input is an uploaded file of numbers and whose output is one outcome
    per line of it (`results_file`); the subclass adds its counts."""

    source_file = models.FileField(storage=private_storage, upload_to=_source_path, max_length=255)
    source_name = models.CharField(max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


@dataclass
class NumberRow:
    """One line of an uploaded list of numbers and what became of it."""

    line_no: int
    raw: str
    e164: str | None = None
    outcome: str = ""
    detail: str = ""
    # The full parse (a PhoneResult), kept for the rows the cheap form could not match.
    phone: Any = None


def number_rows_parse(source: bytes | str) -> list[NumberRow]:
    """One row per data line of the file; raises CsvError for a file that cannot be read."""
    return [
        NumberRow(line_no=r.line_no, raw=r.raw) for r in parse_phone_csv(source, normalize=False)
    ]


def number_rows_resolve(rows: list[NumberRow], lookup: Lookup) -> dict[str, int]:
    """Fill e164 / invalid outcomes and return the profiles found (E.164 → id).

    Numbers are matched first by a cheap canonical form (quick_e164); only the rows
    that match nothing go through libphonenumber, to tell an invalid number from a
    number with no profile. A valid number with no profile keeps an empty outcome and
    its E.164 form.
    """
    for row in rows:
        problem = text_problem(row.raw)
        if problem:
            # Never parsed, never queried (PostgreSQL refuses NUL): the row is invalid.
            row.outcome, row.detail = INVALID, f"The cell contains {problem}"
            row.raw = row.raw.encode("unicode_escape").decode("ascii")
            continue
        row.e164 = quick_e164(row.raw)
    found = lookup(sorted({r.e164 for r in rows if r.e164}))
    unresolved = [r for r in rows if not r.outcome and not (r.e164 and r.e164 in found)]
    for row in unresolved:
        phone = row.phone = phone_normalize(row.raw)
        row.e164 = phone.e164
        if not phone.valid:
            row.outcome, row.detail = INVALID, phone.reason
    found.update(lookup(sorted({r.e164 for r in unresolved if r.e164 and not r.outcome})))
    return found


def outcomes_csv(rows: list[NumberRow]) -> bytes:
    """The per-row outcomes file of a list upload (bulk opt-out, group upload)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_HEADER)
    for row in rows:
        digits = (row.e164 or "").lstrip("+")
        writer.writerow(csv_row([row.line_no, row.raw, digits, row.outcome, row.detail]))
    return buffer.getvalue().encode("utf-8-sig")


def outcome_counts(rows: list[NumberRow], counted: dict[str, str]) -> dict[str, int]:
    """`total_rows` and one count per `counted` field (field name → outcome)."""
    counts = {"total_rows": len(rows)}
    for name, outcome in counted.items():
        counts[name] = sum(1 for row in rows if row.outcome == outcome)
    return counts


class ListUploadType(JobType):
    """The life of one uploaded number list: read the file, `apply` it, write the
    per-row outcomes and the counts. A refused file (`errors`) fails the job with its
    message for the person who uploaded it."""

    errors: ClassVar[tuple[type[Exception], ...]] = ()
    # Field of the model → the outcome it counts.
    counted: ClassVar[dict[str, str]] = {}

    def apply(self, job: Any, data: bytes, progress: Progress) -> list[NumberRow]:
        raise NotImplementedError

    def results_name(self, job: Any) -> str:
        return f"{self.kind}-results-{job.pk}.csv"

    def run(self, job: Any, ctx: JobContext) -> dict[str, Any]:
        ctx.progress(5)
        with job.source_file.open("rb") as handle:
            data = handle.read()
        rows = self.apply(job, data, lambda pct: ctx.progress(pct))
        ctx.save_results(self.results_name(job), outcomes_csv(rows))
        counts = outcome_counts(rows, self.counted)
        ctx.store(row_count=len(rows), **counts)
        return counts

    def failure_message(self, job: Any, exc: Exception) -> str:
        if isinstance(exc, self.errors):
            return str(exc)
        return "The list could not be processed. Please upload it again."

    def skipped(self, job_id: int) -> dict[str, Any]:
        return {"skipped": 1}

    def failed(self, job: Any, exc: Exception) -> dict[str, Any]:
        return {"failed": 1}
