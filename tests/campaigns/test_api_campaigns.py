"""Campaigns, keywords, subscribers, groups, broadcasts, donations and tags over the API."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.models import Broadcast, Donation, Fundraising, Keyword, Subscription, Tag
from profiles.models import CustomField, Group, GroupMembership, Profile
from tests import api_samples
from tests.api_client import api_get, api_post, error_of, ok, sample, shape
from tests.factories import make_campaign, make_opt_in_path, make_profile, make_subscription

pytestmark = pytest.mark.django_db


def test_campaigns_list_with_opt_in_paths_sort_and_status(alice, company, other_company):
    first = make_campaign(company, "Alerts")
    ended = make_campaign(company, "Old", active=False)
    make_opt_in_path(first, "Web", keyword="JOIN")
    make_campaign(other_company, "Foreign")
    root = ok(api_get(alice, "campaigns", {"include_opt_in_paths": "1", "sort": "desc"}))
    campaigns = root.findall("campaigns/campaign")
    assert [c.get("id") for c in campaigns] == [str(ended.pk), str(first.pk)]
    path = campaigns[1].find("opt_in_paths/opt_in_path")
    assert path.findtext("name") == "Web"
    assert path.findtext("keywords/keyword") == "JOIN"
    root = ok(api_get(alice, "campaigns", {"status": "active"}))
    assert [c.findtext("name") for c in root.iter("campaign")] == ["Alerts"]
    # Seed 004: an invalid campaign id returns all campaigns.
    root = ok(api_get(alice, "campaigns", {"campaign_id": "999999"}))
    assert len(root.findall("campaigns/campaign")) == 2
    root = ok(api_get(alice, "campaigns", {"campaign_id": first.pk}))
    assert len(root.findall("campaigns/campaign")) == 1


def test_keywords_have_the_shape_of_the_seed_sample(alice, company):
    campaign = make_campaign(company)
    make_opt_in_path(campaign, keyword="first")
    Keyword.objects.update(active=False, ended_at=timezone.now())
    root = ok(api_get(alice, "keywords"))
    assert shape(root) == shape(sample(api_samples.KEYWORDS))
    keyword = root.find("keywords/keyword")
    assert keyword.get("active") == "false"
    assert keyword.findtext("name") == "FIRST"


def test_campaign_subscribers_shape_dates_and_pages(alice, company):
    campaign = make_campaign(company)
    subs = []
    for day in range(1, 6):
        profile = make_profile(company)
        subs.append(
            make_subscription(
                profile, campaign, activated_at=dt.datetime(2011, 11, day, 15, 30, tzinfo=dt.UTC)
            )
        )
    root = ok(api_get(alice, "campaign_subscribers", {"campaign_id": campaign.pk, "limit": 2}))
    assert shape(root) == shape(sample(api_samples.CAMPAIGN_SUBSCRIBERS))
    assert root.find("subscriptions").get("num") == "2"
    seen = []
    for page in (1, 2, 3):
        params = {"campaign_id": campaign.pk, "limit": 2, "page": page}
        seen += [
            s.findtext("id") for s in ok(api_get(alice, "campaign_subscribers", params)).iter("sub")
        ]
    assert seen == [str(s.pk) for s in subs]
    params = {"campaign_id": campaign.pk, "from": "2011-11-02", "to": "2011-11-03T23:59:59"}
    root = ok(api_get(alice, "campaign_subscribers", params))
    assert [s.findtext("activated_at") for s in root.iter("sub")] == [
        "2011-11-02 15:30:00 UTC",
        "2011-11-03 15:30:00 UTC",
    ]


def test_campaign_subscribers_needs_a_campaign_of_this_company(alice, other_company):
    assert error_of(api_get(alice, "campaign_subscribers"))[0] == 1
    foreign = make_campaign(other_company)
    response = api_get(alice, "campaign_subscribers", {"campaign_id": foreign.pk})
    assert response.status_code == 404 and error_of(response)[0] == 1


def test_campaign_opted_in(alice, company):
    campaign = make_campaign(company)
    profile = make_profile(company, "+12025551234")
    params = {"campaign_id": campaign.pk, "phone_number": "12025551234"}
    root = ok(api_get(alice, "campaign_opted_in", params))
    assert shape(root) == shape(sample(api_samples.CAMPAIGN_OPTED_IN))
    assert root.findtext("result") == "false"
    make_subscription(profile, campaign)
    assert ok(api_get(alice, "campaign_opted_in", params)).findtext("result") == "true"


# --- Groups -------------------------------------------------------------------------------


def test_create_group_and_add_and_remove_members(alice, company):
    root = ok(api_get(alice, "create_group", {"name": "Chocolate Lovers"}))
    assert shape(root) == shape(sample(api_samples.CREATE_GROUP))
    group = Group.objects.get(company=company)
    assert root.find("group").get("type") == "UploadedGroup"
    existing = make_profile(company, "+12025550001")
    params = {"group_id": group.pk, "phone_number": "12025550001,(202) 555-0002"}
    root = ok(api_get(alice, "add_group_member", params))
    assert root.find("group").get("name") == "Chocolate Lovers"
    created = Profile.objects.get(phone_number="+12025550002")
    assert created.source_type == "Uploaded group"
    assert set(GroupMembership.objects.values_list("profile_id", flat=True)) == {
        existing.pk,
        created.pk,
    }
    ok(api_get(alice, "remove_group_member", {"group_id": group.pk, "phone_number": "12025550001"}))
    assert list(GroupMembership.objects.values_list("profile_id", flat=True)) == [created.pk]


def test_one_bad_number_refuses_the_whole_batch(alice, company):
    group = Group.objects.create(company=company, name="G")
    params = {"group_id": group.pk, "phone_number": "12025550001,12345"}
    response = api_get(alice, "add_group_member", params)
    assert response.status_code == 400 and error_of(response)[0] == 5
    assert not Profile.objects.exists() and not GroupMembership.objects.exists()


def test_group_errors(alice, company, other_company):
    foreign = Group.objects.create(company=other_company, name="Theirs")
    response = api_get(alice, "add_group_member", {"group_id": foreign.pk, "phone_number": "1"})
    assert response.status_code == 404 and error_of(response)[0] == 6
    assert error_of(api_get(alice, "create_group", {"name": ""}))[0] == 18
    group = Group.objects.create(company=company, name="G")
    assert error_of(api_get(alice, "add_group_member", {"group_id": group.pk}))[0] == 28


def test_groups_and_group_members_have_the_seed_shape(alice, company):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    group = Group.objects.create(company=company, name="MC Test")
    campaign = make_campaign(company, "MC_test2")
    for _ in range(3):
        profile = make_profile(company, source_user=alice)
        make_subscription(profile, campaign)
        GroupMembership.objects.create(group=group, profile=profile)
    make_profile(company)  # not a member
    groups = ok(api_get(alice, "groups"))
    assert groups.find("groups/group").findtext("size") == "3"
    root = ok(api_get(alice, "group_members", {"group_id": group.pk, "limit": 2}))
    missing = shape(sample(api_samples.GROUP_MEMBERS)) - shape(root)
    assert not missing, missing
    assert len(root.findall("group/profile")) == 2
    page2 = ok(api_get(alice, "group_members", {"group_id": group.pk, "limit": 2, "page": 2}))
    assert len(page2.findall("group/profile")) == 1


# --- Broadcasts ---------------------------------------------------------------------------


def test_schedule_reschedule_and_unschedule_a_broadcast(alice, company):
    campaign = make_campaign(company)
    later = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    data = {"campaign_id": campaign.pk, "body": "Rally at noon", "time": later.isoformat()}
    root = ok(api_post(alice, "schedule_broadcast", data))
    broadcast = Broadcast.objects.get()
    assert root.find("broadcast").get("id") == str(broadcast.pk)
    assert (broadcast.status, broadcast.delivery_time) == ("scheduled", later)
    moved = later + dt.timedelta(hours=3)
    naive = moved.astimezone(dt.UTC).replace(tzinfo=None).isoformat()  # UTC by default
    ok(api_post(alice, "reschedule_broadcast", {"broadcast_id": broadcast.pk, "time": naive}))
    broadcast.refresh_from_db()
    assert broadcast.delivery_time == moved
    ok(api_post(alice, "unschedule_broadcast", {"broadcast_id": broadcast.pk}))
    broadcast.refresh_from_db()
    assert broadcast.status == "draft"
    response = api_post(alice, "unschedule_broadcast", {"broadcast_id": broadcast.pk})
    assert response.status_code == 400 and error_of(response)[0] == 23


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"body": "Hi"}, 1),
        ({"campaign_id": "{c}", "body": ""}, 3),
        ({"campaign_id": "{c}", "body": "Hi", "time": "next tuesday"}, 2),
        ({"campaign_id": "{c}", "body": "Hi", "time": "2001-01-01T00:00:00"}, 2),
    ],
)
def test_schedule_broadcast_errors_write_nothing(alice, company, data, code):
    campaign = make_campaign(company)
    data = {k: v.format(c=campaign.pk) for k, v in data.items()}
    response = api_post(alice, "schedule_broadcast", data)
    assert response.status_code == 400 and error_of(response)[0] == code
    assert not Broadcast.objects.exists()


def test_an_agent_cannot_broadcast(bob, company):
    campaign = make_campaign(company)
    response = api_post(bob, "schedule_broadcast", {"campaign_id": campaign.pk, "body": "Hi"})
    assert response.status_code == 403


def test_broadcasts_list_has_the_seed_shape(alice, company):
    campaign = make_campaign(company, "Test Campaign")
    group = Group.objects.create(company=company, name="MC_TEST", kind="FilteredGroup")
    broadcast = Broadcast.objects.create(
        company=company,
        campaign=campaign,
        name="TEST broadcast",
        body="Body",
        status="generated",
        delivery_time=timezone.now(),
        estimated_recipients_count=3,
    )
    broadcast.included_groups.add(group)
    broadcast.tags.add(Tag.objects.create(company=company, name="tes@test.com"))
    root = ok(api_get(alice, "broadcasts", {"limit": 100}))
    assert shape(root) == shape(sample(api_samples.BROADCASTS))
    assert root.find("broadcasts").get("page_count") == "1"
    element = ok(api_get(alice, "broadcast", {"broadcast_id": broadcast.pk})).find("broadcast")
    assert element.findtext("estimated_recipients_count") == "3"
    assert element.find("included_groups/group").get("type") == "FilteredGroup"
    assert error_of(api_get(alice, "broadcast", {"broadcast_id": 999999}))[0] == 22


# --- Donations and tags -------------------------------------------------------------------


def test_donation_summary_has_the_seed_shape(alice, company):
    profile = make_profile(company)
    fundraising = Fundraising.objects.create(company=company, name="fundraising campaign")
    for amount, status in (("10", "accepted"), ("15.50", "accepted"), ("5", "pending")):
        Donation.objects.create(
            company=company, profile=profile, fundraising=fundraising, amount=amount, status=status
        )
    root = ok(api_get(alice, "donation_summary", {"fundraising_id": fundraising.pk}))
    assert shape(root) == shape(sample(api_samples.DONATION_SUMMARY))
    accepted = root.find("donation_summary/accepted")
    assert (accepted.get("count"), accepted.get("amount")) == ("2", "25.5")
    params = {"fundraising_id": fundraising.pk, "start_time": "2100-01-01"}
    root = ok(api_get(alice, "donation_summary", params))
    assert root.find("donation_summary/accepted").get("count") == "0"
    assert error_of(api_get(alice, "donation_summary", {"fundraising_id": 9999}))[0] == 12
    bad = {"fundraising_id": fundraising.pk, "start_time": "soon"}
    assert error_of(api_get(alice, "donation_summary", bad))[0] == 7


def test_add_list_and_remove_tags(alice, company):
    first, second = make_campaign(company, "A"), make_campaign(company, "B")
    params = {"tag": "vip", "campaign_id[]": [first.pk, second.pk]}
    root = ok(api_get(alice, "add_tag", params))
    assert {c.get("id") for c in root.iter("campaign")} == {str(first.pk), str(second.pk)}
    root = ok(api_get(alice, "tags", {"campaign_id": first.pk}))
    assert [t.get("name") for t in root.iter("tag")] == ["vip"]
    ok(api_get(alice, "remove_tag", {"tag": "vip", "campaign_id": first.pk}))
    assert list(Tag.objects.get(name="vip").campaigns.all()) == [second]
    assert error_of(api_get(alice, "add_tag", {"tag": "vip"}))[0] == 33
    assert error_of(api_get(alice, "add_tag", {"campaign_id": first.pk}))[0] == 32
    assert error_of(api_get(alice, "remove_tag", {"tag": "nope", "campaign_id": first.pk}))[0] == 32


def test_subscriptions_made_elsewhere_are_unaffected_by_reads(alice, company):
    campaign = make_campaign(company)
    make_subscription(make_profile(company), campaign)
    ok(api_get(alice, "campaign_subscribers", {"campaign_id": campaign.pk}))
    assert Subscription.objects.count() == 1
