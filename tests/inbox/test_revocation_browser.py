"""The Opt-out review queue in Chromium: accessible at desktop and phone width, and an
agent's two decisions."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from messaging.business_days import business_days_after
from messaging.models import FreeTextRevocation
from messaging.revocation_services import revocations_enforce
from tests.browser import assert_accessible, assert_no_page_scroll
from tests.factories import make_campaign, make_profile, make_subscription, receive_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_SIZE = {"width": 390, "height": 844}


@pytest.fixture
def queue(company):
    campaign = make_campaign(company, "Alerts")
    for phone, body in [
        ("+12025550501", "why do you keep texting me"),
        ("+12025550502", "who is this? stop"),
    ]:
        make_subscription(make_profile(company, phone), campaign)
        receive_text(company, phone, body)
    today = timezone.localtime(timezone.now(), company.zone).date()
    FreeTextRevocation.objects.filter(message__body__startswith="who").update(
        escalate_on=today, due_date=business_days_after(today, 2)
    )
    revocations_enforce()


def test_an_agent_works_the_queue(page_as, bob, queue):
    page = page_as(bob)
    page.goto("/inbox/opt-out-review/")
    items = page.locator("#review-queue [data-review-item]")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("who is this? stop")
    expect(items.first.locator(".badge-red")).to_have_text("Escalated")
    expect(page.locator("#sidebar")).to_contain_text("1 escalated")
    assert_accessible(page, "the opt-out review queue")
    page.set_viewport_size(PHONE_SIZE)
    assert_no_page_scroll(page)
    assert_accessible(page, "the opt-out review queue at phone width")

    items.first.get_by_role("button", name="Not a revocation").click()
    expect(page.locator(".flash-success")).to_contain_text("is not a revocation")
    expect(items).to_have_count(1)
    items.first.get_by_role("button", name="Opt out").click()
    expect(page.locator(".flash-success")).to_contain_text("opted out of every campaign")
    expect(page.locator("#review-empty")).to_be_visible()
    expect(page.locator("#review-decided")).to_contain_text("Bob")
    assert_accessible(page, "the queue after both decisions")
    statuses = set(FreeTextRevocation.objects.values_list("status", "decided_by__username"))
    assert statuses == {("not_revocation", "bob"), ("opted_out", "bob")}


def test_the_report_is_accessible(page_as, alice, queue):
    page = page_as(alice)
    page.goto("/inbox/revocations/")
    expect(page.locator("#revocation-report")).to_contain_text("Opt-out review")
    assert_accessible(page, "the revocation report")
    page.set_viewport_size(PHONE_SIZE)
    assert_no_page_scroll(page)
