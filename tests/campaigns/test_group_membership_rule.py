"""One membership rule for every path: page, upload, API, analysis result.

Each path goes through profiles.services_groups, so each records the same activity
events (only for real changes) and refuses a filtered group the same way.
"""

import pytest

from campaigns.group_uploads import group_upload_apply
from campaigns.groups import (
    GroupKindError,
    group_add_members,
    group_create,
    group_remove_members,
    group_remove_profile,
    group_replace_members,
)
from profiles.models import ActivityEvent, Group, GroupMembership, Profile
from tests.api_client import api_get, error_of, ok
from tests.factories import make_profile

pytestmark = pytest.mark.django_db

ADDED, REMOVED = ActivityEvent.Kind.GROUP_ADDED, ActivityEvent.Kind.GROUP_REMOVED


def _events(kind):
    return sorted(
        ActivityEvent.objects.filter(kind=kind).values_list("profile__phone_number", "origin")
    )


def test_the_page_records_one_event_per_real_change(company, alice):
    group = group_create(company=company, name="Volunteers", actor=alice)
    make_profile(company, "+12025550100")
    group_add_members(group=group, phone_numbers=["2025550100", "2025550101"], actor=alice)
    group_add_members(group=group, phone_numbers=["2025550100"], actor=alice)  # already in
    assert _events(ADDED) == [("+12025550100", ""), ("+12025550101", "")]
    event = ActivityEvent.objects.filter(kind=ADDED).first()
    assert event.actor == alice and event.data == {"group_id": group.pk}
    assert event.description == "Added to group Volunteers"
    group_remove_members(group=group, phone_numbers=["2025550100", "2025550199"], actor=alice)
    assert _events(REMOVED) == [("+12025550100", "")]
    assert group_remove_profile(
        group=group, profile=Profile.objects.get(phone_number="+12025550101")
    )
    assert len(_events(REMOVED)) == 2


def test_an_upload_records_the_same_events(company, alice):
    group = group_create(company=company, name="Volunteers", actor=alice)
    group_upload_apply(group=group, source=b"phone\n2025550100\n2025550101\n", actor_id=alice.pk)
    group_upload_apply(group=group, source=b"phone\n2025550100\n", actor_id=alice.pk)
    assert _events(ADDED) == [("+12025550100", ""), ("+12025550101", "")]
    assert set(ActivityEvent.objects.filter(kind=ADDED).values_list("actor", flat=True)) == {
        alice.pk
    }


def test_the_api_records_the_same_events_with_its_origin(alice, company):
    group = Group.objects.create(company=company, name="Chocolate Lovers")
    params = {"group_id": group.pk, "phone_number": ["12025550001", "12025550002"]}
    ok(api_get(alice, "add_group_member", params))
    ok(api_get(alice, "add_group_member", params))
    assert _events(ADDED) == [("+12025550001", "api"), ("+12025550002", "api")]
    ok(api_get(alice, "remove_group_member", {"group_id": group.pk, "phone_number": "12025550001"}))
    assert _events(REMOVED) == [("+12025550001", "api")]


def test_replacing_members_records_who_left_and_who_joined(company):
    group = group_create(company=company, name="Result")
    stays, leaves, joins = (make_profile(company) for _ in range(3))
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, profile=stays), GroupMembership(group=group, profile=leaves)]
    )
    result = Profile.objects.filter(pk__in=[stays.pk, joins.pk])
    group_replace_members(group=group, profiles=result, origin="analysis")
    assert set(ActivityEvent.objects.values_list("origin", flat=True)) == {"analysis"}
    assert list(ActivityEvent.objects.filter(kind=ADDED).values_list("profile", flat=True)) == [
        joins.pk
    ]
    assert list(ActivityEvent.objects.filter(kind=REMOVED).values_list("profile", flat=True)) == [
        leaves.pk
    ]


def test_every_path_refuses_a_filtered_group_the_same_way(alice, company):
    group = group_create(
        company=company, name="Smart", kind=Group.Kind.FILTERED, filter_params={"q": "x"}
    )
    member = make_profile(company, "+12025550100")
    calls = [
        lambda: group_add_members(group=group, phone_numbers=["2025550100"]),
        lambda: group_remove_members(group=group, phone_numbers=["2025550100"]),
        lambda: group_remove_profile(group=group, profile=member),
        lambda: group_replace_members(group=group, profiles=Profile.objects.all()),
        lambda: group_upload_apply(group=group, source=b"phone\n2025550100\n"),
    ]
    for call in calls:
        with pytest.raises(GroupKindError, match="come from its saved search"):
            call()
    response = api_get(alice, "add_group_member", {"group_id": group.pk, "phone_number": "1202"})
    assert response.status_code == 400
    assert error_of(response) == (6, "Members of a filtered group come from its saved search.")
    assert not GroupMembership.objects.exists()
