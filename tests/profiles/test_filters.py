"""The profiles table's search and filters return exactly the right rows."""

import pytest

from messaging.models import Message
from profiles.filters import (
    FIRST_SEEN_TYPE_CHOICES,
    FIRST_SEEN_TYPES,
    STATUS_BY_CHOICE,
    SUBSCRIPTION_STATUS_CHOICES,
    UNDELIVERABLE_REASONS,
)
from profiles.models import OptOutSource, Profile, ProfileStatus, SourceType
from profiles.selectors import ProfileScope, profile_list
from tests.factories import make_profile
from tests.profiles.table_fixtures import make_table_profiles


@pytest.fixture
def world(company, other_company):
    world = make_table_profiles(company)
    # Another company's twin of every name must never show up.
    make_table_profiles(other_company)
    return world


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_the_fixtures_cover_every_status_reason_and_first_seen_type(world, company):
    profiles = Profile.objects.for_company(company)
    assert set(profiles.values_list("standing__status", flat=True)) == set(ProfileStatus.values)
    descriptions = set(profiles.values_list("standing__status_description", flat=True))
    assert set(UNDELIVERABLE_REASONS.values()) <= descriptions
    seed_sources = {s for sources in FIRST_SEEN_TYPES.values() for s in sources}
    assert seed_sources <= set(profiles.values_list("source_type", flat=True))


@pytest.mark.parametrize("choice", [c for c, _ in SUBSCRIPTION_STATUS_CHOICES])
def test_each_subscription_status_option_returns_exactly_its_profiles(world, company, choice):
    profiles = Profile.objects.for_company(company)
    if not choice:
        expected = ids(profiles)
    elif choice in STATUS_BY_CHOICE:
        expected = {p.pk for p in profiles if p.standing.status == STATUS_BY_CHOICE[choice]}
    else:
        reason = UNDELIVERABLE_REASONS[choice]
        expected = {
            p.pk
            for p in profiles
            if p.standing.status_description == reason
            and p.standing.status in (ProfileStatus.UNDELIVERABLE, ProfileStatus.OPTED_OUT)
        }
    assert expected, f"no fixture for {choice!r}"
    got = ids(profile_list(company=company, params={"subscription_status": choice}))
    assert got == expected


def test_the_undeliverable_reasons_pick_the_right_people(world, company):
    by_reason = {
        choice: {
            p.first_name
            for p in profile_list(company=company, params={"subscription_status": choice})
        }
        for choice in UNDELIVERABLE_REASONS
    }
    assert by_reason == {
        "undeliverable_stop": {"Dev", "Mia"},
        "undeliverable_hard_bounce": {"Gus"},
        "undeliverable_profile": {"Hana"},
        "undeliverable_inbox": {"Ivo"},
        "undeliverable_deactivated": {"Jun"},
        "undeliverable_manual": {"Kai"},
        "undeliverable_blacklisted": {"Lee"},
    }


@pytest.mark.parametrize("choice", [c for c, _ in FIRST_SEEN_TYPE_CHOICES])
def test_each_first_seen_type_returns_exactly_its_profiles(world, company, choice):
    expected = {
        p.pk
        for p in Profile.objects.for_company(company)
        if p.source_type in FIRST_SEEN_TYPES[choice]
    }
    assert expected
    assert ids(profile_list(company=company, params={"first_seen_type": [choice]})) == expected


def test_several_first_seen_types_combine_as_any_of(world, company):
    got = profile_list(company=company, params={"first_seen_type": ["donated", "crm"]})
    assert {p.first_name for p in got} == {"Gus", "Eli"}


def test_opted_in_covers_keyword_web_form_and_api_sign_ups(world, company):
    got = profile_list(company=company, params={"first_seen_type": ["opted_in"]})
    assert {p.source_type for p in got} == {
        SourceType.OPTED_IN,
        SourceType.KEYWORD,
        SourceType.WEB_FORM,
        SourceType.API,
    }


@pytest.mark.parametrize(
    ("term", "names"),
    [
        ("ana", {"Ana", "Hana"}),  # a substring, anywhere in the name
        ("LOPEZ", {"Ana", "Mia"}),  # last names Lopez and Lopezova
        ("lopezo", {"Mia"}),
        ("ana lopez", {"Ana"}),  # every word must match some field
        ("example.net", {"Dev"}),
        ("dev@example", {"Dev"}),
        ("nobody-here", set()),
    ],
)
def test_search_matches_names_and_email_as_case_insensitive_substrings(world, company, term, names):
    got = profile_list(company=company, params={"q": term})
    assert {p.first_name for p in got} == names


@pytest.mark.parametrize(
    "typed",
    ["+1 (303) 555-9876", "1-303-555-9876", "303.555.9876", "3035559876", "(303) 555 9876"],
)
def test_search_finds_a_phone_number_however_it_is_typed(world, company, typed):
    target = make_profile(company, "+13035559876", first_name="Zed")
    got = profile_list(company=company, params={"q": typed})
    assert ids(got) == {target.pk}


def test_a_partial_phone_number_matches_every_number_containing_it(world, company):
    a = make_profile(company, "+13035559876")
    b = make_profile(company, "+13035559877")
    assert ids(profile_list(company=company, params={"q": "555987"})) == {a.pk, b.pk}


def test_search_and_filters_combine(world, company):
    got = profile_list(
        company=company, params={"q": "lopez", "subscription_status": "undeliverable_stop"}
    )
    assert [p.first_name for p in got] == ["Mia"]


def test_default_sort_is_first_seen_date_newest_first_and_it_toggles(world, company):
    newest_first = list(profile_list(company=company, params={}))
    assert [p.created_at for p in newest_first] == sorted(
        (p.created_at for p in newest_first), reverse=True
    )
    oldest_first = list(profile_list(company=company, params={"sort": "created_at"}))
    assert oldest_first == newest_first[::-1]


def test_unknown_filter_values_are_ignored_not_an_error(world, company):
    everything = ids(Profile.objects.for_company(company))
    assert ids(profile_list(company=company, params={"subscription_status": "bogus"})) == (
        everything
    )
    assert ids(profile_list(company=company, params={"sort": "phone_number"})) == everything


def test_a_campaign_scope_holds_its_subscribers_and_profile_status_splits_them(world, company):
    scope = ProfileScope.for_object("campaign", world.campaign)
    subscribed = {
        p.pk
        for p in Profile.objects.for_company(company)
        if p.subscriptions.filter(campaign=world.campaign).exists()
    }
    assert ids(profile_list(company=company, params={}, scope=scope)) == subscribed
    active = profile_list(company=company, params={"profile_status": "active"}, scope=scope)
    # Ana is subscribed; Gus is subscribed too but cleaned (hard bounce).
    assert {p.first_name for p in active} == {"Ana"}
    cleaned = profile_list(company=company, params={"profile_status": "cleaned"}, scope=scope)
    assert {p.first_name for p in cleaned} == {"Gus"}


def test_an_opt_in_path_scope_holds_those_who_joined_through_it(world, company):
    scope = ProfileScope.for_object("opt_in_path", world.opt_in_path)
    got = profile_list(company=company, params={}, scope=scope)
    assert {p.first_name for p in got} == {"Ana", "Gus"}


def test_a_broadcast_scope_holds_the_profiles_it_was_sent_to(world, company):
    from campaigns.models import Broadcast

    broadcast = Broadcast.objects.create(
        company=company, campaign=world.campaign, name="Rally", body="Rally at noon"
    )
    for name in ("active", "hard_bounce"):
        profile = world.profiles[name]
        Message.objects.create(
            company=company,
            profile=profile,
            phone_number=profile.phone_number,
            direction=Message.Direction.MT,
            message_type="Broadcast",
            broadcast=broadcast,
        )
    # A reply (MO) linked to the broadcast does not make its sender a recipient.
    Message.objects.create(
        company=company,
        profile=world.profiles["none"],
        phone_number=world.profiles["none"].phone_number,
        direction=Message.Direction.MO,
        message_type="Reply",
        broadcast=broadcast,
    )
    scope = ProfileScope.for_object("broadcast", broadcast)
    got = profile_list(company=company, params={}, scope=scope)
    assert {p.first_name for p in got} == {"Ana", "Gus"}
    active = profile_list(company=company, params={"profile_status": "active"}, scope=scope)
    assert {p.first_name for p in active} == {"Ana"}


def test_a_scope_of_another_company_cannot_be_loaded(world, other_company):
    with pytest.raises(world.campaign.DoesNotExist):
        ProfileScope.load(company=other_company, kind="campaign", object_id=world.campaign.pk)


def test_the_profile_status_filter_exists_only_on_scoped_tables(world, company):
    # Without a scope "cleaned" is not a filter at all: every profile is listed.
    got = profile_list(company=company, params={"profile_status": "cleaned"})
    assert ids(got) == ids(Profile.objects.for_company(company))
    assert OptOutSource.STOP_WORD in set(got.values_list("standing__status_description", flat=True))
