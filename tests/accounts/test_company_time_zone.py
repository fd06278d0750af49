"""Every page shows times in the company's own zone, with the zone named."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Company
from campaigns.broadcasts import broadcast_create
from campaigns.models import Broadcast
from tests.factories import make_campaign, make_profile, make_subscription, receive_text
from tests.profiles.detail_builders import make_message

pytestmark = pytest.mark.django_db

# 23:00 UTC on 1 December is 18:00 in New York (EST) and 17:00 in Chicago (CST).
MOMENT = dt.datetime(2099, 12, 1, 23, 0, tzinfo=dt.UTC)


@pytest.fixture
def broadcast(company):
    campaign = make_campaign(company, "Alerts")
    make_subscription(make_profile(company), campaign)
    broadcast = broadcast_create(campaign=campaign, body="Polls open at 7")
    Broadcast.objects.filter(pk=broadcast.pk).update(
        delivery_time=MOMENT, status=Broadcast.Status.SCHEDULED
    )
    return broadcast


def test_a_new_company_shows_times_in_new_york_and_refuses_an_unknown_zone(company):
    assert company.time_zone == "America/New_York"
    company.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError, match="not a time zone"):
        company.full_clean()


def test_the_broadcast_pages_show_the_delivery_time_in_the_company_zone_named(
    client_as, charlie, broadcast
):
    client = client_as(charlie)
    detail = client.get(reverse("campaigns:broadcast_detail", args=[broadcast.pk])).content
    listing = client.get(reverse("campaigns:broadcast_list")).content.decode()
    assert "1 Dec 2099, 18:00 EST" in detail.decode()
    assert "23:00" not in detail.decode() and " UTC" not in detail.decode()
    assert "1 Dec 2099, 18:00 EST" in listing


def test_a_local_time_broadcast_says_in_words_that_each_subscriber_gets_it_at_their_time(
    client_as, charlie, broadcast
):
    Broadcast.objects.filter(pk=broadcast.pk).update(localtime=True)
    client = client_as(charlie)
    detail = client.get(reverse("campaigns:broadcast_detail", args=[broadcast.pk]))
    listing = client.get(reverse("campaigns:broadcast_list"))
    words = "1 Dec 2099, 18:00 in each subscriber's own time zone"
    assert words in detail.content.decode().replace("&#x27;", "'")
    assert words in listing.content.decode().replace("&#x27;", "'")


def test_the_broadcast_form_names_the_zone_its_time_is_typed_in(client_as, alice, broadcast):
    page = client_as(alice).get(reverse("campaigns:broadcast_create", args=[broadcast.campaign_id]))
    assert "in America/New_York, the campaign's time zone" in page.content.decode()


def test_an_admin_changes_the_company_zone_and_every_page_follows(
    client_as, alice, company, broadcast
):
    client = client_as(alice)
    response = client.post(reverse("accounts:company_settings"), {"time_zone": "America/Chicago"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.time_zone == "America/Chicago"
    detail = client.get(reverse("campaigns:broadcast_detail", args=[broadcast.pk])).content
    assert "1 Dec 2099, 17:00 CST" in detail.decode()


def test_the_settings_page_shows_the_current_zone_chosen(client_as, alice):
    page = client_as(alice).get(reverse("accounts:company_settings")).content.decode()
    assert '<option value="America/New_York" selected>America/New York</option>' in page


def test_a_zone_that_does_not_exist_is_refused_and_nothing_changes(client_as, alice, company):
    response = client_as(alice).post(
        reverse("accounts:company_settings"), {"time_zone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 400
    assert Company.objects.get(pk=company.pk).time_zone == "America/New_York"


@pytest.mark.parametrize("user", ["bob", "charlie", "dana"])
def test_only_an_admin_may_change_the_company_zone(client_as, company, user, request):
    client = client_as(request.getfixturevalue(user))
    assert client.get(reverse("accounts:company_settings")).status_code == 403
    response = client.post(reverse("accounts:company_settings"), {"time_zone": "UTC"})
    assert response.status_code == 403
    assert Company.objects.get(pk=company.pk).time_zone == "America/New_York"


def test_the_inbox_and_the_profile_tabs_show_times_in_the_company_zone_named(
    client_as, bob, company
):
    profile = make_profile(company, "+12025550188", timezone="America/Chicago")
    incoming = receive_text(company, profile.phone_number, "When is the rally?").message
    type(incoming).objects.filter(pk=incoming.pk).update(created_at=MOMENT, received_at=MOMENT)
    sent = make_message(profile, body="See you there")
    type(sent).objects.filter(pk=sent.pk).update(created_at=MOMENT)
    client = client_as(bob)
    inbox = client.get(reverse("inbox:messages")).content.decode()
    tab = client.get(reverse("profiles:detail", args=[profile.pk]), {"tab": "messages"})
    # The profile lives in Chicago, but the page is the company's: one zone, named.
    assert "1 Dec 2099, 18:00 EST" in inbox
    assert "Received (America/New York dates)" in inbox  # the date filter names its zone
    assert "1 Dec 2099, 18:00 EST" in tab.content.decode()
