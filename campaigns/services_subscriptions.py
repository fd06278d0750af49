"""Subscriptions and opt-outs: the one place that changes who may be messaged.

Every opt-out path (STOP word, profile page, inbox, manual bulk opt-out, API) calls
`profile_opt_out`; every opt-in calls `subscription_create`. Both refresh the
profile's maintained status column in the same transaction.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from core.errors import ErrorKind, ServiceError
from profiles.models import ActivityEvent, OptOutSource, Profile
from profiles.services import activity_record
from profiles.status import profile_state_write

from .eligibility import subscription_refusal
from .models import Campaign, OptInPath, Subscription
from .opt_outs import profiles_opt_out_set


class SubscriptionError(ServiceError):
    """A subscription change that the rules refuse; the message is for the user."""


class SubscriptionRefused(SubscriptionError):
    """The eligibility rule (campaigns.eligibility) refuses this (re)subscription."""

    kind = ErrorKind.FORBIDDEN

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def subscription_active(*, profile: Profile, campaign: Campaign) -> Subscription | None:
    return Subscription.objects.filter(
        profile=profile, campaign=campaign, status=Subscription.Status.ACTIVE
    ).first()


@transaction.atomic
def subscription_create(
    *,
    profile: Profile,
    campaign: Campaign,
    opt_in_path: OptInPath | None = None,
    source: str,
    actor: User | None = None,
    via_api: bool = False,
    subscriber_asked: bool = False,
    pending: bool = False,
) -> tuple[Subscription, bool]:
    """Subscribe a profile to a campaign. Returns (subscription, created).

    An already active subscription is returned unchanged (created=False). Otherwise
    the eligibility rule decides (campaigns.eligibility.subscription_refusal; raises
    SubscriptionRefused with its reason, nothing written): `subscriber_asked` for the
    subscriber's own texts (keyword, OOPS), the API's once-only rule with `via_api`.
    A subscription the subscriber asked for lifts their company-wide opt-out.

    `pending` (a double opt-in path) writes a Pending row instead, which
    `subscription_confirm` activates; an existing pending row is returned as it is.
    A single opt-in replaces a pending row of the same campaign.
    """
    # Another company's campaign is the eligibility rule's first refusal: no row of this
    # profile can belong to it, so the lookups below find nothing and the rule says so.
    existing = subscription_active(profile=profile, campaign=campaign)
    if existing:
        return existing, False
    waiting = Subscription.objects.filter(
        profile=profile, campaign=campaign, status=Subscription.Status.PENDING
    ).first()
    if pending and waiting is not None:
        return waiting, False
    refusal = subscription_refusal(
        profile=profile, campaign=campaign, subscriber_asked=subscriber_asked, once_only=via_api
    )
    if refusal:
        raise SubscriptionRefused(refusal)
    if waiting is not None:
        waiting.delete()
    now = timezone.now()
    subscription = Subscription.objects.create(
        company_id=profile.company_id,
        profile=profile,
        campaign=campaign,
        opt_in_path=opt_in_path,
        status=Subscription.Status.PENDING if pending else Subscription.Status.ACTIVE,
        opt_in_source=source,
        opt_in_user=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
        activated_at=None if pending else now,
        via_api=via_api,
    )
    # The subscriber's own opt-in lifts their opt-out of every campaign (the rule let it
    # through only then; otherwise there is none to lift): the status below says so.
    # A pending opt-in lifts it too, or the confirmation request could not reach them;
    # the compliance rule still sends them nothing else until they confirm.
    values = {"opted_out_globally": False} if subscriber_asked else None
    if pending:
        if values:
            profile_state_write(profiles=[profile.pk], values=values, now=now)
            profile.refresh_from_db()
        return subscription, True
    _subscribed(subscription, actor=actor, values=values, now=now)
    return subscription, True


def _subscribed(subscription: Subscription, *, actor, values, now) -> None:
    profile, campaign = subscription.profile, subscription.campaign
    source, via_api = subscription.opt_in_source, subscription.via_api
    activity_record(
        profile=profile,
        kind=ActivityEvent.Kind.SUBSCRIBED,
        actor=actor,
        description=f"Subscribed to {campaign.name} ({source})",
        origin="api" if via_api else "",
        data={"campaign_id": campaign.pk, "subscription_id": subscription.pk},
    )
    profile_state_write(profiles=[profile.pk], values=values, now=now)
    profile.refresh_from_db()


@transaction.atomic
def subscription_confirm(*, subscription: Subscription) -> Subscription:
    """The number answered YES to a double opt-in: its Pending row becomes Active.

    The eligibility rule is asked again (the number may have been blacklisted or the
    campaign ended meanwhile; SubscriptionRefused, the row stays pending to expire).
    The YES is the subscriber's own word, like a keyword.
    """
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.status != Subscription.Status.PENDING:
        return locked
    active = subscription_active(profile=locked.profile, campaign=locked.campaign)
    if active is not None:
        locked.delete()  # joined by another path meanwhile: that subscription stands
        return active
    refusal = subscription_refusal(
        profile=locked.profile, campaign=locked.campaign, subscriber_asked=True
    )
    if refusal:
        raise SubscriptionRefused(refusal)
    now = timezone.now()
    locked.status = Subscription.Status.ACTIVE
    locked.activated_at = now
    locked.save(update_fields=["status", "activated_at"])
    _subscribed(locked, actor=None, values={"opted_out_globally": False}, now=now)
    return locked


@transaction.atomic
def subscription_pending_drop(*, subscription: Subscription, why: str) -> bool:
    """A double opt-in declined or not confirmed in time leaves no subscription.

    The pending row goes (it never was a subscription; the flow run keeps the history
    and the activity feed says why). Returns False when it was no longer pending.
    """
    deleted, _ = Subscription.objects.filter(
        pk=subscription.pk, status=Subscription.Status.PENDING
    ).delete()
    if not deleted:
        return False
    activity_record(
        profile=subscription.profile,
        kind=ActivityEvent.Kind.UNSUBSCRIBED,
        actor=None,
        description=f"Not subscribed to {subscription.campaign.name}: {why}",
        data={"campaign_id": subscription.campaign_id},
    )
    return True


@transaction.atomic
def profile_opt_out(
    *,
    profile: Profile,
    source: str,
    campaign: Campaign | None = None,
    subscription: Subscription | None = None,
    actor: User | None = None,
    origin: str = "",
) -> list[Subscription]:
    """Opt a profile out of one subscription, one campaign, or (default) every campaign.

    Idempotent: opting out what is already opted out changes nothing and returns [].
    A company-wide opt-out also marks the profile so that no campaign can message it,
    even one it subscribes to later without a fresh opt-in. The change itself is
    campaigns.opt_outs's, the same set-based transition the bulk opt-out runs.
    """
    if source not in OptOutSource.values:
        raise SubscriptionError(f"Unknown opt-out source {source!r}.")
    now = timezone.now()
    changed = profiles_opt_out_set(
        company_id=profile.company_id,
        profile_ids=[profile.pk],
        source=source,
        now=now,
        campaign=campaign,
        subscription=subscription,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        origin=origin,
    )
    if not changed:
        return []
    profile.refresh_from_db()
    return list(
        Subscription.objects.filter(
            profile=profile,
            status=Subscription.Status.OPTED_OUT,
            opted_out_at=now,
            opt_out_source=source,
        )
        .select_related("campaign")
        .order_by("pk")
    )


@transaction.atomic
def subscription_reactivate(
    *,
    subscription: Subscription,
    actor: User | None = None,
    source: str,
    subscriber_asked: bool = False,
) -> Subscription:
    """Re-join the campaign of an opted-out subscription, keeping the old row as history.

    The same eligibility rule as any subscription (SubscriptionRefused); only OOPS,
    the subscriber's own text, passes `subscriber_asked`.
    """
    if subscription.status == Subscription.Status.ACTIVE:
        return subscription
    if subscription.status == Subscription.Status.PENDING:
        # Double opt-in: only the number's own YES turns a pending row into a subscription.
        raise SubscriptionError(
            f"{subscription.campaign.name} is waiting for the number to confirm by texting YES."
        )
    new, _ = subscription_create(
        profile=subscription.profile,
        campaign=subscription.campaign,
        opt_in_path=subscription.opt_in_path,
        source=source,
        actor=actor,
        subscriber_asked=subscriber_asked,
    )
    activity_record(
        profile=subscription.profile,
        kind=ActivityEvent.Kind.REACTIVATED,
        actor=actor,
        description=f"Reactivated {subscription.campaign.name}",
        data={"subscription_id": new.pk, "previous_id": subscription.pk},
    )
    return new
