from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import QueryDict

from accounts.models import Company
from campaigns.models import Campaign
from messaging.models import Message
from profiles.models import Profile

from .filters import InboxFilter
from .models import CannedResponse, ConversationTag, InboxConversation

State = InboxConversation.State

# The conversation list's tabs: which state, and whose.
STATES = {
    "needs_reply": State.NEEDS_REPLY,
    "waiting": State.WAITING,
    "closed": State.CLOSED,
}
VIEWS = ("mine", "unassigned", "all")
COUNT_CAP = 1000
# The columns of the conversation list (inbox.tables.ConversationTable).
LIST_FIELDS = (
    "state",
    "unread",
    "last_activity_at",
    "profile__first_name",
    "profile__last_name",
    "profile__phone_number",
    "campaign__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "last_incoming__body",
)
NAV_COUNT_CAP = 99


def inbox_filter(*, company: Company, params: QueryDict) -> InboxFilter:
    incoming = Message.objects.for_company(company).filter(direction=Message.Direction.MO)
    return InboxFilter(params, queryset=incoming, company=company)


def inbox_messages(*, filterset: InboxFilter) -> QuerySet[Message]:
    """Incoming messages, newest first (the index message_company_dir_time serves it)."""
    return filterset.qs.select_related("profile", "campaign").order_by("-created_at", "-id")


def _whose(
    queryset: QuerySet[InboxConversation], *, view: str, user: User
) -> QuerySet[InboxConversation]:
    if view == "mine":
        return queryset.filter(assignee=user)
    if view == "unassigned":
        return queryset.filter(assignee__isnull=True)
    return queryset


def conversation_list(
    *,
    company: Company,
    user: User,
    state: str,
    view: str,
    tag: ConversationTag | None = None,
) -> QuerySet[InboxConversation]:
    """One tab of the inbox, newest first (index inbox_conv_state_time)."""
    queryset: QuerySet[InboxConversation] = InboxConversation.objects.for_company(company).filter(
        state=STATES[state]
    )
    queryset = _whose(queryset, view=view, user=user)
    if tag is not None:
        queryset = queryset.filter(tags=tag)
    return (
        queryset.select_related("profile", "campaign", "assignee", "last_incoming")
        # Only what a row shows: a profile or a message is dozens of columns, and
        # building four whole models a row was a third of the page.
        .only(*LIST_FIELDS)
        .prefetch_related("tags")
        .order_by("-last_activity_at", "-id")
    )


def conversation_counts(
    *, company: Company, user: User, view: str, tag: ConversationTag | None = None
) -> dict[str, int]:
    """Conversations in each state for the chosen view, each count capped."""
    counts = {}
    for name, state in STATES.items():
        queryset = _whose(
            InboxConversation.objects.for_company(company).filter(state=state),
            view=view,
            user=user,
        )
        if tag is not None:
            queryset = queryset.filter(tags=tag)
        counts[name] = queryset[: COUNT_CAP + 1].count()
    return counts


def inbox_unread_count(*, company: Company) -> int:
    """Conversations needing a reply with texts nobody opened yet, capped for the menu.

    Read on every page: the partial index inbox_conv_unread holds only those rows,
    and the cap keeps even a large backlog to a short index scan.
    """
    return (
        InboxConversation.objects.for_company(company)
        .filter(state=State.NEEDS_REPLY, unread__gt=0)
        .values("pk")[: NAV_COUNT_CAP + 1]
        .count()
    )


def conversation_for_chat(
    *, company: Company, profile: Profile, campaign: Campaign | None
) -> InboxConversation | None:
    return (
        InboxConversation.objects.for_company(company)
        .filter(profile=profile, campaign=campaign)
        .select_related("assignee")
        .prefetch_related("tags")
        .first()
    )


def conversation_tags(*, company: Company) -> QuerySet[ConversationTag]:
    return ConversationTag.objects.for_company(company).order_by("name")


def canned_responses(*, company: Company) -> QuerySet[CannedResponse]:
    return CannedResponse.objects.for_company(company).order_by("name")
