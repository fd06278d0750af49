"""What a row of the Exports table shows, on the page and from the status endpoint."""

import datetime as dt

import pytest
from django.urls import reverse

from reports.models import Export, JobStatus


def _export(company, user, **fields) -> Export:
    defaults = {"kind": Export.Kind.PROFILES, "name": "Profiles", "status": JobStatus.PENDING}
    return Export.objects.create(company=company, requested_by=user, **(defaults | fields))


def _row(client, export) -> str:
    return client.get(reverse("reports:export_status", args=[export.pk])).content.decode()


@pytest.mark.django_db
def test_the_page_and_the_status_endpoint_show_the_same_row(company, dana, client_as):
    export = _export(company, dana, status=JobStatus.RUNNING, progress=40, row_count=7)
    client = client_as(dana)
    row = _row(client, export)
    assert row.startswith(f'<tr id="export-{export.pk}"')
    assert row in client.get(reverse("reports:index")).content.decode()


@pytest.mark.django_db
def test_a_running_export_polls_and_shows_its_progress_of_the_total(company, dana, client_as):
    export = _export(
        company, dana, status=JobStatus.RUNNING, progress=40, row_count=12_345, total_rows=30_000
    )
    row = _row(client_as(dana), export)
    status_url = reverse("reports:export_status", args=[export.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 1s" hx-swap="outerHTML"' in row
    assert 'class="export-row export-running" data-status="running"' in row
    assert '<span class="badge badge-blue">Running</span>' in row
    assert 'aria-valuenow="40"' in row and 'data-progress="40"' in row and ">40%<" in row
    assert '12,345 <span class="muted small">of 30,000</span>' in row


@pytest.mark.django_db
def test_a_queued_export_polls_and_reads_queued(company, dana, client_as):
    row = _row(client_as(dana), _export(company, dana))
    assert 'hx-trigger="every 1s"' in row and '<span class="badge">Queued</span>' in row


@pytest.mark.django_db
def test_a_failed_export_stops_polling_and_shows_its_error_escaped(company, dana, client_as):
    export = _export(company, dana, status=JobStatus.FAILED, error="<disk> full & done")
    row = _row(client_as(dana), export)
    assert "hx-get" not in row
    assert '<span class="badge badge-red">Failed</span>' in row
    assert '<div class="error">&lt;disk&gt; full &amp; done</div>' in row


@pytest.mark.django_db
def test_a_name_is_escaped_and_a_deleted_requester_reads_as_a_dash(company, dana, client_as):
    export = _export(company, None, name='<b>"list"</b>', status=JobStatus.DONE)
    row = _row(client_as(dana), export)
    assert "&lt;b&gt;&quot;list&quot;&lt;/b&gt;" in row and "<b>" not in row
    assert "<td>—</td>" in row
    assert '<span class="badge badge-green">Done</span>' in row


@pytest.mark.django_db
def test_the_requester_reads_by_full_name_else_username(company, dana, client_as):
    client = client_as(dana)
    assert "<td>Dana</td>" in _row(client, _export(company, dana))
    dana.first_name = ""
    dana.save()
    assert "<td>dana</td>" in _row(client, _export(company, dana))


@pytest.mark.django_db
def test_the_request_time_reads_in_the_companys_zone(company, dana, client_as):
    company.time_zone = "America/New_York"
    company.save()
    export = _export(company, dana)
    Export.objects.filter(pk=export.pk).update(
        created_at=dt.datetime(2026, 7, 4, 16, 5, 9, tzinfo=dt.UTC)
    )
    row = _row(client_as(dana), export)
    assert '<td title="2026-07-04 12:05:09 EDT">4 Jul 2026, 12:05 EDT</td>' in row
