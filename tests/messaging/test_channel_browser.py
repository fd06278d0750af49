"""An Admin adds a Twilio number on Settings → Sending numbers and sees its webhook URLs."""

import pytest
from playwright.sync_api import expect

from messaging.models import Channel
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_a_twilio_number_and_sees_its_webhook_urls(page_as, alice, company):
    page = page_as(alice)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/")
    page.click("nav >> text=Sending numbers")
    expect(page.locator("h2", has_text="Add a number")).to_be_visible()
    page.click("#add-number >> text=Twilio")
    page.select_option("#id_kind", "long_code_10dlc")
    page.fill("#id_number", "(202) 883-1111")
    page.fill("#id_cred_account_sid", "AC00000000000000000000000000000001")
    page.fill("#id_cred_auth_token", "browser-secret-token")
    screenshot(page, "channel_add")
    page.click("button:has-text('Add number')")
    page.wait_for_selector("#webhook-urls")
    channel = Channel.objects.get(company=company)
    token = str(channel.webhook_token)
    expect(page.locator("#url-inbound")).to_have_value(
        f"{page.url.split('/messaging/')[0]}/messaging/channels/{token}/inbound/"
    )
    expect(page.locator("#url-status")).to_have_value(
        f"{page.url.split('/messaging/')[0]}/messaging/channels/{token}/status/"
    )
    expect(page.locator("#id_cred_auth_token")).to_have_value("")
    assert "browser-secret-token" not in page.content()
    screenshot(page, "channel_edit")
    page.click("text=Back to sending numbers")
    row = page.locator("#channels-table tr[data-number='+12028831111']")
    expect(row).to_contain_text("Twilio")
    expect(row.locator("[data-url=inbound]")).to_contain_text(
        f"/messaging/channels/{token}/inbound/"
    )
