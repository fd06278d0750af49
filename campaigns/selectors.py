"""Reads for campaigns, groups and broadcasts: lists, counts and broadcast audiences."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Company
from profiles.models import Group, GroupMembership, Profile

from .compliance import profiles_with_refusal
from .models import Broadcast, BroadcastChunk, Campaign, Subscription
from .subscriber_counts import active_count_expression, campaign_active_count


def campaign_list(*, company: Company, status: str = "") -> QuerySet[Campaign]:
    campaigns = Campaign.objects.for_company(company).prefetch_related("tags")
    if status == "active":
        campaigns = campaigns.filter(active=True)
    elif status == "ended":
        campaigns = campaigns.filter(active=False)
    # The maintained count (campaigns.subscriber_counts): a few rows per campaign,
    # where counting its active subscriptions reads every one of them.
    return campaigns.annotate(
        active_count=active_count_expression(),
    ).order_by("-active", "name")


def campaign_subscriber_counts(*, campaign: Campaign) -> dict[str, int]:
    """Active subscribers and opted-out subscriptions (a profile that re-joined counts once).

    Active is the maintained count, the campaigns list's figure: a profile has at most
    one Active row per campaign (subscription_one_active_per_campaign), so its Active
    rows are its distinct active profiles.
    """
    counts = Subscription.objects.filter(campaign=campaign).aggregate(
        opted_out=Count(
            "profile",
            filter=Q(
                ~Exists(
                    Subscription.objects.filter(
                        campaign=campaign,
                        profile=OuterRef("profile"),
                        status=Subscription.Status.ACTIVE,
                    )
                ),
                status=Subscription.Status.OPTED_OUT,
            ),
            distinct=True,
        ),
    )
    return {
        "active": campaign_active_count(campaign=campaign),
        "opted_out": counts["opted_out"] or 0,
    }


def group_list(*, company: Company, kind: str = "") -> QuerySet[Group]:
    groups = Group.objects.for_company(company)
    if kind:
        groups = groups.filter(kind=kind)
    # Per group, a count over the index group_member_unique (group, profile) alone,
    # where a join and GROUP BY read every membership of the company.
    members = (
        GroupMembership.objects.filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("*"))
        .values("n")
    )
    return groups.annotate(uploaded_count=Coalesce(Subquery(members), Value(0))).order_by("name")


def group_members(*, group: Group) -> QuerySet[Profile]:
    """Members of an uploaded group, or a filtered group's saved search evaluated now."""
    company_profiles = Profile.objects.for_company(group.company_id)
    return company_profiles.filter(group_member_q(group)).order_by("-created_at", "-id")


def group_member_q(group: Group) -> Q:
    if group.kind == Group.Kind.FILTERED:
        return Q(pk__in=filtered_group_profiles(group).values("pk"))
    return Q(Exists(GroupMembership.objects.filter(group=group, profile=OuterRef("pk"))))


def filtered_group_profiles(group: Group) -> QuerySet[Profile]:
    from profiles.selectors import profile_list  # the profiles table's own query

    params: dict[str, Any] = dict(group.filter_params or {})
    return profile_list(company=group.company, params=params)


def groups_member_q(groups: Iterable[Group]) -> Q | None:
    """One condition for membership in any of `groups` (None when there are none)."""
    groups = list(groups)
    if not groups:
        return None
    uploaded = [g.pk for g in groups if g.kind == Group.Kind.UPLOADED]
    condition = Q(pk__in=[])
    if uploaded:
        condition |= Q(
            Exists(GroupMembership.objects.filter(group_id__in=uploaded, profile=OuterRef("pk")))
        )
    for group in groups:
        if group.kind == Group.Kind.FILTERED:
            condition |= group_member_q(group)
    return condition


def active_subscriber_q(campaign_id: int) -> Q:
    return Q(
        Exists(
            Subscription.objects.filter(
                campaign_id=campaign_id,
                profile=OuterRef("pk"),
                status=Subscription.Status.ACTIVE,
            )
        )
    )


def broadcast_audience(
    *,
    company: Company,
    campaign: Campaign,
    include_subscribers: bool,
    included_groups: Iterable[Group] = (),
    excluded_groups: Iterable[Group] = (),
) -> QuerySet[Profile]:
    """Who a broadcast is addressed to: subscribers and/or included groups, minus excluded.

    This is the audience before the send rules; `broadcast_deliverable_q` then removes
    the numbers the rules refuse (they are counted as undeliverable, never messaged).
    """
    include = Q(pk__in=[])
    if include_subscribers:
        include |= active_subscriber_q(campaign.pk)
    included = groups_member_q(included_groups)
    if included is not None:
        include |= included
    audience = Profile.objects.for_company(company).filter(include)
    excluded = groups_member_q(excluded_groups)
    if excluded is not None:
        audience = audience.exclude(excluded)
    return audience


def broadcast_recipients(*, broadcast: Broadcast) -> QuerySet[Profile]:
    return broadcast_audience(
        company=broadcast.company,
        campaign=broadcast.campaign,
        include_subscribers=broadcast.include_subscribers,
        included_groups=broadcast.included_groups.all(),
        excluded_groups=broadcast.excluded_groups.all(),
    )


def broadcast_estimate(
    *,
    company: Company,
    campaign: Campaign,
    include_subscribers: bool,
    included_groups: Iterable[Group] = (),
    excluded_groups: Iterable[Group] = (),
) -> dict[str, int]:
    """Audience size and how many of them the send rules would let through."""
    audience = broadcast_audience(
        company=company,
        campaign=campaign,
        include_subscribers=include_subscribers,
        included_groups=included_groups,
        excluded_groups=excluded_groups,
    )
    # The send rule itself (campaigns.compliance), over the whole audience at once.
    counts = profiles_with_refusal(audience, campaign=campaign).aggregate(
        audience=Count("pk"), deliverable=Count("pk", filter=Q(refusal=""))
    )
    audience_count = counts["audience"] or 0
    deliverable = counts["deliverable"] or 0
    return {
        "audience": audience_count,
        "recipients": deliverable,
        "undeliverable": audience_count - deliverable,
    }


def broadcast_list(*, company: Company, status: str = "", campaign_id: int | None = None):
    broadcasts = Broadcast.objects.for_company(company).select_related("campaign")
    if status:
        broadcasts = broadcasts.filter(status=status)
    if campaign_id:
        broadcasts = broadcasts.filter(campaign_id=campaign_id)
    return broadcasts.order_by("-created_at", "-id")


def broadcast_progress(*, broadcast: Broadcast) -> dict[str, int]:
    """Live counts while sending (the final ones are stored on the broadcast)."""
    totals = broadcast.chunks.aggregate(
        chunks=Count("pk"),
        done=Count("pk", filter=Q(status=BroadcastChunk.Status.DONE)),
        recipients=Coalesce(Sum("recipients_count"), 0),
        sent=Coalesce(Sum("sent_count"), 0),
        failed=Coalesce(Sum("failed_count"), 0),
        undeliverable=Coalesce(Sum("undeliverable_count"), 0),
    )
    totals["percent"] = round(100 * totals["done"] / totals["chunks"]) if totals["chunks"] else 0
    return totals
