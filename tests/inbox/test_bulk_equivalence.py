"""A bulk opt-out and one-by-one opt-outs of the same numbers leave identical rows.

Two companies are seeded identically; one opts a list out with the Inbox's manual bulk
opt-out, the other opts each number out through campaigns.services_subscriptions.profile_opt_out
(what a STOP, the profile page and the API call). Subscriptions, state rows and
activity events are then compared field by field, ids and timestamps aside.
"""

import pytest

from campaigns.models import Subscription
from campaigns.services_subscriptions import profile_opt_out
from inbox.bulk import Outcome, bulk_opt_out_apply
from profiles.models import ActivityEvent, OptOutSource, Profile, ProfileState
from tests.factories import make_campaign, make_company, make_profile, make_subscription

pytestmark = pytest.mark.django_db

# Number → what it is before the opt-out.
PEOPLE = {
    "+12025550101": "subscribed to Alerts",
    "+12025550102": "subscribed to Alerts and News",
    "+12025550103": "opted out of Alerts, subscribed to News",
    "+12025550104": "opted out of everything by STOP ALL",
    "+12025550105": "opted out of Alerts only",
    "+12025550106": "no subscriptions",
    "+12025550107": "subscribed to an ended campaign",
    "+12025550108": "blacklisted, subscribed to Alerts",
    "+12025550109": "re-joined Alerts after opting out",
}
NOT_A_PROFILE = "+12025550199"
LISTED = [*PEOPLE, NOT_A_PROFILE]


def _seed(company):
    alerts = make_campaign(company, "Alerts")
    news = make_campaign(company, "News")
    ended = make_campaign(company, "Spring drive", active=False)
    p = {number: make_profile(company, number) for number in PEOPLE}
    make_subscription(p["+12025550101"], alerts)
    make_subscription(p["+12025550102"], alerts)
    make_subscription(p["+12025550102"], news)
    make_subscription(p["+12025550103"], alerts)
    make_subscription(p["+12025550103"], news)
    profile_opt_out(profile=p["+12025550103"], campaign=alerts, source=OptOutSource.STOP_WORD)
    make_subscription(p["+12025550104"], alerts)
    profile_opt_out(profile=p["+12025550104"], source=OptOutSource.STOP_WORD)
    make_subscription(p["+12025550105"], alerts)
    profile_opt_out(profile=p["+12025550105"], campaign=alerts, source=OptOutSource.INBOX)
    make_subscription(p["+12025550107"], ended)
    make_subscription(p["+12025550108"], alerts)
    Profile.objects.filter(pk=p["+12025550108"].pk).update(blacklisted=True)
    make_subscription(p["+12025550109"], alerts)
    profile_opt_out(profile=p["+12025550109"], campaign=alerts, source=OptOutSource.PROFILE)
    make_subscription(p["+12025550109"], alerts)
    return alerts


def _snapshot(company):
    """Every row the opt-out may write, keyed by phone number and campaign name."""
    subscriptions = Subscription.objects.filter(company=company).order_by(
        "profile__phone_number", "campaign__name", "created_at", "pk"
    )
    names = {
        s.pk: (s.profile.phone_number, s.campaign.name, i) for i, s in enumerate(subscriptions)
    }
    subs = [
        (
            s.profile.phone_number,
            s.campaign.name,
            s.status,
            s.opt_out_source,
            s.opted_out_at is not None,
            s.opt_in_source,
        )
        for s in subscriptions
    ]
    states = list(
        ProfileState.objects.filter(profile__company=company)
        .order_by("profile__phone_number")
        .values_list(
            "profile__phone_number",
            "status",
            "status_description",
            "opted_out_globally",
            "opted_out_source",
        )
    )
    stamped = list(
        ProfileState.objects.filter(profile__company=company)
        .order_by("profile__phone_number")
        .values_list("opted_out_at", flat=True)
    )
    events = []
    for e in ActivityEvent.objects.filter(company=company).order_by(
        "profile__phone_number", "created_at", "pk"
    ):
        data = dict(e.data)
        if "subscription_ids" in data:
            data["subscription_ids"] = [names[pk] for pk in data["subscription_ids"]]
        events.append(
            (e.profile.phone_number, e.kind, e.channel, e.origin, e.description, e.actor_id, data)
        )
    return subs, states, [at is not None for at in stamped], events


@pytest.mark.parametrize("scope", ["all campaigns", "Alerts"])
def test_a_bulk_opt_out_leaves_the_same_rows_as_opting_each_number_out(scope, bob):
    bulk_company, single_company = make_company("Bulk"), make_company("One by one")
    bulk_alerts, single_alerts = _seed(bulk_company), _seed(single_company)
    assert _snapshot(bulk_company) == _snapshot(single_company)

    result = bulk_opt_out_apply(
        company_id=bulk_company.pk,
        source="phone\n" + "\n".join(LISTED),
        campaign=bulk_alerts if scope == "Alerts" else None,
        actor_id=bob.pk,
    )
    for number in LISTED:
        profile = Profile.objects.for_company(single_company).filter(phone_number=number).first()
        if profile is not None:
            profile_opt_out(
                profile=profile,
                source=OptOutSource.MANUAL,
                campaign=single_alerts if scope == "Alerts" else None,
                actor=bob,
                origin="inbox",
            )

    assert result.count(Outcome.NO_PROFILE) == 1
    assert result.count(Outcome.OPTED_OUT) > 0
    bulk, single = _snapshot(bulk_company), _snapshot(single_company)
    assert bulk[0] == single[0]  # subscriptions
    assert bulk[1] == single[1]  # state rows
    assert bulk[2] == single[2]  # opted_out_at set on the same rows
    assert bulk[3] == single[3]  # activity events
    # The opt-out really happened, on both sides.
    opted = [e for e in bulk[3] if e[1] == "opted_out" and e[3] == "inbox"]
    assert opted and all(e[5] == bob.pk for e in opted)
