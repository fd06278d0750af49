"""The Inbox's conversations: the list, who holds one, presence, tags and notes.

Every action is a POST wrapped in a permission; the service re-checks the holder rule
and the Admin-only actions, so a hand-made request cannot skip either.
"""

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from accounts.navigation import nav_badge
from accounts.tenancy import CompanyRequest, Perm, has_perm, require_perm
from campaigns.models import Campaign
from messaging.selectors import profile_current_campaign
from profiles.models import Profile

from . import conversations as rules
from .models import ConversationTag, InboxConversation
from .presence import POLL_SECONDS, presence_touch
from .selectors import (
    NAV_COUNT_CAP,
    STATES,
    VIEWS,
    conversation_counts,
    conversation_for_chat,
    conversation_list,
    conversation_tags,
    inbox_unread_count,
)
from .tables import ConversationTable

PER_PAGE = 50


def _company(request: CompanyRequest):
    return request.company


def list_context(request: CompanyRequest) -> dict[str, Any]:
    """The conversation list: state tab (needs reply first), whose, and a tag."""
    company = _company(request)
    state = request.GET.get("state", "needs_reply")
    state = state if state in STATES else "needs_reply"
    view = request.GET.get("view", "all")
    view = view if view in VIEWS else "all"
    tags = conversation_tags(company=company)
    tag_id = request.GET.get("tag", "")
    tag = tags.filter(pk=tag_id).first() if tag_id.isdigit() else None
    queryset = conversation_list(
        company=company, user=request.user, state=state, view=view, tag=tag
    )
    table = ConversationTable(queryset)
    RequestConfig(
        request, paginate={"paginator_class": LazyPaginator, "per_page": PER_PAGE}
    ).configure(table)
    counts = conversation_counts(company=company, user=request.user, view=view, tag=tag)
    query = {"view": view, **({"tag": tag.pk} if tag else {})}
    return {
        "list_query": urlencode({"state": state, **query}),
        "table": table,
        "state": state,
        "view": view,
        "tag": tag,
        "tags": tags,
        "state_tabs": [
            (key, label, counts[key], {**query, "state": key})
            for key, label in (
                ("needs_reply", "Needs reply"),
                ("waiting", "Waiting"),
                ("closed", "Closed"),
            )
        ],
        "view_tabs": [
            (key, label, {"state": state, "view": key, **({"tag": tag.pk} if tag else {})})
            for key, label in (("mine", "Mine"), ("unassigned", "Unassigned"), ("all", "All"))
        ],
        "count_cap": 1000,
    }


@require_GET
@require_perm(Perm.VIEW)
def index(request: CompanyRequest) -> HttpResponse:
    return render(request, "inbox/conversations.html", list_context(request))


def _conversation(request: CompanyRequest, pk: int) -> InboxConversation:
    return get_object_or_404(
        InboxConversation.objects.for_company(_company(request)).select_related(
            "profile", "campaign", "assignee"
        ),
        pk=pk,
    )


def _chat_campaign(request: CompanyRequest, profile: Profile) -> Campaign | None:
    campaign_id = request.POST.get("campaign") or request.GET.get("campaign")
    if campaign_id and str(campaign_id).isdigit():
        return get_object_or_404(Campaign.objects.for_company(_company(request)), pk=campaign_id)
    return profile_current_campaign(profile=profile)


def bar_context(
    request: CompanyRequest,
    *,
    profile: Profile,
    campaign: Campaign | None,
    conversation: InboxConversation | None,
    present: list | None = None,
    error: str = "",
) -> dict[str, Any]:
    """What the conversation bar of the chat window shows."""
    role = request.role
    is_admin = has_perm(role, Perm.MANAGE)
    holder_id = conversation.assignee_id if conversation else None
    return {
        "conversation": conversation,
        "chat_profile": profile,
        "chat_campaign": campaign,
        "present": present or [],
        "bar_error": error,
        "is_admin": is_admin,
        "mine": holder_id == request.user.pk,
        "held_by_other": holder_id is not None and holder_id != request.user.pk,
        "members": rules.conversation_members(company=_company(request)) if is_admin else [],
        "poll_seconds": POLL_SECONDS,
    }


def _bar(request: CompanyRequest, conversation: InboxConversation, error: str = "") -> HttpResponse:
    conversation = _conversation(request, conversation.pk)
    context = bar_context(
        request,
        profile=conversation.profile,
        campaign=conversation.campaign,
        conversation=conversation,
        error=error,
    )
    return render(request, "inbox/_conversation_bar.html", context)


def _done(
    request: CompanyRequest, conversation: InboxConversation, error: str = ""
) -> HttpResponse:
    if request.htmx:
        response = _bar(request, conversation, error)
        if not error:
            response["HX-Trigger"] = "conversation-changed"
        return response
    # Without scripts: back to the chat page, which shows the new holder.
    url = reverse("inbox:chat", args=[conversation.profile_id])
    if conversation.campaign_id:
        url += f"?campaign={conversation.campaign_id}"
    return redirect(url)


def _act(request: CompanyRequest, pk: int, action, **kwargs) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        action(conversation=conversation, user=request.user, **kwargs)
    except rules.ConversationError as exc:
        return _done(request, conversation, str(exc))
    return _done(request, conversation)


@require_POST
@require_perm(Perm.CHAT)
def claim(request: CompanyRequest, pk: int) -> HttpResponse:
    return _act(request, pk, rules.conversation_claim)


@require_POST
@require_perm(Perm.CHAT)
def release(request: CompanyRequest, pk: int) -> HttpResponse:
    return _act(request, pk, rules.conversation_release)


@require_POST
@require_perm(Perm.CHAT)
def take_over(request: CompanyRequest, pk: int) -> HttpResponse:
    return _act(request, pk, rules.conversation_take_over)


@require_POST
@require_perm(Perm.CHAT)
def close(request: CompanyRequest, pk: int) -> HttpResponse:
    return _act(request, pk, rules.conversation_close)


@require_POST
@require_perm(Perm.MANAGE)
def assign(request: CompanyRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    assignee_id = request.POST.get("assignee", "")
    members = {m.pk: m for m in rules.conversation_members(company=_company(request))}
    assignee = members.get(int(assignee_id)) if assignee_id.isdigit() else None
    if assignee is None:
        return _done(request, conversation, "Choose a member who can answer texts.")
    return _act(request, pk, rules.conversation_assign, assignee=assignee)


@require_POST
@require_perm(Perm.CHAT)
def presence(request: CompanyRequest, profile_id: int) -> HttpResponse:
    """Polled by the chat window: says who is here, and returns the fresh bar."""
    profile = get_object_or_404(Profile.objects.for_company(_company(request)), pk=profile_id)
    campaign = _chat_campaign(request, profile)
    conversation = conversation_for_chat(
        company=_company(request), profile=profile, campaign=campaign
    )
    present = []
    if conversation is not None:
        present = presence_touch(
            company=_company(request),
            conversation_id=conversation.pk,
            user=request.user,
            typing=request.POST.get("typing") == "1",
        )
    context = bar_context(
        request, profile=profile, campaign=campaign, conversation=conversation, present=present
    )
    return render(request, "inbox/_conversation_bar.html", context)


def extras_context(conversation: InboxConversation | None, error: str = "") -> dict[str, Any]:
    if conversation is None:
        return {"conversation": None}
    return {
        "conversation": conversation,
        "conversation_tag_list": list(conversation.tags.order_by("name")),
        "conversation_notes": list(conversation.notes.select_related("author")),
        "extras_error": error,
    }


def _extras(
    request: CompanyRequest, conversation: InboxConversation, error: str = ""
) -> HttpResponse:
    context = {
        **extras_context(conversation, error),
        "tag_choices": conversation_tags(company=_company(request)),
    }
    return render(request, "inbox/_conversation_extras.html", context)


@require_POST
@require_perm(Perm.CHAT)
def tag_add(request: CompanyRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        rules.conversation_tag_add(
            conversation=conversation, name=request.POST.get("name", ""), user=request.user
        )
    except rules.ConversationError as exc:
        return _extras(request, conversation, str(exc))
    return _extras(request, conversation)


@require_POST
@require_perm(Perm.CHAT)
def tag_remove(request: CompanyRequest, pk: int, tag_id: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    tag = get_object_or_404(ConversationTag.objects.for_company(_company(request)), pk=tag_id)
    rules.conversation_tag_remove(conversation=conversation, tag=tag, user=request.user)
    return _extras(request, conversation)


@require_POST
@require_perm(Perm.CHAT)
def note_add(request: CompanyRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        rules.conversation_note_add(
            conversation=conversation, body=request.POST.get("body", ""), user=request.user
        )
    except rules.ConversationError as exc:
        return _extras(request, conversation, str(exc))
    return _extras(request, conversation)


@nav_badge("inbox:index")
def _unread_badge(request: HttpRequest) -> dict[str, Any] | None:
    """The menu's Inbox count: conversations needing a reply with unread texts."""
    company = getattr(request, "company", None)
    if company is None or not has_perm(getattr(request, "role", None), Perm.VIEW):
        return None
    count = inbox_unread_count(company=company)
    if not count:
        return None
    label = f"{NAV_COUNT_CAP}+" if count > NAV_COUNT_CAP else str(count)
    return {"count": label, "unit": "unread conversations", "alert": ""}
