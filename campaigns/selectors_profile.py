"""Reads of one profile's subscriptions and donations (the profile page's tabs).

Views pass a profile already fetched with `Profile.objects.for_company(...)`, so every
read here is scoped to the current company through that profile.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from profiles.models import Profile

from .models import Donation, Subscription


def profile_subscriptions(*, profile: Profile, search: str = "") -> list[Any]:
    """The latest subscription per campaign (seed 000's table); older ones are history."""
    rows = (
        Subscription.objects.filter(profile=profile)
        .select_related("campaign", "opt_in_path", "opt_in_user")
        .order_by("campaign__name", "-created_at", "-id")
    )
    if search:
        rows = rows.filter(campaign__name__icontains=search)
    latest: dict[int, Any] = {}
    history: dict[int, int] = {}
    for sub in rows:
        if sub.campaign_id in latest:
            history[sub.campaign_id] = history.get(sub.campaign_id, 0) + 1
        else:
            latest[sub.campaign_id] = sub
    for campaign_id, sub in latest.items():
        sub.history_count = history.get(campaign_id, 0)
    return list(latest.values())


def subscription_history(*, profile: Profile, campaign_id: int) -> QuerySet:
    """Older subscriptions of one campaign, newest first, without the current one."""
    rows = (
        Subscription.objects.filter(profile=profile, campaign_id=campaign_id)
        .select_related("campaign", "opt_in_path", "opt_in_user")
        .order_by("-created_at", "-id")
    )
    latest = rows.first()
    return rows.exclude(pk=latest.pk) if latest else rows


@dataclass(frozen=True)
class DonationTotals:
    total_amount: Decimal
    highest_amount: Decimal
    count: int


def profile_donations(*, profile: Profile) -> QuerySet:
    return (
        Donation.objects.filter(profile=profile)
        .select_related("fundraising")
        .order_by("-donated_at", "-id")
    )


def profile_donation_totals(*, profile: Profile) -> DonationTotals:
    """Totals over successful donations only (status accepted), as seed 000 defines them."""
    agg = Donation.objects.filter(profile=profile, status=Donation.Status.ACCEPTED).aggregate(
        total=Sum("amount"), highest=Max("amount"), count=Count("id")
    )
    return DonationTotals(
        total_amount=agg["total"] or Decimal("0"),
        highest_amount=agg["highest"] or Decimal("0"),
        count=agg["count"],
    )
