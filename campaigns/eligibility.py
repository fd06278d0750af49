"""Who may be (re)subscribed to a campaign: the one rule every opt-in path calls.

Keyword opt-ins, OOPS, the profile page's Reactivate, the API's opt_in_path_id and
any other caller of `subscription_create` reach this function through it, so the
paths cannot disagree. It answers with the reason a subscription is refused (shown to
staff, logged for texts and API calls) or None.

The rule, first match wins:

  1. the campaign belongs to another company;
  2. the number cannot be texted at all (profiles.deliverability: erased or
     suppressed, blacklisted, deactivated, cleaned after bounces, invalid data, a
     landline or an invalid number), since a subscription nobody can be texted on
     would only look like consent;
  3. the campaign has ended;
  4. `once_only` (the API, seed 004): any earlier subscription to the campaign,
     active, pending or opted out, or an earlier double opt-in request (declined or
     expired: the number was asked once), means no new one;
  5. unless `subscriber_asked`: an opt-out of every campaign, or a STOP texted to
     this campaign, stands. Only the subscriber can undo their own opt-out (seed 003:
     "they can resubscribe by texting OOPS or any of your keywords"); staff and the
     API may not, so `subscriber_asked` is True for keyword opt-ins and OOPS only.

It depends on profiles and on the campaigns models only (messaging, which calls it,
sits above it).
"""

from profiles.deliverability import Reason, undeliverable_reason
from profiles.models import OptOutSource, Profile, ProfileState

from .models import Campaign, FlowRun, Subscription


class Refusal:
    OTHER_COMPANY = "The campaign belongs to another company."
    CAMPAIGN_ENDED = "{campaign} has ended: nobody can join it"
    ONCE_ONLY = (
        "Already subscribed to {campaign} once: the API opts a number into a campaign one time only"
    )
    OPTED_OUT_ALL = (
        f"{Reason.OPTED_OUT_ALL}: only the subscriber can undo that, by texting a keyword or OOPS"
    )
    STOPPED = (
        "Texted STOP to {campaign}: only the subscriber can rejoin, by texting a keyword or OOPS"
    )


def _stopped(profile: Profile, campaign: Campaign) -> bool:
    """The subscriber's latest word on this campaign was a STOP (and nothing re-joined)."""
    subscriptions = Subscription.objects.filter(profile=profile, campaign=campaign)
    if subscriptions.filter(status=Subscription.Status.ACTIVE).exists():
        return False
    latest = (
        subscriptions.filter(status=Subscription.Status.OPTED_OUT)
        .order_by("-opted_out_at", "-id")
        .values_list("opt_out_source", flat=True)
        .first()
    )
    return latest == OptOutSource.STOP_WORD


def subscription_refusal(
    *,
    profile: Profile,
    campaign: Campaign,
    subscriber_asked: bool = False,
    once_only: bool = False,
) -> str | None:
    """Why `profile` may not be (re)subscribed to `campaign` now, or None if it may."""
    if campaign.company_id != profile.company_id:
        return Refusal.OTHER_COMPANY
    reason = undeliverable_reason(profile=profile)
    if reason:
        return reason
    if not campaign.active:
        return Refusal.CAMPAIGN_ENDED.format(campaign=campaign.name)
    if once_only and (
        Subscription.objects.filter(profile=profile, campaign=campaign).exists()
        or FlowRun.objects.filter(profile=profile, opt_in_path__campaign=campaign).exists()
    ):
        return Refusal.ONCE_ONLY.format(campaign=campaign.name)
    if subscriber_asked:
        return None
    # Read now, not from the caller's object: a STOP that arrived a moment ago wins.
    if ProfileState.objects.filter(profile=profile, opted_out_globally=True).exists():
        return Refusal.OPTED_OUT_ALL
    if _stopped(profile, campaign):
        return Refusal.STOPPED.format(campaign=campaign.name)
    return None
