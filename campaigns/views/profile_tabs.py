"""The profile page's Subscriptions and Donations tabs: what fills them, and the
Subscriptions tab's actions (opt out, reactivate, history).

The tabs are registered with the profile page in CampaignsConfig.ready()
(campaigns/profile_parts.py). The actions answer under the profile page's addresses
and URL names (`profiles:subscription_*`, added to the profiles URLs by config/urls.py):
the page is the profile's, the subscriptions are campaigns'.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from profiles.models import OptOutSource, Profile
from profiles.views.detail import link_rows, profile_for, tab_page, tab_url

from ..models import Subscription
from ..selectors_profile import (
    profile_donation_totals,
    profile_donations,
    profile_subscriptions,
    subscription_history,
)
from ..services_subscriptions import SubscriptionError, profile_opt_out, subscription_reactivate


def subscriptions_tab(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    ctx["page_obj"] = tab_page(request, profile_subscriptions(profile=profile, search=ctx["q"]))
    link_rows(ctx["page_obj"])


def donations_tab(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    ctx["page_obj"] = tab_page(request, profile_donations(profile=profile))
    ctx["totals"] = profile_donation_totals(profile=profile)


def _subscription_for(profile: Profile, sub_id: int):
    return get_object_or_404(
        Subscription.objects.select_related("campaign"), pk=sub_id, profile=profile
    )


@require_POST
@require_perm(Perm.OPT_OUT_ONE)
def subscription_opt_out(request: CompanyRequest, pk: int, sub_id: int) -> HttpResponse:
    profile = profile_for(request, pk)
    subscription = _subscription_for(profile, sub_id)
    try:
        changed = profile_opt_out(
            profile=profile,
            source=OptOutSource.PROFILE,
            subscription=subscription,
            actor=request.user,
        )
    except SubscriptionError as error:
        messages.error(request, str(error))
    else:
        if changed:
            messages.success(request, f"Opted out of {subscription.campaign.name}.")
        else:
            messages.info(request, f"Already opted out of {subscription.campaign.name}.")
    return redirect(tab_url(profile, "subscriptions"))


@require_POST
@require_perm(Perm.OPT_OUT_ONE)
def subscription_reactivate_view(request: CompanyRequest, pk: int, sub_id: int) -> HttpResponse:
    profile = profile_for(request, pk)
    subscription = _subscription_for(profile, sub_id)
    try:
        # Who may rejoin is the subscription rule's (campaigns.eligibility); its reason
        # is shown as is. Staff are not the subscriber, so a STOP stands.
        subscription_reactivate(
            subscription=subscription,
            actor=request.user,
            source=f"Reactivated by {request.user.get_full_name() or request.user.username}",
        )
    except SubscriptionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Reactivated {subscription.campaign.name}.")
    return redirect(tab_url(profile, "subscriptions"))


@require_GET
@require_perm(Perm.VIEW)
def subscription_history_view(request: CompanyRequest, pk: int, campaign_id: int) -> HttpResponse:
    profile = profile_for(request, pk)
    rows = subscription_history(profile=profile, campaign_id=campaign_id)
    return render(
        request, "profiles/detail/_subscription_history.html", {"rows": rows, "profile": profile}
    )
