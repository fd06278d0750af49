"""The registries through which campaigns, messaging and links add to profiles.

profiles may not import those apps (the layer contract); they register their parts
when Django starts. The page, the XML and the feed must come out in the seed's order
whatever order the parts were registered in.
"""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from profiles.extensions import (
    Registry,
    erasers,
    feed_sources,
    merged,
    profile_tabs,
    scope_kinds,
    status_rules,
    summary_parts,
    tab_data,
    xml_parts,
)
from profiles.profile_xml import ProfileParts, _sections
from profiles.selectors import SCOPE_KINDS
from profiles.views.detail import OWN_TABS, tabs_for


@dataclass(frozen=True)
class Part:
    key: str
    order: int


def test_a_registry_iterates_by_order_whatever_the_registration_order():
    registry: Registry[Part] = Registry("test part")
    for part in (Part("c", 30), Part("a", 10), Part("b", 20)):
        registry.register(part)
    assert [p.key for p in registry] == ["a", "b", "c"]
    assert [p.key for p in merged([Part("own", 15)], registry)] == ["a", "own", "b", "c"]


def test_registering_a_key_again_replaces_it():
    registry: Registry[Part] = Registry("test part")
    registry.register(Part("a", 10))
    registry.register(Part("b", 20))
    registry.register(Part("a", 30))
    assert [(p.key, p.order) for p in registry] == [("b", 20), ("a", 30)]
    assert len(registry) == 2


def test_a_missing_required_entry_says_what_is_missing():
    registry: Registry[Part] = Registry("test part")
    with pytest.raises(ImproperlyConfigured, match="test part 'x'"):
        registry.require("x")


def test_the_apps_above_profiles_registered_their_parts():
    assert "subscriptions" in status_rules
    assert {kind for kind in SCOPE_KINDS} == {entry.key for entry in scope_kinds}
    assert [part.key for part in xml_parts] == ["subscriptions", "clicks"]
    assert [part.flag for part in summary_parts] == ["include_messages", "include_donations"]
    assert [source.key for source in feed_sources] == ["messages", "clicks"]
    assert [(data.tab, data.key) for data in tab_data] == [("subscriptions", "scheduled_messages")]
    assert [eraser.key for eraser in erasers] == ["messages"]


@pytest.mark.django_db
def test_the_profile_page_tabs_keep_the_seed_order(company):
    request = RequestFactory().get("/")
    company.advocacy_enabled = True
    request.company = company
    assert [key for key, _ in tabs_for(request)] == [
        "custom_fields", "legislators", "subscriptions", "messages", "donations",
        "activity", "notes",
    ]  # fmt: skip
    company.advocacy_enabled = False
    assert "legislators" not in dict(tabs_for(request))
    assert {tab.key for tab in profile_tabs} == {"subscriptions", "messages", "donations"}
    assert len(OWN_TABS) == 4


def test_the_profile_xml_places_the_registered_elements_in_the_seed_order():
    everything = ProfileParts(custom_columns=True, subscriptions=True, clicks=True, members=True)
    assert [s.key for s in _sections(everything)] == [
        "custom_columns", "subscriptions", "integrations", "clicks",
    ]  # fmt: skip
    some = ProfileParts(custom_columns=False, subscriptions=True, clicks=False, members=True)
    assert [s.key for s in _sections(some)] == ["subscriptions", "integrations"]
