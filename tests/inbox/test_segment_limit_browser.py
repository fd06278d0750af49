"""The chat box's counter shows the segment limit, agrees with Python, and stops at it.

The script (static/js/sms-counter.js) is the browser twin of core/segments.py; here
it runs in Chromium on the chat page and its answers are compared with the Python ones
for the same bodies. The server stays the rule (tests/inbox/test_input_rules.py).
"""

import pytest
from playwright.sync_api import expect

from core.segments import segment_info, segment_limit_problem
from messaging.models import Message
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODIES = [
    "",
    "Hello",
    "a" * 160,
    "a" * 161,
    "a" * 1530,
    "a" * 1531,
    "a" * 2000,
    "{" * 766,
    "ж" * 670,
    "ж" * 671,
    "😄" * 335,
    "😄" * 400,
    "Polls open 7am–8pm. Reply STOP to opt out.",
]


@pytest.fixture
def chat_page(page_as, bob, company):
    campaign = make_campaign(company, "Rally Alerts")
    profile = make_profile(company, "+12025550181", first_name="Sam")
    make_subscription(profile, campaign)
    page = page_as(bob)
    page.goto(f"/inbox/chat/{profile.pk}/")
    page.locator("#chat-body").wait_for()
    expect(page.locator("#chat-counter")).to_contain_text("of 10 segments")
    return page


def test_the_counter_script_agrees_with_python_on_segments_and_the_limit(chat_page):
    answers = chat_page.evaluate(
        """(bodies) => bodies.map((body) => {
            const info = SmsCounter.count(body, false);
            return [info.segments, info.encoding, info.remaining,
                    SmsCounter.problem(info, 10), SmsCounter.describe(info, 10)];
        })""",
        BODIES,
    )
    for body, (count, encoding, remaining, problem, described) in zip(BODIES, answers, strict=True):
        info = segment_info(body)
        assert (count, encoding, remaining) == (
            info.segments,
            info.encoding,
            info.remaining_in_segment,
        )
        assert problem == (segment_limit_problem(info) or ""), body[:20]
        assert f"{info.segments} of 10 segments" in described


def test_the_chat_box_stops_typing_at_the_limit_and_sends_nothing_past_it(chat_page):
    box = chat_page.locator("#chat-body")
    counter = chat_page.locator("#chat-counter")
    box.fill("a" * 1529)
    box.press_sequentially("bcd")  # the 1,531st character would start an 11th segment
    assert box.input_value() == "a" * 1529 + "b"
    expect(counter).to_contain_text("0 characters left · 10 of 10 segments")

    # Text that arrives past the limit anyway (a script, an old draft) blocks sending.
    chat_page.evaluate(
        """() => {
            const box = document.querySelector('#chat-body');
            box.value = 'a'.repeat(2000);
            box.dispatchEvent(new Event('input'));
        }"""
    )
    expect(counter).to_have_text(
        "This message is 14 segments long; at most 10 segments can be sent as one message. "
        "Shorten it."
    )
    assert chat_page.evaluate("document.querySelector('#chat-body').validity.valid") is False
    box.press("Enter")
    chat_page.locator("#chat-send").click()
    # Then a text that fits: once it shows as sent, it is the only message stored.
    box.fill("See you at noon")
    box.press("Enter")
    chat_page.locator(".chat-mt .chat-bubble", has_text="See you at noon").wait_for()
    sent = Message.objects.filter(direction=Message.Direction.MT)
    assert list(sent.values_list("body", flat=True)) == ["See you at noon"]


def test_one_emoji_makes_the_counter_explain_that_a_part_holds_70_characters_not_160(
    chat_page,
):
    box = chat_page.locator("#chat-body")
    counter = chat_page.locator("#chat-counter")
    box.fill("See you at noon")
    expect(counter).to_have_text("145 characters left · 1 of 10 segments · GSM-7")
    box.press_sequentially(" 😄")
    expect(counter).to_have_text(
        "52 characters left · 1 of 10 segments · UCS-2 · Emoji or special characters: "
        "each message part holds 70 characters instead of 160."
    )
    box.fill("😄" + "a" * 80)  # two parts: the note gives the per-part sizes
    expect(counter).to_contain_text("each message part holds 67 characters instead of 153.")
    box.fill("See you at noon")
    expect(counter).not_to_contain_text("Emoji")
