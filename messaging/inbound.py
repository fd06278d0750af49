"""Incoming messages (MO): store first, then classify with the seed's MO types and act.

The company is the one whose number was texted (messaging.routing), and so are the
keywords: a keyword of that number, else one of the company's that answers on all its
numbers. The message is stored once per aggregator message id, which a unique
constraint enforces.

A provider that answers STOP, START and HELP itself (Twilio's Advanced Opt-Out, which
says so in OptOutType) has already sent the subscriber its reply: the text is then
classified and recorded as that word (the opt-out, or the rejoin for START) and we
send nothing, since a second confirmation is one text too many (CTIA).

The message is stored before anything else (messaging.inbound_store, by the webhook
itself) so that nothing a subscriber texts is ever lost; `message_classify` then runs in
a worker, and the opt-out it causes is written in the same transaction as the stored
classification: if the opt-out fails, the message stays unclassified and is retried.

Classification order (first match wins):
  the same text (another message id) from the number a moment before → simultaneous
  STOP word → opt_out (campaign known) / unknown_opt_out; "STOP ALL" → deactivation
  HELP → help_request / unknown_help_request
  OOPS → reactivation (or unknown when nothing was opted out by a STOP)
  CLEAR, a double opt-in's YES/NO, the answer to an opt-in path's step
        → messaging.flows (clear_request, opt_in_confirmation/declination,
          question_response/info_response and their invalid_* types)
  active campaign keyword → opt_in / duplicate_opt_in (the path's flow starts)
  consent revoked in free text (messaging.revocations) → opt_out / unknown_opt_out;
              a probable revocation is queued for review and classified on as below
  a conversation awaits a reply → question_response / info_response / direct_response
  otherwise → reply (campaign known), unknown (subscribed, campaign ambiguous) or
              unmatched (we were not expecting anything from this number)
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Max, Q

from accounts.models import Company
from campaigns.models import Broadcast, Campaign, Keyword, Subscription
from campaigns.services_subscriptions import (
    SubscriptionRefused,
    profile_opt_out,
    subscription_reactivate,
)
from core.phones import phone_normalize
from profiles.creation import ProfileSuppressed, profile_get_or_create
from profiles.models import OptOutSource, Profile, SourceType

from .flows import FlowSend, flow_opt_in, flow_text_received
from .inbound_handlers import inbound_handlers_run
from .inbound_store import inbound_store
from .models import (
    GENERIC_GATEWAY,
    Channel,
    Conversation,
    Message,
    MOType,
    MTType,
)
from .revocation_services import revocation_receive
from .routing import channel_for_number
from .selectors import conversation_awaiting, profile_current_campaign, profile_last_mt
from .services import MessageBodyError, message_send

logger = logging.getLogger(__name__)

# Carrier and CTIA opt-out words. Compared after dropping case, spaces and
# punctuation, so "Stop.", " opt-out " and "S T O P" all match, but a sentence that
# merely contains the word ("please stop texting me") does not: it goes to the inbox.
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
# Carriers require "stop all" to be told apart: it leaves every campaign.
DEACTIVATION_WORDS = frozenset({"STOPALL"})
HELP_WORDS = frozenset({"HELP"})
REACTIVATION_WORDS = frozenset({"OOPS"})
SIMULTANEOUS_WINDOW = timedelta(seconds=5)

DEFAULT_HELP = (
    "{company}: for help reply HELP, to stop messages reply STOP. Msg&data rates may apply."
)
DEFAULT_OPT_OUT = "You are unsubscribed from {company} and will receive no more messages."

_NOT_WORD = re.compile(r"[^A-Z0-9]")


def command_word(body: str) -> str:
    """The body as a command: upper case, letters and digits only."""
    return _NOT_WORD.sub("", body.upper())


def keyword_text(body: str) -> str:
    return " ".join(body.upper().split())


def keyword_for(*, company: Company, channel: Channel | None, body: str) -> Keyword | None:
    """The active keyword `body` is on the number texted: that number's own keyword,
    else a company-wide one (no number). Without a channel (a company still routed by
    Company.short_code) only company-wide keywords answer."""
    numbers = Q(channel__isnull=True)
    if channel is not None:
        numbers |= Q(channel=channel)
    return (
        Keyword.objects.for_company(company)
        .filter(numbers, active=True, name=keyword_text(body))
        .select_related("opt_in_path__campaign")
        .order_by(F("channel").asc(nulls_last=True))
        .first()
    )


@dataclass
class InboundResult:
    message: Message
    replies: list[Message]
    redelivered: bool = False  # the aggregator sent a message id already stored
    # Why the carrier's media link was not stored ("" when it was, or there was none).
    media_url_refused: str = ""
    # Why a keyword or OOPS subscribed nothing (campaigns.eligibility's reason), if so.
    refusal: str = ""


def _profile_for(company: Company, phone: str, keyword: Keyword | None) -> Profile | None:
    """The sender's profile, created by the shared rule when new; None for a number
    erased at its owner's request (no profile is made for it again)."""
    try:
        profile, _ = profile_get_or_create(
            company=company,
            phone=phone_normalize(phone),
            source_type=SourceType.KEYWORD if keyword else SourceType.UNKNOWN,
            source_name=keyword.name if keyword else "",
            channel="sms",
            description="Texted in" + (f" keyword {keyword.name}" if keyword else ""),
        )
    except ProfileSuppressed:
        return None
    return profile


def _count_on_broadcast(answered: Message | None, *, opted_out: bool) -> None:
    """Count an incoming message on the broadcast whose message it answers.

    The broadcast's replies_count and opt_outs_count are kept here only, by increments
    in the transaction that stores and classifies the MO (and only once per MO: a
    redelivered MO returns before classification). Recounting from rows would join every
    message of a broadcast of up to a million recipients on each reply or page view;
    the rows still agree, since the counted MO's in_reply_to is that broadcast message.
    Every answer counts as a reply, a STOP included; a STOP that opted the number out
    also counts as an opt-out.
    """
    if answered is None or answered.broadcast_id is None:
        return
    updates = {"replies_count": F("replies_count") + 1}
    if opted_out:
        updates["opt_outs_count"] = F("opt_outs_count") + 1
    Broadcast.objects.filter(pk=answered.broadcast_id).update(**updates)


class _Handler:
    """Classifies one stored MO and performs what its type asks for."""

    def __init__(
        self,
        message: Message,
        profile: Profile,
        company: Company,
        *,
        keyword: Keyword | None = None,
        provider_answered: str | None = None,
        channel: Channel | None = None,
    ) -> None:
        self.message = message
        self.profile = profile
        self.company = company
        self.keyword = keyword
        self.provider_answered = provider_answered
        self.channel = channel
        # Replies leave from the number that was texted.
        self.originator = channel.number if channel is not None else None
        self.replies: list[Message] = []
        self.refusal = ""
        self.word = command_word(message.body)
        self.last_mt = profile_last_mt(profile=profile)

    def refuse(self, refused: SubscriptionRefused) -> None:
        """Keep why an opt-in was refused: the number gets no answer (it may not be
        texted, or the campaign ended), so the log and the result say it."""
        self.refusal = refused.reason
        logger.info("MO %s: not subscribed: %s", self.message.pk, refused.reason)

    def reply(self, body: str, message_type: str, campaign=None, **extra) -> None:
        if self.provider_answered:
            logger.info("MO %s: %s answered by the provider", self.message.pk, message_type)
            return
        try:
            reply = message_send(
                company=self.company,
                profile=self.profile,
                body=body,
                campaign=campaign,
                message_type=message_type,
                in_reply_to=self.message,
                originator=self.originator,
                strict_fields=False,  # auto-texts: their fields were checked when saved
                **extra,
            )
        except MessageBodyError:
            # A configured auto-text the body rule refuses (saved before the rule):
            # the STOP, HELP or keyword it answers still takes effect; the text is fixed
            # on the campaign's page.
            logger.exception("Auto-reply of type %s not sent", message_type)
            return
        self.replies.append(reply)

    def classify(self) -> str:
        # The provider's word wins over ours: its STOP list is longer than STOP_WORDS.
        if self.provider_answered == "STOP" or self.word in STOP_WORDS:
            return self.opt_out()
        if self.provider_answered == "HELP" or self.word in HELP_WORDS:
            return self.help()
        if self.provider_answered == "START" or self.word in REACTIVATION_WORDS:
            return self.reactivate()
        # CLEAR, a double opt-in's YES/NO, an answer to an opt-in path's step.
        flow = flow_text_received(
            message=self.message,
            profile=self.profile,
            word=self.word,
            keyword=self.keyword,
            send=self.flow_send(),
        )
        if flow is not None:
            self.message.campaign = flow.campaign
            self.message.in_reply_to = flow.in_reply_to
            return flow.mo_type
        if self.keyword is not None:
            return self.opt_in(self.keyword)
        # Consent revoked in the subscriber's own words (FCC 2025): opted out here when
        # clear, queued for review when probable (messaging/revocation_services.py).
        revoked = revocation_receive(
            message=self.message, profile=self.profile, channel=self.channel, opt_out=self.opt_out
        )
        if revoked is not None:
            return revoked
        return self.answer()

    def opt_out(self, source: str = OptOutSource.STOP_WORD, everywhere: bool = False) -> str:
        campaign = profile_current_campaign(profile=self.profile)
        everywhere = everywhere or self.word in DEACTIVATION_WORDS or campaign is None
        was_global = self.profile.standing.opted_out_globally
        changed = profile_opt_out(
            profile=self.profile,
            source=source,
            campaign=None if everywhere else campaign,
        )
        self.message.campaign = campaign
        self.message.in_reply_to = self.last_mt
        opted_out = bool(changed or (everywhere and not was_global))
        if opted_out:
            text = campaign.opt_out_text if campaign and campaign.opt_out_text else ""
            self.reply(
                text or DEFAULT_OPT_OUT.format(company=self.company.name),
                MTType.OPT_OUT_RECEIPT,
                campaign=campaign,
                compliance_exempt_types={MTType.OPT_OUT_RECEIPT},
            )
        _count_on_broadcast(self.last_mt, opted_out=opted_out)
        if self.word in DEACTIVATION_WORDS:
            return MOType.DEACTIVATION
        return MOType.UNKNOWN_OPT_OUT if campaign is None else MOType.OPT_OUT

    def help(self) -> str:
        campaign = profile_current_campaign(profile=self.profile)
        self.message.campaign = campaign
        text = campaign.help_text if campaign and campaign.help_text else ""
        self.reply(
            text or DEFAULT_HELP.format(company=self.company.name),
            MTType.HELP_RESPONSE,
            campaign=campaign,
        )
        return MOType.UNKNOWN_HELP_REQUEST if campaign is None else MOType.HELP_REQUEST

    def reactivate(self) -> str:
        """OOPS re-joins what the subscriber's last STOP left, nothing else."""
        stopped = Subscription.objects.filter(
            profile=self.profile,
            status=Subscription.Status.OPTED_OUT,
            opt_out_source=OptOutSource.STOP_WORD,
        )
        last_stop: datetime | None = stopped.aggregate(at=Max("opted_out_at"))["at"]
        if last_stop is None:
            return MOType.UNKNOWN
        rejoined = []
        for subscription in stopped.filter(opted_out_at=last_stop).select_related(
            "campaign", "profile", "opt_in_path"
        ):
            if Subscription.objects.filter(
                profile=self.profile,
                campaign=subscription.campaign,
                status=Subscription.Status.ACTIVE,
            ).exists():
                continue
            try:
                # The subscriber undoing their own STOP: the one case besides a keyword
                # where the subscription rule lets a company-wide opt-out be lifted.
                rejoined.append(
                    subscription_reactivate(
                        subscription=subscription, source="OOPS", subscriber_asked=True
                    )
                )
            except SubscriptionRefused as refused:
                self.refuse(refused)
        if not rejoined:
            return MOType.UNKNOWN  # texted OOPS again: nothing left to re-join
        self.profile.refresh_from_db()
        self.message.campaign = rejoined[0].campaign
        return MOType.REACTIVATION

    def opt_in(self, keyword: Keyword) -> str:
        path = keyword.opt_in_path
        campaign: Campaign = path.campaign
        self.message.campaign = campaign
        self.message.keyword = keyword
        if not campaign.active:
            return MOType.UNKNOWN
        if Subscription.objects.filter(
            profile=self.profile, campaign=campaign, status=Subscription.Status.ACTIVE
        ).exists():
            return MOType.DUPLICATE_OPT_IN
        try:
            # The path's flow: welcome and steps, or a double opt-in's request.
            _, created = flow_opt_in(
                profile=self.profile,
                path=path,
                source=keyword.name,
                subscriber_asked=True,
                send=self.flow_send(),
            )
        except SubscriptionRefused as refused:
            self.refuse(refused)
            return MOType.UNKNOWN
        self.profile.refresh_from_db()
        return MOType.OPT_IN if created else MOType.DUPLICATE_OPT_IN

    def flow_send(self) -> FlowSend:
        """Flow texts answer this MO from the number texted; they join self.replies."""
        return FlowSend(
            company=self.company,
            in_reply_to=self.message,
            originator=self.originator,
            sent=self.replies,
        )

    def answer(self) -> str:
        conversation = conversation_awaiting(profile=self.profile)
        if conversation is not None:
            self.message.campaign = conversation.campaign
            self.message.in_reply_to = conversation.last_message
            _count_on_broadcast(conversation.last_message, opted_out=False)
            if conversation.awaiting == Conversation.Awaiting.DIRECT:
                return MOType.DIRECT_RESPONSE
            # A question or info request takes one answer; later texts are replies.
            Conversation.objects.filter(pk=conversation.pk).update(
                awaiting=Conversation.Awaiting.NOTHING
            )
            if conversation.awaiting == Conversation.Awaiting.QUESTION:
                return MOType.QUESTION_RESPONSE
            return MOType.INFO_RESPONSE
        campaign = profile_current_campaign(profile=self.profile)
        if campaign is not None:
            self.message.campaign = campaign
            self.message.in_reply_to = self.last_mt
            _count_on_broadcast(self.last_mt, opted_out=False)
            return MOType.REPLY
        has_subscriptions = Subscription.objects.filter(
            profile=self.profile, status=Subscription.Status.ACTIVE
        ).exists()
        return MOType.UNKNOWN if has_subscriptions else MOType.UNMATCHED


def message_receive(
    *,
    phone: str,
    body: str,
    to: str,
    gateway_message_id: str,
    gateway: str = GENERIC_GATEWAY,
    media_url: str = "",
    received_at: datetime | None = None,
    provider_opt_out: str | None = None,
) -> InboundResult:
    """Store and classify one incoming message now, once per aggregator message id.

    The webhooks store and acknowledge first and classify in a worker
    (`messaging.inbound_accept`); this is both steps in one transaction, for callers
    that want the outcome at once (demo data, tests). A message id already stored for
    that company and gateway is acknowledged without processing it again. Raises what
    `inbound_store` raises (ValueError, Unroutable).
    """
    with transaction.atomic():
        stored = inbound_store(
            phone=phone,
            body=body,
            to=to,
            gateway_message_id=gateway_message_id,
            gateway=gateway,
            media_url=media_url,
            received_at=received_at,
            provider_opt_out=provider_opt_out,
        )
        result = None if stored.redelivered else message_classify(message_id=stored.message_id)
    if result is None:
        message = Message.objects.for_company(stored.company).get(pk=stored.message_id)
        return InboundResult(
            message=message,
            replies=[],
            redelivered=True,
            media_url_refused=stored.media_url_refused,
        )
    result.media_url_refused = stored.media_url_refused
    return result


def _number_lock(message: Message) -> None:
    """Classify one number's texts one at a time and in the order they arrived.

    Workers take classification tasks in any order; a keyword followed by STOP must not
    be applied as STOP then keyword (that would subscribe someone who asked to stop).
    The transaction-scoped advisory lock serialises the number's classifications, and
    each classification first catches up on the number's earlier unclassified texts.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"mo:{message.company_id}:{message.phone_number}"],
        )


def message_classify(*, message_id: int) -> InboundResult | None:
    """Classify one stored MO and do what its type asks for, in one transaction.

    The classification, the opt-out or subscription it causes, the replies it queues and
    the cleared `classification_pending` commit together: if any of it fails, the
    message stays stored and unclassified, and `messages_classify_stalled` queues it
    again. None when it was classified already (a redelivered task, the sweep's copy).
    """
    with transaction.atomic():
        message = Message.objects.filter(pk=message_id).select_related("company").first()
        if message is None or not message.classification_pending:
            return None
        _number_lock(message)
        earlier = list(
            Message.objects.for_company(message.company)
            .filter(
                direction=Message.Direction.MO,
                phone_number=message.phone_number,
                classification_pending=True,
                pk__lt=message.pk,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in earlier:
            _classify_one(pk)
        return _classify_one(message.pk)


def _classify_one(message_id: int) -> InboundResult | None:
    # Locked and read again: a concurrent copy of this task may have just classified it.
    # The message row only: FOR UPDATE of the joined company row would hold every
    # webhook's INSERT (its foreign-key check) until this classification commits.
    message = (
        Message.objects.select_for_update(of=("self",))
        .filter(pk=message_id, classification_pending=True)
        .select_related("company")
        .first()
    )
    if message is None:
        return None
    company = message.company
    channel = channel_for_number(message.originator)
    if channel is not None and channel.company_id != company.pk:
        channel = None  # the number moved to another company since: company-wide keywords
    provider_opt_out = message.provider_opt_out or None
    e164 = message.phone_number
    keyword = keyword_for(company=company, channel=channel, body=message.body)
    profile = _profile_for(company, e164, keyword)
    if profile is None:
        # Kept, as every text is, but unanswered and tied to no profile: the
        # number's owner asked to be forgotten, and it must never be messaged.
        message.message_type = MOType.UNMATCHED
        message.classification_pending = False
        message.save(update_fields=["message_type", "classification_pending"])
        logger.info("MO %s from a suppressed number: not processed", message.pk)
        return InboundResult(message=message, replies=[])
    # Serialise the messages of one number: a STOP and a keyword arriving together
    # must not both read the state before the other changed it.
    # The locked read is the fresh copy too (one query, not a lock and a refresh).
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    message.profile = profile
    # Another message (another aggregator id) with the same text a moment before this
    # one. One message delivered twice never gets here: the unique constraint stored
    # it once. Only earlier texts count, so of two identical ones the first is acted on.
    duplicate = (
        Message.objects.filter(
            profile=profile,
            direction=Message.Direction.MO,
            body=message.body,
            created_at__gte=message.created_at - SIMULTANEOUS_WINDOW,
            pk__lt=message.pk,
        )
        .exclude(gateway_message_id=message.gateway_message_id, gateway=message.gateway)
        .exists()
    )
    handler = _Handler(
        message,
        profile,
        company,
        keyword=keyword,
        provider_answered=provider_opt_out,
        channel=channel,
    )
    if duplicate:
        message.message_type = MOType.SIMULTANEOUS
    else:
        message.message_type = handler.classify()
    message.classification_pending = False
    message.save(
        update_fields=[
            "profile",
            "message_type",
            "campaign",
            "keyword",
            "in_reply_to",
            "classification_pending",
        ]
    )
    # The inbox's turn-taking (needs reply, closed by a STOP) follows the type: the
    # inbox registered its conversation rule (messaging.inbound_handlers).
    inbound_handlers_run(message=message)
    logger.info("MO %s from %s: %s", message.pk, e164, message.message_type)
    return InboundResult(message=message, replies=handler.replies, refusal=handler.refusal)
