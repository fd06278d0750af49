"""Home at desktop and phone width: the figures, the period picker, the chart's table,
a broadcast's report; axe-core finds nothing and the page never scrolls sideways."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaigns.models import Broadcast
from messaging.models import Message
from reports.rollup import dashboard_backfill, local_today
from tests.browser import assert_accessible, assert_no_page_scroll
from tests.factories import make_campaign, make_profile, make_subscription

from .dashboard_builders import ZONE, local, mo, mt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "after"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
REASONS = [("30003", "Unreachable destination handset"), ("30007", "Carrier filtered")]


@pytest.fixture
def program(company):
    """Thirty days of a small program and one broadcast."""
    company.time_zone = ZONE
    company.save()
    today = local_today(company)
    campaign = make_campaign(company, "Rally Alerts")
    people = [make_profile(company) for _ in range(12)]
    for k in range(30):
        day = today - dt.timedelta(days=k)
        for n in range(k % 4 + 1):
            make_subscription(make_profile(company), campaign, activated_at=local(day, 9 + n))
        if k % 3 == 1:
            make_subscription(
                make_profile(company),
                campaign,
                status="Opted-Out",
                activated_at=local(day - dt.timedelta(days=60), 9),
                opted_out_at=local(day, 18),
            )
        for n in range(k % 5 + 2):
            person = people[(k + n) % 12]
            mt(company, person, local(day, 10, n), delivered_at=local(day, 10, n))
        code, reason = REASONS[k % 2]
        mt(
            company,
            people[k % 12],
            local(day, 11),
            status=Message.Status.FAILED,
            error_code=code,
            status_reason=reason,
        )
        if k % 2:
            mo(company, people[k % 12], local(day, 12))
    broadcast = Broadcast.objects.create(
        company=company,
        campaign=campaign,
        name="Early voting starts",
        body="Early voting starts Monday",
        status=Broadcast.Status.SENT,
        replies_count=3,
        opt_outs_count=1,
        started_at=local(today - dt.timedelta(days=2), 10),
    )
    for i, person in enumerate(people):
        mt(
            company,
            person,
            local(today - dt.timedelta(days=2), 10),
            broadcast=broadcast,
            delivered_at=local(today - dt.timedelta(days=2), 10) if i < 10 else None,
        )
    dashboard_backfill(company=company, first=today - dt.timedelta(days=90))
    return broadcast


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_home_shows_the_program_at_a_glance(page_as, alice, program, size):
    name = f"{size['width']}x{size['height']}"
    page = page_as(alice, viewport=size)
    page.goto("/")
    expect(page.locator("#subscriber-chart")).to_be_visible()
    expect(page.locator(".period-picker [aria-current=page]")).to_have_text("30 days")
    expect(page.locator("#failures-table")).to_contain_text("Carrier filtered")
    expect(page.locator(f'tr[data-broadcast="{program.pk}"]')).to_contain_text("Early voting")
    assert_accessible(page, f"home at {name}")
    if size == PHONE:
        assert_no_page_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"home-{name}.png"), full_page=True)

    page.click("text=Show the numbers as a table")
    expect(page.locator("#days-table tbody tr")).to_have_count(30)
    assert_accessible(page, f"home with its table at {name}")

    page.click(".period-picker >> text=7 days")
    expect(page.locator(".period-picker [aria-current=page]")).to_have_text("7 days")
    expect(page.locator("#dash-range")).to_contain_text("7 days")

    page.click(f'tr[data-broadcast="{program.pk}"] >> text=Report')
    expect(page.locator("#funnel-recipients")).to_have_text("12")
    expect(page.locator("#funnel-delivered")).to_have_text("10")
    expect(page.locator("#funnel-chart")).to_be_visible()
    assert_accessible(page, f"broadcast report at {name}")
    if size == PHONE:
        assert_no_page_scroll(page)
    page.screenshot(path=str(SHOTS / f"broadcast-report-{name}.png"), full_page=True)
