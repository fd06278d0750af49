"""Save as group on a filtered profiles table: a filtered group of exactly those rows."""

import re

import pytest
from django.urls import reverse

from campaigns.selectors import group_members
from profiles.models import Group
from tests.factories import make_campaign, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(company):
    riveras = [
        make_profile(company, first_name="Ana", last_name="Rivera", source_type="API"),
        make_profile(company, first_name="Luis", last_name="Rivera", source_type="API"),
        make_profile(company, first_name="Eva", last_name="Rivera", source_type="CRM"),
    ]
    make_profile(company, first_name="Sam", last_name="Lee", source_type="API")
    return riveras


def _table_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'class="profile-phone" href="/profiles/(\d+)/"', html)}


def test_saving_a_filtered_table_as_a_group_makes_a_group_of_exactly_its_rows(
    client_as, alice, company, people
):
    client = client_as(alice)
    params = {"q": "Rivera", "first_seen_type": "opted_in"}
    table = client.get(reverse("profiles:list"), params).content.decode()
    assert 'id="save-group-form"' in table
    query = re.search(r'name="query" value="([^"]*)"', table[table.index("save-group-form") :])
    assert query is not None
    response = client.post(
        reverse("campaigns:group_create"),
        {
            "kind": Group.Kind.FILTERED,
            "query": query.group(1).replace("&amp;", "&"),
            "name": "API Riveras",
        },
    )
    group = Group.objects.get(company=company, name="API Riveras")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:group_detail", args=[group.pk])
    assert group.kind == Group.Kind.FILTERED
    members = {p.pk for p in group_members(group=group)}
    assert members == _table_ids(table) == {people[0].pk, people[1].pk}


def test_a_group_saved_from_a_table_follows_later_profiles_that_match(
    client_as, alice, company, people
):
    client_as(alice).post(
        reverse("campaigns:group_create"),
        {"kind": Group.Kind.FILTERED, "query": "q=Rivera", "name": "All Riveras"},
    )
    group = Group.objects.get(name="All Riveras")
    later = make_profile(company, first_name="Rosa", last_name="Rivera")
    assert later in set(group_members(group=group))


def test_an_unfiltered_or_scoped_table_offers_no_save_as_group(client_as, alice, company, people):
    client = client_as(alice)
    assert "Save as group" not in client.get(reverse("profiles:list")).content.decode()
    campaign = make_campaign(company, "Alerts")
    scoped = client.get(reverse("profiles:campaign_profiles", args=[campaign.pk]), {"q": "Rivera"})
    assert "Save as group" not in scoped.content.decode()


@pytest.mark.parametrize("user", ["bob", "charlie", "dana"])
def test_only_those_who_manage_groups_may_save_a_table_as_a_group(client_as, people, user, request):
    client = client_as(request.getfixturevalue(user))
    table = client.get(reverse("profiles:list"), {"q": "Rivera"}).content.decode()
    assert "Save as group" not in table
    response = client.post(
        reverse("campaigns:group_create"),
        {"kind": Group.Kind.FILTERED, "query": "q=Rivera", "name": "Not mine to make"},
    )
    assert response.status_code == 403
    assert not Group.objects.filter(name="Not mine to make").exists()
