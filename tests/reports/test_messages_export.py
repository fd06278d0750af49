"""Save as CSV on a profile's Messages tab: an export like the profiles one.

It needs the export permission, is an Export row run by the worker task, streams with
COPY into the private storage, and its cells follow core.csv_safe's rule.
"""

import csv
import io

import pytest
from django.urls import reverse

from core.csv_safe import csv_cell
from messaging.selectors_profile import message_status_labels, profile_messages
from reports.exports import export_type_for
from reports.models import Export, JobStatus
from tests.private_files import body_of
from tests.profiles.detail_builders import make_message, make_rich_profile
from tests.reports.csv_oracle import python_rows

pytestmark = pytest.mark.django_db

# The columns the profile page's CSV has always written, in order.
MESSAGE_CSV_COLUMNS = [
    "date",
    "direction",
    "type",
    "channel",
    "body",
    "media",
    "campaign",
    "broadcast",
    "originator",
    "status",
    "kind",
]
HOSTILE = ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")']


@pytest.fixture
def profile(company, bob):
    return make_rich_profile(company, author=bob)


def save_as_csv(client, profile, django_capture_on_commit_callbacks, **data):
    url = reverse("reports:messages_export", args=[profile.pk])
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data)


def rows_of(export: Export) -> list[list[str]]:
    with export.results_file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8"))))


@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_roles_without_the_export_permission_get_403_and_no_export_row(
    who, request, profile, client_as, django_capture_on_commit_callbacks
):
    client = client_as(request.getfixturevalue(who))
    response = save_as_csv(client, profile, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not Export.objects.exists()
    tab = client.get(reverse("profiles:detail", args=[profile.pk]), {"tab": "messages"})
    assert 'id="messages-csv"' not in tab.content.decode()


def test_an_analyst_sees_save_as_csv_on_the_messages_tab(dana, profile, client_as):
    tab = client_as(dana).get(reverse("profiles:detail", args=[profile.pk]), {"tab": "messages"})
    html = tab.content.decode()
    assert 'id="messages-csv"' in html
    assert reverse("reports:messages_export", args=[profile.pk]) in html


def test_save_as_csv_queues_a_messages_export_that_the_worker_writes(
    dana, profile, client_as, django_capture_on_commit_callbacks
):
    make_message(profile, body='=HYPERLINK("http://evil")')
    response = save_as_csv(client_as(dana), profile, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("reports:index")
    export = Export.objects.get()
    assert (export.kind, export.status, export.requested_by) == ("messages", "done", dana)
    assert export.company == profile.company and export.config["profile_id"] == profile.pk
    assert export.row_count == export.total_rows == 6 and export.progress == 100
    assert export.results_file.name.startswith("exports/")
    rows = rows_of(export)
    assert rows[0] == MESSAGE_CSV_COLUMNS
    assert len(rows) == 1 + 6
    bodies = [row[4] for row in rows[1:]]
    assert bodies[0] == '\'=HYPERLINK("http://evil")'  # newest first, formula neutralised
    kinds = [message_status_labels(m)[-1] for m in profile_messages(profile=profile)]
    assert [row[10] for row in rows[1:]] == kinds  # the tab's own rule, computed in SQL
    assert "Multi-part SMS" in kinds
    assert all(row[0].endswith(" UTC") for row in rows[1:])
    assert {row[1] for row in rows[1:]} <= {"Incoming (MO)", "Outgoing (MT)"}
    download = client_as(dana).get(reverse("reports:export_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"=HYPERLINK" in body_of(download)


def test_the_messages_export_writes_only_the_tabs_search_results(
    dana, profile, client_as, django_capture_on_commit_callbacks
):
    save_as_csv(client_as(dana), profile, django_capture_on_commit_callbacks, q="city hall")
    export = Export.objects.get()
    bodies = [row[4] for row in rows_of(export)[1:]]
    assert bodies and all("City Hall" in body for body in bodies)
    assert "city hall" in export.name


def test_every_messages_cell_is_formula_safe_by_the_csv_safe_rule(
    company, dana, profile, client_as, django_capture_on_commit_callbacks
):
    from campaigns.models import Campaign

    profile.messages.all().delete()
    campaign = Campaign.objects.create(company=company, name="=cmd|' /C calc'!A0")
    for value in HOSTILE:
        make_message(profile, body=value, originator=value, campaign=campaign)
    save_as_csv(client_as(dana), profile, django_capture_on_commit_callbacks)
    rows = rows_of(Export.objects.get())[1:]
    assert sorted(row[4] for row in rows) == sorted(csv_cell(v) for v in HOSTILE)
    assert sorted(row[8] for row in rows) == sorted(csv_cell(v) for v in HOSTILE)
    assert {row[6] for row in rows} == {csv_cell(campaign.name)}


def test_the_copy_and_python_paths_write_the_same_messages_bytes(dana, profile):
    from reports.exports.writer import _copy_rows

    make_message(profile, body='=HYPERLINK("x")\nline two, "quoted"')
    export = Export.objects.create(
        company=profile.company,
        requested_by=dana,
        kind=Export.Kind.MESSAGES,
        name="m",
        config={"profile_id": profile.pk, "search": ""},
    )
    rows = export_type_for(export.kind).rows(export)
    copied, python = io.BytesIO(), io.BytesIO()
    _copy_rows(rows, copied, lambda n: None, 1000)
    python_rows(rows, python, lambda n: None, 1000)
    assert copied.getvalue() == python.getvalue()


def test_another_companys_profile_cannot_be_exported(
    eve, profile, client_as, django_capture_on_commit_callbacks
):
    response = save_as_csv(client_as(eve), profile, django_capture_on_commit_callbacks)
    assert response.status_code == 404
    assert not Export.objects.exists()


def test_an_export_whose_profile_is_in_another_company_fails_and_writes_nothing(
    other_company, eve, profile
):
    from reports.services import export_run

    export = Export.objects.create(
        company=other_company,
        requested_by=eve,
        kind=Export.Kind.MESSAGES,
        name="m",
        config={"profile_id": profile.pk, "search": ""},
    )
    export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED and not export.results_file
