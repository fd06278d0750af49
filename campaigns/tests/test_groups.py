import pytest

from campaigns.groups import (
    GroupError,
    Outcome,
    group_add_members,
    group_create,
    group_remove_members,
    group_replace_members,
    group_upload_csv,
)
from campaigns.selectors import group_members
from profiles.models import Group, Profile, SourceType
from tests.factories import make_profile

pytestmark = pytest.mark.django_db


def test_an_uploaded_csv_adds_members_with_an_outcome_per_row(company, alice):
    known = make_profile(company, "+12025550100")
    group = group_create(company=company, name="Volunteers", actor=alice)
    csv = (
        "\ufeffPhone,Name\r\n"
        "(202) 555-0100,Known\r\n"
        "2025550101,New\r\n"
        '"+1 202 555 0101",Again\r\n'
        "not a number,Bad\r\n"
    ).encode()
    change = group_upload_csv(group=group, source=csv, actor=alice)
    outcomes = [(row.line_no, row.outcome) for row in change.rows]
    assert outcomes == [
        (2, Outcome.ADDED),
        (3, Outcome.CREATED),
        (4, Outcome.DUPLICATE),
        (5, Outcome.INVALID),
    ]
    created = Profile.objects.get(company=company, phone_number="+12025550101")
    assert created.source_type == SourceType.UPLOADED_GROUP
    assert created.source_name == "Volunteers"
    assert set(group_members(group=group)) == {known, created}

    again = group_add_members(group=group, phone_numbers=["202-555-0100"])
    assert again.rows[0].outcome == Outcome.ALREADY


def test_a_spreadsheet_that_is_not_csv_is_refused_as_a_whole(company):
    group = group_create(company=company, name="Sheet")
    with pytest.raises(GroupError, match="not a CSV"):
        group_upload_csv(group=group, source=b"PK\x03\x04binary")


def test_removing_numbers_reports_who_was_not_a_member(company):
    member, stranger = make_profile(company), make_profile(company)
    group = group_create(company=company, name="Team")
    group_add_members(group=group, phone_numbers=[member.phone_number])
    change = group_remove_members(
        group=group, phone_numbers=[member.phone_number, stranger.phone_number, "+12025559999"]
    )
    assert [row.outcome for row in change.rows] == [
        Outcome.REMOVED,
        Outcome.NOT_MEMBER,
        Outcome.NO_PROFILE,
    ]
    assert not group_members(group=group).exists()


def test_a_filtered_group_is_its_saved_search_evaluated_now(company):
    make_profile(company, first_name="Rosa")
    group = group_create(
        company=company, name="Rosas", kind=Group.Kind.FILTERED, filter_params={"q": "Rosa"}
    )
    later = make_profile(company, first_name="Rosa")
    make_profile(company, first_name="Sam")
    members = list(group_members(group=group))
    assert later in members and len(members) == 2
    with pytest.raises(GroupError):
        group_add_members(group=group, phone_numbers=[later.phone_number])


def test_replacing_members_keeps_exactly_the_given_profiles(company):
    a, b, c = make_profile(company), make_profile(company), make_profile(company)
    group = group_create(company=company, name="Result")
    group_add_members(group=group, phone_numbers=[a.phone_number, b.phone_number])
    size = group_replace_members(group=group, profiles=Profile.objects.filter(pk__in=[b.pk, c.pk]))
    assert size == 2
    assert set(group_members(group=group)) == {b, c}


def test_a_group_needs_a_name(company):
    with pytest.raises(GroupError) as refused:
        group_create(company=company, name="  ")
    assert refused.value.code == 18
