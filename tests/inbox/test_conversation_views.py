"""The conversation pages: the list's tabs, roles and tenancy on every action, presence,
canned responses, tags and notes, and the menu's unread count."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from inbox.conversations import conversation_claim
from inbox.models import CannedResponse, ConversationNote, InboxConversation
from inbox.presence import presence_touch
from messaging.gateways import FakeGateway
from messaging.models import Message
from tests.factories import make_campaign, make_profile, make_subscription, make_user, receive_text

pytestmark = pytest.mark.django_db
State = InboxConversation.State


@pytest.fixture(autouse=True)
def _clean():
    FakeGateway.clear()
    cache.clear()
    yield
    FakeGateway.clear()


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts")


@pytest.fixture
def frank(company):
    return make_user("frank", company=company, role="agent", first_name="Frank")


def _person(company, campaign, phone, first_name, text):
    profile = make_profile(company, phone, first_name=first_name)
    make_subscription(profile, campaign)
    receive_text(company, phone, text)
    return InboxConversation.objects.get(profile=profile)


@pytest.fixture
def conversation(company, campaign):
    return _person(company, campaign, "+12025550171", "Sam", "When is the rally?")


def _url(name, conversation, *extra):
    return reverse(f"inbox:{name}", args=[conversation.pk, *extra])


def test_the_inbox_opens_on_needs_reply_newest_first(client_as, charlie, company, campaign, bob):
    older = _person(company, campaign, "+12025550172", "Ana", "first question")
    newer = _person(company, campaign, "+12025550173", "Raj", "second question")
    answered = _person(company, campaign, "+12025550174", "Lee", "answered question")
    client_as(bob).post(
        reverse("inbox:chat_send", args=[answered.profile_id]),
        {"body": "Done", "campaign": campaign.pk},
    )
    page = client_as(charlie).get(reverse("inbox:index")).content.decode()
    assert page.index("second question") < page.index("first question")
    assert "answered question" not in page
    assert 'aria-current="page" data-state-tab="needs_reply"' in page
    waiting = client_as(charlie).get(reverse("inbox:index"), {"state": "waiting"}).content.decode()
    assert "answered question" in waiting and "first question" not in waiting
    assert older.pk != newer.pk


def test_mine_and_unassigned_views(client_as, bob, frank, company, campaign):
    mine = _person(company, campaign, "+12025550172", "Ana", "bob has this")
    _person(company, campaign, "+12025550173", "Raj", "nobody has this")
    theirs = _person(company, campaign, "+12025550174", "Lee", "frank has this")
    conversation_claim(conversation=mine, user=bob)
    conversation_claim(conversation=theirs, user=frank)
    client = client_as(bob)
    page = client.get(reverse("inbox:index"), {"view": "mine"}).content.decode()
    assert "bob has this" in page and "nobody has this" not in page and "frank has" not in page
    page = client.get(reverse("inbox:index"), {"view": "unassigned"}).content.decode()
    assert "nobody has this" in page and "bob has this" not in page
    page = client.get(reverse("inbox:index"), {"view": "all"}).content.decode()
    assert all(t in page for t in ("bob has this", "nobody has this", "frank has this"))


def test_the_tag_filter(client_as, bob, company, campaign):
    housing = _person(company, campaign, "+12025550172", "Ana", "about rent")
    _person(company, campaign, "+12025550173", "Raj", "about the rally")
    client = client_as(bob)
    client.post(_url("conversation_tag_add", housing), {"name": "housing"})
    tag = housing.tags.get()
    page = client.get(reverse("inbox:index"), {"tag": tag.pk}).content.decode()
    assert "about rent" in page and "about the rally" not in page


def test_the_menu_counts_conversations_with_unread_texts(client_as, bob, company, campaign):
    first = _person(company, campaign, "+12025550172", "Ana", "one")
    _person(company, campaign, "+12025550173", "Raj", "two")
    client = client_as(bob)
    page = client.get(reverse("profiles:list")).content.decode()
    assert 'id="nav-badge-inbox">2<' in page
    client.get(reverse("inbox:chat", args=[first.profile_id]), {"campaign": campaign.pk})
    first.refresh_from_db()
    assert first.unread == 0
    assert 'id="nav-badge-inbox">1<' in client.get(reverse("profiles:list")).content.decode()


@pytest.mark.parametrize(
    "name",
    ["conversation_claim", "conversation_release", "conversation_take_over", "conversation_close"],
)
def test_staff_and_analysts_cannot_act_on_conversations(
    client_as, charlie, dana, conversation, name
):
    for user in (charlie, dana):
        assert client_as(user).post(_url(name, conversation)).status_code == 403
    conversation.refresh_from_db()
    assert conversation.assignee is None and conversation.state == State.NEEDS_REPLY


def test_an_agent_cannot_assign(client_as, bob, frank, conversation):
    response = client_as(bob).post(
        _url("conversation_assign", conversation), {"assignee": frank.pk}
    )
    assert response.status_code == 403
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_an_admin_assigns_to_a_member_only(client_as, alice, frank, eve, conversation):
    client = client_as(alice)
    response = client.post(
        _url("conversation_assign", conversation), {"assignee": eve.pk}, HTTP_HX_REQUEST="true"
    )
    assert "Choose a member who can answer texts" in response.content.decode()
    client.post(_url("conversation_assign", conversation), {"assignee": frank.pk})
    conversation.refresh_from_db()
    assert conversation.assignee == frank


def test_another_companys_conversation_is_not_found(client_as, eve, conversation):
    client = client_as(eve)
    for name in (
        "conversation_claim",
        "conversation_release",
        "conversation_take_over",
        "conversation_close",
        "conversation_tag_add",
        "conversation_note_add",
    ):
        assert client.post(_url(name, conversation), {"name": "x", "body": "x"}).status_code == 404
    presence = reverse("inbox:chat_presence", args=[conversation.profile_id])
    assert client.post(presence).status_code == 404
    assert "When is the rally?" not in client.get(reverse("inbox:index")).content.decode()
    conversation.refresh_from_db()
    assert conversation.assignee is None and not conversation.tags.exists()
    assert not ConversationNote.objects.exists()


def test_claim_then_the_other_agent_sees_it_taken_and_cannot_reply(
    client_as, bob, frank, conversation, campaign
):
    bar = client_as(bob).post(_url("conversation_claim", conversation), HTTP_HX_REQUEST="true")
    assert "You are handling this" in bar.content.decode()
    other = client_as(frank)
    chat_url = reverse("inbox:chat", args=[conversation.profile_id])
    page = other.get(chat_url, {"campaign": campaign.pk}).content.decode()
    assert "<strong>Bob</strong> is handling this" in page
    assert "Take over" in page and ">Claim<" not in page
    response = other.post(
        reverse("inbox:chat_send", args=[conversation.profile_id]),
        {"body": "I'll answer", "campaign": campaign.pk},
    )
    assert "Bob is handling this conversation. Take it over to answer." in response.content.decode()
    assert not Message.objects.filter(body="I'll answer").exists()
    refused = other.post(_url("conversation_claim", conversation), HTTP_HX_REQUEST="true")
    assert "Bob already holds this conversation." in refused.content.decode()
    other.post(_url("conversation_take_over", conversation))
    conversation.refresh_from_db()
    assert conversation.assignee == frank


def test_presence_shows_the_other_agent_and_their_typing(
    client_as, bob, frank, conversation, campaign
):
    url = (
        reverse("inbox:chat_presence", args=[conversation.profile_id]) + f"?campaign={campaign.pk}"
    )
    client_as(frank).post(url, {"typing": "1"})
    bar = client_as(bob).post(url, {"typing": "0"}).content.decode()
    assert "Frank is typing…" in bar
    client_as(frank).post(url, {"typing": "0"})
    bar = client_as(bob).post(url).content.decode()
    assert "Frank is here too" in bar
    assert "Bob is" not in bar  # not oneself
    assert "Bob is here too" in client_as(frank).post(url).content.decode()


def test_presence_without_a_cache_shows_nobody_and_the_chat_works_on(
    monkeypatch, client_as, bob, frank, company, conversation, campaign
):
    from inbox import presence

    url = (
        reverse("inbox:chat_presence", args=[conversation.profile_id]) + f"?campaign={campaign.pk}"
    )
    client_as(frank).post(url, {"typing": "1"})

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(presence.cache, "set", unreachable)
    assert (
        presence_touch(company=company, conversation_id=conversation.pk, user=bob, typing=True)
        == []
    )
    response = client_as(bob).post(url)
    assert response.status_code == 200
    assert "Frank is" not in response.content.decode()
    assert "Take over" not in response.content.decode()  # the bar itself is whole


def test_canned_responses_are_edited_by_admins_only(client_as, alice, bob, company, eve):
    url = reverse("inbox:canned_responses")
    assert client_as(bob).get(url).status_code == 403
    assert client_as(bob).post(url, {"name": "Hi", "body": "Hello"}).status_code == 403
    client = client_as(alice)
    client.post(url, {"name": "Rally time", "body": "The rally starts at noon."})
    response = CannedResponse.objects.get()
    assert (response.company, response.updated_by) == (company, alice)
    duplicate = client.post(url, {"name": "rally TIME", "body": "x"})
    assert duplicate.status_code == 400
    assert "already the name" in duplicate.content.decode()
    empty = client.post(url, {"name": "Empty", "body": "  "})
    assert "Type the text" in empty.content.decode()
    client.post(
        reverse("inbox:canned_edit", args=[response.pk]), {"name": "Rally", "body": "Noon."}
    )
    response.refresh_from_db()
    assert (response.name, response.body) == ("Rally", "Noon.")
    assert client_as(eve).get(reverse("inbox:canned_edit", args=[response.pk])).status_code == 404
    assert (
        client_as(eve).post(reverse("inbox:canned_delete", args=[response.pk])).status_code == 404
    )
    client.post(reverse("inbox:canned_delete", args=[response.pk]))
    assert not CannedResponse.objects.exists()


def test_the_chat_box_offers_the_companys_canned_responses(
    client_as, bob, company, other_company, conversation, campaign
):
    CannedResponse.objects.create(company=company, name="Rally time", body="Noon at the park")
    CannedResponse.objects.create(company=other_company, name="Theirs", body="Not ours")
    page = client_as(bob).get(
        reverse("inbox:chat", args=[conversation.profile_id]), {"campaign": campaign.pk}
    )
    html = page.content.decode()
    assert 'data-canned-body="Noon at the park"' in html
    assert "Not ours" not in html


def test_a_note_from_the_page_is_stored_and_never_sent(
    client_as, bob, conversation, django_capture_on_commit_callbacks
):
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(bob).post(
            _url("conversation_note_add", conversation), {"body": "Needs a ride on Saturday"}
        )
    assert "Needs a ride on Saturday" in response.content.decode()
    assert ConversationNote.objects.get().body == "Needs a ride on Saturday"
    assert Message.objects.count() == before
    assert list(FakeGateway.outbox) == []


def test_tags_from_the_page(client_as, bob, conversation):
    client = client_as(bob)
    page = client.post(_url("conversation_tag_add", conversation), {"name": "needs callback"})
    assert "needs callback" in page.content.decode()
    tag = conversation.tags.get()
    page = client.post(_url("conversation_tag_remove", conversation, tag.pk))
    assert not conversation.tags.exists()
    too_long = client.post(_url("conversation_tag_add", conversation), {"name": "x" * 41})
    assert "at most 40" in too_long.content.decode()


def test_a_list_row_shows_the_person_text_unread_tags_holder_and_open(
    client_as, company, campaign, frank, charlie
):
    row_of = _person(company, campaign, "+12025550175", "<Jo>", "Is it <b>on</b>?")
    InboxConversation.objects.filter(pk=row_of.pk).update(assignee=frank, unread=3)
    row_of.tags.create(company=company, name="needs <callback>")
    page = client_as(frank).get(reverse("inbox:index")).content.decode()
    row = page[page.index(f'<tr data-conversation-id="{row_of.pk}"') :]
    row = row[: row.index("</tr>")]
    profile = row_of.profile_id
    assert 'data-state="needs_reply"' in row
    assert f'<a href="/profiles/{profile}/">&lt;Jo&gt;</a>' in row
    assert '<div class="muted small">(202) 555-0175</div>' in row
    assert '<span class="inbox-body">Is it &lt;b&gt;on&lt;/b&gt;?</span>' in row
    assert '<span class="badge badge-blue unread-badge">3 unread</span>' in row
    assert '<span class="badge conversation-tag">needs &lt;callback&gt;</span>' in row
    assert "<td>Alerts</td>" in row and "<td>Frank</td>" in row
    chat = f"/inbox/chat/{profile}/?campaign={campaign.pk}"
    assert f'href="{chat}" hx-get="{chat}"' in row and f'id="open-{row_of.pk}"' in row
    # Staff may not chat: the row links to the profile instead.
    staff = client_as(charlie).get(reverse("inbox:index")).content.decode()
    assert f'<a class="btn btn-sm row-view" href="/profiles/{profile}/"' in staff
    assert "conversation-open" not in staff
