"""The Legislators tab says what is really missing: the data, or the profile's address."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_profile

pytestmark = pytest.mark.django_db


def _tab(client, profile) -> str:
    url = reverse("profiles:detail", args=[profile.pk])
    return client.get(url, {"tab": "legislators"}).content.decode()


def test_with_no_legislator_data_loaded_the_tab_says_so_not_that_a_state_is_needed(
    client_as, charlie, company
):
    profile = make_profile(company, city="Jackson", state="MS")
    html = _tab(client_as(charlie), profile)
    assert "needs a state" not in html
    assert "No legislator data is loaded yet" in html
    assert "An Admin can load it with <code>manage.py load_legislators FILE</code>" in html


def test_an_admin_is_told_how_to_load_the_legislator_data(client_as, alice, company):
    profile = make_profile(company, city="Jackson", state="MS")
    html = _tab(client_as(alice), profile)
    assert "You can load it as an Admin: run <code>manage.py load_legislators FILE</code>" in html


def test_with_data_loaded_a_profile_without_a_state_is_told_it_needs_one(
    client_as, charlie, company
):
    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    profile = make_profile(company)
    html = _tab(client_as(charlie), profile)
    assert "No legislator data is loaded" not in html
    assert "None found — needs a state on the profile." in html


def test_with_data_loaded_a_state_it_does_not_cover_is_named_not_asked_for(
    client_as, charlie, company
):
    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    profile = make_profile(company, city="Jackson", state="MS")
    html = _tab(client_as(charlie), profile)
    assert "needs a state on the profile" not in html
    assert "None found for MS in the loaded legislator data." in html
