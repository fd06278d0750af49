"""What each list page asks the database, counted (never timed; `make bench` times them).

A page's queries must not grow with its rows (no query per row, per cell or per
template a row renders), the signed-in frame is one query for the session, one for the
user and one for every membership, and a list that fits on its first page is never
counted.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Company, Membership
from campaigns.broadcasts import broadcast_create
from campaigns.groups import group_create
from profiles.models import OptOutSource, ProfileStatus
from reports.models import Export
from tests.factories import (
    make_campaign,
    make_profile,
    make_subscription,
    receive_text,
)

FRAME = 3  # the session, the user, the user's memberships with their companies
FRAME_TABLES = ("django_session", "auth_user", "profiles_membership")
# The navigation's counts beside Inbox and Opt-out review, on every page.
NAV_COUNTS = ("inbox_inboxconversation", "messaging_freetextrevocation")


def _signed_in(client):
    # The first page of a visit stores the current company in the session (a write
    # that later pages skip); the counts below are of the pages after it.
    client.get(reverse("reports:index"))
    return client


def _queries(client, url: str, params: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return [query["sql"] for query in captured.captured_queries]


def _profiles(company: Company, count: int, **fields) -> list:
    return [
        make_profile(company, first_name=f"Rowan{i}", last_name="Quist", **fields)
        for i in range(count)
    ]


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Action Alerts")


def _inbox_texts(company, campaign, count: int) -> None:
    for profile in _profiles(company, count):
        make_subscription(profile, campaign)
        receive_text(company, profile.phone_number, "When is the rally?")


LIST_PAGES = [
    ("profiles:list", {}),
    ("profiles:list", {"q": "quist"}),
    ("profiles:list", {"subscription_status": "undeliverable_stop", "sort": "created_at"}),
    ("profiles:list", {"page": 2}),
    ("campaigns:group_list", {}),
    ("campaigns:list", {}),
    ("campaigns:broadcast_list", {}),
    ("inbox:index", {}),
    ("inbox:messages", {}),
    ("reports:index", {}),
]


def _grow(company, campaign, user, rows: int) -> None:
    """`rows` more of everything the list pages show."""
    _profiles(
        company,
        rows,
        status=ProfileStatus.UNDELIVERABLE,
        status_description=OptOutSource.STOP_WORD,
    )
    _inbox_texts(company, campaign, rows)
    for i in range(rows):
        extra = make_campaign(company, f"Campaign {company.pk}-{campaign.pk}-{i}-{rows}")
        group_create(company=company, name=f"Group {extra.pk}")
        broadcast_create(campaign=extra, body="Rally at noon", name=f"Broadcast {extra.pk}")
        Export.objects.create(
            company=company, requested_by=user, kind="profiles", name=f"export-{extra.pk}.csv"
        )


@pytest.mark.parametrize(("name", "params"), LIST_PAGES)
def test_a_list_page_asks_the_same_queries_for_few_rows_as_for_many(
    name, params, company, campaign, alice, client_as
):
    client = _signed_in(client_as(alice))
    _grow(company, campaign, alice, 27)  # past the profiles table's first page
    few = _queries(client, reverse(name), params)
    _grow(company, campaign, alice, 6)
    many = _queries(client, reverse(name), params)
    assert len(many) == len(few), "\n".join(few) + "\n\n" + "\n".join(many)


@pytest.mark.parametrize(("name", "params"), LIST_PAGES)
def test_the_signed_in_frame_costs_three_queries_whatever_the_page(
    name, params, company, other_company, alice, client_as
):
    # A second company: the header's company switcher lists both from the same query.
    Membership.objects.create(user=alice, company=other_company, role="staff")
    queries = _queries(_signed_in(client_as(alice)), reverse(name), params)
    frame = [sql for sql in queries if any(f'FROM "{table}"' in sql for table in FRAME_TABLES)]
    assert len(frame) == FRAME, "\n".join(frame)
    assert not any('FROM "profiles_company"' in sql for sql in queries), "\n".join(queries)


def test_the_company_switcher_still_lists_every_company_of_the_user(
    company, other_company, alice, client_as
):
    Membership.objects.create(user=alice, company=other_company, role="staff")
    html = client_as(alice).get(reverse("campaigns:list")).content.decode()
    assert f'<option value="{company.pk}" selected>Acme Action</option>' in html
    assert f'<option value="{other_company.pk}" >Other Org</option>' in html


def test_a_list_that_fits_on_its_first_page_is_not_counted(company, alice, client_as):
    _profiles(company, 3)
    queries = _queries(client_as(alice), reverse("profiles:list"), {"q": "quist"})
    counts = [q for q in queries if "COUNT(" in q and not any(t in q for t in NAV_COUNTS)]
    assert not counts, "\n".join(queries)
    html = client_as(alice).get(reverse("profiles:list"), {"q": "quist"}).content.decode()
    assert "<strong>3</strong> profiles" in html
    assert "1–3 of 3" in html


def test_a_longer_filtered_list_is_still_counted(company, alice, client_as):
    _profiles(company, 30)
    queries = _queries(client_as(alice), reverse("profiles:list"), {"q": "quist"})
    assert sum("COUNT(" in q and not any(t in q for t in NAV_COUNTS) for q in queries) == 1
    html = client_as(alice).get(reverse("profiles:list"), {"q": "quist"}).content.decode()
    assert "<strong>30</strong> profiles" in html and "1–25 of 30" in html


def test_a_page_past_the_end_of_a_counted_list_shows_its_last_page(company, alice, client_as):
    _profiles(company, 30)
    html = (
        client_as(alice).get(reverse("profiles:list"), {"q": "quist", "page": 9}).content.decode()
    )
    assert "26–30 of 30" in html
    assert html.count('class="profile-phone"') == 5


def test_the_inbox_row_menu_matches_the_role(company, campaign, alice, charlie, client_as):
    _inbox_texts(company, campaign, 2)
    admin = client_as(alice).get(reverse("inbox:messages")).content.decode()
    assert admin.count('class="row-menu"') == 2
    assert admin.count('class="menu-chat">Start chat</a>') == 2
    assert admin.count('name="csrfmiddlewaretoken"') >= 2 + 1  # each opt-out form, sign out
    assert 'name="next" value="/inbox/messages/"' in admin
    staff = client_as(charlie).get(reverse("inbox:messages")).content.decode()
    assert 'class="row-menu"' not in staff and staff.count("row-view") == 2
