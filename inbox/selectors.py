from django.db.models import QuerySet
from django.http import QueryDict

from messaging.models import Message
from profiles.models import Company

from .filters import InboxFilter


def inbox_filter(*, company: Company, params: QueryDict) -> InboxFilter:
    incoming = Message.objects.for_company(company).filter(direction=Message.Direction.MO)
    return InboxFilter(params, queryset=incoming, company=company)


def inbox_messages(*, filterset: InboxFilter) -> QuerySet[Message]:
    """Incoming messages, newest first (the index message_company_dir_time serves it)."""
    return filterset.qs.select_related("profile", "campaign").order_by("-created_at", "-id")
