"""Clicks on a broadcast's tracked links in the Home page's broadcasts table and in the
broadcast's report: unique (people) and total, the company's own clicks only."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Broadcast
from links.models import Click, TrackedLink
from links.tokens import code_new
from reports.rollup import dashboard_backfill, local_today
from tests.factories import make_campaign, make_profile, make_subscription

from .dashboard_builders import ZONE, local, mt, rows

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _broadcast(company, name, people, *, shorten_links=True):
    campaign = make_campaign(company, f"Alerts {name}")
    broadcast = Broadcast.objects.create(
        company=company,
        campaign=campaign,
        name=name,
        body="Polls: https://vote.example/where",
        status=Broadcast.Status.SENT,
        shorten_links=shorten_links,
    )
    at = local(local_today(company), 0, 30)
    for person in people:
        make_subscription(person, campaign)
        mt(company, person, at, broadcast=broadcast, campaign=campaign, delivered_at=at)
    return broadcast


def _link(company, broadcast, url):
    return TrackedLink.objects.create(
        company=company, url=url, code=code_new(), campaign=broadcast.campaign, broadcast=broadcast
    )


def _click(link, profile, *, company=None):
    return Click.objects.create(
        company=company or link.company,
        link=link,
        profile=profile,
        click_key=uuid.uuid4(),
        token="t",
        clicked_at=timezone.now(),
    )


def _sql_clicks(company, broadcast) -> tuple[int, int]:
    ((unique, total),) = rows(
        "SELECT COUNT(DISTINCT c.profile_id), COUNT(*) FROM links_click c "
        "JOIN links_trackedlink l ON l.id = c.link_id "
        "WHERE c.company_id = %s AND l.broadcast_id = %s",
        [company.pk, broadcast.pk],
    )
    return unique, total


@pytest.fixture
def seeded(company, other_company):
    """Four recipients of 'Polls open'; three of them click (one twice on each of its
    two links, one from a forwarded text with no profile), and a click of another
    company on one of its links; another company's own broadcast with its own clicks."""
    for c in (company, other_company):
        c.time_zone = ZONE
        c.save()
    people = [make_profile(company) for _ in range(4)]
    polls = _broadcast(company, "Polls open", people)
    where, rides = (
        _link(company, polls, "https://vote.example/where"),
        _link(company, polls, "https://vote.example/rides"),
    )
    for link in (where, where, rides, rides):
        _click(link, people[0])
    _click(where, people[1])
    _click(rides, people[2])
    _click(where, None)
    _click(where, people[3], company=other_company)  # never this company's click
    quiet = _broadcast(company, "Quiet one", people[:2])
    _link(company, quiet, "https://vote.example/quiet")
    plain = _broadcast(company, "No links", people[:1], shorten_links=False)

    theirs = [make_profile(other_company) for _ in range(2)]
    their_broadcast = _broadcast(other_company, "Their polls", theirs)
    their_link = _link(other_company, their_broadcast, "https://other.example/")
    for person in theirs * 5:
        _click(their_link, person)
    for c in (company, other_company):
        dashboard_backfill(company=c, first=local_today(c) - dt.timedelta(days=2))
    return {"polls": polls, "quiet": quiet, "plain": plain, "theirs": their_broadcast}


def _row(page, broadcast):
    return re.search(rf'<tr data-broadcast="{broadcast.pk}">(.*?)</tr>', page).group(1)


def test_home_shows_each_broadcasts_unique_and_total_clicks(company, alice, client_as, seeded):
    page = _text(client_as(alice).get("/"))
    assert '<th scope="col" class="num">Clicks</th>' in page
    polls = _row(page, seeded["polls"])
    assert _sql_clicks(company, seeded["polls"]) == (3, 7)
    assert 'data-clicks-unique="3" data-clicks-total="7"' in polls
    assert "3 unique" in polls and "7 total" in polls
    quiet = _row(page, seeded["quiet"])
    assert 'data-clicks-unique="0" data-clicks-total="0"' in quiet
    plain = _row(page, seeded["plain"])
    assert "data-clicks-unique" not in plain and "No tracked links" in plain
    assert "Their polls" not in page


def test_the_broadcast_report_shows_unique_and_total_clicks(company, charlie, client_as, seeded):
    url = reverse("broadcast_report", args=[seeded["polls"].pk])
    page = _text(client_as(charlie).get(url))
    assert 'id="funnel-unique-clicks">3<' in page
    assert 'id="funnel-total-clicks">7<' in page
    assert 'id="funnel-recipients">4<' in page
    assert "75.0%" in page  # three of the four recipients clicked
    plain = reverse("broadcast_report", args=[seeded["plain"].pk])
    page = _text(client_as(charlie).get(plain))
    assert "No tracked links in this broadcast" in page
    assert "funnel-total-clicks" not in page


def test_another_companys_clicks_are_its_own(company, other_company, eve, client_as, seeded):
    page = _text(client_as(eve).get("/"))
    assert "Polls open" not in page
    assert 'data-clicks-unique="2" data-clicks-total="10"' in _row(page, seeded["theirs"])
    report = reverse("broadcast_report", args=[seeded["theirs"].pk])
    assert 'id="funnel-total-clicks">10<' in _text(client_as(eve).get(report))
    mine = reverse("broadcast_report", args=[seeded["polls"].pk])
    assert client_as(eve).get(mine).status_code == 404


def test_the_clicks_are_one_grouped_read_of_the_clicks_table(alice, client_as, seeded):
    client = client_as(alice)
    client.get("/")  # sessions, caches warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    reads = [q for q in sql if "links_click" in q]
    assert len(reads) == 1 and "GROUP BY" in reads[0]
    assert not any("messaging_message" in q for q in sql)
