"""One rule decides who may be (re)subscribed, and every opt-in path gives its answer.

The table: each kind of profile × each path (API opt-in, profile page Reactivate,
OOPS, subscription_create, keyword opt-in). A profile the rule refuses is refused by
every path with the same reason and stays unsubscribed; where a path legitimately
differs (the subscriber's own text may undo their own opt-out; the API opts in once
only) it is a parameter of the same rule, and the table says so.
"""

import logging

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from campaigns.eligibility import Refusal, subscription_refusal
from campaigns.models import Subscription
from campaigns.services_subscriptions import (
    SubscriptionRefused,
    profile_opt_out,
    subscription_create,
)
from core.phones import phone_digest
from messaging.models import Message
from profiles.deliverability import Reason
from profiles.models import CleanedReason, OptOutSource, Profile, Suppression
from profiles.status import profile_refresh_status
from tests.api_client import api_post, ok
from tests.factories import (
    make_campaign,
    make_opt_in_path,
    make_profile,
    make_subscription,
    receive_text,
)

pytestmark = pytest.mark.django_db

CAMPAIGN = "Alerts"
KEYWORD = "ALERTS"


def _flags(**fields):
    def apply(profile, campaign):
        Profile.objects.filter(pk=profile.pk).update(**fields)
        profile_refresh_status(profiles=[profile.pk])

    return apply


def _suppressed(profile, campaign):
    Suppression.objects.create(
        company=profile.company, phone_digest=phone_digest(profile.phone_number), reason="Erased"
    )


def _stop_all(profile, campaign):
    profile_opt_out(profile=profile, source=OptOutSource.STOP_WORD)


def _stopped_this_campaign(profile, campaign):
    """The latest word on the campaign is the subscriber's STOP."""
    subscriptions = Subscription.objects.filter(profile=profile, campaign=campaign)
    if not subscriptions.exists():
        make_subscription(profile, campaign, status="Opted-Out")
    subscriptions.update(opt_out_source=OptOutSource.STOP_WORD)


def _nothing(profile, campaign):
    return None


# Kind of profile → (how to make it, the rule's reason for every path but the
# subscriber's own texts, the reason for those).
KINDS = {
    "erased": (_flags(erased_at=timezone.now()), Reason.ERASED, Reason.ERASED),
    "suppressed": (_suppressed, Reason.SUPPRESSED, Reason.SUPPRESSED),
    "blacklisted": (_flags(blacklisted=True), Reason.BLACKLISTED, Reason.BLACKLISTED),
    "deactivated": (_flags(deactivated=True), Reason.DEACTIVATED, Reason.DEACTIVATED),
    "hard bounce": (
        _flags(cleaned_at=timezone.now(), cleaned_reason=CleanedReason.HARD_BOUNCE),
        Reason.HARD_BOUNCE,
        Reason.HARD_BOUNCE,
    ),
    "soft bounces": (
        _flags(cleaned_at=timezone.now(), cleaned_reason=CleanedReason.SOFT_BOUNCE),
        Reason.SOFT_BOUNCE,
        Reason.SOFT_BOUNCE,
    ),
    "invalid data": (_flags(invalid_data=True), Reason.INVALID_DATA, Reason.INVALID_DATA),
    "landline": (_flags(number_type="landline"), Reason.LANDLINE, Reason.LANDLINE),
    "invalid number": (_nothing, Reason.INVALID_NUMBER, Reason.INVALID_NUMBER),
    "STOP ALL": (_stop_all, Refusal.OPTED_OUT_ALL, None),
    "STOP to this campaign": (
        _stopped_this_campaign,
        Refusal.STOPPED.format(campaign=CAMPAIGN),
        None,
    ),
    "eligible": (_nothing, None, None),
}
PHONES = {"invalid number": "+15551234567"}


# --- The paths: each prepares what it needs, runs, and says (subscribed, reason) -------


class Path:
    subscriber_asked = False
    once_only = False

    def prepare(self, profile, campaign) -> None:
        pass

    def run(self, profile, campaign, env) -> str | None:
        raise NotImplementedError


class ApiOptIn(Path):
    once_only = True

    def run(self, profile, campaign, env):
        path = campaign.opt_in_paths.get()
        with env["caplog"].at_level(logging.INFO, logger="campaigns.api"):
            ok(
                api_post(
                    env["alice"],
                    "profile_update",
                    {"phone_number": profile.phone_digits, "opt_in_path_id": path.pk},
                )
            )
        refused = [r.getMessage() for r in env["caplog"].records if "refused" in r.getMessage()]
        return refused[0].split("refused: ", 1)[1] if refused else None


class PageReactivate(Path):
    def prepare(self, profile, campaign):
        make_subscription(
            profile, campaign, status="Opted-Out", opt_out_source=OptOutSource.PROFILE
        )

    def run(self, profile, campaign, env):
        old = Subscription.objects.get(profile=profile, campaign=campaign)
        url = reverse("profiles:subscription_reactivate", args=[profile.pk, old.pk])
        response = env["client_as"](env["bob"]).post(url)
        errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        return errors[0] if errors else None


class Oops(Path):
    subscriber_asked = True

    def prepare(self, profile, campaign):
        make_subscription(
            profile, campaign, status="Opted-Out", opt_out_source=OptOutSource.STOP_WORD
        )

    def run(self, profile, campaign, env):
        result = receive_text(profile.company, profile.phone_number, "OOPS")
        return result.refusal or None


class ServiceCreate(Path):
    def run(self, profile, campaign, env):
        try:
            subscription_create(profile=profile, campaign=campaign, source="Web form")
        except SubscriptionRefused as refused:
            return refused.reason
        return None


class KeywordOptIn(Path):
    subscriber_asked = True

    def run(self, profile, campaign, env):
        result = receive_text(profile.company, profile.phone_number, KEYWORD)
        return result.refusal or None


PATHS = {
    "API opt-in": ApiOptIn(),
    "profile page Reactivate": PageReactivate(),
    "OOPS": Oops(),
    "subscription_create": ServiceCreate(),
    "keyword opt-in": KeywordOptIn(),
}


def _expected(kind: str, path: Path) -> str | None:
    _, reason, own_text_reason = KINDS[kind]
    if path.once_only and kind == "STOP to this campaign":
        # An earlier subscription exists: the API's once-only part of the rule.
        return Refusal.ONCE_ONLY.format(campaign=CAMPAIGN)
    return own_text_reason if path.subscriber_asked else reason


@pytest.mark.parametrize("path_name", list(PATHS))
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_opt_in_path_refuses_an_ineligible_profile_with_the_rules_reason(
    kind, path_name, company, alice, bob, client_as, caplog
):
    path = PATHS[path_name]
    campaign = make_campaign(company, CAMPAIGN)
    opt_in = make_opt_in_path(campaign, keyword=KEYWORD)
    opt_in.welcome_message = "Welcome!"
    opt_in.save()
    profile = make_profile(company, PHONES.get(kind))
    path.prepare(profile, campaign)
    make_kind, _, _ = KINDS[kind]
    make_kind(profile, campaign)
    expected = _expected(kind, path)
    profile.refresh_from_db()
    assert (
        subscription_refusal(
            profile=profile,
            campaign=campaign,
            subscriber_asked=path.subscriber_asked,
            once_only=path.once_only,
        )
        == expected
    )
    messages_before = Message.objects.filter(direction="mt").count()

    env = {"alice": alice, "bob": bob, "client_as": client_as, "caplog": caplog}
    reason = path.run(profile, campaign, env)

    assert reason == expected
    subscribed = Subscription.objects.filter(
        profile=profile, campaign=campaign, status=Subscription.Status.ACTIVE
    ).exists()
    assert subscribed == (expected is None)
    profile.refresh_from_db()
    if expected is None:
        assert profile.standing.status == "Active Subscriber"
        assert not profile.standing.opted_out_globally
    else:
        assert Message.objects.filter(direction="mt").count() == messages_before
