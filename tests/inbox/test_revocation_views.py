"""The Opt-out review queue and the revocation report: roles, tenancy, decisions, numbers."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.services_subscriptions import profile_opt_out
from messaging.bounces import CARRIER_ORIGIN
from messaging.business_days import business_days_after
from messaging.models import FreeTextRevocation
from messaging.revocation_services import revocation_opt_out, revocations_enforce
from profiles.models import OptOutSource
from tests.factories import make_campaign, make_profile, make_subscription, receive_text

pytestmark = pytest.mark.django_db

QUEUE = "inbox:opt_out_review"
REPORT = "inbox:revocation_report"
CSV = "inbox:revocation_report_csv"
Status = FreeTextRevocation.Status


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts")


def _person(company, campaign, phone):
    profile = make_profile(company, phone)
    make_subscription(profile, campaign)
    return profile


@pytest.fixture
def waiting(company, campaign):
    """Two probable revocations: one received today, one old enough to be escalated."""
    _person(company, campaign, "+12025550301")
    _person(company, campaign, "+12025550302")
    receive_text(company, "+12025550301", "why do you keep texting me")
    receive_text(
        company, "+12025550302", "who is this? stop", received_at=timezone.now() - timedelta(days=1)
    )
    # The older one is near its due date: it escalates today, whatever today is.
    today = timezone.localtime(timezone.now(), company.zone).date()
    FreeTextRevocation.objects.filter(message__body__startswith="who").update(
        escalate_on=today, due_date=business_days_after(today, 2)
    )
    revocations_enforce()
    return list(FreeTextRevocation.objects.order_by("received_at"))


def _decide(client, item, decision):
    return client.post(
        reverse("inbox:opt_out_review_decide", args=[item.pk]), {"decision": decision}
    )


def test_an_agent_sees_the_queue_escalated_first_with_the_day_to_honour_by(client_as, bob, waiting):
    old, new = waiting
    assert old.escalated_at is not None and new.escalated_at is None
    page = client_as(bob).get(reverse(QUEUE)).content.decode()
    assert page.index("who is this? stop") < page.index("why do you keep texting me")
    assert "Escalated" in page and 'id="escalated-notice"' in page
    assert f"Honour by <strong>{new.due_date:%a} {new.due_date.day} {new.due_date:%b %Y}" in page
    # The navigation names the queue with its count and the escalation.
    assert "Opt-out review" in page and "1 escalated" in page


def test_the_navigation_count_shows_on_other_pages_for_agents_and_admins(
    client_as, bob, alice, charlie, waiting
):
    for user in (bob, alice):
        page = client_as(user).get(reverse("inbox:index")).content.decode()
        assert '2<span class="sr-only"> waiting</span>' in page
        assert "1 escalated" in page
    assert "Opt-out review" not in client_as(charlie).get(reverse("inbox:index")).content.decode()


@pytest.mark.parametrize("role", ["charlie", "dana"])
def test_readers_and_analysts_cannot_open_or_decide_the_queue(client_as, request, role, waiting):
    client = client_as(request.getfixturevalue(role))
    assert client.get(reverse(QUEUE)).status_code == 403
    assert _decide(client, waiting[0], "opt_out").status_code == 403
    assert not FreeTextRevocation.objects.exclude(status=Status.PENDING).exists()


def test_opt_out_opts_the_number_out_through_the_opt_out_service(client_as, bob, waiting):
    item = waiting[1]
    response = _decide(client_as(bob), item, "opt_out")
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.decided_by) == (Status.OPTED_OUT, bob)
    item.profile.refresh_from_db()
    assert item.profile.standing.opted_out_globally
    assert item.profile.standing.opted_out_source == OptOutSource.FREE_TEXT
    event = item.profile.activity.get(kind="opted_out")
    assert event.actor == bob and event.origin == "opt_out_review"
    page = client_as(bob).get(reverse(QUEUE)).content.decode()
    assert "Recently decided" in page and "Bob" in page


def test_not_a_revocation_is_recorded_with_who_and_leaves_the_number_subscribed(
    client_as, bob, waiting
):
    item = waiting[0]
    _decide(client_as(bob), item, "not_revocation")
    item.refresh_from_db()
    assert (item.status, item.decided_by) == (Status.NOT_REVOCATION, bob)
    assert item.decided_at is not None
    item.profile.refresh_from_db()
    assert not item.profile.standing.opted_out_globally
    assert item.profile.subscriptions.filter(status="Active").exists()
    event = item.profile.activity.get(kind="not_revocation")
    assert event.actor == bob and item.message.body in event.description
    # Decided once: a second click (another agent) changes nothing.
    page = client_as(bob).post(
        reverse("inbox:opt_out_review_decide", args=[item.pk]), {"decision": "opt_out"}, follow=True
    )
    assert "already decided" in page.content.decode()
    item.refresh_from_db()
    assert item.status == Status.NOT_REVOCATION


def test_another_companys_admin_sees_none_of_the_queue_and_cannot_decide(client_as, eve, waiting):
    client = client_as(eve)
    page = client.get(reverse(QUEUE)).content.decode()
    assert "keep texting" not in page and 'id="review-empty"' in page
    assert _decide(client, waiting[0], "opt_out").status_code == 404
    assert FreeTextRevocation.objects.filter(status=Status.PENDING).count() == 2
    report = client.get(reverse(REPORT)).content.decode()
    assert "<strong>0</strong> honoured" in report


def test_the_report_lists_revocations_by_channel_with_their_times(
    client_as, charlie, dana, alice, company, campaign
):
    for n, body in enumerate(["STOP", "please stop texting me", "I don't want these"]):
        _person(company, campaign, f"+1202555040{n}")
        receive_text(company, f"+1202555040{n}", body)
    for n, (source, origin) in enumerate(
        [(OptOutSource.API, "api"), (OptOutSource.STOP_WORD, CARRIER_ORIGIN)]
    ):
        profile = _person(company, campaign, f"+1202555041{n}")
        profile_opt_out(profile=profile, source=source, origin=origin)
    review = FreeTextRevocation.objects.get(kind="probable")
    FreeTextRevocation.objects.filter(pk=review.pk).update(
        received_at=review.received_at - timedelta(hours=5)
    )
    revocation_opt_out(company=company, pk=review.pk, user=alice)
    page = client_as(charlie).get(reverse(REPORT)).content.decode()
    assert "<strong>5</strong> honoured" in page
    assert '<strong class="">0</strong> past the deadline' in page
    assert "Save as CSV" not in page  # a Staff reader cannot export
    response = client_as(dana).get(reverse(CSV))
    assert response.status_code == 200
    rows = {r["channel"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["Keyword STOP"]["honoured"] == "1"
    assert rows["Free text (clear)"]["honoured"] == "1"
    assert rows["Opt-out review"]["honoured"] == "1"
    assert 5 * 3600 <= int(rows["Opt-out review"]["max_seconds"]) < 5 * 3600 + 120
    assert rows["API"]["honoured"] == "1" and rows["Carrier opt-out"]["honoured"] == "1"
    assert rows["Manual opt-out"]["honoured"] == "0"
    assert all(r["past_deadline"] == "0" for r in rows.values())
    assert client_as(charlie).get(reverse(CSV)).status_code == 403


def test_the_report_counts_an_item_waiting_past_its_due_date(client_as, charlie, company, campaign):
    _person(company, campaign, "+12025550420")
    receive_text(company, "+12025550420", "not interested", received_at=timezone.now())
    FreeTextRevocation.objects.update(
        due_date=timezone.localtime(timezone.now(), company.zone).date() - timedelta(days=1)
    )
    page = client_as(charlie).get(reverse(REPORT)).content.decode()
    assert '<strong class="text-danger">1</strong> past the deadline' in page


def test_the_report_takes_a_date_range_and_refuses_a_reversed_one(client_as, charlie, company):
    client = client_as(charlie)
    page = client.get(reverse(REPORT), {"start": "2026-01-01", "end": "2026-01-31"}).content
    assert b"1 Jan 2026 to 31 Jan 2026" in page
    page = client.get(reverse(REPORT), {"start": "2026-02-01", "end": "2026-01-01"}).content
    assert b"The start date is after the end date." in page


def test_the_queue_and_report_need_a_sign_in(client, waiting):
    for name in (QUEUE, REPORT):
        assert client.get(reverse(name)).status_code == 302
