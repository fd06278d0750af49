import pytest
from django.core.files.base import ContentFile

from campaigns.group_uploads import group_upload_apply, group_upload_run, group_upload_start
from campaigns.groups import (
    GroupError,
    GroupNameError,
    Outcome,
    group_add_members,
    group_create,
    group_remove_members,
    group_replace_members,
)
from campaigns.models import GroupUpload
from campaigns.selectors import group_members
from core.phone_csv import CsvError
from profiles.api import write_error
from profiles.models import Group, Profile, ProfileStatus, SourceType
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
    rows = group_upload_apply(group=group, source=csv, actor_id=alice.pk)
    assert [(row.line_no, row.outcome) for row in rows] == [
        (2, Outcome.ADDED),
        (3, Outcome.CREATED),
        (4, Outcome.DUPLICATE),
        (5, Outcome.INVALID),
    ]
    assert rows[2].detail == "Same number as line 3"
    created = Profile.objects.get(company=company, phone_number="+12025550101")
    assert created.source_type == SourceType.UPLOADED_GROUP
    assert created.source_name == "Volunteers"
    assert created.source_user == alice
    assert (created.number_type, created.number_country) == ("fixed_or_mobile", "US")
    assert created.standing.status == ProfileStatus.NONE
    assert not created.standing.opted_out_globally
    assert set(group_members(group=group)) == {known, created}

    again = group_add_members(group=group, phone_numbers=["202-555-0100"])
    assert again.rows[0].outcome == Outcome.ALREADY
    rerun = group_upload_apply(group=group, source=csv)
    assert [row.outcome for row in rerun][:2] == [Outcome.ALREADY, Outcome.ALREADY]
    assert group_members(group=group).count() == 2


def test_an_upload_runs_in_the_background_and_writes_counts_and_a_results_file(
    company, alice, django_capture_on_commit_callbacks
):
    make_profile(company, "+12025550100")
    group = group_create(company=company, name="Canvassers")
    numbers = "phone\n2025550100\n2025550102\n2025550102\n12345\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload = group_upload_start(
            group=group, content=numbers.encode(), source_name="list.csv", actor=alice
        )
    upload.refresh_from_db()
    assert upload.status == GroupUpload.Status.DONE
    assert upload.progress == 100
    assert (
        upload.total_rows,
        upload.added_count,
        upload.created_count,
        upload.already_count,
        upload.duplicate_count,
        upload.invalid_count,
    ) == (4, 1, 1, 0, 1, 1)
    with upload.results_file.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").splitlines()
    assert lines[0] == "line,phone,phone_number,outcome,detail"
    assert lines[1] == "2,2025550100,12025550100,Added,"
    assert lines[4].startswith("5,12345,")
    assert group_members(group=group).count() == 2
    assert group_upload_run(upload_id=upload.pk) == {"skipped": 1}


def test_a_spreadsheet_that_is_not_csv_fails_the_upload_as_a_whole(company):
    group = group_create(company=company, name="Sheet")
    with pytest.raises(CsvError, match="not a CSV"):
        group_upload_apply(group=group, source=b"PK\x03\x04binary")
    upload = GroupUpload.objects.create(company=company, group=group, source_name="x.xlsx")
    upload.source_file.save("x.csv", ContentFile(b"PK\x03\x04binary"))
    assert group_upload_run(upload_id=upload.pk) == {"failed": 1}
    upload.refresh_from_db()
    assert upload.status == GroupUpload.Status.FAILED
    assert "not a CSV" in upload.error


def test_a_filtered_group_takes_no_upload(company):
    group = group_create(
        company=company, name="Rosas", kind=Group.Kind.FILTERED, filter_params={"q": "Rosa"}
    )
    with pytest.raises(GroupError):
        group_upload_start(group=group, content=b"phone\n2025550100\n", source_name="a.csv")


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
    assert isinstance(refused.value, GroupNameError)
    assert write_error(refused.value).code == 18  # Invalid name
