import json
import re
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaigns.models import Subscription
from messaging.webhooks import webhook_headers
from tests.browser import screenshot
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIXTURES = Path(__file__).parent / "fixtures"


def _post_inbound(base_url: str, phone: str, body: str) -> None:
    payload = {"id": f"SM{uuid.uuid4().hex}", "from": phone, "to": "22822", "body": body}
    data = json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        base_url + "/messaging/inbound/",
        data=data,
        headers={"Content-Type": "application/json", **webhook_headers(data)},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310  # the test server on localhost
        assert response.status == 200


def test_an_agent_chats_with_a_subscriber_and_opts_them_out(page_as, bob, company, live_server):
    campaign = make_campaign(company, "Rally Alerts")
    profile = make_profile(company, "+12025550181", first_name="Sam", last_name="Lee")
    make_subscription(profile, campaign)
    _post_inbound(live_server.url, "+12025550181", "What time is the rally?")

    page = page_as(bob)
    page.goto("/inbox/messages/")
    page.get_by_text("What time is the rally?").wait_for()
    screenshot(page, "inbox-table")
    page.locator("details.row-menu summary").first.click()
    page.get_by_text("Start chat").click()
    box = page.locator("#chat-body")
    box.wait_for()
    counter = page.locator("#chat-counter")
    # The counter is filled by the page's script: wait for it rather than race it.
    expect(counter).to_contain_text("160 characters left")
    box.press_sequentially("Noon at the park :smile:")
    expect(box).to_have_value(re.compile("😄"))
    expect(counter).to_contain_text("UCS-2")
    expect(counter).to_have_attribute("data-remaining", str(70 - len("Noon at the park ") - 2))
    screenshot(page, "inbox-chat-typing")
    box.press("Enter")
    page.locator(".chat-mt .chat-bubble", has_text="Noon at the park 😄").wait_for()
    assert box.input_value() == ""

    _post_inbound(live_server.url, "+12025550181", "Great, see you there")
    page.locator(".chat-mo .chat-bubble", has_text="Great, see you there").wait_for(timeout=10000)
    screenshot(page, "inbox-chat-reply")

    page.get_by_role("button", name="× Close").click()
    page.goto("/inbox/messages/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("details.row-menu summary").first.click()
    page.get_by_role("button", name="Opt out profile").first.click()
    page.get_by_text("is opted out of Rally Alerts").wait_for()
    screenshot(page, "inbox-opted-out")
    assert profile.subscriptions.get().status == "Opted-Out"

    page.goto(f"/inbox/chat/{profile.pk}/")
    page.get_by_text("This profile cannot be messaged").first.wait_for()
    assert page.locator("#chat-send").is_disabled()
    screenshot(page, "inbox-chat-opted-out")


def test_an_admin_uploads_a_messy_csv_and_reads_the_results(page_as, alice, company):
    campaign = make_campaign(company, "Alerts")
    for suffix in ("0101", "0102", "0103", "0105"):
        make_subscription(make_profile(company, f"+1202555{suffix}"), campaign)
    make_profile(company, "+12025550104", opted_out_globally=True)

    page = page_as(alice)
    page.goto("/inbox/")
    page.get_by_text("Actions").click()
    page.locator("#manual-opt-out").click()
    page.set_input_files("#id_file", str(FIXTURES / "messy.csv"))
    screenshot(page, "bulk-opt-out-form")
    page.get_by_role("button", name="Opt-Out these Numbers").click()
    # The question names the count of numbers read (a repeated number counts once)
    # and the scope; nothing has changed yet.
    expect(page.locator("#opt-out-question")).to_have_text(
        f"Opt 8 numbers out of all campaigns of {company.name}?"
    )
    expect(page.locator("#suppression-note")).to_contain_text("suppression list")
    screenshot(page, "bulk-opt-out-confirm")
    assert Subscription.objects.filter(campaign=campaign, status="Active").count() == 4
    page.get_by_role("button", name="Opt out 8 numbers").click()
    page.locator("#bulk-counts").wait_for()
    expect(page.locator("#count-opted-out")).to_have_text("4")
    expect(page.locator("#count-invalid")).to_have_text("2")
    expect(page.locator("#count-no-profile")).to_have_text("1")
    expect(page.locator("#count-duplicate")).to_have_text("1")
    expect(page.locator("#outcome-table")).to_contain_text("Invalid phone number")
    screenshot(page, "bulk-opt-out-results")
    with page.expect_download() as download:
        page.get_by_text("Download per-row outcomes").click()
    outcomes = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "no such profile,no profile: kept on the suppression list" in outcomes
