"""By keyboard: the skip link, the Filters pane and the chat drawer as dialogs, row menus,
a profile's htmx tabs, and what a screen reader hears from the chat."""

import pytest
from playwright.sync_api import expect

from messaging.models import Message
from tests.browser import assert_accessible
from tests.factories import make_campaign, make_profile, make_subscription
from tests.inbox.test_browser import _post_inbound

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"
FOCUS_IN = "(selector) => !!document.activeElement.closest(selector)"
# A modal <dialog> leaves the page behind it inert: Tab cycles through the dialog and the
# browser's own controls (where the document's focus is <body>), never the page behind.
NOT_BEHIND = """(selector) => document.activeElement === document.body ||
  !!document.activeElement.closest(selector)"""


def chat_ready(company):
    campaign = make_campaign(company, "Rally Alerts")
    profile = make_profile(company, "+12025550160", first_name="Sam", last_name="Lee")
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
    return profile


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page_as, dana):
    page = page_as(dana)
    page.goto("/profiles/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is in the page's content, not back in the sidebar.
    assert page.evaluate(FOCUS_IN, "#content")


def test_the_filters_pane_opens_with_enter_keeps_focus_and_escape_returns_it(
    page_as, dana, company
):
    make_profile(company, "+12025550161", first_name="Ana")
    page = page_as(dana)
    page.goto("/profiles/")
    page.locator("#filter-toggle").focus()
    page.keyboard.press("Enter")
    pane = page.locator("#filters-pane")
    expect(pane).to_be_visible()
    expect(page.locator("#filter-toggle")).to_have_attribute("aria-expanded", "true")
    # Focus is on the first option, not on the Filter button behind the pane.
    expect(pane.locator(".drawer-body input[type=radio]").first).to_be_focused()
    # Tab stays inside the pane, however far it goes.
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate(NOT_BEHIND, "#filters-pane"), "Tab reached the page behind the pane"
    page.keyboard.press("Tab")
    if not page.evaluate(FOCUS_IN, "#filters-pane"):
        page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_IN, "#filters-pane"), "Tab did not come back into the pane"
    page.keyboard.press("Escape")
    expect(pane).to_be_hidden()
    expect(page.locator("#filter-toggle")).to_be_focused()
    expect(page.locator("#filter-toggle")).to_have_attribute("aria-expanded", "false")
    # The close button also hands focus back.
    page.keyboard.press("Enter")
    pane.locator("[data-close-filters]").click()
    expect(pane).to_be_hidden()
    expect(page.locator("#filter-toggle")).to_be_focused()


def test_the_chat_drawer_takes_focus_and_escape_returns_it_to_the_row_menu(page_as, bob, company):
    chat_ready(company)
    page = page_as(bob)
    page.goto("/inbox/messages/")
    menu = page.locator("details.row-menu summary").first
    menu.focus()
    page.keyboard.press("Enter")
    start = page.locator(".row-menu .menu-chat").first
    expect(start).to_be_visible()
    start.focus()
    page.keyboard.press("Enter")
    drawer = page.locator("#chat-drawer")
    expect(drawer).to_be_visible()
    expect(page.locator("#chat-body")).to_be_focused()
    for _ in range(15):
        page.keyboard.press("Tab")
        assert page.evaluate(NOT_BEHIND, "#chat-drawer"), "Tab reached the inbox behind the chat"
    page.keyboard.press("Tab")
    if not page.evaluate(FOCUS_IN, "#chat-drawer"):
        page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_IN, "#chat-drawer"), "Tab did not come back into the chat"
    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    expect(menu).to_be_focused()
    assert page.url.endswith("/inbox/messages/")


def test_a_row_menu_closes_on_escape_and_focus_stays_on_its_button(page_as, bob, company):
    chat_ready(company)
    page = page_as(bob)
    page.goto("/inbox/messages/")
    menu = page.locator("details.row-menu").first
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(menu.locator(".menu-chat")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(menu.locator("summary")).to_be_focused()


def test_an_htmx_tab_swap_keeps_focus_on_the_tab(page_as, bob, company):
    profile = make_profile(company, "+12025550162", first_name="Ana")
    page = page_as(bob)
    page.goto(f"/profiles/{profile.pk}/")
    page.locator("#profile-tab-nav a:text-is('Notes')").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#profile-tab-nav a.active")).to_have_text("Notes")
    expect(page.locator("#profile-tab-nav a:text-is('Notes')")).to_be_focused()
    assert "tab=notes" in page.url


def test_a_new_chat_reply_is_announced_and_the_counter_is_not_read_per_keystroke(
    page_as, bob, company, live_server
):
    profile = chat_ready(company)
    page = page_as(bob)
    page.goto(f"/inbox/chat/{profile.pk}/")
    expect(page.locator("#chat-drawer")).to_be_visible()
    announce = page.locator("#chat-announce")
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_have_text("")  # what was there on opening is not news
    counter = page.locator("#chat-counter")
    assert counter.get_attribute("aria-live") in (None, "off")
    live = "[aria-live]:not([aria-live=off])"
    assert not page.evaluate(f"() => !!document.getElementById('chat-counter').closest('{live}')")
    expect(page.locator("#chat-body")).to_have_attribute("aria-describedby", "chat-counter")
    _post_inbound(live_server.url, profile.phone_number, "Great, see you there")
    expect(announce).to_have_text("New reply: Great, see you there", timeout=10000)
    assert_accessible(page, "the chat with a new reply")


def test_the_message_this_profile_drawer_is_a_dialog_too(page_as, bob, company):
    chat_ready(company)
    page = page_as(bob)
    page.goto("/inbox/messages/")
    menu = page.locator("details.row-menu summary").first
    menu.click()
    page.locator(".row-menu .menu-respond").first.click()
    drawer = page.locator("#respond-drawer")
    expect(drawer).to_be_visible()
    expect(page.locator("#respond-body")).to_be_focused()
    assert_accessible(page, "the Message this profile drawer")
    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    expect(menu).to_be_focused()
