"""On a 390 × 844 phone: the main menu, the profiles table and its Filters, a profile's
tabs, a chat in the inbox and Manual Opt-Out all work by touch, and no page scrolls
sideways. Each state a journey passes through also passes axe-core's WCAG rules."""

import re

import pytest
from playwright.sync_api import expect

from messaging.models import Message
from profiles.models import Profile
from tests.browser import assert_accessible, assert_no_page_scroll, screenshot
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_as(page_as):
    def _phone(user):
        return page_as(user, viewport=PHONE, has_touch=True, is_mobile=True)

    return _phone


def within_window(page, locator) -> None:
    """The element is wholly on screen (once any slide-in has finished), so it can be tapped."""
    expect(locator).to_be_in_viewport(ratio=1)
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box


def covers_the_screen(locator) -> None:
    box = locator.bounding_box()
    assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}, box


def test_on_a_phone_the_sidebar_is_a_menu_behind_a_button_and_sign_out_is_reachable(
    phone_as, alice
):
    page = phone_as(alice)
    page.goto("/")
    menu = page.locator("#nav-toggle")
    inbox_link = page.locator("#sidebar a", has_text="Inbox")
    expect(inbox_link).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    assert_no_page_scroll(page)
    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(inbox_link).to_be_visible()
    within_window(page, inbox_link)
    assert_accessible(page, "the open main menu")
    screenshot(page, "phone-menu-open")
    inbox_link.tap()
    page.wait_for_url("**/inbox/")
    expect(page.locator("#sidebar a", has_text="Inbox")).to_be_hidden()
    sign_out = page.get_by_role("button", name="Sign out")
    within_window(page, sign_out)
    sign_out.tap()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_on_a_phone_a_person_filters_the_profiles_table_in_a_full_screen_sheet(
    phone_as, dana, company
):
    campaign = make_campaign(company, "Alerts")
    kept = make_profile(company, "+12025550120", first_name="Ana", last_name="Lopez")
    make_subscription(kept, campaign)
    gone = make_profile(company, "+12025550121", first_name="Mia", last_name="Stone")
    make_subscription(gone, campaign, status="Opted-Out")
    page = phone_as(dana)
    page.goto("/profiles/")
    expect(page.locator("#profiles-table")).to_contain_text("Mia")
    assert_no_page_scroll(page)
    # The table scrolls inside its own box, which keyboard users can focus.
    box = page.locator("#profiles-table").locator("xpath=..")
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_attribute("tabindex", "0")
    within_window(page, page.locator("#filter-toggle"))
    page.locator("#filter-toggle").tap()
    pane = page.locator("#filters-pane")
    expect(pane).to_be_visible()
    covers_the_screen(pane)
    within_window(page, page.locator("#apply-filters"))
    assert_accessible(page, "the open Filters pane")
    screenshot(page, "phone-profiles-filters")
    option = pane.locator("label", has=page.locator("input[value=active]")).first
    option.tap()
    expect(pane.locator("input[value=active]")).to_be_checked()
    page.locator("#apply-filters").tap()
    page.wait_for_url("**subscription_status=active**")
    expect(page.locator("#profiles-table")).to_contain_text("Ana")
    expect(page.locator("#profiles-table")).not_to_contain_text("Mia")
    assert_no_page_scroll(page)


def test_on_a_phone_a_person_switches_a_profiles_tabs(phone_as, bob, company):
    profile = make_profile(company, "+12025550130", first_name="Ana", last_name="Ruiz")
    Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MO,
        message_type="reply",
        body="Count me in",
        status=Message.Status.RECEIVED,
    )
    page = phone_as(bob)
    page.goto(f"/profiles/{profile.pk}/")
    expect(page.locator("#profile-phone")).to_be_visible()
    assert_no_page_scroll(page)
    tab = page.locator("#profile-tab-nav a:text-is('Messages')")
    tab.scroll_into_view_if_needed()
    tab.tap()
    expect(page.locator("#profile-tab-nav a.active")).to_have_text("Messages")
    expect(page.locator("#messages-table")).to_contain_text("Count me in")
    assert_no_page_scroll(page)
    assert_accessible(page, "a profile's Messages tab")
    screenshot(page, "phone-profile-messages")


def test_on_a_phone_an_agent_opens_a_chat_types_and_taps_send(phone_as, bob, company):
    campaign = make_campaign(company, "Rally Alerts")
    profile = make_profile(company, "+12025550140", first_name="Sam", last_name="Lee")
    make_subscription(profile, campaign)
    Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MO,
        message_type="reply",
        body="What time is the rally?",
        campaign=campaign,
        status=Message.Status.RECEIVED,
    )
    page = phone_as(bob)
    page.goto("/inbox/messages/")
    expect(page.locator("#inbox-table")).to_contain_text("What time is the rally?")
    assert_no_page_scroll(page)
    menu = page.locator("details.row-menu summary").first
    within_window(page, menu)
    menu.tap()
    start = page.get_by_text("Start chat")
    within_window(page, start)
    start.tap()
    drawer = page.locator("#chat-drawer")
    expect(drawer).to_be_visible()
    covers_the_screen(drawer)
    send = page.locator("#chat-send")
    within_window(page, send)
    assert_accessible(page, "the open chat")
    page.locator("#chat-body").fill("Noon at the park")
    send.tap()
    expect(page.locator(".chat-mt .chat-bubble", has_text="Noon at the park")).to_be_visible()
    expect(page.locator("#chat-body")).to_have_value("")
    sent = Message.objects.get(direction=Message.Direction.MT, body="Noon at the park")
    assert sent.profile_id == profile.pk
    screenshot(page, "phone-chat-sent")
    page.get_by_role("button", name="× Close").tap()
    expect(drawer).to_have_count(0)


def test_on_a_phone_an_admin_opts_numbers_out_by_hand(phone_as, alice, company):
    campaign = make_campaign(company, "Alerts")
    profile = make_profile(company, "+12025550150")
    make_subscription(profile, campaign)
    page = phone_as(alice)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/inbox/opt-out/")
    assert_no_page_scroll(page)
    page.locator("textarea[name=numbers]").fill("phone\n+12025550150\n")
    submit = page.get_by_role("button", name="Opt-Out these Numbers")
    submit.scroll_into_view_if_needed()
    within_window(page, submit)
    submit.tap()
    # The confirmation names the count and the scope before anything changes.
    confirm = page.get_by_role("button", name="Opt out 1 number")
    expect(confirm).to_be_visible()
    assert_no_page_scroll(page)
    assert_accessible(page, "the opt-out confirmation")
    within_window(page, confirm)
    confirm.tap()
    expect(page.locator("#count-opted-out")).to_have_text("1")
    assert_no_page_scroll(page)
    assert_accessible(page, "the opt-out results")
    assert Profile.objects.get(pk=profile.pk).subscriptions.get().status == "Opted-Out"
