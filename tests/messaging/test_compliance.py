import itertools

import pytest
from django.utils import timezone

from campaigns.compliance import (
    Reason,
    number_refusal,
    refusal_reason,
    textable_profiles,
)
from core.phones import phone_digest
from profiles.models import CleanedReason, Suppression
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db


def test_a_subscribed_mobile_number_may_be_texted(company):
    campaign = make_campaign(company)
    profile = make_profile(company)
    make_subscription(profile, campaign)
    assert refusal_reason(profile=profile, campaign=campaign) is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"opted_out_globally": True}, Reason.OPTED_OUT_ALL),
        ({"blacklisted": True}, Reason.BLACKLISTED),
        ({"deactivated": True}, Reason.DEACTIVATED),
        (
            {"cleaned_at": timezone.now(), "cleaned_reason": CleanedReason.HARD_BOUNCE},
            Reason.HARD_BOUNCE,
        ),
        (
            {"cleaned_at": timezone.now(), "cleaned_reason": CleanedReason.SOFT_BOUNCE},
            Reason.SOFT_BOUNCE,
        ),
        ({"invalid_data": True}, Reason.INVALID_DATA),
        ({"number_type": "landline"}, Reason.LANDLINE),
        ({"erased_at": timezone.now()}, Reason.ERASED),
    ],
)
def test_it_refuses_a_number_that_may_not_be_texted(company, fields, reason):
    profile = make_profile(company, **fields)
    assert refusal_reason(profile=profile) == reason


def test_it_refuses_a_number_opted_out_of_the_campaign_but_not_of_another(company):
    alerts = make_campaign(company, "Alerts")
    news = make_campaign(company, "News")
    profile = make_profile(company)
    make_subscription(profile, alerts, status="Opted-Out")
    make_subscription(profile, news)
    assert refusal_reason(profile=profile, campaign=alerts) == "Opted out of Alerts"
    assert refusal_reason(profile=profile, campaign=news) is None


def test_rejoining_a_campaign_lifts_its_opt_out(company):
    alerts = make_campaign(company, "Alerts")
    profile = make_profile(company)
    make_subscription(profile, alerts, status="Opted-Out")
    make_subscription(profile, alerts)
    assert refusal_reason(profile=profile, campaign=alerts) is None


def test_a_suppressed_number_is_refused_in_its_company_only(company, other_company):
    profile = make_profile(company, "+12025550177")
    elsewhere = make_profile(other_company, "+12025550177")
    Suppression.objects.create(
        company=company, phone_digest=phone_digest("+12025550177"), reason="Erased"
    )
    assert refusal_reason(profile=profile) == Reason.SUPPRESSED
    assert refusal_reason(profile=elsewhere) is None


def test_an_invalid_stored_number_is_refused():
    assert number_refusal("+1202555") == Reason.INVALID_NUMBER
    assert number_refusal("+12025550123") is None


def test_it_reads_the_current_row_not_a_stale_object(company):
    profile = make_profile(company)
    type(profile).objects.filter(pk=profile.pk).update(blacklisted=True)
    assert refusal_reason(profile=profile) == Reason.BLACKLISTED


def test_the_set_based_filter_agrees_with_the_single_check_on_every_combination(company):
    """textable_profiles (broadcasts) and refusal_reason (one message) are one rule."""
    campaign = make_campaign(company)
    flags = ["opted_out_globally", "blacklisted", "deactivated", "cleaned", "invalid_data",
             "landline", "erased", "suppressed", "campaign_opt_out"]  # fmt: skip
    profiles = []
    # Every single flag, every pair, and all of them: 1 + 9 + 36 + 1 profiles.
    combos = [()] + [(f,) for f in flags] + list(itertools.combinations(flags, 2))
    combos.append(tuple(flags))
    for combo in combos:
        fields = {}
        if "opted_out_globally" in combo:
            fields["opted_out_globally"] = True
        for simple in ("blacklisted", "deactivated", "invalid_data"):
            if simple in combo:
                fields[simple] = True
        if "cleaned" in combo:
            fields.update(cleaned_at=timezone.now(), cleaned_reason=CleanedReason.SOFT_BOUNCE)
        if "landline" in combo:
            fields["number_type"] = "landline"
        if "erased" in combo:
            fields["erased_at"] = timezone.now()
        profile = make_profile(company, **fields)
        make_subscription(
            profile, campaign, status="Opted-Out" if "campaign_opt_out" in combo else "Active"
        )
        if "suppressed" in combo:
            Suppression.objects.create(
                company=company, phone_digest=phone_digest(profile.phone_number), reason="x"
            )
        profiles.append((combo, profile))
    textable = set(
        textable_profiles(company=company, campaign=campaign).values_list("pk", flat=True)
    )
    for combo, profile in profiles:
        single = refusal_reason(profile=profile, campaign=campaign) is None
        assert single == (profile.pk in textable), combo
        assert single == (combo == ()), combo
