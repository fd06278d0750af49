"""The conversation rule: states, holders per role, tags, notes, the activity feed."""

import pytest
from django.db import connection

from inbox.conversations import (
    ConversationError,
    ConversationHeld,
    conversation_assign,
    conversation_claim,
    conversation_close,
    conversation_note_add,
    conversation_release,
    conversation_tag_add,
    conversation_tag_remove,
    conversation_take_over,
)
from inbox.models import ConversationNote, InboxConversation
from inbox.services import InboxError, chat_send, inbox_opt_out
from messaging.gateways import FakeGateway
from messaging.models import Message
from profiles.models import ActivityEvent
from tests.factories import make_campaign, make_profile, make_subscription, make_user, receive_text

pytestmark = pytest.mark.django_db
State = InboxConversation.State
Kind = ActivityEvent.Kind


@pytest.fixture(autouse=True)
def _empty_outbox():
    FakeGateway.clear()
    yield
    FakeGateway.clear()


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts")


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, "+12025550171", first_name="Sam", last_name="Lee")
    make_subscription(profile, campaign)
    return profile


@pytest.fixture
def frank(company):
    return make_user("frank", company=company, role="agent", first_name="Frank")


def _text(profile, body):
    return receive_text(profile.company, profile.phone_number, body).message


def _conversation(profile):
    return InboxConversation.objects.get(profile=profile)


def test_an_incoming_reply_opens_a_conversation_that_needs_a_reply(subscriber, campaign):
    message = _text(subscriber, "When is the rally?")
    conversation = _conversation(subscriber)
    assert conversation.state == State.NEEDS_REPLY
    assert conversation.campaign == campaign
    assert conversation.unread == 1
    assert conversation.last_incoming == message
    assert conversation.assignee is None
    _text(subscriber, "And where?")
    conversation.refresh_from_db()
    assert conversation.unread == 2
    assert InboxConversation.objects.count() == 1  # one per profile and campaign


def test_an_agents_reply_moves_it_to_waiting_and_claims_it(
    subscriber, campaign, bob, django_capture_on_commit_callbacks
):
    _text(subscriber, "When is the rally?")
    with django_capture_on_commit_callbacks(execute=True):
        chat_send(
            company=subscriber.company, profile=subscriber, body="Noon", user=bob, campaign=campaign
        )
    conversation = _conversation(subscriber)
    assert conversation.state == State.WAITING
    assert conversation.unread == 0
    assert conversation.assignee == bob
    assert [m["body"] for m in FakeGateway.sent_to(subscriber.phone_number)] == ["Noon"]


def test_a_new_text_reopens_a_waiting_or_closed_conversation(subscriber, campaign, bob):
    _text(subscriber, "Hi")
    chat_send(
        company=subscriber.company, profile=subscriber, body="Hello", user=bob, campaign=campaign
    )
    _text(subscriber, "One more thing")
    assert _conversation(subscriber).state == State.NEEDS_REPLY
    conversation_close(conversation=_conversation(subscriber), user=bob)
    assert _conversation(subscriber).state == State.CLOSED
    _text(subscriber, "Are you there?")
    conversation = _conversation(subscriber)
    assert conversation.state == State.NEEDS_REPLY
    assert conversation.assignee == bob  # the holder keeps it


def test_a_stop_closes_the_conversation_and_automatic_answers_start_none(
    company, subscriber, campaign
):
    other = make_profile(company, "+12025550179")
    make_subscription(other, campaign)
    _text(other, "HELP")
    assert not InboxConversation.objects.filter(profile=other).exists()
    _text(subscriber, "Who is this?")
    _text(subscriber, "STOP")
    conversation = _conversation(subscriber)
    assert conversation.state == State.CLOSED
    assert conversation.unread == 0


def test_a_text_with_no_campaign_has_one_conversation_too(company):
    stranger = make_profile(company, "+12025550177")
    _text(stranger, "hello?")
    _text(stranger, "anyone?")
    conversation = InboxConversation.objects.get(profile=stranger)
    assert conversation.campaign is None
    assert conversation.unread == 2


def test_an_agent_cannot_answer_a_conversation_someone_else_holds(
    subscriber, campaign, bob, frank, django_capture_on_commit_callbacks
):
    _text(subscriber, "Hi")
    conversation_claim(conversation=_conversation(subscriber), user=frank)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ConversationHeld):
        chat_send(
            company=subscriber.company,
            profile=subscriber,
            body="Me too",
            user=bob,
            campaign=campaign,
        )
    # The refused reply was rolled back: not stored, not sent.
    assert not Message.objects.filter(direction="mt", body="Me too").exists()
    assert FakeGateway.sent_to(subscriber.phone_number) == []
    assert _conversation(subscriber).state == State.NEEDS_REPLY

    conversation_take_over(conversation=_conversation(subscriber), user=bob)
    chat_send(
        company=subscriber.company, profile=subscriber, body="Me too", user=bob, campaign=campaign
    )
    conversation = _conversation(subscriber)
    assert conversation.assignee == bob
    assert conversation.state == State.WAITING
    event = ActivityEvent.objects.get(kind=Kind.CONVERSATION_TAKEN_OVER)
    assert event.actor == bob
    assert event.description == "Taken over from Frank"
    assert event.data["previous"] == frank.pk


def test_claiming_a_held_conversation_is_refused(subscriber, bob, frank):
    _text(subscriber, "Hi")
    conversation_claim(conversation=_conversation(subscriber), user=bob)
    conversation_claim(conversation=_conversation(subscriber), user=bob)  # again: no change
    with pytest.raises(ConversationHeld, match="Bob already holds"):
        conversation_claim(conversation=_conversation(subscriber), user=frank)
    assert _conversation(subscriber).assignee == bob
    assert ActivityEvent.objects.filter(kind=Kind.CONVERSATION_CLAIMED).count() == 1


def test_only_the_holder_or_an_admin_releases(subscriber, alice, bob, frank):
    _text(subscriber, "Hi")
    conversation_claim(conversation=_conversation(subscriber), user=bob)
    with pytest.raises(ConversationHeld):
        conversation_release(conversation=_conversation(subscriber), user=frank)
    assert _conversation(subscriber).assignee == bob
    conversation_release(conversation=_conversation(subscriber), user=alice)
    assert _conversation(subscriber).assignee is None
    event = ActivityEvent.objects.get(kind=Kind.CONVERSATION_RELEASED)
    assert (event.actor, event.description) == (alice, "Released from Bob")


def test_only_an_admin_assigns_and_only_to_a_member_who_may_chat(
    subscriber, alice, bob, charlie, frank, eve
):
    _text(subscriber, "Hi")
    conversation = _conversation(subscriber)
    with pytest.raises(ConversationError, match="Only an Admin"):
        conversation_assign(conversation=conversation, assignee=frank, user=bob)
    with pytest.raises(ConversationError, match="cannot answer"):
        conversation_assign(conversation=conversation, assignee=charlie, user=alice)  # staff
    with pytest.raises(ConversationError, match="cannot answer"):
        conversation_assign(conversation=conversation, assignee=eve, user=alice)  # other company
    assert _conversation(subscriber).assignee is None
    conversation_assign(conversation=conversation, assignee=frank, user=alice)
    conversation_assign(conversation=conversation, assignee=bob, user=alice)
    assert _conversation(subscriber).assignee == bob
    events = ActivityEvent.objects.filter(kind=Kind.CONVERSATION_ASSIGNED).order_by("id")
    assert [(e.actor, e.description) for e in events] == [
        (alice, "Assigned to Frank"),
        (alice, "Assigned to Bob (was Frank)"),
    ]


def test_an_agent_cannot_close_a_conversation_someone_else_holds(subscriber, alice, bob, frank):
    _text(subscriber, "Hi")
    conversation_claim(conversation=_conversation(subscriber), user=frank)
    with pytest.raises(ConversationHeld):
        conversation_close(conversation=_conversation(subscriber), user=bob)
    conversation_close(conversation=_conversation(subscriber), user=alice)
    assert _conversation(subscriber).state == State.CLOSED


def test_tags_are_the_companys_and_match_in_any_case(subscriber, bob):
    _text(subscriber, "Hi")
    conversation = _conversation(subscriber)
    housing = conversation_tag_add(conversation=conversation, name="  Housing ", user=bob)
    again = conversation_tag_add(conversation=conversation, name="housing", user=bob)
    assert housing == again
    assert housing.name == "Housing"
    assert list(conversation.tags.all()) == [housing]
    with pytest.raises(ConversationError, match="Type a tag"):
        conversation_tag_add(conversation=conversation, name="   ", user=bob)
    with pytest.raises(ConversationError, match="at most 40"):
        conversation_tag_add(conversation=conversation, name="x" * 41, user=bob)
    conversation_tag_remove(conversation=conversation, tag=housing, user=bob)
    assert not conversation.tags.exists()
    kinds = list(
        ActivityEvent.objects.filter(profile=subscriber, origin="inbox")
        .order_by("id")
        .values_list("kind", "description", "actor")
    )
    assert kinds == [
        (Kind.CONVERSATION_TAGGED, "Housing", bob.pk),
        (Kind.CONVERSATION_UNTAGGED, "Housing", bob.pk),
    ]


def test_a_note_is_never_sent(subscriber, bob, django_capture_on_commit_callbacks):
    _text(subscriber, "Hi")
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        note = conversation_note_add(
            conversation=_conversation(subscriber), body="Called back, wants a ride", user=bob
        )
    assert Message.objects.count() == before
    assert all("Called back" not in m["body"] for m in FakeGateway.outbox)
    assert FakeGateway.sent_to(subscriber.phone_number) == []
    assert ConversationNote.objects.get() == note
    event = ActivityEvent.objects.get(kind=Kind.CONVERSATION_NOTE)
    assert (event.actor, event.description) == (bob, "Called back, wants a ride")
    with pytest.raises(ConversationError, match="NUL|not allowed"):
        conversation_note_add(conversation=_conversation(subscriber), body="a\x00b", user=bob)


def test_every_agent_action_is_in_the_activity_feed_with_who_did_it(
    subscriber, campaign, alice, bob
):
    from profiles.selectors_detail import profile_activity

    incoming = _text(subscriber, "Hi")
    conversation = _conversation(subscriber)
    conversation_claim(conversation=conversation, user=bob)
    conversation_tag_add(conversation=conversation, name="needs callback", user=bob)
    conversation_note_add(conversation=conversation, body="Left a voicemail", user=bob)
    chat_send(
        company=subscriber.company, profile=subscriber, body="Hello", user=bob, campaign=campaign
    )
    conversation_release(conversation=conversation, user=bob)
    conversation_assign(conversation=conversation, assignee=bob, user=alice)
    conversation_close(conversation=conversation, user=bob)
    inbox_opt_out(incoming=incoming, user=bob)
    feed = profile_activity(profile=subscriber, per_page=50).items
    lines = {(item.title, item.actor) for item in feed}
    for title, actor in [
        ("Conversation claimed", "Bob"),
        ("Conversation tagged", "Bob"),
        ("Internal note", "Bob"),
        ("Conversation released", "Bob"),
        ("Conversation assigned", "Alice"),
        ("Conversation closed", "Bob"),
        ("Opted out", "Bob"),
    ]:
        assert (title, actor) in lines, (title, actor, lines)
    assert any(item.kind == "message" and item.actor == "Bob" for item in feed)  # the reply


def test_inbox_errors_stay_inbox_errors(subscriber, bob, campaign):
    with pytest.raises(InboxError):
        chat_send(company=subscriber.company, profile=subscriber, body="  ", user=bob)


def test_the_backfill_leaves_the_rows_the_rule_leaves(company, campaign, bob):
    """The migration's set-based backfill against the live rule, on the same history."""
    from importlib import import_module

    backfill = import_module("inbox.migrations.0005_conversations").BACKFILL
    waiting = make_profile(company, "+12025550161")
    make_subscription(waiting, campaign)
    needs = make_profile(company, "+12025550162")
    make_subscription(needs, campaign)
    stopped = make_profile(company, "+12025550163")
    make_subscription(stopped, campaign)
    stranger = make_profile(company, "+12025550164")
    _text(waiting, "Hi")
    chat_send(company=company, profile=waiting, body="Hello", user=bob, campaign=campaign)
    _text(needs, "One")
    chat_send(company=company, profile=needs, body="Yes?", user=bob, campaign=campaign)
    _text(needs, "Two")
    _text(needs, "Three")
    _text(stopped, "Hi")
    _text(stopped, "STOP")
    _text(stranger, "who?")
    fields = ["profile_id", "campaign_id", "state", "unread", "last_incoming_id"]
    live = sorted(InboxConversation.objects.values_list(*fields))
    InboxConversation.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    assert sorted(InboxConversation.objects.values_list(*fields)) == live
    states = dict(InboxConversation.objects.values_list("profile_id", "state"))
    assert states == {
        waiting.pk: State.WAITING,
        needs.pk: State.NEEDS_REPLY,
        stopped.pk: State.CLOSED,
        stranger.pk: State.NEEDS_REPLY,
    }


def test_an_agents_opt_out_closes_the_conversation(subscriber, bob):
    incoming = _text(subscriber, "I moved to another state last month")
    inbox_opt_out(incoming=incoming, user=bob)
    assert _conversation(subscriber).state == State.CLOSED


def test_the_response_form_follows_the_same_rule(subscriber, bob, frank):
    from inbox.services import inbox_reply

    incoming = _text(subscriber, "Hi")
    conversation_claim(conversation=_conversation(subscriber), user=frank)
    with pytest.raises(ConversationHeld):
        inbox_reply(company=subscriber.company, incoming=incoming, body="Hello", user=bob)
    assert not Message.objects.filter(direction="mt").exists()
    inbox_reply(company=subscriber.company, incoming=incoming, body="Hello", user=frank)
    assert _conversation(subscriber).state == State.WAITING


def test_stop_all_closes_every_conversation_of_the_number(company, subscriber, campaign):
    other_campaign = make_campaign(company, "Other")
    make_subscription(subscriber, other_campaign)
    _text(subscriber, "Hi")
    InboxConversation.objects.create(
        company=company,
        profile=subscriber,
        campaign=other_campaign,
        last_activity_at=_conversation(subscriber).last_activity_at,
    )
    _text(subscriber, "STOP ALL")
    assert set(
        InboxConversation.objects.filter(profile=subscriber).values_list("state", flat=True)
    ) == {State.CLOSED}
