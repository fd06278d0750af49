"""An admin composes, schedules and unschedules a broadcast; an analyst runs an analysis."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Broadcast
from messaging.models import Message
from profiles.models import Group
from reports.models import ProfileAnalysis
from tests.browser import screenshot
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_composes_schedules_and_unschedules_a_broadcast(page_as, alice, company):
    campaign = make_campaign(company, "Rally Alerts", description="Turnout reminders")
    people = [make_profile(company, first_name=f"P{i}") for i in range(4)]
    for person in people:
        make_subscription(person, campaign)
    quiet = Group.objects.create(company=company, name="Do not disturb")
    quiet.members.add(people[0])

    page = page_as(alice)
    page.goto(f"/campaigns/{campaign.pk}/")
    screenshot(page, "campaign_detail")
    page.click("text=New broadcast")
    page.wait_for_selector("#estimate-recipients")
    expect(page.locator("#estimate-recipients")).to_have_text("4")
    page.fill("#id_body", "Polls open 7am–8pm tomorrow. Reply STOP to opt out.")
    expect(page.locator("#body-counter")).to_contain_text("segment")
    page.check(f"input[name=excluded_groups][value='{quiet.pk}']")
    expect(page.locator("#estimate-recipients")).to_have_text("3")
    page.check("input[name=send][value=later]")
    page.fill("#id_delivery_time", "2099-11-03T09:30")
    screenshot(page, "broadcast_compose")
    # The button says what it leads to; the next page asks with the count.
    page.click("button:has-text('Review and schedule')")
    expect(page.locator("#confirm-question")).to_contain_text(
        "Schedule for 3 recipients of Rally Alerts, for Nov 3, 2099 09:30"
    )
    assert not Broadcast.objects.exists()
    page.click("#confirm-button")
    screenshot(page, "broadcast_saved")
    page.wait_for_selector("text=Broadcast scheduled for 3 recipients")
    broadcast = Broadcast.objects.get()
    assert broadcast.status == Broadcast.Status.SCHEDULED
    expect(page.locator("#estimated")).to_have_text("3")
    screenshot(page, "broadcast_scheduled")

    page.click("#unschedule")
    page.wait_for_selector("text=it is a draft again")
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DRAFT
    assert not Message.objects.filter(broadcast=broadcast).exists()
    page.goto("/campaigns/broadcasts/")
    screenshot(page, "broadcast_list")


def test_an_analyst_creates_an_analysis_runs_it_and_opens_its_group(page_as, dana, company):
    failing = make_profile(company, "+12025550161", first_name="Flaky")
    for _ in range(3):
        Message.objects.create(
            company=company,
            profile=failing,
            phone_number=failing.phone_number,
            direction=Message.Direction.MT,
            message_type="regular_text",
            body="Hi",
            status=Message.Status.FAILED,
            error_code="30003",
            status_reason="Unreachable",
            created_at=timezone.now() - dt.timedelta(days=2),
        )
    page = page_as(dana)
    page.goto("/")
    page.click("nav >> text=Profile Analysis")
    page.select_option("#id_analysis_type", "frequent_mt_failures")
    page.select_option("#id_recurring", "weekly")
    page.fill("#id_mt_failures", "2")
    page.fill("#id_name", "Failing numbers")
    page.click("button:has-text('Create analysis')")
    page.wait_for_selector("text=first run is queued")
    page.click("button:has-text('Run now')")
    page.wait_for_selector("text=is running")
    analysis = ProfileAnalysis.objects.get()
    assert analysis.runs.count() == 2
    # In the company's zone (America/New_York), named; it used to read UTC.
    expect(page.locator("#last-processed")).to_have_text(re.compile(r"\d{2}:\d{2} E[SD]T$"))
    screenshot(page, "analysis_detail")
    page.goto("/reports/analyses/")
    screenshot(page, "analysis_list")
    page.click("text=Failing numbers")
    page.wait_for_selector("text=(202) 555-0161")  # shown formatted, no longer as E.164
    screenshot(page, "analysis_group")


def test_an_admin_adds_a_csv_file_to_a_group_and_reads_its_outcomes(page_as, alice, company):
    make_profile(company, "+12025550190", first_name="Known")
    group = Group.objects.create(company=company, name="Door knockers")
    page = page_as(alice)
    page.goto(f"/campaigns/groups/{group.pk}/")
    page.set_input_files(
        "#members-form input[type=file]",
        files=[
            {
                "name": "knockers.csv",
                "mimeType": "text/csv",
                "buffer": b"phone\n(202) 555-0190\n2025550191\n2025550191\nnonsense\n",
            }
        ],
    )
    page.click("#members-form button:has-text('Add to group')")
    page.wait_for_selector("#group-uploads [data-upload-state]:has-text('Done')")
    expect(page.locator("#group-uploads [data-count=added]")).to_have_text("1")
    expect(page.locator("#group-uploads [data-count=created]")).to_have_text("1")
    expect(page.locator("#group-uploads [data-count=duplicate]")).to_have_text("1")
    expect(page.locator("#group-uploads [data-count=invalid]")).to_have_text("1")
    expect(page.locator("table")).to_contain_text("(202) 555-0191")  # formatted, not E.164
    screenshot(page, "group_upload_done")


def test_compose_send_now_asks_with_the_count_then_sends(page_as, alice, company):
    campaign = make_campaign(company, "Rally Alerts")
    for _ in range(3):
        make_subscription(make_profile(company), campaign)
    page = page_as(alice)
    page.goto(f"/campaigns/{campaign.pk}/broadcasts/new/")
    page.fill("#id_body", "Doors open at 6")
    page.check("input[name=send][value=now]")
    expect(page.locator("#save-broadcast")).to_have_text("Review and send now")
    page.click("#save-broadcast")
    expect(page.locator("#confirm-question")).to_have_text(
        "Send to 3 recipients of Rally Alerts now?"
    )
    expect(page.locator("#confirm-preview")).to_have_text("Doors open at 6")
    screenshot(page, "broadcast_confirm_send_now")
    assert not Broadcast.objects.exists() and not Message.objects.exists()
    page.get_by_role("button", name="Send to 3 now").click()
    page.wait_for_selector("text=Broadcast is being sent")
    broadcast = Broadcast.objects.get()
    expect(page.locator("#broadcast-status")).to_have_text("Sent")
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert Message.objects.filter(broadcast=broadcast).count() == 3
