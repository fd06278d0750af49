"""Opt-in path flows: the welcome message, then questions, info requests and messages.

A number that joins through an opt-in path gets the path's welcome message, then its
steps in order. A message step is sent and the flow goes on; a question or an info
request waits for the person's answer (a `FlowRun` row holds the step it waits at, one
open run per profile). The answer is checked against the step (a custom field's type,
or a profile attribute's form): a good one is saved and typed `question_response` /
`info_response`, a bad one gets the step's retry text and is typed
`invalid_question_response` / `invalid_info_response`.

Double opt-in: the path's subscription stays Pending and the number gets the
confirmation request and nothing else (campaigns.compliance) until it answers YES
(`opt_in_confirmation`: then the welcome and the steps) or NO (`opt_in_declination`:
no subscription). The request is the MT type `opt_in_confirmation`, which seed 004
describes as "Sent MT requesting an opt-in confirmation". No answer in the path's window leaves no
subscription either (`flows_expire_pending`, a periodic task).

CLEAR (`clear_request`, answered with `clear_response`) and the API's
clear_conversation end the open step. Every text goes through
messaging.services.message_send, so the compliance rule sees every one of them.

The flows send, so they are messaging's; the paths, steps and runs they follow are
campaigns' models. The API's opt-in (campaigns.api.subscribe_once) reaches
`flow_opt_in` through campaigns.messaging_port.

messaging.inbound calls `flow_text_received` once per incoming text, after STOP,
HELP and OOPS and before keywords: a text that answers no open step (or that is an
active keyword) returns None and the normal rules classify it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from accounts.models import Company
from campaigns.models import Campaign, FlowRun, FlowStep, OptInPath, Subscription
from campaigns.services_subscriptions import (
    SubscriptionRefused,
    subscription_confirm,
    subscription_create,
    subscription_pending_drop,
)
from profiles.custom_fields import CustomFieldError
from profiles.models import Profile
from profiles.services import ProfileActionError, custom_value_set, profile_update

from .models import Conversation, Message, MOType, MTType
from .services import MessageBodyError, conversation_await, message_send

logger = logging.getLogger(__name__)

YES_WORDS = frozenset({"Y", "YES"})
NO_WORDS = frozenset({"N", "NO"})
CLEAR_WORDS = frozenset({"CLEAR"})

DEFAULT_CONFIRMATION = "{campaign}: reply Y to confirm your subscription or N to cancel."
CLEAR_RESPONSE = "Your conversation has been cleared."
# After this many bad answers in a row the step stops waiting: a person who has moved
# on must not get the retry text for every later text.
MAX_INVALID_ANSWERS = 3

# Keyed by str: a step's `kind` field holds the Kind's value.
_STEP_MT: dict[str, str] = {
    FlowStep.Kind.QUESTION: MTType.QUESTION,
    FlowStep.Kind.INFO: MTType.INFO_REQUEST,
}
_AWAITING: dict[str, str] = {
    FlowStep.Kind.QUESTION: Conversation.Awaiting.QUESTION,
    FlowStep.Kind.INFO: Conversation.Awaiting.INFO,
}
_GOOD: dict[str, str] = {
    FlowStep.Kind.QUESTION: MOType.QUESTION_RESPONSE,
    FlowStep.Kind.INFO: MOType.INFO_RESPONSE,
}
_BAD: dict[str, str] = {
    FlowStep.Kind.QUESTION: MOType.INVALID_QUESTION_RESPONSE,
    FlowStep.Kind.INFO: MOType.INVALID_INFO_RESPONSE,
}
_POSTAL_CODE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9]$")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")


@dataclass
class FlowSend:
    """How the flow's texts leave: in answer to which text, from which number, by whom."""

    company: Company
    in_reply_to: Message | None = None
    originator: str | None = None
    sent_by: User | None = None
    sent: list[Message] = field(default_factory=list)

    def text(self, profile: Profile, body: str, message_type: str, campaign) -> Message | None:
        try:
            message = message_send(
                company=self.company,
                profile=profile,
                body=body,
                campaign=campaign,
                message_type=message_type,
                in_reply_to=self.in_reply_to,
                originator=self.originator,
                sent_by=self.sent_by,
                # Merge fields are checked when the path is saved; one whose custom
                # field was deleted since renders as its fallback, as auto-texts do.
                strict_fields=False,
            )
        except MessageBodyError:
            # A text saved before the body rule: the flow goes on, the text is fixed on
            # the opt-in path's page.
            logger.exception("Flow text of type %s not sent", message_type)
            return None
        self.sent.append(message)
        return message


@dataclass
class FlowOutcome:
    """What an incoming text was to the flow: its MO type and what it answered."""

    mo_type: str
    campaign: Campaign | None
    in_reply_to: Message | None


# --- Starting ------------------------------------------------------------------------


@transaction.atomic
def flow_opt_in(
    *,
    profile: Profile,
    path: OptInPath,
    source: str,
    send: FlowSend,
    actor=None,
    via_api: bool = False,
    subscriber_asked: bool = False,
) -> tuple[Subscription, bool]:
    """Opt a profile in through `path` and start its flow. Returns (subscription, created).

    The subscription rule is subscription_create's (SubscriptionRefused). A double
    opt-in path leaves the subscription Pending and sends the confirmation request; a
    number already pending for the campaign gets the request again (it is the one
    text it may get), nothing else. An already active subscription starts nothing.
    """
    subscription, created = subscription_create(
        profile=profile,
        campaign=path.campaign,
        opt_in_path=path,
        source=source,
        actor=actor,
        via_api=via_api,
        subscriber_asked=subscriber_asked,
        pending=path.double_opt_in,
    )
    if subscription.status == Subscription.Status.PENDING:
        run = _open_run(profile)
        if run is None or run.subscription_id != subscription.pk:
            _end_open_runs(profile, FlowRun.State.ENDED)
            run = FlowRun.objects.create(
                company_id=profile.company_id,
                profile=profile,
                opt_in_path=subscription.opt_in_path or path,
                subscription=subscription,
                state=FlowRun.State.PENDING,
                expires_at=timezone.now() + timedelta(hours=path.confirmation_window_hours),
            )
        body = run.opt_in_path.confirmation_text or DEFAULT_CONFIRMATION.format(
            campaign=path.campaign.name
        )
        run.last_message = send.text(profile, body, MTType.OPT_IN_CONFIRMATION, path.campaign)
        run.save(update_fields=["last_message", "updated_at"])
        return subscription, created
    if created:
        _start(profile, path, subscription, send)
    return subscription, created


def flow_opt_in_via_api(
    *, company: Company, profile: Profile, path: OptInPath, source: str, actor
) -> tuple[Subscription, bool]:
    """The API's opt-in through `path` (campaigns.api.subscribe_once, through
    campaigns.messaging_port): seed 004's once-only rule applies (`via_api`)."""
    return flow_opt_in(
        profile=profile,
        path=path,
        source=source,
        actor=actor,
        via_api=True,
        send=FlowSend(company=company, sent_by=actor),
    )


def _start(profile: Profile, path: OptInPath, subscription: Subscription, send: FlowSend) -> None:
    """The welcome message, then the steps up to the first that waits for an answer."""
    _end_open_runs(profile, FlowRun.State.ENDED)
    if path.welcome_message.strip():
        send.text(profile, path.welcome_message, MTType.REGULAR_TEXT, path.campaign)
    steps = list(path.steps.order_by("position", "id"))
    if not steps:
        return
    run = FlowRun.objects.create(
        company_id=profile.company_id,
        profile=profile,
        opt_in_path=path,
        subscription=subscription,
        state=FlowRun.State.WAITING,
    )
    _advance(run, steps, send)


def _advance(run: FlowRun, steps: list[FlowStep], send: FlowSend) -> None:
    """Send `steps` in order until one waits for an answer; the run waits there or ends."""
    campaign = run.opt_in_path.campaign
    for step in steps:
        if step.kind == FlowStep.Kind.MESSAGE:
            send.text(run.profile, step.body, MTType.REGULAR_TEXT, campaign)
            continue
        sent = send.text(run.profile, step.body, _STEP_MT[step.kind], campaign)
        if sent is None or sent.status == Message.Status.UNDELIVERABLE:
            break  # the number cannot be texted now: nothing to wait for
        run.state, run.step, run.last_message, run.invalid_answers = (
            FlowRun.State.WAITING,
            step,
            sent,
            0,
        )
        run.save(update_fields=["state", "step", "last_message", "invalid_answers", "updated_at"])
        return
    _finish(run, FlowRun.State.DONE)


def _finish(run: FlowRun, state: str) -> None:
    run.state, run.finished_at = state, timezone.now()
    run.save(update_fields=["state", "finished_at", "updated_at"])


def _open_run(profile: Profile) -> FlowRun | None:
    return (
        FlowRun.objects.select_for_update(of=("self",))
        .filter(profile=profile, state__in=FlowRun.OPEN_STATES)
        .select_related("opt_in_path__campaign", "step__custom_field", "subscription", "profile")
        .first()
    )


def _end_open_runs(profile: Profile, state: str, *, campaign: Campaign | None = None) -> int:
    """End the profile's open runs (in `campaign`); a pending one drops its subscription."""
    ended = 0
    runs = FlowRun.objects.select_for_update(of=("self",)).filter(
        profile=profile, state__in=FlowRun.OPEN_STATES
    )
    if campaign is not None:
        runs = runs.filter(opt_in_path__campaign=campaign)
    for run in runs.select_related("subscription__campaign", "subscription__profile"):
        if run.state == FlowRun.State.PENDING and run.subscription is not None:
            subscription_pending_drop(
                subscription=run.subscription, why="another opt-in replaced the confirmation"
            )
        _finish(run, state)
        ended += 1
    return ended


# --- Answers ---------------------------------------------------------------------------


def flow_text_received(
    *, message: Message, profile: Profile, word: str, keyword, send: FlowSend
) -> FlowOutcome | None:
    """The incoming text as an answer to the profile's flow, or None (the normal rules).

    `word` is the text as a command (upper case, letters and digits); `keyword` the
    active keyword it is, if any: a keyword starts its own path, so it answers no step.
    """
    if word in CLEAR_WORDS:
        return _clear_request(profile, send)
    run = _open_run(profile)
    if run is None:
        return None
    campaign = run.opt_in_path.campaign
    if run.state == FlowRun.State.PENDING:
        if run.expires_at is not None and run.expires_at <= timezone.now():
            _expire(run)
            return None
        if word in YES_WORDS:
            return _confirm(run, send)
        if word in NO_WORDS:
            _decline(run)
            return FlowOutcome(MOType.OPT_IN_DECLINATION, campaign, run.last_message)
        return None
    if keyword is not None:
        return None
    step = run.step
    if step is None or not step.waits:
        _finish(run, FlowRun.State.ENDED)  # its step was deleted while it waited
        return None
    if not _still_awaited(run):
        return None
    answered = run.last_message
    problem = _save_answer(profile, step, message.body)
    if problem is None:
        conversation_await(
            profile=profile,
            campaign=campaign,
            awaiting=Conversation.Awaiting.NOTHING,
            last_message=None,
        )
        steps = list(run.opt_in_path.steps.order_by("position", "id"))
        later = steps[[s.pk for s in steps].index(step.pk) + 1 :]
        _advance(run, later, send)
        return FlowOutcome(_GOOD[step.kind], campaign, answered)
    logger.info("MO %s: not an answer to step %s: %s", message.pk, step.pk, problem)
    run.invalid_answers += 1
    if run.invalid_answers >= MAX_INVALID_ANSWERS:
        conversation_await(
            profile=profile,
            campaign=campaign,
            awaiting=Conversation.Awaiting.NOTHING,
            last_message=None,
        )
        _finish(run, FlowRun.State.ENDED)
    else:
        run.save(update_fields=["invalid_answers", "updated_at"])
        retry = step.retry_text.strip() or step.body
        sent = send.text(profile, retry, _STEP_MT[step.kind], campaign)
        if sent is not None:
            run.last_message = sent
            run.save(update_fields=["last_message", "updated_at"])
    return FlowOutcome(_BAD[step.kind], campaign, answered)


def _still_awaited(run: FlowRun) -> bool:
    """The step's question is still what the conversation waits for: an agent's chat
    (a direct message) or clear_conversation since then takes the answer away."""
    awaiting = (
        Conversation.objects.filter(profile=run.profile, campaign=run.opt_in_path.campaign)
        .values_list("awaiting", flat=True)
        .first()
    )
    return run.step is not None and awaiting == _AWAITING[run.step.kind]


def _save_answer(profile: Profile, step: FlowStep, body: str) -> str | None:
    """Save a good answer where the step says; the problem with a bad one (nothing saved)."""
    text = " ".join(body.split())
    if step.kind == FlowStep.Kind.QUESTION:
        if step.custom_field is None:
            return None  # a question that saves nothing takes any answer
        try:
            custom_value_set(profile=profile, field=step.custom_field, raw=text, actor=None)
        except (CustomFieldError, ProfileActionError) as error:
            return str(error)
        return None
    try:
        value = attribute_clean(step.attribute, text)
        profile_update(profile=profile, actor=None, data={step.attribute: value})
    except (ValueError, ProfileActionError) as error:
        return str(error)
    return None


def attribute_clean(attribute: str, text: str) -> str:
    """A profile attribute texted in reply to an info request, as stored; ValueError if not."""
    if not text:
        raise ValueError("Empty answer")
    if attribute == FlowStep.Attribute.POSTAL_CODE:
        code = text.upper()
        if not _POSTAL_CODE.match(code):
            raise ValueError(f"{text[:30]!r} is not a postal code")
        return code
    if attribute == FlowStep.Attribute.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(f"{text[:60]!r} is not an email address") from None
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"
    if attribute in (FlowStep.Attribute.FIRST_NAME, FlowStep.Attribute.LAST_NAME):
        name_field = cast("models.CharField[str, str]", Profile._meta.get_field(attribute))
        if len(text) > (name_field.max_length or 0) or not _NAME.match(text):
            raise ValueError(f"{text[:30]!r} is not a name")
        return text
    raise ValueError(f"Unknown attribute {attribute!r}")


def _confirm(run: FlowRun, send: FlowSend) -> FlowOutcome:
    campaign = run.opt_in_path.campaign
    answered = run.last_message
    subscription = run.subscription
    if subscription is None:
        _finish(run, FlowRun.State.ENDED)
        return FlowOutcome(MOType.UNKNOWN, campaign, answered)
    try:
        subscription = subscription_confirm(subscription=subscription)
    except SubscriptionRefused as refused:
        logger.info("Confirmation of subscription %s refused: %s", subscription.pk, refused)
        return FlowOutcome(MOType.UNKNOWN, campaign, answered)
    _finish(run, FlowRun.State.DONE)
    _start(run.profile, run.opt_in_path, subscription, send)
    return FlowOutcome(MOType.OPT_IN_CONFIRMATION, campaign, answered)


def _decline(run: FlowRun) -> None:
    if run.subscription is not None:
        subscription_pending_drop(subscription=run.subscription, why="declined the confirmation")
    _finish(run, FlowRun.State.DECLINED)


def _expire(run: FlowRun) -> None:
    if run.subscription is not None:
        hours = run.opt_in_path.confirmation_window_hours
        subscription_pending_drop(
            subscription=run.subscription, why=f"not confirmed within {hours} hours"
        )
    _finish(run, FlowRun.State.EXPIRED)


# --- CLEAR and clear_conversation -----------------------------------------------------


@transaction.atomic
def flow_clear(*, profile: Profile, campaign: Campaign | None = None) -> int:
    """End the open step (in `campaign`) and what the conversations wait for.

    A pending confirmation is not a step: it stays, to be answered or to expire.
    Returns how many flow runs it ended.
    """
    runs = FlowRun.objects.select_for_update(of=("self",)).filter(
        profile=profile, state=FlowRun.State.WAITING
    )
    if campaign is not None:
        runs = runs.filter(opt_in_path__campaign=campaign)
    ended = 0
    for run in runs:
        _finish(run, FlowRun.State.CLEARED)
        ended += 1
    conversations = Conversation.objects.filter(profile=profile).exclude(
        awaiting=Conversation.Awaiting.NOTHING
    )
    if campaign is not None:
        conversations = conversations.filter(campaign=campaign)
    for conversation in conversations.select_related("campaign"):
        conversation_await(
            profile=profile,
            campaign=conversation.campaign,
            awaiting=Conversation.Awaiting.NOTHING,
            last_message=None,
        )
    return ended


def _clear_request(profile: Profile, send: FlowSend) -> FlowOutcome:
    run = (
        FlowRun.objects.filter(profile=profile, state=FlowRun.State.WAITING)
        .select_related("opt_in_path__campaign")
        .first()
    )
    conversation = (
        Conversation.objects.filter(profile=profile)
        .exclude(awaiting=Conversation.Awaiting.NOTHING)
        .select_related("campaign", "last_message")
        .order_by("-updated_at")
        .first()
    )
    campaign: Campaign | None
    if run is not None:
        campaign, answered = run.opt_in_path.campaign, run.last_message
    elif conversation is not None:
        campaign, answered = conversation.campaign, conversation.last_message
    else:
        campaign, answered = None, None
    flow_clear(profile=profile)
    send.text(profile, CLEAR_RESPONSE, MTType.CLEAR_RESPONSE, campaign)
    return FlowOutcome(MOType.CLEAR_REQUEST, campaign, answered)


# --- Expiry ----------------------------------------------------------------------------


def flows_expire_pending(*, now=None, limit: int = 1000) -> dict:
    """Pending confirmations past their window leave no subscription (periodic task)."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        due = (
            FlowRun.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=FlowRun.State.PENDING, expires_at__lte=now)
            .select_related("opt_in_path", "subscription__campaign", "subscription__profile")
            .order_by("expires_at")[:limit]
        )
        for run in due:
            _expire(run)
            expired += 1
    return {"expired": expired}
