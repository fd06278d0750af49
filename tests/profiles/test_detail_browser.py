"""A person walks through the profile page in a real browser."""

import csv
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from profiles.models import CustomFieldValue, Note
from reports.models import Export
from tests.browser import screenshot
from tests.profiles.detail_builders import make_rich_profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = [
    ("Custom Fields", "#custom-fields-table"),
    ("Legislators", ".legislator-groups"),
    ("Subscriptions", "#subscriptions-table"),
    ("Messages", "#messages-table"),
    ("Donations", "#donation-totals"),
    ("Activity", "#activity-feed"),
    ("Notes", "#notes-list"),
]


def open_tab(page, label: str) -> None:
    """Open a tab and wait until htmx has settled it: a click or a change made before
    then would land on the old tab's DOM and be lost."""
    page.click(f"#profile-tab-nav a:text-is('{label}')")
    expect(page.locator("#profile-tab-nav a.active")).to_have_text(label)
    # A locator, not wait_for_function: the CSP forbids the eval that a string needs.
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_an_agent_walks_every_tab_edits_a_field_adds_a_note_and_opts_out(page_as, bob, company):
    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    profile = make_rich_profile(company, author=bob)
    page = page_as(bob)
    page.set_viewport_size({"width": 1360, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/profiles/{profile.pk}/")
    expect(page.locator("#profile-phone")).to_have_text("(212) 555-0147")

    for label, marker in TABS:
        page.click(f"#profile-tab-nav a:text-is('{label}')")
        page.wait_for_selector(marker)
        expect(page.locator("#profile-tab-nav a.active")).to_have_text(label)
        screenshot(page, f"profile-tab-{label.lower().replace(' ', '-')}")
    assert "tab=notes" in page.url  # htmx pushed the tab into the address bar

    # Custom Fields: a wrong age is refused beside the field, the editor staying open with
    # the typed value (it used to close and show the error as a page flash); a right one
    # is stored.
    open_tab(page, "Custom Fields")
    row = page.locator("tr[data-field='Age']")
    row.locator("summary:text('Edit')").click()
    row.locator("input[name=value]").fill("200")
    row.locator("button:text('Save')").click()
    row = page.locator("tr[data-field='Age']")
    expect(row.locator(".errorlist")).to_contain_text("between 0 and 130")
    expect(row.locator("details.inline-edit")).to_have_attribute("open", "")
    expect(row.locator("input[name=value]")).to_have_value("200")
    row.locator("input[name=value]").fill("34")
    row.locator("button:text('Save')").click()
    page.wait_for_selector("tr[data-field='Age'] td.field-value:text('34')")
    assert CustomFieldValue.objects.get(profile=profile, field__name="Age").value == "34"

    # Notes: add one, the counter follows the typing.
    open_tab(page, "Notes")
    page.fill("#note-body", "Called back, wants Saturday shifts")
    expect(page.locator("#note-chars")).to_have_text("34 / 500")
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("text=Called back, wants Saturday shifts")
    assert Note.objects.filter(profile=profile).count() == 2
    screenshot(page, "profile-notes-added")

    # Subscriptions: opt out after confirming, then load the older history.
    open_tab(page, "Subscriptions")
    rally = page.locator("tbody.subscription[data-campaign='Rally Reminders']")
    rally.locator("button:text('Opt out')").click()
    page.wait_for_selector(".flash-success")
    sub = profile.subscriptions.get(campaign__name="Rally Reminders")
    assert sub.status == "Opted-Out" and sub.opt_out_source == "Opt-out from profile"
    page.click("text=Click to load subscription history")
    page.wait_for_selector(".history-table")
    expect(page.locator(".history-table")).to_contain_text("Texted a STOP word")
    screenshot(page, "profile-subscriptions-after-opt-out")

    # Activity: filter by channel without leaving the page.
    open_tab(page, "Activity")
    page.select_option("#activity-channel", "rcs")
    expect(page.locator("#activity-feed .feed-item")).to_have_count(1)
    expect(page.locator("#activity-feed")).to_contain_text("Your ticket")


def test_an_admin_sees_the_header_actions_and_the_settings_pages(page_as, alice, company):
    profile = make_rich_profile(company, author=alice)
    page = page_as(alice)
    page.set_viewport_size({"width": 1360, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/profiles/{profile.pk}/")
    page.click("#profile-more")
    screenshot(page, "profile-admin-menu")
    page.click("#toggle-blacklist")
    page.wait_for_selector("#badge-blacklisted")
    profile.refresh_from_db()
    assert profile.blacklisted and profile.standing.status == "Undeliverable"
    page.goto(f"/profiles/{profile.pk}/edit/")
    screenshot(page, "profile-edit")
    page.goto(f"/profiles/{profile.pk}/erase/")
    screenshot(page, "profile-erase")
    page.goto("/profiles/custom-fields/")
    screenshot(page, "settings-custom-fields")
    page.goto("/profiles/users/")
    screenshot(page, "settings-users")


def test_an_analyst_saves_the_messages_tab_as_an_export_and_downloads_it(page_as, dana, company):
    profile = make_rich_profile(company)
    page = page_as(dana)
    page.goto(f"/profiles/{profile.pk}/?tab=messages")
    page.wait_for_selector("#messages-table")
    page.click("#messages-csv")
    page.wait_for_url("**/reports/")
    export = Export.objects.get()
    assert export.kind == "messages"
    row = page.locator(f"#export-{export.pk}")
    row.locator("text=Done").wait_for()
    with page.expect_download() as info:
        row.locator("a.export-download").click()
    with open(info.value.path(), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0][:5] == ["date", "direction", "type", "channel", "body"]
    assert len(rows) == 1 + profile.messages.count()
