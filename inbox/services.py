"""What agents do from the Inbox: chat, reply, opt one profile out."""

from django.contrib.auth.models import User
from django.db import transaction

from accounts.models import Company
from campaigns.models import Campaign, Subscription
from campaigns.services_subscriptions import profile_opt_out
from core.errors import ServiceError
from messaging.models import Message, MTType
from messaging.services import MessageBodyError, message_send
from profiles.models import OptOutSource, Profile

from .conversations import conversation_reply, conversations_opted_out


class InboxError(ServiceError):
    """An inbox action the rules refuse; the message is for the agent."""


@transaction.atomic
def chat_send(
    *,
    company: Company,
    profile: Profile,
    body: str,
    user: User,
    campaign: Campaign | None = None,
) -> Message:
    """A one-on-one message; the subscriber's next text becomes a direct_response.

    The conversation then waits on the person; one someone else holds refuses the
    reply (ConversationHeld) and this transaction, message included, rolls back.
    """
    if not body.strip():
        raise InboxError("Type a message first.")
    try:
        message = message_send(
            company=company,
            profile=profile,
            body=body.strip(),
            campaign=campaign,
            message_type=MTType.DIRECT_MESSAGE,
            sent_by=user,
        )
    except MessageBodyError as error:
        raise InboxError(str(error)) from None
    conversation_reply(profile=profile, campaign=campaign, user=user, message=message)
    return message


@transaction.atomic
def inbox_reply(*, company: Company, incoming: Message, body: str, user: User) -> Message:
    """The Response form: answer one incoming message in its campaign."""
    if not body.strip():
        raise InboxError("Type a response first.")
    if incoming.profile is None:
        raise InboxError("This message has no profile to answer.")
    try:
        message = message_send(
            company=company,
            profile=incoming.profile,
            body=body.strip(),
            campaign=incoming.campaign,
            message_type=MTType.REGULAR_TEXT,
            sent_by=user,
            in_reply_to=incoming,
        )
    except MessageBodyError as error:
        raise InboxError(str(error)) from None
    conversation_reply(
        profile=incoming.profile, campaign=incoming.campaign, user=user, message=message
    )
    return message


@transaction.atomic
def inbox_opt_out(*, incoming: Message, user: User) -> list[Subscription]:
    """Opt the sender out of the campaign shown in the row (seed 003)."""
    if incoming.profile is None:
        raise InboxError("This message has no profile to opt out.")
    if incoming.campaign is None:
        raise InboxError(
            "This message has no campaign. Open the profile to opt it out of a campaign."
        )
    changed = profile_opt_out(
        profile=incoming.profile,
        source=OptOutSource.INBOX,
        campaign=incoming.campaign,
        actor=user,
    )
    conversations_opted_out(profile_id=incoming.profile.pk, campaign_id=incoming.campaign_id)
    return changed
