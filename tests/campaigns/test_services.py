import pytest

from campaigns.models import Subscription
from campaigns.services_subscriptions import (
    profile_opt_out,
    subscription_create,
    subscription_reactivate,
)
from profiles.models import ActivityEvent, OptOutSource, ProfileStatus
from tests.factories import make_campaign, make_profile

pytestmark = pytest.mark.django_db


def test_opting_out_of_one_campaign_keeps_the_others(company, bob):
    profile = make_profile(company)
    news, alerts = make_campaign(company, "News"), make_campaign(company, "Alerts")
    subscription_create(profile=profile, campaign=news, source="Web form")
    subscription_create(profile=profile, campaign=alerts, source="Web form")
    changed = profile_opt_out(profile=profile, campaign=news, source=OptOutSource.INBOX, actor=bob)
    assert [s.campaign for s in changed] == [news]
    assert profile.standing.status == ProfileStatus.ACTIVE
    assert not profile.standing.opted_out_globally
    assert profile.standing.opted_out_source == OptOutSource.INBOX
    event = ActivityEvent.objects.get(profile=profile, kind="opted_out")
    assert event.actor == bob


def test_opting_out_everywhere_makes_the_profile_undeliverable(company):
    profile = make_profile(company)
    subscription_create(profile=profile, campaign=make_campaign(company), source="Keyword")
    profile_opt_out(profile=profile, source=OptOutSource.STOP_WORD)
    assert profile.standing.status == ProfileStatus.UNDELIVERABLE
    assert profile.standing.status_description == OptOutSource.STOP_WORD
    assert profile.standing.opted_out_globally


def test_opting_out_twice_changes_nothing_the_second_time(company):
    profile = make_profile(company)
    campaign = make_campaign(company)
    subscription_create(profile=profile, campaign=campaign, source="Keyword")
    assert profile_opt_out(profile=profile, campaign=campaign, source=OptOutSource.MANUAL)
    assert profile_opt_out(profile=profile, campaign=campaign, source=OptOutSource.MANUAL) == []
    assert ActivityEvent.objects.filter(profile=profile, kind="opted_out").count() == 1


def test_reactivating_keeps_the_old_subscription_as_history(company):
    profile = make_profile(company)
    campaign = make_campaign(company)
    old, _ = subscription_create(profile=profile, campaign=campaign, source="Keyword")
    profile_opt_out(profile=profile, campaign=campaign, source=OptOutSource.PROFILE)
    old.refresh_from_db()
    new = subscription_reactivate(subscription=old, source="Reactivated from profile")
    assert new.pk != old.pk
    assert list(Subscription.objects.filter(profile=profile).values_list("status", flat=True)) == [
        "Active",
        "Opted-Out",
    ]
    profile.refresh_from_db()
    assert profile.standing.status == ProfileStatus.ACTIVE


def test_an_unknown_opt_out_source_is_refused(company):
    from campaigns.services_subscriptions import SubscriptionError

    with pytest.raises(SubscriptionError):
        profile_opt_out(profile=make_profile(company), source="because")
