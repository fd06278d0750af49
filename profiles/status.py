"""The profile's subscription status (seed 001), as one SQL expression.

The rule is written once, as a database expression, so that refreshing one profile
after an opt-out and refreshing 100,000 after a bulk opt-out run the same logic in a
single UPDATE. Order matters: the first matching rule wins.

  1. invalid data                           → Invalid Profile Data
  2. blacklisted, deactivated, cleaned,
     or opted out of every campaign         → Undeliverable (description: the reason)
  3. an active subscription to an active
     campaign                               → Active Subscriber
  4. subscriptions, the latest opted out    → Opted Out (description: its source)
  5. other subscriptions (campaigns ended)  → Former Subscriber
  6. matched by a CRM sync                  → Synced
  7. otherwise                              → No Subscriptions
"""

from collections.abc import Iterable

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from .models import OptOutSource, Profile, ProfileStatus


def _subscription_expressions() -> tuple[Exists, Exists, Exists, Subquery]:
    from campaigns.models import Subscription  # campaigns depends on profiles, not back

    subs = Subscription.objects.filter(profile=OuterRef("pk"))
    active = Exists(subs.filter(status=Subscription.Status.ACTIVE, campaign__active=True))
    any_sub = Exists(subs)
    opted_out = Exists(subs.filter(status=Subscription.Status.OPTED_OUT))
    latest_source = Subquery(
        subs.filter(status=Subscription.Status.OPTED_OUT)
        .order_by("-opted_out_at", "-id")
        .values("opt_out_source")[:1]
    )
    return active, any_sub, opted_out, latest_source


def status_expressions() -> tuple[Case, Case]:
    """(status, status_description) expressions for Profile.objects.update()."""
    active, any_sub, opted_out, latest_source = _subscription_expressions()
    status = Case(
        When(invalid_data=True, then=Value(ProfileStatus.INVALID)),
        When(
            Q(blacklisted=True)
            | Q(deactivated=True)
            | Q(cleaned_at__isnull=False)
            | Q(opted_out_globally=True),
            then=Value(ProfileStatus.UNDELIVERABLE),
        ),
        When(active, then=Value(ProfileStatus.ACTIVE)),
        When(opted_out, then=Value(ProfileStatus.OPTED_OUT)),
        When(any_sub, then=Value(ProfileStatus.FORMER)),
        When(crm_sync__isnull=False, then=Value(ProfileStatus.SYNCED)),
        default=Value(ProfileStatus.NONE),
        output_field=CharField(),
    )
    description = Case(
        When(invalid_data=True, then=F("invalid_data_description")),
        When(blacklisted=True, then=Value(OptOutSource.BLACKLISTED)),
        When(deactivated=True, then=Value(OptOutSource.DEACTIVATED)),
        When(cleaned_reason="Hard Bounce", then=Value(OptOutSource.HARD_BOUNCE)),
        When(cleaned_at__isnull=False, then=Value(OptOutSource.SOFT_BOUNCE)),
        When(opted_out_globally=True, then=F("opted_out_source")),
        When(active, then=Value("")),
        When(opted_out, then=latest_source),
        default=Value(""),
        output_field=CharField(),
    )
    return status, description


def profile_refresh_status(*, profiles: QuerySet[Profile] | Iterable[int]) -> int:
    """Recompute status for the given profiles (a queryset or ids) in one UPDATE."""
    queryset = (
        profiles
        if isinstance(profiles, QuerySet)
        else Profile.objects.filter(pk__in=list(profiles))
    )
    status, description = status_expressions()
    return queryset.update(status=status, status_description=description)
