"""List All Profiles, Profile Summary, Profile Update, OptOut, Update Attribute, Custom Column."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Subscription
from messaging.models import Message
from profiles.models import CrmSync, CustomField, CustomFieldValue, OptOutSource, Profile
from tests import api_samples
from tests.api_client import api_get, api_post, error_of, ok, sample, shape
from tests.factories import (
    make_campaign,
    make_opt_in_path,
    make_profile,
    make_subscription,
    set_standing,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def joe(company, alice):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    CustomField.objects.create(company=company, name="Favorite animal")
    profile = make_profile(
        company,
        "+12025551234",
        first_name="Joe",
        last_name="user",
        email="user@yahoo.com",
        latitude="38.906639",
        longitude="-77.016577",
        precision="state",
        geocoded_state="DC",
        geocoded_country="US",
        congressional_district="DC-1",
        source_type="API",
        source_name="Alice",
        source_user=alice,
    )
    campaign = make_campaign(company, "MC_test2")
    make_subscription(profile, campaign, opt_in_source="User1")
    return profile


def test_list_all_profiles_has_the_shape_of_the_seed_sample(alice, joe):
    root = ok(api_get(alice, "profiles"))
    ours = shape(root)
    missing = shape(sample(api_samples.LIST_PROFILES)) - ours
    assert not missing, missing
    profiles = root.find("profiles")
    assert profiles.get("num") == "1" and profiles.get("page") == "1"
    profile = profiles.find("profile")
    assert profile.get("id") == str(joe.pk)
    assert profile.findtext("first_name") == "Joe"
    assert profile.findtext("phone_number") == "12025551234"
    assert profile.findtext("status") == "Active Subscriber"
    assert profile.findtext("last_saved_location/latitude") == "38.906639"
    assert profile.findtext("last_saved_districts/congressional_district") == "DC-1"
    columns = [c.get("name") for c in profile.find("custom_columns")]
    assert columns == ["Age", "Favorite animal"]
    subscription = profile.find("subscriptions/subscription")
    assert subscription.get("campaign_name") == "MC_test2"
    assert subscription.get("status") == "Active"
    assert subscription.get("activated_at").endswith("Z")
    assert profile.findtext("created_at").endswith(" UTC")


def test_districts_appear_only_when_the_company_has_advocacy(alice, joe, company, settings):
    company.advocacy_enabled = False
    company.save()
    profile = ok(api_get(alice, "profiles")).find("profiles/profile")
    assert profile.find("last_saved_districts") is None
    company.advocacy_enabled = True
    company.save()
    settings.ADVOCACY_ENABLED = False
    profile = ok(api_get(alice, "profiles")).find("profiles/profile")
    assert profile.find("last_saved_districts") is None


def test_include_switches_leave_parts_out(alice, joe):
    params = {
        "include_custom_columns": "false",
        "include_subscriptions": "0",
        "include_clicks": "false",
        "include_members": "false",
    }
    profile = ok(api_get(alice, "profiles", params)).find("profiles/profile")
    for part in ("custom_columns", "subscriptions", "clicks", "integrations"):
        assert profile.find(part) is None


def test_custom_column_values_are_shown_by_name(alice, joe, company):
    CustomFieldValue.objects.create(
        profile=joe, field=CustomField.objects.get(name="Age"), value="42"
    )
    profile = ok(api_get(alice, "profiles")).find("profiles/profile")
    values = {c.get("name"): c.text for c in profile.find("custom_columns")}
    assert values == {"Age": "42", "Favorite animal": None}


def test_profiles_filter_by_phone_numbers_as_list_or_array(alice, company):
    a = make_profile(company, "+12025550001")
    b = make_profile(company, "+12025550002")
    make_profile(company, "+12025550003")
    root = ok(api_get(alice, "profiles", {"phone_number": "12025550001,(202) 555-0002"}))
    assert {p.get("id") for p in root.iter("profile")} == {str(a.pk), str(b.pk)}
    root = ok(api_get(alice, "profiles", {"phone_number[]": ["12025550001", "+12025550002"]}))
    assert {p.get("id") for p in root.iter("profile")} == {str(a.pk), str(b.pk)}


def test_an_opt_out_counts_as_an_update_for_integrations_syncing_changes(alice, company):
    from inbox.bulk import profiles_opt_out_bulk

    quiet, opted = make_profile(company), make_profile(company)
    make_subscription(opted, make_campaign(company))
    Profile.objects.filter(pk__in=[quiet.pk, opted.pk]).update(updated_at="2020-01-01T12:00:00Z")
    set_standing(quiet, updated_at=None)
    set_standing(opted, updated_at="2020-01-01T12:00:00Z")
    # A bulk opt-out writes only the state rows, never the profile rows.
    profiles_opt_out_bulk(company_id=company.pk, profile_ids=[opted.pk])
    root = ok(api_get(alice, "profiles", {"from": "2020-01-02T00:00:00"}))
    assert [p.get("id") for p in root.iter("profile")] == [str(opted.pk)]
    assert root.find("profiles/profile/status").text == "Undeliverable"
    assert (
        root.find("profiles/profile/updated_at").text
        == root.find("profiles/profile/opted_out_at").text
    )


def test_profiles_filter_by_updated_time_with_utc_by_default(alice, company):
    old = make_profile(company)
    new = make_profile(company)
    Profile.objects.filter(pk=old.pk).update(updated_at="2020-01-01T12:00:00Z")
    Profile.objects.filter(pk=new.pk).update(updated_at="2020-01-03T12:00:00Z")
    root = ok(api_get(alice, "profiles", {"from": "2020-01-02T00:00:00"}))
    assert [p.get("id") for p in root.iter("profile")] == [str(new.pk)]
    # 2020-01-01T13:00+02:00 is 11:00 UTC: before the old profile's update.
    root = ok(api_get(alice, "profiles", {"from": "2020-01-01T13:00:00+02:00", "to": "2020-01-02"}))
    assert [p.get("id") for p in root.iter("profile")] == [str(old.pk)]


def test_pagination_walks_to_the_last_page(alice, company):
    made = [make_profile(company).pk for _ in range(7)]
    seen = []
    for page in (1, 2, 3, 4):
        profiles = ok(api_get(alice, "profiles", {"limit": 3, "page": page})).find("profiles")
        assert profiles.get("page") == str(page)
        ids = [int(p.get("id")) for p in profiles]
        assert profiles.get("num") == str(len(ids))
        seen += ids
    assert seen == sorted(made)  # 3 + 3 + 1 + 0: every profile once, in id order


def _queries(user, limit):
    with CaptureQueriesContext(connection) as ctx:
        ok(api_get(user, "profiles", {"limit": limit}))
    return len(ctx.captured_queries)


def test_a_page_of_profiles_costs_the_same_queries_whatever_the_limit(alice, company):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    campaign = make_campaign(company)
    for i in range(200):
        profile = make_profile(company)
        if i % 2:
            make_subscription(profile, campaign)
            CustomFieldValue.objects.create(
                profile=profile, field=CustomField.objects.get(name="Age"), value=str(i % 90)
            )
    _queries(alice, 1)  # the first call checks the password; later ones reuse that
    assert _queries(alice, 10) == _queries(alice, 200)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "1001"}, 16),
        ({"limit": "99999999999999999999999"}, 16),
        ({"limit": "-5"}, 16),
        ({"page": "0"}, 16),
        ({"page": "1e9"}, 16),
        ({"from": "yesterday"}, 16),
        ({"from": "2020-13-45T99:00:00"}, 16),
        ({"from": "2020-02-01", "to": "2020-01-01"}, 35),
        ({"phone_number": "'; DROP TABLE profiles_profile; --"}, 5),
        ({"phone_number": ",".join(f"1202555{i:04d}" for i in range(1001))}, 16),
        ({"include_subscriptions": "maybe"}, 16),
    ],
)
def test_hostile_list_parameters_get_a_documented_error(alice, params, code):
    response = api_get(alice, "profiles", params)
    assert response.status_code == 400
    assert error_of(response)[0] == code


def test_ten_thousand_numbers_are_refused_in_one_piece(alice):
    numbers = ",".join(f"1202555{i:04d}" for i in range(10000))
    response = api_post(alice, "add_group_member", {"group_id": 1, "phone_number": numbers})
    assert response.status_code in (400, 404)
    assert Profile.objects.count() == 0


def test_ten_thousand_numbers_as_an_array_get_error_16(alice):
    numbers = [f"1202555{i:04d}" for i in range(10000)]
    response = api_get(alice, "profiles", {"phone_number[]": numbers})
    assert response.status_code == 400
    assert error_of(response)[0] == 16
    response = api_post(alice, "profile_update", {"phone_number[]": numbers})
    assert error_of(response)[0] == 16
    assert not Profile.objects.exists()


def test_unknown_parameters_and_xml_metacharacters_are_harmless(alice, company):
    make_profile(company, "+12025550001", first_name='<b>&"O\'Neil"</b>\x01')
    response = api_get(alice, "profiles", {"unknown": "<x>", "format": "json"})
    profile = ok(response).find("profiles/profile")
    assert profile.findtext("first_name") == '<b>&"O\'Neil"</b>'


@pytest.mark.parametrize("endpoint", ["profiles", "profile"])
def test_profile_text_dates_and_escapes_come_back_exactly(alice, company, endpoint):
    # Parsers turn an unescaped CR into LF, and tabs and newlines inside attributes into
    # spaces, so getting this text back unchanged proves each character was escaped.
    tricky = "A & <B> \"c\" 'd'\tx\ny\r\nz ☃ 😀\x01"
    clean = tricky.replace("\x01", "")
    in_paris = timezone.get_fixed_timezone(120)
    moment = dt.datetime(2019, 6, 21, 16, 49, 40, 987654, tzinfo=in_paris)  # 14:49:40 UTC
    field = CustomField.objects.create(company=company, name='Notes & "more"')
    sync = CrmSync.objects.create(company=company, name="CRM <One>")
    profile = make_profile(
        company,
        "+12025551234",
        first_name=tricky,
        latitude="25.50",
        source_user=alice,
        crm_sync=sync,
        crm_synced_at=moment,
    )
    CustomFieldValue.objects.create(profile=profile, field=field, value=tricky)
    campaign = make_campaign(company, "Tips & <tricks>", description=tricky)
    make_subscription(profile, campaign, activated_at=moment)
    Subscription.objects.filter(profile=profile).update(created_at=moment)
    Profile.objects.filter(pk=profile.pk).update(created_at=moment, updated_at=moment)
    set_standing(profile, updated_at=moment)  # the subscription changed its status

    root = ok(api_get(alice, endpoint, {"phone_number": "12025551234"}))
    element = root.find("profiles/profile" if endpoint == "profiles" else "profile")
    assert element.findtext("first_name") == clean
    assert element.findtext("created_at") == "2019-06-21 14:49:40 UTC"
    assert element.findtext("updated_at") == "2019-06-21 14:49:40 UTC"
    assert element.find("opted_out_at").text is None
    assert element.findtext("last_saved_location/latitude") == "25.5"
    assert element.find("source").get("email") == alice.email
    column = element.find("custom_columns/custom_column")
    assert (column.get("name"), column.text) == ('Notes & "more"', clean)
    subscription = element.find("subscriptions/subscription")
    assert subscription.get("campaign_name") == "Tips & <tricks>"
    assert subscription.get("campaign_description") == clean
    assert subscription.get("created_at") == "2019-06-21T14:49:40Z"
    assert subscription.get("activated_at") == "2019-06-21T14:49:40Z"
    assert subscription.get("opted_out_at") == ""
    integration = element.find("integrations/integration")
    assert integration.attrib == {"name": "CRM <One>", "synced_at": "2019-06-21T14:49:40Z"}


def test_non_utf8_parameters_do_not_break_the_api(alice, company):
    response = api_get(alice, "profile", {"phone_number": b"\xff\xfe202".decode("latin-1")})
    assert response.status_code in (400, 404)
    assert error_of(response)[0] == 5


# --- Profile Summary ----------------------------------------------------------------------


def test_profile_summary_has_the_shape_of_the_seed_sample(alice, company):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    profile = make_profile(
        company, "+12025551234", first_name="John", last_name="Doe", source_user=alice
    )
    root = ok(api_get(alice, "profile", {"phone_number": "2025551234"}))
    missing = shape(sample(api_samples.PROFILE_SUMMARY)) - shape(root)
    assert not missing, missing
    element = root.find("profile")
    assert element.get("id") == str(profile.pk)
    assert element.findtext("status") == "Profiles with no Subscriptions"
    assert element.find("messages") is None


def test_profile_summary_includes_messages_and_donations_on_request(alice, company):
    from campaigns.models import Donation, Fundraising

    profile = make_profile(company, "+12025551234")
    campaign = make_campaign(company)
    Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction="mo",
        message_type="opt_in",
        body="JOIN",
        campaign=campaign,
    )
    fundraising = Fundraising.objects.create(company=company, name="Spring drive")
    Donation.objects.create(
        company=company,
        profile=profile,
        fundraising=fundraising,
        amount="10.00",
        status="accepted",
    )
    params = {"phone_number": "12025551234", "include_messages": "true", "include_donations": "1"}
    element = ok(api_get(alice, "profile", params)).find("profile")
    assert element.find("messages/message").findtext("body") == "JOIN"
    donation = element.find("donations/donation")
    assert donation.get("status") == "accepted" and donation.findtext("amount") == "10"


def test_profile_summary_of_an_unknown_number_is_error_5(alice):
    response = api_get(alice, "profile", {"phone_number": "12025559999"})
    assert response.status_code == 404
    assert error_of(response)[0] == 5


def test_missing_phone_number_is_error_28(alice):
    response = api_get(alice, "profile")
    assert response.status_code == 400
    assert error_of(response)[0] == 28


def test_another_companys_profile_is_not_found(alice, other_company):
    make_profile(other_company, "+12025551234")
    assert api_get(alice, "profile", {"phone_number": "12025551234"}).status_code == 404


# --- Profile Update -----------------------------------------------------------------------


def test_profile_update_creates_a_profile_with_custom_columns(alice, company):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    data = {
        "phone_number": "(202) 555-1234",
        "first_name": "John",
        "last_name": "Doe",
        "postal_code": "20001",
        "age": "42",
    }
    element = ok(api_post(alice, "profile_update", data)).find("profile")
    profile = Profile.objects.get(company=company, phone_number="+12025551234")
    assert element.get("id") == str(profile.pk)
    assert (profile.first_name, profile.postal_code) == ("John", "20001")
    assert profile.source_type == "API" and profile.source_user == alice
    assert element.find("source").get("email") == alice.email
    assert CustomFieldValue.objects.get(profile=profile).value == "42"


def test_profile_update_changes_an_existing_profile(alice, company):
    profile = make_profile(company, "+12025551234", first_name="Old")
    ok(api_post(alice, "profile_update", {"phone_number": "12025551234", "first_name": "New"}))
    profile.refresh_from_db()
    assert profile.first_name == "New"
    assert Profile.objects.count() == 1


def test_a_bad_custom_value_refuses_the_whole_update(alice, company):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    data = {"phone_number": "12025551234", "first_name": "John", "Age": "old"}
    response = api_post(alice, "profile_update", data)
    assert response.status_code == 400
    code, message = error_of(response)
    assert code == 30 and "Age" in message
    assert not Profile.objects.exists()


def test_profile_update_refuses_an_invalid_email_and_number(alice):
    response = api_post(alice, "profile_update", {"phone_number": "12025551234", "email": "x@"})
    assert error_of(response)[0] == 30
    response = api_post(alice, "profile_update", {"phone_number": "1234"})
    assert error_of(response)[0] == 5
    assert not Profile.objects.exists()


def test_profile_update_is_post_only(alice):
    response = api_get(alice, "profile_update", {"phone_number": "12025551234"})
    assert response.status_code == 405
    assert error_of(response)[0] == 0


def test_opt_in_path_subscribes_a_new_number_and_sends_the_welcome(alice, company):
    campaign = make_campaign(company)
    path = make_opt_in_path(campaign)
    path.welcome_message = "Welcome! Reply STOP to quit."
    path.save()
    data = {"phone_number": "12025551234", "opt_in_path_id": path.pk}
    element = ok(api_post(alice, "profile_update", data)).find("profile")
    profile = Profile.objects.get(phone_number="+12025551234")
    subscription = Subscription.objects.get(profile=profile)
    assert subscription.status == "Active" and subscription.via_api
    assert subscription.opt_in_path == path
    assert element.findtext("status") == "Active Subscriber"
    welcome = Message.objects.get(profile=profile, direction="mt")
    assert welcome.body == "Welcome! Reply STOP to quit."


def test_opt_in_happens_once_only_an_opted_out_number_stays_out(alice, company):
    campaign = make_campaign(company)
    path = make_opt_in_path(campaign)
    path.welcome_message = "Welcome!"
    path.save()
    profile = make_profile(company, "+12025551234")
    make_subscription(profile, campaign, status="Opted-Out")
    data = {"phone_number": "12025551234", "opt_in_path_id": path.pk}
    element = ok(api_post(alice, "profile_update", data)).find("profile")
    assert Subscription.objects.filter(profile=profile).count() == 1
    assert Subscription.objects.get(profile=profile).status == "Opted-Out"
    assert not Message.objects.filter(profile=profile).exists()
    assert element.findtext("status") == "Opted Out"


def test_opt_in_happens_once_only_an_active_subscriber_gets_no_second_welcome(alice, company):
    campaign = make_campaign(company)
    path = make_opt_in_path(campaign)
    path.welcome_message = "Welcome!"
    path.save()
    data = {"phone_number": "12025551234", "opt_in_path_id": path.pk}
    ok(api_post(alice, "profile_update", data))
    ok(api_post(alice, "profile_update", data))
    assert Subscription.objects.count() == 1
    assert Message.objects.filter(direction="mt").count() == 1


def test_an_unknown_opt_in_path_is_error_19_and_writes_nothing(alice, other_company):
    foreign = make_opt_in_path(make_campaign(other_company))
    data = {"phone_number": "12025551234", "first_name": "X", "opt_in_path_id": foreign.pk}
    response = api_post(alice, "profile_update", data)
    assert response.status_code == 404 and error_of(response)[0] == 19
    assert not Profile.objects.exists()


def test_a_staff_reader_cannot_update_profiles(charlie):
    response = api_post(charlie, "profile_update", {"phone_number": "12025551234"})
    assert response.status_code == 403
    assert not Profile.objects.exists()


# --- Profile OptOut -----------------------------------------------------------------------


def test_profile_opt_out_of_all_campaigns_has_the_seed_shape(alice, company):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    profile = make_profile(company, "+12025551234")
    first, second = make_campaign(company, "One"), make_campaign(company, "Two")
    make_subscription(profile, first)
    make_subscription(profile, second)
    root = ok(api_post(alice, "profile_opt_out", {"phone_number": "12025551234"}))
    # A keyword source's id, opt-in path and message are not recorded on profiles.
    keyword_source = {
        f"response/profile/source@{a}" for a in ("id", "opt_in_path_id", "message_id")
    }
    missing = shape(sample(api_samples.PROFILE_OPT_OUT)) - keyword_source - shape(root)
    assert not missing, missing
    element = root.find("profile")
    assert element.findtext("opted_out_source") == "Opt-out from API"
    assert element.findtext("status") == "Undeliverable"
    statuses = {s.get("opt_out_source") for s in element.iter("subscription")}
    assert statuses == {OptOutSource.API}
    assert not Subscription.objects.filter(status="Active").exists()


def test_profile_opt_out_of_one_campaign_keeps_the_others(alice, company):
    profile = make_profile(company, "+12025551234")
    first, second = make_campaign(company, "One"), make_campaign(company, "Two")
    make_subscription(profile, first)
    make_subscription(profile, second)
    ok(api_post(alice, "profile_opt_out", {"phone_number": "12025551234", "campaign_id": first.pk}))
    assert Subscription.objects.get(campaign=first).status == "Opted-Out"
    assert Subscription.objects.get(campaign=second).status == "Active"


def test_profile_opt_out_of_one_subscription(alice, company):
    profile = make_profile(company, "+12025551234")
    first, second = make_campaign(company, "One"), make_campaign(company, "Two")
    keep = make_subscription(profile, first)
    drop = make_subscription(profile, second)
    data = {"phone_number": "12025551234", "subscription_id": drop.pk}
    ok(api_post(alice, "profile_opt_out", data))
    keep.refresh_from_db()
    drop.refresh_from_db()
    assert (keep.status, drop.status) == ("Active", "Opted-Out")


def test_profile_opt_out_with_another_companys_campaign_is_error_1(alice, company, other_company):
    make_profile(company, "+12025551234")
    foreign = make_campaign(other_company)
    data = {"phone_number": "12025551234", "campaign_id": foreign.pk}
    response = api_post(alice, "profile_opt_out", data)
    assert response.status_code == 404 and error_of(response)[0] == 1


# --- Profile Update Attribute and Custom Column Value ------------------------------------


def test_update_attribute_always_create_replaces_the_value(alice, company):
    profile = make_profile(company, "+12025551234", first_name="Old")
    data = {
        "phone_number": "12025551234",
        "attribute": "first_name",
        "attribute_value": "Bassel",
        "save_behavior": "always_create",
    }
    element = ok(api_post(alice, "profile_update_attribute", data)).find("profile")
    assert element.findtext("first_name") == "Bassel"
    profile.refresh_from_db()
    assert profile.first_name == "Bassel"


def test_update_attribute_sets_the_constituent_id(alice, company):
    profile = make_profile(company, "+12025551234")
    data = {
        "phone_number": "12025551234",
        "attribute": "constituent_id",
        "attribute_value": "VAN-40217",
        "save_behavior": "always_create",
    }
    ok(api_post(alice, "profile_update_attribute", data))
    profile.refresh_from_db()
    assert profile.constituent_id == "VAN-40217"


def test_update_attribute_create_if_not_exists_keeps_an_existing_value(alice, company):
    field = CustomField.objects.create(company=company, name="Test")
    profile = make_profile(company, "+12025551234", email="keep@example.org")
    CustomFieldValue.objects.create(profile=profile, field=field, value="keep")
    for attribute in ("email", "Test"):
        data = {
            "phone_number": "12025551234",
            "attribute": attribute,
            "attribute_value": "new@example.org",
            "save_behavior": "create_if_key_value_not_exists",
        }
        ok(api_post(alice, "profile_update_attribute", data))
    profile.refresh_from_db()
    assert profile.email == "keep@example.org"
    assert CustomFieldValue.objects.get(profile=profile).value == "keep"
    data = {**data, "attribute": "last_name", "attribute_value": "Filled"}
    ok(api_post(alice, "profile_update_attribute", data))
    profile.refresh_from_db()
    assert profile.last_name == "Filled"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"save_behavior": "sometimes"}, 29),
        ({"attribute": "favourite_colour"}, 30),
        ({"attribute": "Age", "attribute_value": "two hundred"}, 30),
        ({"attribute_value": ""}, 30),
    ],
)
def test_update_attribute_errors(alice, company, change, code):
    CustomField.objects.create(company=company, name="Age", field_type="age")
    make_profile(company, "+12025551234")
    data = {
        "phone_number": "12025551234",
        "attribute": "first_name",
        "attribute_value": "X",
        "save_behavior": "always_create",
        **change,
    }
    response = api_post(alice, "profile_update_attribute", data)
    assert response.status_code == 400 and error_of(response)[0] == code


def test_update_attribute_never_creates_a_profile(alice):
    data = {
        "phone_number": "12025551234",
        "attribute": "first_name",
        "attribute_value": "X",
        "save_behavior": "always_create",
    }
    response = api_post(alice, "profile_update_attribute", data)
    assert response.status_code == 404 and error_of(response)[0] == 5
    assert not Profile.objects.exists()


def test_custom_column_value_returns_the_value(alice, company):
    field = CustomField.objects.create(company=company, name="First Name Nick")
    profile = make_profile(company, "+12025551234")
    CustomFieldValue.objects.create(profile=profile, field=field, value="John")
    params = {"phone_number": "12025551234", "key": "first name nick"}
    root = ok(api_get(alice, "custom_column_value", params))
    assert shape(root) == shape(sample(api_samples.CUSTOM_COLUMN_VALUE))
    assert root.findtext("value") == "John"
    response = api_get(alice, "custom_column_value", {"phone_number": "12025551234", "key": "x"})
    assert error_of(response)[0] == 16
