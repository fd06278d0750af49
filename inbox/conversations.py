"""The conversation rule: whose turn it is, who holds a conversation, what agents did.

Every change of an inbox conversation's state or holder is made here:

- `conversation_incoming` (registered in InboxConfig.ready() as a handler that
  messaging/inbound.py runs once after an MO is classified): a text someone must
  answer (a reply, a direct response, an unknown or unmatched text) opens or reopens
  the conversation as *needs reply*; a STOP closes it (nobody may answer an opted-out
  number); texts the platform answered itself (HELP, keywords, OOPS, flow answers)
  leave it alone and start none. `last_incoming` is the last text that needed a person.
- `conversation_reply` (called from the chat and the Response form, in the transaction
  that stores the reply): the agent's answer makes it *waiting*. Someone else's
  conversation cannot be answered: the error rolls the whole transaction back, so the
  refused reply is never stored nor sent. Answering an unassigned one claims it.
- claim, release, assign (Admins), take over (recorded with whom it was taken from),
  close, tags and internal notes. Each agent action lands in the profile's activity
  feed with who did it.

Holder changes are made under a row lock (SELECT … FOR UPDATE), so two agents claiming
at once end with one holder and one clear refusal.
"""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Company, Membership
from accounts.tenancy import Perm, has_perm, role_in
from campaigns.models import Campaign
from core.errors import ErrorKind, ServiceError
from core.text_rules import TextError, text_clean
from messaging.models import Message, MOType
from profiles.models import ActivityEvent, Profile
from profiles.services import activity_record

from .models import ConversationNote, ConversationTag, InboxConversation

State = InboxConversation.State

# Incoming types a person on the team has to answer.
NEEDS_AGENT_TYPES = frozenset(
    {MOType.REPLY, MOType.DIRECT_RESPONSE, MOType.UNKNOWN, MOType.UNMATCHED}
)
# Incoming types after which nobody may answer the number in that campaign.
CLOSING_TYPES = frozenset({MOType.OPT_OUT, MOType.UNKNOWN_OPT_OUT, MOType.DEACTIVATION})

NOTE_MAX_CHARS = 2000
TAG_MAX_CHARS = 40


class ConversationError(ServiceError):
    """A conversation action the rules refuse; the message is for the agent."""


class ConversationHeld(ConversationError):
    """Someone else holds the conversation: take it over first."""

    kind = ErrorKind.CONFLICT


def user_label(user: User | None) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


def _record(
    conversation: InboxConversation,
    kind: str,
    user: User | None,
    description: str,
    **data: object,
) -> None:
    activity_record(
        profile=conversation.profile,
        kind=kind,
        actor=user,
        description=description,
        origin="inbox",
        data={"conversation": conversation.pk, **data},
    )


def _locked(
    *, company_id: int, profile: Profile, campaign: Campaign | None, defaults: dict
) -> tuple[InboxConversation, bool]:
    """The conversation of a profile and campaign, locked; created when missing."""
    found = (
        InboxConversation.objects.select_for_update()
        .filter(profile=profile, campaign=campaign)
        .first()
    )
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return (
                InboxConversation.objects.create(
                    company_id=company_id, profile=profile, campaign=campaign, **defaults
                ),
                True,
            )
    except IntegrityError:
        # Created by a concurrent request between the read and the insert.
        return InboxConversation.objects.select_for_update().get(
            profile=profile, campaign=campaign
        ), False


def _relock(conversation: InboxConversation) -> InboxConversation:
    return (
        InboxConversation.objects.select_for_update(of=("self",))
        .select_related("profile", "assignee")
        .get(pk=conversation.pk)
    )


@transaction.atomic
def conversation_incoming(*, message: Message) -> InboxConversation | None:
    """Apply one classified incoming text to its conversation (see the module's rule)."""
    if message.profile_id is None or message.direction != Message.Direction.MO:
        return None
    at = message.created_at or timezone.now()
    needs_agent = message.message_type in NEEDS_AGENT_TYPES
    if not needs_agent:
        if message.message_type in CLOSING_TYPES:
            # A STOP leaves the campaign it answered; the others (STOP ALL, a STOP in no
            # campaign) leave every campaign.
            conversations_opted_out(
                profile_id=message.profile_id,
                campaign_id=message.campaign_id,
                everywhere=message.message_type != MOType.OPT_OUT,
            )
        return None
    profile = message.profile
    assert profile is not None  # profile_id is checked above
    conversation, created = _locked(
        company_id=message.company_id,
        profile=profile,
        campaign=message.campaign,
        defaults={
            "state": State.NEEDS_REPLY,
            "unread": 1,
            "last_incoming": message,
            "last_incoming_at": at,
            "last_activity_at": at,
        },
    )
    if not created:
        InboxConversation.objects.filter(pk=conversation.pk).update(
            state=State.NEEDS_REPLY,
            unread=F("unread") + 1,
            last_incoming=message,
            last_incoming_at=at,
            last_activity_at=at,
        )
        conversation.refresh_from_db()
    return conversation


def conversations_opted_out(
    *, profile_id: int, campaign_id: int | None, everywhere: bool = False
) -> int:
    """The number opted out (a STOP, or an agent's opt-out): nobody may answer it there."""
    closing = InboxConversation.objects.filter(profile_id=profile_id)
    if not everywhere:
        closing = (
            closing.filter(campaign_id=campaign_id)
            if campaign_id is not None
            else closing.filter(campaign__isnull=True)
        )
    return closing.exclude(state=State.CLOSED).update(state=State.CLOSED, unread=0)


@transaction.atomic
def conversation_reply(
    *, profile: Profile, campaign: Campaign | None, user: User, message: Message
) -> InboxConversation:
    """An agent's reply: the conversation waits on the person.

    Raises ConversationHeld when someone else holds it; the caller's transaction (which
    stored `message`) then rolls back, so the reply is neither kept nor sent.
    """
    at = message.created_at or timezone.now()
    conversation, created = _locked(
        company_id=profile.company_id,
        profile=profile,
        campaign=campaign,
        defaults={"state": State.WAITING, "last_activity_at": at},
    )
    if conversation.assignee_id is not None and conversation.assignee_id != user.pk:
        holder = conversation.assignee
        raise ConversationHeld(
            f"{user_label(holder)} is handling this conversation. Take it over to answer."
        )
    if conversation.assignee_id is None:
        conversation.assignee = user
        conversation.assigned_at = at
        _record(
            conversation,
            ActivityEvent.Kind.CONVERSATION_CLAIMED,
            user,
            f"Claimed by {user_label(user)} on replying",
        )
    conversation.state = State.WAITING
    conversation.unread = 0
    conversation.last_reply_at = at
    conversation.last_activity_at = at
    conversation.save(
        update_fields=[
            "assignee",
            "assigned_at",
            "state",
            "unread",
            "last_reply_at",
            "last_activity_at",
            "updated_at",
        ]
    )
    return conversation


def _save_holder(conversation: InboxConversation, holder: User | None) -> None:
    conversation.assignee = holder
    conversation.assigned_at = timezone.now() if holder is not None else None
    conversation.save(update_fields=["assignee", "assigned_at", "updated_at"])


def _is_admin(user: User, company_id: int) -> bool:
    return has_perm(role_in(user, Company(pk=company_id)), Perm.MANAGE)


@transaction.atomic
def conversation_claim(*, conversation: InboxConversation, user: User) -> InboxConversation:
    """The agent takes an unassigned conversation; one someone holds is refused."""
    conversation = _relock(conversation)
    if conversation.assignee_id == user.pk:
        return conversation
    if conversation.assignee_id is not None:
        raise ConversationHeld(
            f"{user_label(conversation.assignee)} already holds this conversation."
        )
    _save_holder(conversation, user)
    _record(conversation, ActivityEvent.Kind.CONVERSATION_CLAIMED, user, "Claimed")
    return conversation


@transaction.atomic
def conversation_release(*, conversation: InboxConversation, user: User) -> InboxConversation:
    """The holder (or an Admin) gives the conversation back to the unassigned list."""
    conversation = _relock(conversation)
    holder = conversation.assignee
    if holder is None:
        return conversation
    if holder.pk != user.pk and not _is_admin(user, conversation.company_id):
        raise ConversationHeld(
            f"{user_label(holder)} holds this conversation: only they or an Admin can release it."
        )
    _save_holder(conversation, None)
    _record(
        conversation,
        ActivityEvent.Kind.CONVERSATION_RELEASED,
        user,
        "Released" if holder.pk == user.pk else f"Released from {user_label(holder)}",
        previous=holder.pk,
    )
    return conversation


@transaction.atomic
def conversation_assign(
    *, conversation: InboxConversation, assignee: User, user: User
) -> InboxConversation:
    """An Admin gives the conversation to a member of the company who may chat."""
    if not _is_admin(user, conversation.company_id):
        raise ConversationError("Only an Admin can assign conversations.")
    member_role = role_in(assignee, Company(pk=conversation.company_id))
    if not has_perm(member_role, Perm.CHAT):
        raise ConversationError(f"{user_label(assignee)} cannot answer texts in this company.")
    conversation = _relock(conversation)
    previous = conversation.assignee
    if previous is not None and previous.pk == assignee.pk:
        return conversation
    _save_holder(conversation, assignee)
    _record(
        conversation,
        ActivityEvent.Kind.CONVERSATION_ASSIGNED,
        user,
        f"Assigned to {user_label(assignee)}"
        + (f" (was {user_label(previous)})" if previous else ""),
        assignee=assignee.pk,
        previous=previous.pk if previous else None,
    )
    return conversation


@transaction.atomic
def conversation_take_over(*, conversation: InboxConversation, user: User) -> InboxConversation:
    """The agent takes a conversation someone else holds; the feed says from whom."""
    conversation = _relock(conversation)
    previous = conversation.assignee
    if previous is not None and previous.pk == user.pk:
        return conversation
    if previous is None:
        return conversation_claim(conversation=conversation, user=user)
    _save_holder(conversation, user)
    _record(
        conversation,
        ActivityEvent.Kind.CONVERSATION_TAKEN_OVER,
        user,
        f"Taken over from {user_label(previous)}",
        previous=previous.pk,
    )
    return conversation


def _may_act(conversation: InboxConversation, user: User, what: str) -> None:
    holder_id = conversation.assignee_id
    if (
        holder_id is not None
        and holder_id != user.pk
        and not _is_admin(user, conversation.company_id)
    ):
        raise ConversationHeld(
            f"{user_label(conversation.assignee)} is handling this conversation. "
            f"Take it over to {what} it."
        )


@transaction.atomic
def conversation_close(*, conversation: InboxConversation, user: User) -> InboxConversation:
    """Nothing more to say; the person's next text reopens it."""
    conversation = _relock(conversation)
    _may_act(conversation, user, "close")
    if conversation.state == State.CLOSED:
        return conversation
    conversation.state = State.CLOSED
    conversation.unread = 0
    conversation.save(update_fields=["state", "unread", "updated_at"])
    _record(conversation, ActivityEvent.Kind.CONVERSATION_CLOSED, user, "Closed")
    return conversation


def conversation_read(*, conversation: InboxConversation) -> None:
    """Someone opened the conversation: its texts are no longer unread."""
    if conversation.unread:
        InboxConversation.objects.filter(pk=conversation.pk).update(unread=0)
        conversation.unread = 0


def _tag_name_clean(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ConversationError("Type a tag first.")
    if len(name) > TAG_MAX_CHARS:
        raise ConversationError(f"A tag has at most {TAG_MAX_CHARS} characters.")
    try:
        return text_clean(name, field="Tag")
    except TextError as error:
        raise ConversationError(str(error)) from None


@transaction.atomic
def conversation_tag_add(
    *, conversation: InboxConversation, name: str, user: User
) -> ConversationTag:
    """Tag the conversation, creating the company's tag on first use (any case matches)."""
    name = _tag_name_clean(name)
    tags = ConversationTag.objects.for_company(conversation.company_id)
    tag = tags.filter(name__iexact=name).first()
    if tag is None:
        try:
            with transaction.atomic():
                tag = ConversationTag.objects.create(company_id=conversation.company_id, name=name)
        except IntegrityError:
            tag = tags.get(name__iexact=name)
    if not conversation.tags.filter(pk=tag.pk).exists():
        conversation.tags.add(tag)
        _record(conversation, ActivityEvent.Kind.CONVERSATION_TAGGED, user, tag.name, tag=tag.pk)
    return tag


@transaction.atomic
def conversation_tag_remove(
    *, conversation: InboxConversation, tag: ConversationTag, user: User
) -> None:
    if conversation.tags.filter(pk=tag.pk).exists():
        conversation.tags.remove(tag)
        _record(conversation, ActivityEvent.Kind.CONVERSATION_UNTAGGED, user, tag.name, tag=tag.pk)


@transaction.atomic
def conversation_note_add(
    *, conversation: InboxConversation, body: str, user: User
) -> ConversationNote:
    """An internal note: stored and shown to the team, never sent (no Message row)."""
    body = (body or "").strip()
    if not body:
        raise ConversationError("Type a note first.")
    if len(body) > NOTE_MAX_CHARS:
        raise ConversationError(f"A note has at most {NOTE_MAX_CHARS:,} characters.")
    try:
        body = text_clean(body, field="Note", multiline=True)
    except TextError as error:
        raise ConversationError(str(error)) from None
    note = ConversationNote.objects.create(
        company_id=conversation.company_id, conversation=conversation, author=user, body=body
    )
    _record(conversation, ActivityEvent.Kind.CONVERSATION_NOTE, user, body)
    return note


def conversation_members(*, company: Company) -> list[User]:
    """Who an Admin can assign a conversation to: the members whose role may chat."""
    memberships = Membership.objects.filter(company=company).select_related("user")
    return sorted(
        (m.user for m in memberships if has_perm(m.role, Perm.CHAT) and m.user.is_active),
        key=user_label,
    )
