"""Two agents in one conversation, in two browser contexts: one claims, the other sees it
taken (and sees them there and typing), the first answers with a canned response, and
the conversation waits on the person."""

import os

import pytest
from playwright.sync_api import expect

from inbox.models import CannedResponse, ConversationNote, InboxConversation
from messaging.models import Message
from tests.browser import assert_accessible, assert_no_page_scroll, screenshot
from tests.factories import make_campaign, make_profile, make_subscription, make_user, receive_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
CANNED = "The rally starts at noon in Franklin Park. Bring water!"


def _doc_screenshot(page, name: str) -> None:
    """With DOC_SCREENSHOTS=<dir>, also keep the picture for the docs (what people see)."""
    screenshot(page, name)
    folder = os.environ.get("DOC_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"))


@pytest.fixture
def setup(company):
    campaign = make_campaign(company, "Rally Alerts")
    sam = make_profile(company, "+12025550181", first_name="Sam", last_name="Lee")
    make_subscription(sam, campaign)
    ana = make_profile(company, "+12025550182", first_name="Ana", last_name="Ruiz")
    make_subscription(ana, campaign)
    receive_text(company, ana.phone_number, "Is there parking near the park?")
    receive_text(company, sam.phone_number, "What time is the rally?")
    CannedResponse.objects.create(company=company, name="Rally time", body=CANNED)
    CannedResponse.objects.create(company=company, name="Thanks", body="Thanks for writing!")
    return {"campaign": campaign, "sam": sam}


def test_two_agents_one_claims_the_other_sees_it_taken_and_a_canned_answer_makes_it_wait(
    page_as, bob, company, setup
):
    frank = make_user("frank", company=company, role="agent", first_name="Frank")
    sam = setup["sam"]
    first = page_as(bob)
    second = page_as(frank)
    for page in (first, second):
        page.set_viewport_size(DESKTOP)
        page.goto("/inbox/")
        expect(page.locator("#conversation-table")).to_contain_text("What time is the rally?")
        # The newest conversation comes first, and the menu counts the unread ones.
        expect(page.locator("#conversation-table tbody tr").first).to_contain_text("Sam Lee")
        expect(page.locator("#nav-badge-inbox")).to_contain_text("2")
    assert_accessible(first, "the conversation list")
    _doc_screenshot(first, "inbox-conversations-1440x900")

    for page in (first, second):
        page.locator("#conversation-table tbody tr", has_text="Sam Lee").get_by_role(
            "link", name="Open"
        ).click()
        expect(page.locator("#chat-drawer")).to_be_visible()
        expect(page.locator("#conversation-state")).to_have_text("Needs reply")
    # Each sees the other there (presence polls every few seconds).
    expect(second.locator("#conversation-presence")).to_contain_text(
        "Bob is here too", timeout=10000
    )
    expect(first.locator("#conversation-presence")).to_contain_text(
        "Frank is here too", timeout=10000
    )

    first.locator("#conversation-claim").click()
    expect(first.locator("#conversation-holder")).to_have_text("You are handling this")
    # The other agent sees it taken: no Claim, a Take over instead.
    expect(second.locator("#conversation-holder")).to_contain_text(
        "Bob is handling this", timeout=10000
    )
    expect(second.locator("#conversation-claim")).to_have_count(0)
    expect(second.locator("#conversation-take-over")).to_be_visible()
    assert_accessible(second, "the chat held by another agent")

    box = first.locator("#chat-body")
    box.click()
    box.press_sequentially("/ral")
    popup = first.locator("#canned-popup")
    expect(popup).to_be_visible()
    expect(first.locator("#canned-list li[role=option]:not([hidden])")).to_have_count(1)
    expect(first.locator("#canned-list li[aria-selected=true]")).to_contain_text("Rally time")
    expect(second.locator("#conversation-presence")).to_contain_text(
        "Bob is typing…", timeout=10000
    )
    assert_accessible(first, "the canned responses list")
    _doc_screenshot(first, "inbox-conversation-canned-1440x900")
    box.press("Enter")  # inserts the response, does not send
    expect(popup).to_be_hidden()
    expect(box).to_have_value(CANNED)
    assert not Message.objects.filter(direction="mt").exists()
    box.press("Enter")  # sends
    first.locator(".chat-mt .chat-bubble", has_text="The rally starts at noon").wait_for()
    expect(first.locator("#conversation-state")).to_have_text("Waiting on the person")
    expect(second.locator("#conversation-state")).to_have_text(
        "Waiting on the person", timeout=10000
    )
    # The list behind the chat follows: Sam's conversation left "Needs reply".
    expect(first.locator("#conversation-table")).not_to_contain_text("What time is the rally?")
    expect(first.locator("[data-state-tab=waiting] .badge")).to_have_text("1")

    # The other agent's answer is refused until they take the conversation over.
    other_box = second.locator("#chat-body")
    expect(second.locator("#conversation-held")).to_be_visible()
    other_box.fill("I can help too")
    with second.expect_response(lambda r: r.url.endswith("/send/")) as sent:
        other_box.press("Enter")
    assert "Bob is handling this conversation" in sent.value.text()
    assert not Message.objects.filter(body="I can help too").exists()

    conversation = InboxConversation.objects.get(profile=sam)
    assert conversation.state == InboxConversation.State.WAITING
    assert conversation.assignee == bob
    reply = Message.objects.get(direction="mt", profile=sam)
    assert (reply.body, reply.sent_by) == (CANNED, bob)

    # An internal note, from the keyboard, stays on the page and is never sent.
    first.locator("#conversation-more summary").click()
    first.locator("#note-body").fill("Asked about parking last week too")
    first.locator("#note-submit").click()
    expect(first.locator("#conversation-notes")).to_contain_text("Asked about parking")
    assert ConversationNote.objects.get().body == "Asked about parking last week too"
    assert Message.objects.filter(direction="mt").count() == 1
    _doc_screenshot(first, "inbox-conversation-chat-1440x900")


def test_the_inbox_at_phone_width(page_as, bob, company, setup):
    page = page_as(bob, viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto("/inbox/")
    expect(page.locator("#conversation-table")).to_contain_text("What time is the rally?")
    assert_no_page_scroll(page)
    assert_accessible(page, "the conversation list on a phone")
    _doc_screenshot(page, "inbox-conversations-390x844")
    page.locator("#conversation-table tbody tr", has_text="Sam Lee").get_by_role(
        "link", name="Open"
    ).tap()
    expect(page.locator("#chat-drawer")).to_be_visible()
    page.locator("#conversation-claim").tap()
    expect(page.locator("#conversation-holder")).to_have_text("You are handling this")
    page.locator("#canned-toggle").tap()
    expect(page.locator("#canned-popup")).to_be_visible()
    assert_accessible(page, "the chat on a phone")
    _doc_screenshot(page, "inbox-conversation-chat-390x844")
    page.locator("#canned-list li", has_text="Thanks").tap()
    expect(page.locator("#chat-body")).to_have_value("Thanks for writing!")
