"""The inbox reads well: long bodies are clamped with a way to read them, numbers are
formatted, and a Staff reader gets a plain View link rather than a menu with nothing in it."""

import re

import pytest
from django.urls import reverse

from messaging.models import Message
from tests.factories import make_campaign, make_profile, make_subscription, receive_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(company):
    profile = make_profile(company, "+16055556443", first_name="Sam")
    make_subscription(profile, make_campaign(company, "Alerts"))
    return profile


def test_a_20000_character_body_renders_truncated_with_a_way_to_read_it_all(
    client_as, charlie, subscriber
):
    message = receive_text(subscriber.company, subscriber.phone_number, "start").message
    body = "Start. " + "x" * 19_985 + " THE-END"
    assert len(body) == 20_000
    Message.objects.filter(pk=message.pk).update(body=body)
    page = client_as(charlie).get(reverse("inbox:messages")).content.decode()
    preview = re.search(r'<span class="inbox-body inbox-body-preview">(.*?)</span>', page, re.S)
    assert preview is not None
    assert len(preview.group(1)) <= 300 and preview.group(1).startswith("Start. ")
    assert re.search(r"<details class=\"inbox-body-more\">\s*<summary>", page)
    assert "Read all (20,000 characters)" in page
    # The whole text is there to open in place; nothing is lost.
    full = re.search(r'<div class="inbox-body inbox-body-full">(.*?)</div>', page, re.S)
    assert full is not None and full.group(1) == body


def test_a_short_body_is_shown_whole_without_a_read_all(client_as, charlie, subscriber):
    receive_text(subscriber.company, subscriber.phone_number, "When is the rally?")
    page = client_as(charlie).get(reverse("inbox:messages")).content.decode()
    assert '<span class="inbox-body">When is the rally?</span>' in page
    assert "Read all" not in page


def test_a_staff_reader_gets_a_view_link_not_a_menu_that_only_says_view_only(
    client_as, charlie, subscriber
):
    receive_text(subscriber.company, subscriber.phone_number, "hello")
    page = client_as(charlie).get(reverse("inbox:messages")).content.decode()
    assert "View only" not in page and "Menu ▾" not in page
    assert f'<a class="btn btn-sm row-view" href="/profiles/{subscriber.pk}/"' in page


def test_an_agent_still_gets_the_row_menu(client_as, bob, subscriber):
    receive_text(subscriber.company, subscriber.phone_number, "hello")
    page = client_as(bob).get(reverse("inbox:messages")).content.decode()
    assert "Menu ▾" in page and "Start chat" in page


def test_the_chat_header_and_the_table_show_the_number_formatted(client_as, bob, subscriber):
    receive_text(subscriber.company, subscriber.phone_number, "hello")
    client = client_as(bob)
    chat = client.get(reverse("inbox:chat", args=[subscriber.pk])).content.decode()
    header = chat[chat.index('id="chat-drawer"') :]
    header = header[: header.index("</header>")]
    assert "(605) 555-6443" in header
    assert ">+16055556443<" not in header
    assert 'data-phone="+16055556443"' in header  # raw E.164 stays in the data attribute
    assert "(605) 555-6443" in client.get(reverse("inbox:messages")).content.decode()
