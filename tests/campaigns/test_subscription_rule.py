"""Subscribing goes through one eligibility rule; an erasure through the one opt-out."""

import pytest

from campaigns.eligibility import Refusal
from campaigns.models import Subscription
from campaigns.services_subscriptions import SubscriptionRefused, subscription_create
from core.errors import ErrorKind
from profiles.models import ActivityEvent, OptOutSource
from profiles.services import profile_erase
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db


def test_another_companys_campaign_is_refused_by_the_eligibility_rule(company, other_company):
    profile = make_profile(company)
    theirs = make_campaign(other_company, "Their Alerts")
    with pytest.raises(SubscriptionRefused) as refused:
        subscription_create(profile=profile, campaign=theirs, source="Staff")
    assert refused.value.reason == Refusal.OTHER_COMPANY
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert not Subscription.objects.exists()


def test_an_erasure_runs_the_one_opt_out_transition(alice, company):
    profile = make_profile(company, "+12025550147")
    first, second = make_campaign(company, "Alerts"), make_campaign(company, "News")
    make_subscription(profile, first)
    make_subscription(profile, second)
    profile_erase(profile=profile, actor=alice, confirmation=profile.phone_number)
    subscriptions = Subscription.objects.filter(profile=profile)
    assert {(s.status, s.opt_out_source) for s in subscriptions} == {
        (Subscription.Status.OPTED_OUT, OptOutSource.ERASED)
    }
    event = ActivityEvent.objects.get(profile=profile, kind=ActivityEvent.Kind.OPTED_OUT)
    assert event.actor == alice and event.origin == "profile"
    assert sorted(event.data["subscription_ids"]) == sorted(s.pk for s in subscriptions)
    profile.refresh_from_db()
    assert profile.standing.opted_out_globally
    assert profile.standing.opted_out_source == OptOutSource.ERASED
