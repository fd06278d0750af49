"""Every message type and status reads as words, never as its code."""

import pytest
from django.urls import reverse

from messaging.labels import (
    MO_TYPE_LABELS,
    MT_TYPE_LABELS,
    STATUS_LABELS,
    message_type_label,
)
from messaging.models import Message, MOType, MTType
from tests.factories import make_campaign, make_profile, make_subscription, receive_text


def _looks_like_a_code(code: str, label: str) -> bool:
    return (
        label == code
        or "_" in label
        or label == code.replace("_", " ").title()  # "Ftaf Opt In Confirmation"
    )


@pytest.mark.parametrize(
    ("codes", "labels"),
    [(MOType, MO_TYPE_LABELS), (MTType, MT_TYPE_LABELS)],
)
def test_every_type_has_a_label_that_is_not_its_code(codes, labels):
    for code in codes.values:
        assert code in labels, code
        assert not _looks_like_a_code(code, labels[code]), (code, labels[code])


def test_the_names_seed_000_shows_users_are_kept_for_the_one_on_one_type_and_statuses():
    assert message_type_label("direct_message", "mt") == "direct message"
    # Seed 004's statuses are already words users read (seed 000 shows "Read (RCS)").
    assert set(STATUS_LABELS) == set(Message.Status.values)
    assert STATUS_LABELS["Failed Permanently"] == "Failed Permanently"


def test_a_code_both_directions_share_reads_by_the_messages_direction():
    assert message_type_label("opt_in_confirmation", "mo") != message_type_label(
        "opt_in_confirmation", "mt"
    )


@pytest.mark.django_db
def test_the_inbox_type_filter_and_type_badges_show_words(client_as, bob, company):
    profile = make_profile(company, "+12025550190")
    make_subscription(profile, make_campaign(company, "Alerts"))
    receive_text(company, profile.phone_number, "what time?")
    page = client_as(bob).get(reverse("inbox:messages")).content.decode()
    assert "Ftaf Opt In Confirmation" not in page and "Mdata Query" not in page
    assert ">Tell-a-friend opt-in confirmed</option>" in page
    assert ">mData lookup</option>" in page
    assert '<span class="badge ">Reply to a text</span>' in page


@pytest.mark.django_db
def test_chat_lines_and_the_messages_tab_name_types_in_words(client_as, bob, company):
    profile = make_profile(company, "+12025550191")
    campaign = make_campaign(company, "Alerts")
    make_subscription(profile, campaign)
    client = client_as(bob)
    client.post(
        reverse("inbox:chat_send", args=[profile.pk]), {"body": "Hi there", "campaign": campaign.pk}
    )
    Message.objects.filter(direction="mt").update(sent_by=None)
    receive_text(company, profile.phone_number, "Thanks")
    chat = client.get(reverse("inbox:chat_messages", args=[profile.pk])).content.decode()
    assert "direct_response" not in chat and "direct_message" not in chat
    assert "Reply to a one-on-one message" in chat
    assert "direct message" in chat
    tab = client.get(reverse("profiles:detail", args=[profile.pk]), {"tab": "messages"})
    assert 'title="Reply to a one-on-one message"' in tab.content.decode()
