"""Every path that creates a profile goes through one rule: suppression, source, event."""

import pytest
from django.urls import reverse

from campaigns.group_uploads import group_upload_apply
from campaigns.groups import Outcome, group_add_members, group_create
from campaigns.models import Subscription
from core.phones import phone_normalize
from messaging.models import Message, MOType
from profiles.creation import (
    SUPPRESSED_DETAIL,
    ProfileSuppressed,
    profile_create,
    profiles_create_many,
)
from profiles.models import ActivityEvent, Profile, ProfileState, SourceType
from profiles.services import profile_erase
from tests.api_client import api_post, error_of
from tests.factories import make_campaign, make_opt_in_path, make_profile, receive_text

pytestmark = pytest.mark.django_db

ERASED = "+12025550147"


@pytest.fixture
def erased(company, alice):
    profile = make_profile(company, ERASED)
    profile_erase(profile=profile, actor=alice, confirmation=ERASED)
    return profile


@pytest.fixture
def group(company, alice):
    return group_create(company=company, name="Volunteers", actor=alice)


def _profiles_with_the_number(company):
    return Profile.objects.for_company(company).filter(phone_number=ERASED)


def test_the_api_profile_update_refuses_an_erased_number(alice, company, erased):
    response = api_post(alice, "profile_update", {"phone_number": "12025550147"})
    assert error_of(response) == (
        5,
        f"{ERASED} was erased at its owner's request and cannot be added",
    )
    assert not _profiles_with_the_number(company).exists()


def test_the_api_add_group_member_refuses_an_erased_number(alice, company, erased, group):
    data = {"group_id": group.pk, "phone_number": "12025550101,12025550147"}
    response = api_post(alice, "add_group_member", data)
    assert error_of(response)[0] == 5
    assert "erased at its owner's request" in error_of(response)[1]
    # The whole batch is refused: the valid new number was not created either.
    assert not Profile.objects.filter(phone_number="+12025550101").exists()
    assert not _profiles_with_the_number(company).exists()


def test_the_group_page_refuses_an_erased_number_with_a_form_error(
    client_as, alice, company, erased, group
):
    url = reverse("campaigns:group_members", args=[group.pk, "add"])
    response = client_as(alice).post(url, {"numbers": "202-555-0147\n202-555-0101"}, follow=True)
    page = response.content.decode()
    assert "1 number(s) were not added: erased at their owner&#x27;s request" in page
    assert SUPPRESSED_DETAIL.replace("'", "&#x27;") in page
    assert not _profiles_with_the_number(company).exists()
    assert Profile.objects.filter(phone_number="+12025550101").exists()


def test_adding_numbers_on_the_group_page_gives_an_erased_row_its_outcome(company, erased, group):
    change = group_add_members(group=group, phone_numbers=["2025550147", "2025550101"])
    assert [(r.outcome, r.detail) for r in change.rows] == [
        (Outcome.ERASED, SUPPRESSED_DETAIL),
        (Outcome.CREATED, ""),
    ]
    assert not _profiles_with_the_number(company).exists()


def test_a_group_upload_gives_an_erased_row_its_outcome_and_creates_nothing_for_it(
    company, alice, erased, group
):
    rows = group_upload_apply(
        group=group, source=b"phone\n2025550147\n2025550101\n", actor_id=alice.pk
    )
    assert [(r.line_no, r.outcome, r.detail) for r in rows] == [
        (2, Outcome.ERASED, SUPPRESSED_DETAIL),
        (3, Outcome.CREATED, ""),
    ]
    assert not _profiles_with_the_number(company).exists()
    created = Profile.objects.get(phone_number="+12025550101")
    event = ActivityEvent.objects.get(profile=created, kind=ActivityEvent.Kind.CREATED)
    assert event.actor == alice
    assert event.description == "Created by the upload of a file to group Volunteers"


def test_a_keyword_from_an_erased_number_is_kept_but_creates_no_profile(company, erased):
    campaign = make_campaign(company, "Alerts")
    make_opt_in_path(campaign, keyword="JOIN")
    result = receive_text(company, ERASED, "JOIN")
    assert result.replies == []
    assert result.message.profile is None
    assert result.message.message_type == MOType.UNMATCHED
    assert Message.objects.filter(body="JOIN", phone_number=ERASED).count() == 1
    assert not _profiles_with_the_number(company).exists()
    assert not Subscription.objects.filter(campaign=campaign).exists()


def test_a_single_create_refuses_an_erased_number(company, erased):
    with pytest.raises(ProfileSuppressed):
        profile_create(company=company, phone=phone_normalize(ERASED), source_type=SourceType.API)
    assert not _profiles_with_the_number(company).exists()


def _rows(company):
    profiles = list(
        Profile.objects.for_company(company)
        .order_by("phone_number")
        .values(
            "phone_number",
            "carrier_name",
            "number_type",
            "number_country",
            "source_type",
            "source_name",
            "source_user",
            "country",
            "constituent_id",
            "avatar_url",
            "email_blacklisted",
            "blacklisted",
        )
    )
    states = list(
        ProfileState.objects.filter(profile__company=company)
        .order_by("profile__phone_number")
        .values("status", "status_description", "opted_out_globally", "opted_out_source")
    )
    events = list(
        ActivityEvent.objects.filter(company=company)
        .order_by("profile__phone_number")
        .values(
            "profile__phone_number", "kind", "actor", "description", "origin", "channel", "data"
        )
    )
    return profiles, states, events


def test_creating_many_at_once_leaves_the_same_rows_as_creating_them_one_by_one(
    company, other_company, alice
):
    numbers = ["+12025550101", "+12025550102", "+442071838750", "+12025550103"]
    phones = [phone_normalize(n) for n in numbers]
    make_profile(company, "+12025550103")
    make_profile(other_company, "+12025550103")
    for phone in phones[:3]:
        profile_create(
            company=company,
            phone=phone,
            source_type=SourceType.UPLOADED_GROUP,
            source_name="Volunteers",
            by=alice,
            description="Created by adding it to group Volunteers",
        )
    made = profiles_create_many(
        company_id=other_company.pk,
        phones=phones,
        source_type=SourceType.UPLOADED_GROUP,
        source_name="Volunteers",
        by_id=alice.pk,
        description="Created by adding it to group Volunteers",
    )
    assert sorted(made.created) == numbers[:3]
    assert _rows(company) == _rows(other_company)
