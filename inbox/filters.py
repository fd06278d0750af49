import django_filters
from django import forms
from django.db.models import Q, QuerySet

from campaigns.models import Campaign
from core.phones import phone_search_digits
from messaging.labels import MO_TYPE_CHOICES
from messaging.models import Message


class InboxFilter(django_filters.FilterSet):
    """Search and filters of the Inbox table. Campaign choices are the company's own."""

    q = django_filters.CharFilter(method="search", label="Search")
    campaign = django_filters.ModelChoiceFilter(
        queryset=Campaign.objects.none(), empty_label="All campaigns"
    )
    message_type = django_filters.ChoiceFilter(
        choices=MO_TYPE_CHOICES, empty_label="All types", label="Type"
    )
    received_from = django_filters.DateFilter(
        field_name="received_at",
        lookup_expr="date__gte",
        label="Received from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        field_name="received_at",
        lookup_expr="date__lte",
        label="to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Message
        fields = ["q", "campaign", "message_type", "received_from", "received_to"]

    def __init__(self, *args, company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["campaign"].queryset = Campaign.objects.for_company(company)

    def search(self, queryset: QuerySet[Message], name: str, value: str) -> QuerySet[Message]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(body__icontains=value)
        digits = phone_search_digits(value)
        if len(digits) >= 3:
            condition |= Q(phone_number__contains=digits)
        for word in value.split()[:3]:
            condition |= Q(profile__first_name__istartswith=word) | Q(
                profile__last_name__istartswith=word
            )
        return queryset.filter(condition)
