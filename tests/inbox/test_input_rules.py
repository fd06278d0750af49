"""Chat, replies and bulk opt-out refuse what cannot be sent or stored, with a clear error.

The chat box and the Response form go through the one body rule (segment limit,
control characters) and send nothing past it; a NUL in an uploaded CSV is one
invalid row among the others, never a server error.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Subscription
from inbox.bulk import Outcome, bulk_opt_out_apply
from inbox.models import BulkOptOut
from messaging.gateways import FakeGateway
from messaging.models import Message
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db

REFUSED_BODIES = [
    pytest.param("x" * 2000, "This message is 14 segments long; at most 10 segments", id="2000"),
    pytest.param("ж" * 671, "This message is 11 segments long; at most 10 segments", id="ucs-2"),
    pytest.param("On my way\x00", "The message contains a NUL byte", id="nul"),
    pytest.param("On my \x07way", "The message contains the control character U+0007", id="bell"),
]


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Rally Alerts")


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, "+12025550181", first_name="Sam")
    make_subscription(profile, campaign)
    return profile


@pytest.fixture(autouse=True)
def outbox():
    FakeGateway.clear()
    yield FakeGateway
    FakeGateway.clear()


def _mts():
    return Message.objects.filter(direction=Message.Direction.MT)


@pytest.mark.parametrize(("body", "error"), REFUSED_BODIES)
def test_the_chat_box_refuses_a_message_past_the_limit_and_sends_nothing(
    client_as, bob, subscriber, outbox, django_capture_on_commit_callbacks, body, error
):
    url = reverse("inbox:chat_send", args=[subscriber.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(bob).post(url, {"body": body}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert error in response.content.decode()
    assert "HX-Trigger" not in response  # the typed text stays in the box
    assert not _mts().exists()
    assert outbox.sent_count == 0


def test_the_chat_box_sends_ten_segments(client_as, bob, subscriber):
    url = reverse("inbox:chat_send", args=[subscriber.pk])
    response = client_as(bob).post(url, {"body": "x" * 1530}, HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "chat-sent"
    assert _mts().get().segments == 10


def test_the_chat_box_shows_the_limit_to_its_counter(client_as, bob, subscriber):
    page = client_as(bob).get(reverse("inbox:chat", args=[subscriber.pk]))
    assert 'data-max-segments="10"' in page.content.decode()


@pytest.mark.parametrize(("body", "error"), REFUSED_BODIES)
def test_the_response_form_refuses_a_message_past_the_limit_and_sends_nothing(
    client_as, bob, company, campaign, subscriber, body, error
):
    incoming = Message.objects.create(
        company=company,
        profile=subscriber,
        phone_number=subscriber.phone_number,
        direction=Message.Direction.MO,
        body="When is the rally?",
        campaign=campaign,
    )
    url = reverse("inbox:respond", args=[incoming.pk])
    response = client_as(bob).post(url, {"body": body})
    html = response.content.decode()
    assert error in html
    assert 'data-max-segments="10"' in html
    assert not _mts().exists()


# --- Bulk opt-out ---------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x07"])
def test_a_control_character_in_a_csv_cell_is_an_invalid_row_and_the_rest_is_applied(
    company, campaign, char
):
    first = make_profile(company, "+12025550101")
    second = make_profile(company, "+12025550102")
    for profile in (first, second):
        make_subscription(profile, campaign)
    source = f"phone\n202-555-0101\n202-555{char}-0102\n".encode()
    result = bulk_opt_out_apply(company_id=company.pk, source=source)
    rows = {r.line_no: r for r in result.rows}
    assert rows[2].outcome == Outcome.OPTED_OUT
    assert rows[3].outcome == Outcome.INVALID
    assert rows[3].detail.startswith("The cell contains")
    assert Subscription.objects.get(profile=first).status == Subscription.Status.OPTED_OUT
    assert Subscription.objects.get(profile=second).status == Subscription.Status.ACTIVE


def test_an_uploaded_csv_with_a_nul_byte_gets_per_row_outcomes_not_an_error(
    client_as, alice, company, campaign, django_capture_on_commit_callbacks
):
    profile = make_profile(company, "+12025550101")
    make_subscription(profile, campaign)
    upload = SimpleUploadedFile("list.csv", b"phone\n202-555-0101\n202-555\x00-0102\n", "text/csv")
    client = client_as(alice)
    response = client.post(reverse("inbox:bulk_opt_out"), {"file": upload, "numbers": ""})
    assert response.status_code == 302
    assert "Opt 2 numbers out of" in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"confirmed": "1"})
    bulk = BulkOptOut.objects.get()
    assert (bulk.status, bulk.opted_out_count, bulk.invalid_count) == ("done", 1, 1)
    download = client.get(reverse("inbox:bulk_opt_out_results", args=[bulk.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[2][0] == "3" and rows[2][3] == Outcome.INVALID
    assert rows[2][4] == "The cell contains a NUL byte"
    assert rows[2][1] == "202-555\\x00-0102"


def test_pasted_numbers_with_a_control_character_are_refused_by_the_form(
    client_as, alice, company, campaign
):
    response = client_as(alice).post(
        reverse("inbox:bulk_opt_out"), {"numbers": "phone\n202-555-0101\x07\n"}
    )
    assert response.status_code == 200
    assert "not allowed" in response.content.decode()
    assert not BulkOptOut.objects.exists()
