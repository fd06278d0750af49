"""A person searches, filters, sorts and pages the profiles table, then exports it."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from profiles.models import Profile
from reports.models import Export
from tests.browser import screenshot
from tests.factories import make_profile
from tests.profiles.table_fixtures import make_table_profiles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row_names(page) -> list[str]:
    return page.locator("#profiles-table tbody .profile-name").all_inner_texts()


def test_an_analyst_searches_filters_sorts_pages_and_downloads_an_export(
    page_as, dana, company, other_company
):
    make_table_profiles(company)
    make_table_profiles(other_company)
    for i in range(30):
        make_profile(company, first_name=f"Quinn{i:02d}", last_name="Reyes")
    page = page_as(dana)
    page.set_viewport_size({"width": 1400, "height": 950})
    page.goto("/profiles/")
    assert page.locator("#profiles-table tbody tr").count() == 25
    screenshot(page, "profiles-table")

    # Search: a last name, case-insensitive substring.
    page.fill("#profile-search", "LOPEZ")
    page.press("#profile-search", "Enter")
    page.wait_for_url("**q=LOPEZ**")
    assert sorted(row_names(page)) == ["Ana Lopez", "Mia Lopezova"]

    # Filter: Undeliverable - Texted a STOP word, then APPLY; the search stays.
    page.click("#filter-toggle")
    page.check("#filters-pane input[value=undeliverable_stop]")
    screenshot(page, "profiles-filters-pane")
    page.click("#apply-filters")
    page.wait_for_url("**subscription_status=undeliverable_stop**")
    assert "q=LOPEZ" in page.url
    assert row_names(page) == ["Mia Lopezova"]
    expect(page.locator("#filter-count")).to_have_text("1")
    page.hover("#filter-toggle")
    expect(page.locator("#filter-list")).to_be_visible()
    expect(page.locator("#filter-list")).to_contain_text("Texted a STOP word")
    screenshot(page, "profiles-filtered")

    # Sort: the First seen date header toggles to oldest first.
    page.goto("/profiles/")
    page.click("#profiles-table th a.sort-toggle")
    page.wait_for_url("**sort=created_at**")
    oldest = Profile.objects.for_company(company).order_by("created_at", "id").first()
    assert row_names(page)[0] == oldest.full_name

    # Pages: Next, then type a page number and press Enter.
    page.click("#page-next")
    page.wait_for_url("**page=2**")
    assert "sort=created_at" in page.url
    expect(page.locator(".page-range")).to_have_text(re.compile(r"^26–"))
    page.fill("#page-number", "1")
    page.press("#page-number", "Enter")
    page.wait_for_url("**page=1**")
    assert row_names(page)[0] == oldest.full_name
    page.select_option("#per-page", "50")
    page.wait_for_url("**per_page=50**")
    assert page.locator("#profiles-table tbody tr").count() == 43

    # Export what the table shows: the Reyes family.
    page.fill("#profile-search", "reyes")
    page.press("#profile-search", "Enter")
    page.wait_for_url("**q=reyes**")
    page.click("#save-csv")
    page.wait_for_url("**/reports/")
    export = Export.objects.get()
    row = page.locator(f"#export-{export.pk}")
    row.locator("text=Done").wait_for()
    expect(row.locator(".progress")).to_have_attribute("aria-valuenow", "100")
    screenshot(page, "reports-exports")
    with page.expect_download() as info:
        row.locator("a.export-download").click()
    download = info.value
    with open(download.path(), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0][:5] == ["id", "phone_number", "email", "first_name", "last_name"]
    assert rows[0][-1] == "opted_out_source"
    assert len(rows) == 31 and {r[4] for r in rows[1:]} == {"Reyes"}


def test_the_progress_bar_follows_a_running_export_until_it_is_done(page_as, dana, company):
    export = Export.objects.create(
        company=company,
        requested_by=dana,
        kind=Export.Kind.PROFILES,
        name="Profiles · nightly",
        status="running",
        progress=30,
        row_count=300,
        total_rows=1000,
    )
    page = page_as(dana)
    page.goto("/reports/")
    bar = page.locator(f"#export-{export.pk} .progress")
    expect(bar).to_have_attribute("aria-valuenow", "30")
    screenshot(page, "reports-export-running")
    Export.objects.filter(pk=export.pk).update(progress=80, row_count=800)
    expect(bar).to_have_attribute("aria-valuenow", "80", timeout=5000)
    # The width comes from data-progress through app.js (the CSP forbids style attributes).
    expect(bar.locator("span")).to_have_attribute("style", "width: 80%;")
    Export.objects.filter(pk=export.pk).update(status="failed", error="The disk is full.")
    page.locator(f"#export-{export.pk} >> text=The disk is full.").wait_for(timeout=5000)
