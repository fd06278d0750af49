"""The profiles table page: columns, sort, pages, counts, roles and company walls."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from profiles import pagination
from profiles.models import Profile
from profiles.pagination import profile_page
from profiles.selectors import profile_list
from tests.factories import make_profile
from tests.profiles.table_fixtures import make_table_profiles

LIST = "/profiles/"


@pytest.fixture
def world(company, other_company):
    make_table_profiles(other_company)
    return make_table_profiles(company)


def phones_in(html: str) -> list[str]:
    return re.findall(r'class="profile-phone" href="/profiles/(\d+)/"', html)


def test_the_url_names_are_the_ones_the_sidebar_and_reports_use(db):
    assert reverse("profiles:list") == LIST
    assert reverse("profiles:campaign_profiles", args=[4]) == "/profiles/campaign/4/"
    assert reverse("profiles:broadcast_profiles", args=[4]) == "/profiles/broadcast/4/"
    assert reverse("profiles:opt_in_path_profiles", args=[4]) == "/profiles/opt-in-path/4/"


def test_the_table_shows_the_seed_columns_newest_first(world, company, charlie, client_as):
    html = client_as(charlie).get(LIST).content.decode()
    for header in (
        "User",
        "Subscription status",
        "Address",
        "First seen type",
        "First seen date",
        "CRM match",
    ):
        assert f">{header}<" in html or f"{header}\n" in html or header in html
    expected = Profile.objects.for_company(company).order_by("-created_at", "-id")
    assert phones_in(html) == [str(p.pk) for p in expected]
    assert "Salesforce" in html and "Last sync Jan 1, 2024" in html
    assert "Texted a STOP word" in html
    assert "Cleaned status" not in html


def test_the_first_seen_date_header_toggles_the_sort(world, company, charlie, client_as):
    client = client_as(charlie)
    html = client.get(LIST).content.decode()
    assert "sort=created_at" in html  # the header offers ascending next
    ascending = client.get(LIST, {"sort": "created_at"}).content.decode()
    expected = Profile.objects.for_company(company).order_by("created_at", "id")
    assert phones_in(ascending) == [str(p.pk) for p in expected]
    assert "sort=-created_at" in ascending


def test_pages_rows_per_page_and_jumping_keep_search_and_filters(
    world, company, charlie, client_as
):
    for i in range(60):
        make_profile(company, first_name=f"Quinn{i}")
    client = client_as(charlie)
    wanted = list(profile_list(company=company, params={"q": "quinn"}).values_list("pk", flat=True))
    first = client.get(LIST, {"q": "quinn", "per_page": 25}).content.decode()
    assert phones_in(first) == [str(pk) for pk in wanted[:25]]
    assert "?q=quinn&amp;per_page=25&amp;page=2" in first  # Next keeps the search
    third = client.get(LIST, {"q": "quinn", "per_page": 25, "page": 3}).content.decode()
    assert phones_in(third) == [str(pk) for pk in wanted[50:]]
    assert "51–60 of 60" in third
    # The page field jumps: its form carries the search and rows-per-page along.
    assert '<input type="hidden" name="q" value="quinn">' in third
    assert 'name="page" min="1" value="3"' in third
    beyond = client.get(LIST, {"q": "quinn", "per_page": 25, "page": 99}).content.decode()
    assert phones_in(beyond) == [str(pk) for pk in wanted[50:]]  # clamped to the last
    fifty = client.get(LIST, {"q": "quinn", "per_page": 50}).content.decode()
    assert len(phones_in(fifty)) == 50


def test_the_filter_indicator_counts_and_lists_the_applied_filters(
    world, company, charlie, client_as
):
    html = (
        client_as(charlie)
        .get(
            LIST,
            {"subscription_status": "opted_out", "first_seen_type": ["keyword", "crm", "donated"]},
        )
        .content.decode()
    )
    assert 'id="filter-count">2<' in html
    assert "Subscription Status: Opted out" in html
    assert "First seen type: Donated, CRM" in html  # an unknown option is dropped
    assert phones_in(html) == []  # nobody opted out of a campaign came from CRM or a gift


def test_an_unfiltered_list_shows_an_estimate_never_a_full_count(
    world, company, charlie, client_as, monkeypatch
):
    monkeypatch.setattr(pagination, "estimated_count", lambda qs: 1_000_000)
    monkeypatch.setattr(
        pagination, "capped_count", lambda *a, **k: pytest.fail("counted the whole table")
    )
    html = client_as(charlie).get(LIST, {"page": 20000}).content.decode()
    assert "about 1,000,000" in html
    assert "past the end of the list" in html  # the estimate was generous


def test_a_filtered_count_stops_at_the_cap(company, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    for i in range(30):
        make_profile(company, first_name=f"Sam{i}")
    queryset = profile_list(company=company, params={"q": "sam"})
    first = profile_page(queryset, number=1, per_page=25, filtered=True)
    assert first.total_label == "5+" and first.has_next and len(first.rows) == 25
    # On the last page the true total is known, and shown.
    last = profile_page(queryset, number=2, per_page=25, filtered=True)
    assert last.total_label == "30" and not last.has_next and len(last.rows) == 5


def test_the_estimate_comes_from_the_planner(company, other_company):
    for i in range(120):
        make_profile(company if i % 4 else other_company, first_name=f"Est{i}")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Profile._meta.db_table}")
    # Fresh statistics: the planner knows 90 of the 120 rows are this company's.
    estimate = pagination.estimated_count(Profile.objects.for_company(company))
    assert 60 <= estimate <= 120
    other = pagination.estimated_count(Profile.objects.for_company(other_company))
    assert 15 <= other <= 45


def test_chat_is_offered_only_to_roles_that_may_chat(world, bob, charlie, client_as):
    assert ">CHAT<" in client_as(bob).get(LIST).content.decode()
    assert ">CHAT<" not in client_as(charlie).get(LIST).content.decode()
    profile = world.profiles["active"]
    assert f'href="/inbox/chat/{profile.pk}/"' in client_as(bob).get(LIST).content.decode()


def test_no_page_shows_another_companys_profiles(world, company, other_company, eve, client_as):
    html = client_as(eve).get(LIST).content.decode()
    theirs = {
        str(pk) for pk in Profile.objects.for_company(other_company).values_list("pk", flat=True)
    }
    assert set(phones_in(html)) == theirs
    campaign_url = reverse("profiles:campaign_profiles", args=[world.campaign.pk])
    assert client_as(eve).get(campaign_url).status_code == 404
    path_url = reverse("profiles:opt_in_path_profiles", args=[world.opt_in_path.pk])
    assert client_as(eve).get(path_url).status_code == 404


def test_a_campaign_table_adds_cleaned_status_and_the_profile_status_filter(
    world, charlie, client_as
):
    url = reverse("profiles:campaign_profiles", args=[world.campaign.pk])
    html = client_as(charlie).get(url).content.decode()
    assert "Cleaned status" in html and "Profile Status" in html
    assert ">Cleaned</span>" in html
    cleaned = client_as(charlie).get(url, {"profile_status": "cleaned"}).content.decode()
    assert phones_in(cleaned) == [str(world.profiles["hard_bounce"].pk)]
    assert "Action Alerts" in html
    assert 'name="scope_kind" value="campaign"' not in html  # staff: no Save as CSV


def test_the_list_requires_a_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response.url
