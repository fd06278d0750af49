"""The Home page and a broadcast's report: what each role sees, for which company, and
that the page reads the aggregates, never the messages table."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Broadcast
from messaging.models import Message
from reports.rollup import dashboard_backfill, local_today
from tests.factories import make_campaign, make_profile, make_subscription, make_user, receive_text

from .dashboard_builders import ZONE, local, mo, mt, sql_broadcast

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def program(company):
    company.time_zone = ZONE
    company.save()
    today = local_today(company)
    campaign = make_campaign(company, "Alerts")
    people = [make_profile(company) for _ in range(6)]
    for i, person in enumerate(people):
        make_subscription(
            person, campaign, activated_at=local(today - dt.timedelta(days=i * 10), 9)
        )
    # Two opt-outs, 3 and 40 days ago.
    for days in (3, 40):
        make_subscription(
            make_profile(company),
            campaign,
            status="Opted-Out",
            activated_at=local(today - dt.timedelta(days=100), 9),
            opted_out_at=local(today - dt.timedelta(days=days), 9),
        )
    for days in (1, 20, 60):
        at = local(today - dt.timedelta(days=days), 10)
        mt(company, people[0], at, delivered_at=at)
        mt(
            company,
            people[1],
            at,
            status=Message.Status.FAILED,
            error_code="30007",
            status_reason="Carrier filtered",
        )
        mo(company, people[2], at)
    return {"today": today, "campaign": campaign, "people": people}


@pytest.fixture
def sent_broadcast(company, program):
    """A broadcast to four subscribers: three delivered, one failed; one replied and
    another texted STOP, through the inbound path that keeps the counters."""
    broadcast = Broadcast.objects.create(
        company=company,
        campaign=program["campaign"],
        name="Polls open",
        body="Polls open at 7",
        status=Broadcast.Status.SENT,
    )
    now = local(program["today"], 0, 30)
    for i, person in enumerate(program["people"][2:6]):
        mt(
            company,
            person,
            now,
            broadcast=broadcast,
            campaign=program["campaign"],
            delivered_at=now if i < 3 else None,
            status=Message.Status.SENT if i < 3 else Message.Status.FAILED,
        )
    receive_text(company, program["people"][2].phone_number, "See you there")
    receive_text(company, program["people"][3].phone_number, "STOP")
    broadcast.refresh_from_db()
    return broadcast


def test_home_shows_the_period_s_figures_from_the_aggregates(company, alice, client_as, program):
    dashboard_backfill(company=company, first=program["today"] - dt.timedelta(days=120))
    client = client_as(alice)

    week = _text(client.get("/?days=7"))
    assert 'id="stat-sent">2<' in week  # the texts of yesterday
    assert "1 delivered (50.0%)" in week
    assert 'id="stat-replies">1<' in week
    assert 'id="stat-net">0<' in week  # one opt-in today, one opt-out 3 days ago
    assert "Carrier filtered" in week

    quarter = _text(client.get("/?days=90"))
    assert 'id="stat-sent">6<' in quarter
    assert "3 delivered (50.0%)" in quarter
    assert 'id="stat-net">+4<' in quarter  # six opt-ins in 90 days, two opt-outs
    assert "6 opt-ins, 2 opt-outs" in quarter
    assert 'aria-current="page">90 days' in quarter


def test_an_unknown_period_is_thirty_days(alice, client_as, program):
    page = _text(client_as(alice).get("/?days=1000"))
    assert 'aria-current="page">30 days' in page


def test_reading_the_home_page_never_touches_the_messages_table(
    company, alice, client_as, program, sent_broadcast
):
    dashboard_backfill(company=company, first=program["today"] - dt.timedelta(days=90))
    client = client_as(alice)
    client.get("/")  # sessions, caches warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?days=90")
    assert response.status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "reports_companyday" in tables
    assert "messaging_message" not in tables
    # Sign-in (3); the page's own reads: days, roll-up time, failures, broadcasts, their
    # aggregates, their clicks, the inbox's waiting count; the layout's company switcher
    # and the navigation's two counts (unread conversations, opt-out review).
    assert len(queries.captured_queries) <= 14


def test_the_latest_broadcasts_show_their_funnel(
    company, alice, client_as, program, sent_broadcast
):
    dashboard_backfill(company=company, first=program["today"] - dt.timedelta(days=2))
    page = _text(client_as(alice).get("/"))
    row = re.search(rf'<tr data-broadcast="{sent_broadcast.pk}">(.*?)</tr>', page).group(1)
    cells = re.findall(r'<td class="num">(\d+)', row)
    expected = sql_broadcast(sent_broadcast.pk)
    assert cells == ["4", "3", "2", "1"]
    assert [int(c) for c in cells[:3]] == [
        expected["recipients"],
        expected["delivered"],
        expected["replies"],
    ]
    assert sent_broadcast.opt_outs_count == 1
    # Sent without tracked links: a dash, not a made-up zero.
    assert "No tracked links" in row and "data-clicks-total" not in row
    assert reverse("broadcast_report", args=[sent_broadcast.pk]) in page


def test_the_broadcast_report_shows_the_funnel_equal_to_sql(
    company, charlie, client_as, program, sent_broadcast
):
    dashboard_backfill(company=company, first=program["today"] - dt.timedelta(days=2))
    page = _text(client_as(charlie).get(reverse("broadcast_report", args=[sent_broadcast.pk])))
    expected = sql_broadcast(sent_broadcast.pk)
    assert f'id="funnel-recipients">{expected["recipients"]}<' in page
    assert f'id="funnel-delivered">{expected["delivered"]}<' in page
    assert f'id="funnel-replies">{expected["replies"]}<' in page
    assert 'id="funnel-opt-outs">1<' in page
    assert f'id="report-failed">{expected["failed"]}<' in page
    assert "75.0%" in page  # delivered of recipients
    assert '<title id="funnel-title">' in page


def test_the_broadcast_page_links_its_report(company, alice, client_as, sent_broadcast):
    page = client_as(alice).get(reverse("campaigns:broadcast_detail", args=[sent_broadcast.pk]))
    assert reverse("broadcast_report", args=[sent_broadcast.pk]) in page.content.decode()


def test_a_draft_has_no_report(company, alice, client_as, program):
    draft = Broadcast.objects.create(
        company=company, campaign=program["campaign"], name="Draft", body="Hi"
    )
    assert client_as(alice).get(reverse("broadcast_report", args=[draft.pk])).status_code == 404


def test_another_company_s_broadcast_report_is_not_found(eve, client_as, sent_broadcast):
    url = reverse("broadcast_report", args=[sent_broadcast.pk])
    assert client_as(eve).get(url).status_code == 404


def test_another_company_s_numbers_never_appear(
    company, eve, other_company, client_as, program, sent_broadcast
):
    dashboard_backfill(company=company, first=program["today"] - dt.timedelta(days=90))
    page = _text(client_as(eve).get("/?days=90"))
    assert 'id="stat-sent">0<' in page
    assert "Polls open" not in page
    assert "Carrier filtered" not in page
    assert 'id="no-broadcasts"' in page


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dana"])
def test_every_role_of_the_company_sees_home_and_reports(who, request, client_as, sent_broadcast):
    client = client_as(request.getfixturevalue(who))
    assert client.get("/").status_code == 200
    assert client.get(reverse("broadcast_report", args=[sent_broadcast.pk])).status_code == 200


def test_the_inbox_link_shows_for_roles_that_answer(company, bob, charlie, client_as, program):
    inbox = reverse("inbox:index")
    assert f'href="{inbox}">Open the inbox' in client_as(bob).get("/").content.decode()
    assert f'href="{inbox}">Open the inbox' not in client_as(charlie).get("/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, sent_broadcast):
    for url in ("/", reverse("broadcast_report", args=[sent_broadcast.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_user_of_no_company_is_refused(client_as, sent_broadcast):
    loner = make_user("loner", company=None)
    assert client_as(loner).get("/").status_code == 403
    url = reverse("broadcast_report", args=[sent_broadcast.pk])
    assert client_as(loner).get(url).status_code == 403


def test_home_says_when_nothing_was_computed_yet(alice, client_as):
    page = _text(client_as(alice).get("/"))
    assert 'id="dash-not-rolled-up"' in page
    assert 'id="stat-waiting">0<' in page and "nobody is waiting" in page


def test_home_shows_who_waits_in_the_inbox(company, alice, client_as, program):
    # Read live from the conversations that need a reply, with no roll-up run.
    page = _text(client_as(alice).get("/"))
    # people[2] texted 1, 20 and 60 days ago and nobody of ours answered.
    assert 'id="stat-waiting">1<' in page
    assert re.search(r"oldest waiting (1 month, 4 weeks|2 months)<", page)


def test_an_agents_answer_takes_the_person_out_of_the_waiting_count(company, alice, client_as):
    from inbox.conversations import conversation_reply

    person = make_profile(company, "+12125550777")
    now = timezone.now()
    mo(company, person, now - dt.timedelta(hours=2))
    page = _text(client_as(alice).get("/"))
    assert 'id="stat-waiting">1<' in page
    assert re.search(r"oldest waiting 2.hours<", page)
    answer = mt(company, person, now, sent_by=alice, message_type="direct_message")
    conversation_reply(profile=person, campaign=None, user=alice, message=answer)
    assert 'id="stat-waiting">0<' in _text(client_as(alice).get("/"))
