"""Subscribing goes through one eligibility rule, including its company check."""

import pytest

from campaigns.eligibility import Refusal
from campaigns.models import Subscription
from campaigns.services import SubscriptionRefused, subscription_create
from core.errors import ErrorKind
from tests.factories import make_campaign, make_profile

pytestmark = pytest.mark.django_db


def test_another_companys_campaign_is_refused_by_the_eligibility_rule(company, other_company):
    profile = make_profile(company)
    theirs = make_campaign(other_company, "Their Alerts")
    with pytest.raises(SubscriptionRefused) as refused:
        subscription_create(profile=profile, campaign=theirs, source="Staff")
    assert refused.value.reason == Refusal.OTHER_COMPANY
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert not Subscription.objects.exists()
