import pytest
from django.utils import timezone

from profiles.models import CrmSync, OptOutSource, ProfileStatus
from profiles.status import profile_refresh_status
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db


def status_of(profile):
    profile_refresh_status(profiles=[profile.pk])
    profile.refresh_from_db()
    return profile.standing.status, profile.standing.status_description


def test_a_profile_without_subscriptions_has_no_subscriptions(company):
    assert status_of(make_profile(company)) == (ProfileStatus.NONE, "")


def test_an_active_subscription_to_an_active_campaign_makes_an_active_subscriber(company):
    profile = make_profile(company)
    make_subscription(profile, make_campaign(company))
    assert status_of(profile) == (ProfileStatus.ACTIVE, "")


def test_opting_out_of_every_subscription_makes_the_profile_opted_out(company):
    profile = make_profile(company)
    make_subscription(
        profile, make_campaign(company), status="Opted-Out", opt_out_source=OptOutSource.INBOX
    )
    assert status_of(profile) == (ProfileStatus.OPTED_OUT, OptOutSource.INBOX)


def test_subscriptions_only_to_ended_campaigns_make_a_former_subscriber(company):
    profile = make_profile(company)
    make_subscription(profile, make_campaign(company, active=False, ended_at=timezone.now()))
    assert status_of(profile) == (ProfileStatus.FORMER, "")


def test_a_crm_matched_profile_without_subscriptions_is_synced(company):
    sync = CrmSync.objects.create(company=company, name="EveryAction")
    assert status_of(make_profile(company, crm_sync=sync)) == (ProfileStatus.SYNCED, "")


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"blacklisted": True}, OptOutSource.BLACKLISTED),
        ({"deactivated": True}, OptOutSource.DEACTIVATED),
        ({"cleaned_at": timezone.now(), "cleaned_reason": "Hard Bounce"}, OptOutSource.HARD_BOUNCE),
        (
            {"opted_out_globally": True, "opted_out_source": OptOutSource.STOP_WORD},
            OptOutSource.STOP_WORD,
        ),
    ],
)
def test_numbers_that_cannot_receive_are_undeliverable_with_the_reason(
    company, fields, description
):
    profile = make_profile(company, **fields)
    make_subscription(profile, make_campaign(company))
    assert status_of(profile) == (ProfileStatus.UNDELIVERABLE, description)


def test_invalid_data_wins_over_everything(company):
    profile = make_profile(
        company,
        invalid_data=True,
        invalid_data_description="Address in phone field",
        blacklisted=True,
    )
    assert status_of(profile) == (ProfileStatus.INVALID, "Address in phone field")


def test_one_update_refreshes_many_profiles_and_writes_only_what_changed(
    company, django_assert_max_num_queries
):
    from campaigns.models import Subscription

    campaign = make_campaign(company)
    profiles = [make_profile(company) for _ in range(5)]
    for p in profiles:  # rows written behind the services' back: statuses are stale
        Subscription.objects.create(company=company, profile=p, campaign=campaign)
    with django_assert_max_num_queries(1):
        assert profile_refresh_status(profiles=[p.pk for p in profiles]) == 5
    assert {status_of(p) for p in profiles} == {(ProfileStatus.ACTIVE, "")}
    assert profile_refresh_status(profiles=[p.pk for p in profiles]) == 0


def test_every_new_profile_gets_its_state_row_however_it_is_inserted(company):
    from profiles.models import Profile, ProfileState

    one = make_profile(company)
    Profile.objects.bulk_create([Profile(company=company, phone_number="+12025550199")])
    many = Profile.objects.get(phone_number="+12025550199")
    for profile in (one, many):
        standing = ProfileState.objects.get(profile=profile)
        assert (standing.status, standing.opted_out_globally) == (ProfileStatus.NONE, False)
