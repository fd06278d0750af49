"""The profile page shows each tab's content, and each tab's search narrows it."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.profiles.detail_builders import make_message, make_rich_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(company, bob):
    return make_rich_profile(company, author=bob)


def tab(client, profile, name, **params):
    url = reverse("profiles:detail", args=[profile.pk])
    return client.get(url, {"tab": name, **params})


def test_the_header_shows_the_number_for_reading_and_its_attributes(client_as, charlie, profile):
    html = tab(client_as(charlie), profile, "custom_fields").content.decode()
    # A number of the company's own country reads in its national form.
    assert "(212) 555-0147" in html
    assert "maria@example.org" in html
    assert "Maria Lopez" in html
    assert "350 5th Ave" in html
    assert "Active Subscriber" in html
    assert "valid" in html
    assert "Spanish" not in html or "es" in html


def test_the_custom_fields_tab_lists_every_field_and_searches_by_name(client_as, bob, profile):
    html = tab(client_as(bob), profile, "custom_fields").content.decode()
    assert "Favorite color" in html and "Teal" in html and "Volunteer" in html
    html = tab(client_as(bob), profile, "custom_fields", q="colo").content.decode()
    assert "Favorite color" in html
    assert "Volunteer" not in html


def test_the_subscriptions_tab_shows_the_latest_per_campaign_with_history(client_as, bob, profile):
    html = tab(client_as(bob), profile, "subscriptions").content.decode()
    assert "Action Alerts" in html and "Rally Reminders" in html
    assert "Keyword JOIN" in html
    assert "Click to load subscription history (1 older)" in html
    assert "Reminder: polls open at 7am" in html  # the scheduled message
    html = tab(client_as(bob), profile, "subscriptions", q="rally").content.decode()
    assert "Rally Reminders" in html and "Action Alerts" not in html


def test_subscription_history_lists_the_older_rows_of_one_campaign(client_as, bob, profile):
    campaign = profile.subscriptions.get(campaign__name="Action Alerts", status="Active").campaign
    url = reverse("profiles:subscription_history", args=[profile.pk, campaign.pk])
    html = client_as(bob).get(url).content.decode()
    assert "Opted out" in html and "Texted a STOP word" in html
    assert html.count("<tr>") == 2  # header and the one older subscription


def test_the_messages_tab_labels_type_status_and_kind(client_as, bob, profile):
    html = tab(client_as(bob), profile, "messages").content.decode()
    assert 'title="direct message"' in html
    assert "Multi-part SMS" in html and "Single-part SMS" in html
    assert "Read (RCS)" in html and ">RCS<" in html
    assert "acme-agent" in html
    assert 'title="Thanks Maria, see you there' in html  # full body on hover
    html = tab(client_as(bob), profile, "messages", q="city hall").content.decode()
    assert "Rally at City Hall" in html and "Count me in" not in html


def test_the_messages_tab_pages_through_many_messages(client_as, bob, profile):
    for i in range(30):
        make_message(profile, body=f"Bulk {i}")
    first = tab(client_as(bob), profile, "messages").content.decode()
    second = tab(client_as(bob), profile, "messages", page=2).content.decode()
    assert "1–25 of 35" in first
    assert "26–35 of 35" in second


def test_donation_totals_count_only_accepted_donations(client_as, bob, profile):
    response = tab(client_as(bob), profile, "donations")
    totals = response.context["totals"]
    assert totals.total_amount == Decimal("125.00")
    assert totals.highest_amount == Decimal("100.00")
    assert totals.count == 2
    html = response.content.decode()
    assert "$125.00" in html and "$500.00" in html and "Spring drive" in html
    # The donation date carries its time zone: the company's (America/New_York), named.
    assert re.search(r"\d{2}:\d{2} E[SD]T", html)


def test_the_activity_tab_merges_events_and_messages_and_filters_them(client_as, bob, profile):
    client = client_as(bob)
    feed = tab(client, profile, "activity").context["feed"]
    kinds = {item.kind for item in feed.items}
    assert kinds == {"event", "message"}
    times = [item.at for item in feed.items]
    assert times == sorted(times, reverse=True)
    rcs = tab(client, profile, "activity", channel="rcs").context["feed"]
    assert [i.detail for i in rcs.items] == ["Your ticket"]
    inbox = tab(client, profile, "activity", origin="inbox").context["feed"]
    assert [i.obj.message_type for i in inbox.items] == ["direct_message"]
    subscribed = tab(client, profile, "activity", status="subscribed").context["feed"]
    assert subscribed.items and all(i.kind == "event" for i in subscribed.items)
    recent = tab(client, profile, "activity", days="7").context["feed"]
    assert recent.total == feed.total


def test_the_activity_period_filter_leaves_out_older_entries(client_as, bob, profile):
    from datetime import timedelta

    from django.utils import timezone

    make_message(profile, body="Long ago", created_at=timezone.now() - timedelta(days=20))
    client = client_as(bob)
    assert "Long ago" in [i.detail for i in tab(client, profile, "activity").context["feed"].items]
    week = tab(client, profile, "activity", days="7").context["feed"]
    month = tab(client, profile, "activity", days="30").context["feed"]
    assert "Long ago" not in [i.detail for i in week.items]
    assert "Long ago" in [i.detail for i in month.items]


def test_the_notes_tab_shows_content_time_and_author(client_as, charlie, profile):
    html = tab(client_as(charlie), profile, "notes").content.decode()
    assert "Prefers texts in Spanish" in html
    assert "Bob" in html
    assert "1 of 5 notes" in html


def test_the_legislators_tab_matches_state_and_districts(client_as, charlie, profile):
    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    response = tab(client_as(charlie), profile, "legislators")
    groups = {
        g.label: [p.last_name for p in g.people] for g in response.context["legislator_groups"]
    }
    assert groups == {
        "Senators": ["Sample", "Example"],
        "Congressperson": ["Placeholder"],
        "State Senators": ["Upperhouse"],
        "State Representative": ["Lowerhouse"],
        "Governor": ["Governorson"],
    }
    assert "The more address information" not in response.content.decode()


def test_missing_address_data_asks_for_more(client_as, charlie, company):
    from tests.factories import make_profile

    bare = make_profile(company)
    html = tab(client_as(charlie), bare, "legislators").content.decode()
    assert (
        "The more address information available on a profile, "
        "the more complete the legislative information will be." in html
    )


def test_the_legislators_tab_is_hidden_without_advocacy(client_as, charlie, company, profile):
    company.advocacy_enabled = False
    company.save()
    response = tab(client_as(charlie), profile, "legislators")
    assert response.context["tab"] == "custom_fields"
    assert "Legislators" not in response.content.decode()


def test_a_tab_requested_by_htmx_returns_only_the_tab_area(client_as, bob, profile):
    url = reverse("profiles:detail", args=[profile.pk])
    response = client_as(bob).get(
        url, {"tab": "notes"}, headers={"HX-Request": "true", "HX-Target": "profile-tabs"}
    )
    html = response.content.decode()
    assert "Prefers texts in Spanish" in html
    assert "<html" not in html and 'id="profile-header"' not in html


def test_the_legislator_page_shows_contact_details(client_as, charlie, company):
    from profiles.models import Legislator

    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    person = Legislator.objects.get(external_id="S000003")
    html = client_as(charlie).get(reverse("profiles:legislator", args=[person.pk])).content
    assert b"Morgan Placeholder" in html and b"202-555-0103" in html


def test_a_broadcast_message_links_to_its_campaign_and_broadcast(client_as, bob, profile):
    from campaigns.models import Broadcast

    campaign = profile.subscriptions.first().campaign
    broadcast = Broadcast.objects.create(
        company=profile.company, campaign=campaign, name="GOTV blast", body="Vote!"
    )
    make_message(profile, body="Vote!", campaign=campaign, broadcast=broadcast)
    html = tab(client_as(bob), profile, "messages").content.decode()
    assert ">GOTV blast</a>" in html
    assert f'href="/campaigns/{campaign.pk}/"' in html or "campaigns:detail" not in html
