import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Subscription
from campaigns.services_subscriptions import profile_opt_out
from core.phone_csv import CsvError, parse_phone_csv
from inbox.bulk import Outcome, bulk_opt_out_apply
from inbox.models import BulkOptOut
from profiles.models import ActivityEvent, OptOutSource, ProfileStatus
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def alerts(company):
    return make_campaign(company, "Alerts")


@pytest.fixture
def news(company):
    return make_campaign(company, "News")


@pytest.fixture
def people(company, alerts, news):
    found = {}
    for suffix in ("0101", "0102", "0103", "0104", "0105"):
        profile = make_profile(company, f"+1202555{suffix}")
        make_subscription(profile, alerts)
        found[suffix] = profile
    make_subscription(found["0105"], news)
    profile_opt_out(profile=found["0104"], source=OptOutSource.STOP_WORD)
    return found


def _outcomes(result):
    return [(r.line_no, r.outcome) for r in result.rows]


def test_a_messy_file_gives_every_row_its_exact_outcome(company, people):
    result = bulk_opt_out_apply(company_id=company.pk, source=(FIXTURES / "messy.csv").read_bytes())
    assert _outcomes(result) == [
        (2, Outcome.OPTED_OUT),
        (4, Outcome.OPTED_OUT),
        (5, Outcome.OPTED_OUT),  # Excel's 1.2025550103E10
        (6, Outcome.DUPLICATE),
        (7, Outcome.INVALID),
        (8, Outcome.INVALID),
        (9, Outcome.NO_PROFILE),
        (10, Outcome.ALREADY),
        (12, Outcome.OPTED_OUT),
    ]
    details = {r.line_no: r.detail for r in result.rows}
    assert details[6] == "same number as line 2"
    assert details[7] == "Invalid phone number"
    assert details[8] == "Not a phone number"
    for suffix in ("0101", "0102", "0103", "0105"):
        profile = people[suffix]
        profile.refresh_from_db()
        assert profile.standing.opted_out_globally
        assert profile.standing.opted_out_source == OptOutSource.MANUAL
        assert profile.standing.status == ProfileStatus.UNDELIVERABLE
        assert profile.standing.status_description == OptOutSource.MANUAL
        assert not profile.subscriptions.filter(status="Active").exists()
        assert ActivityEvent.objects.filter(profile=profile, kind="opted_out").exists()


def test_running_the_same_file_twice_changes_nothing_the_second_time(company, people):
    source = (FIXTURES / "messy.csv").read_bytes()
    bulk_opt_out_apply(company_id=company.pk, source=source)
    events = ActivityEvent.objects.count()
    stamps = list(Subscription.objects.order_by("pk").values_list("opted_out_at", flat=True))
    again = bulk_opt_out_apply(company_id=company.pk, source=source)
    assert again.count(Outcome.OPTED_OUT) == 0
    assert again.count(Outcome.ALREADY) == 5
    assert ActivityEvent.objects.count() == events
    assert (
        list(Subscription.objects.order_by("pk").values_list("opted_out_at", flat=True)) == stamps
    )


def test_one_campaign_opt_out_leaves_the_other_campaigns(company, people, alerts, news):
    result = bulk_opt_out_apply(
        company_id=company.pk, source=(FIXTURES / "semicolon.csv").read_bytes(), campaign=alerts
    )
    assert [r.outcome for r in result.rows] == [Outcome.OPTED_OUT, Outcome.OPTED_OUT]
    dee = people["0105"]
    assert not dee.subscriptions.filter(campaign=news, status="Opted-Out").exists()
    ann = people["0101"]
    ann.refresh_from_db()
    assert not ann.standing.opted_out_globally
    assert ann.subscriptions.get(campaign=alerts).opt_out_source == OptOutSource.MANUAL
    assert ann.standing.status == ProfileStatus.OPTED_OUT
    assert ann.standing.status_description == OptOutSource.MANUAL
    dee.refresh_from_db()
    assert dee.standing.status == ProfileStatus.ACTIVE  # still subscribed to News


def test_another_companys_numbers_are_never_touched(company, other_company, people):
    outsider = make_profile(other_company, "+12025550101")
    make_subscription(outsider, make_campaign(other_company, "Theirs"))
    bulk_opt_out_apply(company_id=company.pk, source=b"phone\n2025550101\n")
    outsider.refresh_from_db()
    assert not outsider.standing.opted_out_globally
    assert outsider.subscriptions.get().status == "Active"


def test_a_headerless_list_and_other_delimiters_are_read():
    rows = list(parse_phone_csv((FIXTURES / "headerless.csv").read_bytes()))
    assert [(r.line_no, r.phone.e164) for r in rows] == [(1, "+12025550101"), (2, "+12025550102")]
    rows = list(parse_phone_csv((FIXTURES / "semicolon.csv").read_bytes()))
    assert [r.phone.e164 for r in rows] == ["+12025550102", "+12025550101"]


def test_a_file_without_a_phone_column_or_not_csv_is_refused():
    with pytest.raises(CsvError, match="column named phone"):
        list(parse_phone_csv((FIXTURES / "no_phone_column.csv").read_bytes()))
    with pytest.raises(CsvError, match="not a CSV"):
        list(parse_phone_csv(b"PK\x03\x04\x14\x00\x06\x00 xlsx bytes"))


def test_the_parser_marks_duplicates_by_number_not_by_spelling():
    rows = list(parse_phone_csv("phone\n+1 202 555 0101\n(202) 555-0101\n"))
    assert [r.duplicate_of for r in rows] == [None, 2]


def test_an_admin_uploads_a_file_and_gets_counts_and_a_results_csv(
    client_as, alice, company, people, django_capture_on_commit_callbacks
):
    client = client_as(alice)
    upload = SimpleUploadedFile("list.csv", (FIXTURES / "messy.csv").read_bytes(), "text/csv")
    asked = client.post(reverse("inbox:bulk_opt_out"), {"file": upload, "numbers": "phone\n"})
    bulk = BulkOptOut.objects.get()
    assert asked.url == reverse("inbox:bulk_opt_out_confirm", args=[bulk.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(asked.url, {"confirmed": "1"})
    bulk = BulkOptOut.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("inbox:bulk_opt_out_detail", args=[bulk.pk])
    assert (bulk.status, bulk.total_rows, bulk.opted_out_count, bulk.already_opted_out_count,
            bulk.no_profile_count, bulk.invalid_count, bulk.duplicate_count) == (
        "done", 9, 4, 1, 1, 2, 1)  # fmt: skip
    page = client.get(response.url)
    assert b"Download per-row outcomes" in page.content
    download = client.get(reverse("inbox:bulk_opt_out_results", args=[bulk.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["line", "phone", "phone_number", "outcome", "detail"]
    assert rows[1] == ["2", "'+1 (202) 555-0101", "12025550101", "opted out", "all campaigns"]


def test_pasted_numbers_opt_out_of_the_chosen_campaign(
    client_as, alice, company, people, alerts, django_capture_on_commit_callbacks
):
    asked = client_as(alice).post(
        reverse("inbox:bulk_opt_out"),
        {"campaign": alerts.pk, "numbers": "phone\n202-555-0102\n"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_as(alice).post(asked.url, {"confirmed": "1"})
    bulk = BulkOptOut.objects.get()
    assert (bulk.campaign, bulk.opted_out_count) == (alerts, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.xlsx", b"PK\x03\x04 spreadsheet", "This file is not a CSV"),
        ("list.csv", b"PK\x03\x04 spreadsheet saved with the wrong name", "This file is not a CSV"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "This file is not a CSV"),
        ("list.csv", b"name,email\nAnn,a@b.c\n", "column named phone"),
    ],
)
def test_files_that_are_not_csv_are_refused_clearly(client_as, alice, name, content, message):
    response = client_as(alice).post(
        reverse("inbox:bulk_opt_out"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BulkOptOut.objects.exists()


def test_an_oversized_file_is_refused(client_as, alice, settings):
    settings.MAX_UPLOAD_BYTES = 10
    response = client_as(alice).post(
        reverse("inbox:bulk_opt_out"),
        {"file": SimpleUploadedFile("list.csv", b"phone\n2025550101\n")},
    )
    assert "larger than" in response.content.decode()


@pytest.mark.parametrize("user", ["bob", "charlie", "dana"])
def test_only_admins_may_bulk_opt_out(client_as, request, user):
    client = client_as(request.getfixturevalue(user))
    assert client.get(reverse("inbox:bulk_opt_out")).status_code == 403
    response = client.post(reverse("inbox:bulk_opt_out"), {"numbers": "phone\n2025550101"})
    assert response.status_code == 403
    assert not BulkOptOut.objects.exists()


def test_another_companys_list_is_not_found(client_as, eve, alice, company):
    bulk = BulkOptOut.objects.create(company=company, source_name="x")
    assert (
        client_as(eve).get(reverse("inbox:bulk_opt_out_detail", args=[bulk.pk])).status_code == 404
    )
