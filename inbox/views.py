"""The Inbox (seed 003): incoming messages, the chat window, replies and opt-outs."""

from functools import lru_cache
from typing import Any

import emoji
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from accounts.tenancy import CompanyRequest, Perm, require_perm
from campaigns.compliance import refusal_reason
from campaigns.models import Campaign
from core.segments import max_segments
from messaging.models import Message
from messaging.selectors import conversation_messages, profile_current_campaign
from profiles.models import Profile

from .conversation_views import bar_context, extras_context, list_context
from .conversations import ConversationError, conversation_read
from .selectors import (
    canned_responses,
    conversation_for_chat,
    conversation_tags,
    inbox_filter,
    inbox_messages,
)
from .services import InboxError, chat_send, inbox_opt_out, inbox_reply
from .tables import InboxTable

PER_PAGE = 50
COUNT_CAP = 1000
CHAT_HISTORY = 60
# The palette of the chat window's emoji button: the ones people actually send.
PALETTE = [
    "smile", "grinning", "joy", "wink", "blush", "heart_eyes", "thinking", "sunglasses",
    "cry", "sob", "angry", "scream", "pray", "clap", "raised_hands", "muscle",
    "+1", "-1", "ok_hand", "wave", "point_right", "v", "heart", "broken_heart",
    "fire", "tada", "star", "sparkles", "100", "white_check_mark", "x", "warning",
    "calendar", "phone", "email", "house", "ballot_box_with_check", "loudspeaker",
    "sunny", "umbrella",
]  # fmt: skip


def _palette() -> list[tuple[str, str]]:
    return [(emoji.emojize(f":{name}:", language="alias"), name) for name in PALETTE]


def _index_context(request: CompanyRequest) -> dict[str, Any]:
    company = request.company
    filterset = inbox_filter(company=company, params=request.GET)
    queryset = inbox_messages(filterset=filterset)
    table = InboxTable(queryset)
    RequestConfig(
        request, paginate={"paginator_class": LazyPaginator, "per_page": PER_PAGE}
    ).configure(table)
    # A capped count: the inbox of a large company holds millions of messages and an
    # exact COUNT(*) would cost more than the page itself. Unordered and on a column of
    # the index message_company_dir_time, so it reads that index alone.
    shown = queryset.order_by().values("created_at")[: COUNT_CAP + 1].count()
    return {
        "table": table,
        "filter": filterset,
        "count_label": f"{COUNT_CAP:,}+" if shown > COUNT_CAP else f"{shown:,}",
        "count": shown,
        "filtered": any(request.GET.get(k) for k in filterset.form.fields),
    }


@require_GET
@require_perm(Perm.VIEW)
def messages_table(request: CompanyRequest) -> HttpResponse:
    """Every incoming message, searchable (the conversation list is the Inbox's index)."""
    return render(request, "inbox/index.html", _index_context(request))


def _chat_profile(request: CompanyRequest, profile_id: int) -> Profile:
    company = request.company
    return get_object_or_404(Profile.objects.for_company(company), pk=profile_id)


def _chat_campaign(request: CompanyRequest, profile: Profile) -> Campaign | None:
    company = request.company
    campaign_id = request.POST.get("campaign") or request.GET.get("campaign")
    if campaign_id and str(campaign_id).isdigit():
        return get_object_or_404(Campaign.objects.for_company(company), pk=campaign_id)
    return profile_current_campaign(profile=profile)


def _chat_context(request: CompanyRequest, profile: Profile, **extra: Any) -> dict[str, Any]:
    campaign = _chat_campaign(request, profile)
    history = list(conversation_messages(profile=profile).reverse()[:CHAT_HISTORY])[::-1]
    company = request.company
    conversation = conversation_for_chat(company=company, profile=profile, campaign=campaign)
    return {
        **bar_context(request, profile=profile, campaign=campaign, conversation=conversation),
        **extras_context(conversation),
        "tag_choices": conversation_tags(company=company),
        "canned": canned_responses(company=company),
        "chat_profile": profile,
        "chat_campaign": campaign,
        "chat_messages": history,
        "chat_refusal": refusal_reason(profile=profile, campaign=campaign),
        "palette": _palette(),
        "max_segments": max_segments(),
        **extra,
    }


@require_GET
@require_perm(Perm.CHAT)
def chat(request: CompanyRequest, profile_id: int) -> HttpResponse:
    """The chat window; opened directly it shows the inbox with the window open."""
    profile = _chat_profile(request, profile_id)
    context = _chat_context(request, profile)
    if context["conversation"] is not None:
        conversation_read(conversation=context["conversation"])
    if request.htmx:
        return render(request, "inbox/_chat.html", context)
    return render(request, "inbox/conversations.html", {**list_context(request), **context})


@require_GET
@require_perm(Perm.CHAT)
def chat_messages(request: CompanyRequest, profile_id: int) -> HttpResponse:
    """The conversation so far, polled by the chat window to show new texts."""
    profile = _chat_profile(request, profile_id)
    return render(request, "inbox/_chat_log.html", _chat_context(request, profile))


@require_POST
@require_perm(Perm.CHAT)
def chat_send_view(request: CompanyRequest, profile_id: int) -> HttpResponse:
    profile = _chat_profile(request, profile_id)
    campaign = _chat_campaign(request, profile)
    error = refusal_reason(profile=profile, campaign=campaign)
    if error:
        error = f"This profile cannot be messaged: {error}."
    else:
        try:
            chat_send(
                company=request.company,
                profile=profile,
                body=request.POST.get("body", ""),
                user=request.user,
                campaign=campaign,
            )
        except (InboxError, ConversationError) as exc:
            error = str(exc)
    context = _chat_context(request, profile, chat_error=error)
    response = render(request, "inbox/_chat_log.html", context)
    if not error:
        response["HX-Trigger"] = "chat-sent"
    return response


def _incoming(request: CompanyRequest, message_id: int) -> Message:
    company = request.company
    return get_object_or_404(
        Message.objects.for_company(company)
        .filter(direction=Message.Direction.MO)
        .select_related("profile", "campaign"),
        pk=message_id,
    )


@require_perm(Perm.CHAT)
def respond(request: CompanyRequest, message_id: int) -> HttpResponse:
    """The Response form ("Message this profile")."""
    incoming = _incoming(request, message_id)
    reason = (
        refusal_reason(profile=incoming.profile, campaign=incoming.campaign)
        if incoming.profile
        else "No profile"
    )
    context: dict[str, Any] = {
        "incoming": incoming,
        "refusal": reason,
        "body": "",
        "max_segments": max_segments(),
    }
    if request.method == "POST":
        body = request.POST.get("body", "")
        if reason:
            context.update(error=f"This profile cannot be messaged: {reason}.", body=body)
        else:
            try:
                inbox_reply(
                    company=request.company,
                    incoming=incoming,
                    body=body,
                    user=request.user,
                )
            except (InboxError, ConversationError) as exc:
                context.update(error=str(exc), body=body)
            else:
                context["sent"] = True
    return render(request, "inbox/_respond.html", context)


@require_POST
@require_perm(Perm.OPT_OUT_ONE)
def opt_out(request: CompanyRequest, message_id: int) -> HttpResponse:
    incoming = _incoming(request, message_id)
    try:
        changed = inbox_opt_out(incoming=incoming, user=request.user)
    except InboxError as exc:
        messages.error(request, str(exc))
    else:
        number = incoming.phone_number
        if changed:
            messages.success(request, f"{number} is opted out of {incoming.campaign}.")
        else:
            messages.info(request, f"{number} was already opted out of {incoming.campaign}.")
    next_url = request.POST.get("next", "")
    if next_url.startswith("/inbox/"):
        return redirect(next_url)
    return redirect("inbox:messages")


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for char, data in emoji.EMOJI_DATA.items():
        for name in [data.get("en", ""), *data.get("alias", [])]:
            if name:
                table.setdefault(name.strip(":"), char)
    return table


@require_GET
@cache_control(max_age=86400, private=True)
def emoji_aliases(request: HttpRequest) -> JsonResponse:
    """:shortcode: → emoji, from the same package that converts them on the server."""
    return JsonResponse(_aliases())
