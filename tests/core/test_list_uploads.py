"""core.list_uploads: per-row outcomes of an uploaded list, as a job."""

import csv
import io

import pytest
from django.core.files.base import ContentFile

import core.jobs as jobs
from core.jobs import JobStatus, job_execute
from core.list_uploads import (
    INVALID,
    ListUploadType,
    NumberRow,
    number_rows_parse,
    number_rows_resolve,
    outcomes_csv,
)
from core.phone_csv import CsvError
from inbox.models import BulkOptOut

PROBE = "tests.core.list_probe"


class Marked(ListUploadType):
    """Marks each number 'known' or 'unknown' by a lookup of its own."""

    kind = PROBE
    model = BulkOptOut
    errors = (CsvError,)
    counted = {"opted_out_count": "known", "invalid_count": INVALID}

    def apply(self, job, data, progress):
        rows = number_rows_parse(data)
        found = number_rows_resolve(rows, lambda numbers: {"+12125550101": 1} if numbers else {})
        for row in rows:
            if not row.outcome:
                row.outcome = "known" if row.e164 in found else "unknown"
        progress(50)
        return rows


@pytest.fixture
def marked(monkeypatch):
    monkeypatch.setitem(jobs._REGISTRY, PROBE, Marked())


def _upload(company, content: bytes) -> BulkOptOut:
    bulk = BulkOptOut(company=company, status=BulkOptOut.Status.PENDING)
    bulk.source_file.save("list.csv", ContentFile(content), save=False)
    bulk.save()
    return bulk


@pytest.mark.django_db
def test_every_line_gets_an_outcome_in_the_results_file_and_the_counts(company, marked):
    bulk = _upload(company, b"phone\n(212) 555-0101\n212-555-0199\nnot a number\n")
    counts = job_execute(PROBE, bulk.pk)
    assert counts == {"total_rows": 3, "opted_out_count": 1, "invalid_count": 1}
    bulk.refresh_from_db()
    assert bulk.status == JobStatus.DONE and bulk.row_count == 3 and bulk.total_rows == 3
    assert (bulk.opted_out_count, bulk.invalid_count) == (1, 1)
    with bulk.results_file.open("rb") as handle:
        lines = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert lines[0] == ["line", "phone", "phone_number", "outcome", "detail"]
    assert [line[3] for line in lines[1:]] == ["known", "unknown", INVALID]
    assert lines[1][2] == "12125550101"


@pytest.mark.django_db
def test_a_file_that_is_not_csv_fails_the_job_with_the_reason(company, marked):
    bulk = _upload(company, b"PK\x03\x04 a spreadsheet")
    assert job_execute(PROBE, bulk.pk) == {"failed": 1}
    bulk.refresh_from_db()
    assert bulk.status == JobStatus.FAILED and "not a CSV file" in bulk.error


@pytest.mark.django_db
def test_a_list_waiting_for_confirmation_is_not_run(company, marked):
    bulk = _upload(company, b"phone\n2125550101\n")
    BulkOptOut.objects.filter(pk=bulk.pk).update(status=BulkOptOut.Status.CONFIRMING)
    assert job_execute(PROBE, bulk.pk) == {"skipped": 1}


def test_the_outcomes_file_keeps_formulas_out_of_spreadsheets():
    rows = [NumberRow(line_no=2, raw="=HYPERLINK(1)", outcome=INVALID, detail="bad")]
    lines = list(csv.reader(io.StringIO(outcomes_csv(rows).decode("utf-8-sig"))))
    assert lines[1] == ["2", "'=HYPERLINK(1)", "", INVALID, "bad"]
