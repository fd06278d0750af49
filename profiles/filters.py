"""The profiles table's search box and Filters pane (seed 001), as one FilterSet.

Every option filters on maintained columns (the status and description kept in
ProfileState, the profile's source_type and cleaned_at) or on an indexed EXISTS, so a
filter costs an index scan at a million profiles, never a join over subscriptions per
row.
"""

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, Q, QuerySet

from core.phones import phone_search_digits

from .models import OptOutSource, Profile, ProfileStatus, SourceType

# Subscription Status options, in the order the seed lists them. Each maps to the
# maintained status columns (see profiles/status.py for how they are computed).
UNDELIVERABLE_REASONS: dict[str, str] = {
    "undeliverable_stop": OptOutSource.STOP_WORD,
    "undeliverable_hard_bounce": OptOutSource.HARD_BOUNCE,
    "undeliverable_profile": OptOutSource.PROFILE,
    "undeliverable_inbox": OptOutSource.INBOX,
    "undeliverable_deactivated": OptOutSource.DEACTIVATED,
    "undeliverable_manual": OptOutSource.MANUAL,
    "undeliverable_blacklisted": OptOutSource.BLACKLISTED,
}
SUBSCRIPTION_STATUS_CHOICES: list[tuple[str, str]] = [
    ("", "All"),
    ("active", "Active subscribers"),
    ("former", "Former subscribers"),
    ("none", "No subscriptions"),
    ("opted_out", "Opted out"),
    ("synced", "Synced"),
    ("invalid", "Invalid profile data"),
    ("undeliverable_stop", "Undeliverable - Texted a STOP word"),
    ("undeliverable_hard_bounce", "Undeliverable - Hard Bounce"),
    ("undeliverable_profile", "Undeliverable - Opt-out from profile"),
    ("undeliverable_inbox", "Undeliverable - Opt-out from Inbox"),
    ("undeliverable_deactivated", "Undeliverable - Phone was Deactivated"),
    ("undeliverable_manual", "Undeliverable - Manual Opt-Out"),
    ("undeliverable_blacklisted", "Undeliverable - Blacklisted"),
]
STATUS_BY_CHOICE: dict[str, str] = {
    "active": ProfileStatus.ACTIVE,
    "former": ProfileStatus.FORMER,
    "none": ProfileStatus.NONE,
    "opted_out": ProfileStatus.OPTED_OUT,
    "synced": ProfileStatus.SYNCED,
    "invalid": ProfileStatus.INVALID,
}

# First seen type options (seed 001). The model records finer sources than the seed's
# seven; each finer source is listed under the seed option a user would look for it in:
# a keyword, web-form or API opt-in is an opt-in, an Inbox-created profile has no
# recorded origin beyond "someone texted us".
FIRST_SEEN_TYPES: dict[str, list[str]] = {
    "donated": [SourceType.DONATED],
    "uploaded_group": [SourceType.UPLOADED_GROUP],
    "called_mconnect": [SourceType.CALLED_MCONNECT],
    "used_mdata": [SourceType.USED_MDATA],
    "opted_in": [SourceType.OPTED_IN, SourceType.KEYWORD, SourceType.WEB_FORM, SourceType.API],
    "unknown": [SourceType.UNKNOWN, SourceType.INBOX],
    "crm": [SourceType.CRM],
}
FIRST_SEEN_TYPE_CHOICES: list[tuple[str, str]] = [
    ("donated", "Donated"),
    ("uploaded_group", "Uploaded group"),
    ("called_mconnect", "Called mConnect"),
    ("used_mdata", "Used mData"),
    ("opted_in", "Opted in"),
    ("unknown", "Unknown"),
    ("crm", "CRM"),
]

PROFILE_STATUS_CHOICES: list[tuple[str, str]] = [
    ("", "All"),
    ("active", "Active"),
    ("cleaned", "Cleaned"),
]

# A term made only of digits and the punctuation people type in phone numbers is a
# phone search; anything else is searched word by word in names and email.
_PHONE_LIKE = re.compile(r"^[\d\s()+\-./]+$")
SEARCH_FIELDS = ("first_name", "last_name", "email")


def search_q(term: str) -> Q:
    """Case-insensitive substring match on first/last name, email and phone number.

    Every lookup is `icontains`, which PostgreSQL runs as `UPPER(col) LIKE UPPER(%s)`:
    exactly the expression the trigram GIN indexes of migration 0002 are built on.
    """
    term = term.strip()
    if not term:
        return Q()
    digits = phone_search_digits(term)
    if _PHONE_LIKE.match(term) and digits:
        return Q(phone_number__icontains=digits)
    query = Q()
    for word in term.split():
        word_q = Q()
        for field in SEARCH_FIELDS:
            word_q |= Q(**{f"{field}__icontains": word})
        word_digits = phone_search_digits(word)
        if word_digits and len(word_digits) >= 3 and _PHONE_LIKE.match(word):
            word_q |= Q(phone_number__icontains=word_digits)
        query &= word_q
    return query


class ProfileFilter(django_filters.FilterSet):
    """Search box and Filters pane of the profiles table; scoped tables add Profile Status.

    `scope_active` is the "Active in this campaign" condition of a scoped table (an
    Exists over its subscriptions); it is given by the selector, which knows the scope.
    """

    q = django_filters.CharFilter(method="filter_search", label="Search")
    subscription_status = django_filters.ChoiceFilter(
        choices=SUBSCRIPTION_STATUS_CHOICES[1:],
        empty_label="All",
        method="filter_subscription_status",
        label="Subscription Status",
        widget=forms.RadioSelect,
    )
    first_seen_type = django_filters.MultipleChoiceFilter(
        choices=FIRST_SEEN_TYPE_CHOICES,
        method="filter_first_seen_type",
        label="First seen type",
        widget=forms.CheckboxSelectMultiple,
    )
    profile_status = django_filters.ChoiceFilter(
        choices=PROFILE_STATUS_CHOICES[1:],
        empty_label="All",
        method="filter_profile_status",
        label="Profile Status",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Profile
        fields: list[str] = []

    def __init__(self, *args: Any, scope_active: Exists | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_active = scope_active
        if scope_active is None:
            # The Profile Status filter only exists on campaign, broadcast and opt-in
            # path tables (seed 001).
            del self.filters["profile_status"]

    def filter_search(self, queryset: QuerySet[Profile], name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value)) if value.strip() else queryset

    def filter_subscription_status(
        self, queryset: QuerySet[Profile], name: str, value: str
    ) -> QuerySet:
        if value in STATUS_BY_CHOICE:
            return queryset.filter(standing__status=STATUS_BY_CHOICE[value])
        if value in UNDELIVERABLE_REASONS:
            # The reason lives in status_description both for profiles that cannot be
            # messaged at all (Undeliverable) and for those opted out of campaigns.
            return queryset.filter(
                standing__status__in=[ProfileStatus.UNDELIVERABLE, ProfileStatus.OPTED_OUT],
                standing__status_description=UNDELIVERABLE_REASONS[value],
            )
        return queryset

    def filter_first_seen_type(
        self, queryset: QuerySet[Profile], name: str, value: list[str]
    ) -> QuerySet:
        sources = [source for choice in value for source in FIRST_SEEN_TYPES.get(choice, [])]
        return queryset.filter(source_type__in=sources) if sources else queryset

    def filter_profile_status(self, queryset: QuerySet[Profile], name: str, value: str) -> QuerySet:
        if value == "cleaned":
            return queryset.filter(cleaned_at__isnull=False)
        if value == "active" and self.scope_active is not None:
            return queryset.filter(self.scope_active, cleaned_at__isnull=True)
        return queryset

    def applied(self) -> list[str]:
        """Human labels of the filters in effect (the filter indicator's hover list)."""
        if not self.is_bound or not self.form.is_valid():
            return []
        data = self.form.cleaned_data
        labels = []
        status = data.get("subscription_status")
        if status:
            labels.append(f"Subscription Status: {dict(SUBSCRIPTION_STATUS_CHOICES)[status]}")
        seen = data.get("first_seen_type") or []
        if seen:
            names = [label for choice, label in FIRST_SEEN_TYPE_CHOICES if choice in seen]
            labels.append("First seen type: " + ", ".join(names))
        profile_status = data.get("profile_status")
        if profile_status:
            labels.append(f"Profile Status: {dict(PROFILE_STATUS_CHOICES)[profile_status]}")
        return labels
