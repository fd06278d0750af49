"""What campaigns contributes to profiles, registered in CampaignsConfig.ready().

profiles sits below campaigns in the layer contract and may not import it, yet the
profile status rule, the campaign and opt-in path profiles tables, the profile's XML,
its page and Profile Summary all read subscriptions or donations. Each of those is
written here and handed to profiles through its registries (profiles.extensions).
"""

from typing import Any

from django.db.models import Exists, F, OuterRef, Subquery

from api.xml import esc_attr, fmt_time, sub, tag_text
from profiles.extensions import (
    SUBSCRIPTION_STATUS,
    ProfileTab,
    ScopeKind,
    StatusRule,
    SummaryPart,
    XmlPart,
    profile_tabs,
    scope_kinds,
    status_rules,
    summary_parts,
    xml_parts,
)
from profiles.profile_xml import AnyOf, UtcText

from .models import Campaign, OptInPath, Subscription
from .views.profile_tabs import donations_tab, subscriptions_tab

# --- The profile status rule (profiles.status) -----------------------------------------


def subscription_status_expressions() -> tuple[Exists, Exists, Exists, Subquery]:
    """(active, any subscription, opted out, latest opt-out source) over Profile.

    A subscription pending confirmation (double opt-in) is no subscription yet.
    """
    subs = Subscription.objects.filter(profile=OuterRef("pk")).exclude(
        status=Subscription.Status.PENDING
    )
    active = Exists(subs.filter(status=Subscription.Status.ACTIVE, campaign__active=True))
    any_sub = Exists(subs)
    opted_out = Exists(subs.filter(status=Subscription.Status.OPTED_OUT))
    latest_source = Subquery(
        subs.filter(status=Subscription.Status.OPTED_OUT)
        .order_by("-opted_out_at", "-id")
        .values("opt_out_source")[:1]
    )
    return active, any_sub, opted_out, latest_source


# --- The scoped profiles tables (profiles.selectors.ProfileScope) -----------------------


def _load_campaign(company: Any, object_id: int) -> Campaign:
    return Campaign.objects.for_company(company).get(pk=object_id)


def _load_opt_in_path(company: Any, object_id: int) -> OptInPath:
    return OptInPath.objects.for_company(company).get(pk=object_id)


def _campaign_members(scope: Any) -> Exists:
    subscriptions = Subscription.objects.filter(profile=OuterRef("pk"))
    return Exists(subscriptions.filter(campaign_id=scope.object_id))


def _opt_in_path_members(scope: Any) -> Exists:
    subscriptions = Subscription.objects.filter(profile=OuterRef("pk"))
    return Exists(subscriptions.filter(opt_in_path_id=scope.object_id))


def scope_active(scope: Any) -> Exists:
    """An active subscription in the scope: its opt-in path's, else its campaign's."""
    subscriptions = Subscription.objects.filter(
        profile=OuterRef("pk"), status=Subscription.Status.ACTIVE
    )
    if scope.kind == "opt_in_path":
        return Exists(subscriptions.filter(opt_in_path_id=scope.object_id))
    return Exists(subscriptions.filter(campaign_id=scope.campaign_id))


# --- <subscriptions> in the profile's XML (profiles.profile_xml) ------------------------

_SUBSCRIPTION_TIMES = {
    "api_created_at": UtcText("created_at", UtcText.ATTRIBUTE),
    "api_activated_at": UtcText("activated_at", UtcText.ATTRIBUTE),
    "api_opted_out_at": UtcText("opted_out_at", UtcText.ATTRIBUTE),
}
_SUBSCRIPTION_COLUMNS = (
    "profile_id", "campaign_id", "campaign__name", "campaign__description",
    "opt_in_path_id", "status", "opt_in_source", "api_created_at", "api_activated_at",
    "api_opted_out_at", "opt_out_source",
)  # fmt: skip


def _subscription_rows(profile_ids: list[int]) -> Any:
    """A page's subscriptions in one query, as flat tuples (profile id first)."""
    return (
        Subscription.objects.filter(AnyOf(F("profile_id"), profile_ids))
        .annotate(**_SUBSCRIPTION_TIMES)
        .order_by("created_at", "id")
        .values_list(*_SUBSCRIPTION_COLUMNS)
    )


def _subscriptions_xml(subscriptions: list[tuple]) -> str:
    # The samples show <subscriptions> only for profiles that have some.
    if not subscriptions:
        return ""
    out = []
    for (
        campaign_id,
        campaign_name,
        campaign_description,
        opt_in_path_id,
        status,
        opt_in_source,
        created_at,
        activated_at,
        opted_out_at,
        opt_out_source,
    ) in subscriptions:
        # The formatted timestamps and ids are plain ASCII: nothing to escape.
        out.append(
            f'<subscription campaign_id="{campaign_id}"'
            f' campaign_name="{esc_attr(campaign_name)}"'
            f' campaign_description="{esc_attr(campaign_description)}"'
            f' opt_in_path_id="{opt_in_path_id or ""}" status="{esc_attr(status)}"'
            f' opt_in_source="{esc_attr(opt_in_source)}" created_at="{created_at or ""}"'
            f' activated_at="{activated_at or ""}" opted_out_at="{opted_out_at or ""}"'
            f' opt_out_source="{esc_attr(opt_out_source)}"/>'
        )
    return tag_text("subscriptions", "".join(out))


# --- Profile Summary's include_donations (profiles.api.profile) -------------------------


def _summary_donations(element: Any, profile: Any) -> None:
    container = sub(element, "donations")
    for donation in profile.donations.select_related("fundraising").order_by("-donated_at"):
        d = sub(container, "donation", id=donation.pk, status=donation.status)
        sub(d, "amount", donation.amount)
        sub(d, "description", donation.description)
        sub(d, "fundraising", donation.fundraising.name, id=donation.fundraising_id)
        sub(d, "donated_at", fmt_time(donation.donated_at))


def register() -> None:
    status_rules.register(StatusRule(SUBSCRIPTION_STATUS, 0, subscription_status_expressions))
    scope_kinds.register(ScopeKind("campaign", 10, _load_campaign, _campaign_members, scope_active))
    scope_kinds.register(
        ScopeKind("opt_in_path", 30, _load_opt_in_path, _opt_in_path_members, scope_active)
    )
    # Between profiles' <custom_columns> (100) and <integrations> (300), as in the seed.
    xml_parts.register(
        XmlPart("subscriptions", 200, "subscriptions", _subscription_rows, _subscriptions_xml)
    )
    # Between Legislators (20) and Activity (60): Subscriptions, Messages (40), Donations.
    profile_tabs.register(ProfileTab("subscriptions", "Subscriptions", 30, subscriptions_tab))
    profile_tabs.register(ProfileTab("donations", "Donations", 50, donations_tab))
    # After the messages (10) in Profile Summary.
    summary_parts.register(SummaryPart("donations", 20, "include_donations", _summary_donations))
