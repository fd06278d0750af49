"""Hostile input to the XML API gets the seed's error XML, never a server error or HTML.

Parameters holding NUL or another C0 control are refused before any endpoint runs;
dates past the ends of the calendar once converted to UTC are bad dates; and any path
under /api/ that is not an endpoint answers `<response success="false">` with a 404.
"""

import pytest
from django.test import Client, override_settings

from campaigns.models import Broadcast
from profiles.models import Group, Profile
from tests.api_client import api_get, api_post, error_of, ok
from tests.factories import make_campaign, make_profile

pytestmark = pytest.mark.django_db

# Each is a valid ISO-8601 time whose UTC instant lies outside datetime's range.
OUT_OF_RANGE_TIMES = [
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:00:00-01:00",
    "9999-12-31T23:59:59.999999-00:01",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00+00:01",
    "0001-01-01 00:30:00+01:00",
]


@pytest.mark.parametrize("value", OUT_OF_RANGE_TIMES)
@pytest.mark.parametrize(
    ("endpoint", "name", "code"),
    [
        ("profiles", "from", 16),
        ("profiles", "to", 16),
        ("messages", "from", 16),
        ("sent_messages", "to", 16),
        ("messages", "start_time", 7),
        ("sent_messages", "end_time", 8),
        ("group_members", "from", 16),
    ],
)
def test_a_time_outside_the_calendar_in_utc_is_a_bad_date_not_a_server_error(
    alice, company, endpoint, name, value, code
):
    group = Group.objects.create(company=company, name="Volunteers")
    response = api_get(alice, endpoint, {name: value, "group_id": group.pk})
    assert response.status_code == 400
    error_id, message = error_of(response)
    assert error_id == code
    assert name in message and "outside the range of dates" in message


@pytest.mark.parametrize("value", OUT_OF_RANGE_TIMES)
def test_a_broadcast_time_outside_the_calendar_is_error_2_and_schedules_nothing(
    alice, company, value
):
    campaign = make_campaign(company, "Rally")
    response = api_post(
        alice, "schedule_broadcast", {"campaign_id": campaign.pk, "body": "Hi", "time": value}
    )
    assert response.status_code == 400
    assert error_of(response)[0] == 2
    assert not Broadcast.objects.exists()


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59", "0001-01-01", "9999-12-31T23:59:59Z"])
def test_the_first_and_last_moments_of_the_calendar_in_utc_are_accepted(alice, company, value):
    make_profile(company, "+12025550150")
    ok(api_get(alice, "profiles", {"from": value}))


@pytest.mark.parametrize(
    ("char", "described"),
    [
        ("\x00", "a NUL byte"),
        ("\x07", "the control character U+0007"),
        ("\x1b", "the control character U+001B"),
    ],
)
@pytest.mark.parametrize(
    ("method", "endpoint", "name", "code"),
    [
        ("get", "profiles", "phone_number", 16),
        ("get", "profile", "phone_number", 16),
        ("get", "custom_column_value", "key", 16),
        ("get", "messages", "campaign_id", 16),
        ("post", "profile_update", "first_name", 16),
        ("post", "send_message", "body", 3),
        ("post", "create_group", "name", 18),
        ("post", "add_tag", "name", 18),
    ],
)
def test_any_parameter_with_a_control_character_is_refused_with_the_seed_error(
    alice, company, method, endpoint, name, code, char, described
):
    make_profile(company, "+12025550150")
    call = api_get if method == "get" else api_post
    response = call(alice, endpoint, {"phone_number": "2025550150", name: f"12{char}3"})
    assert response.status_code == 400
    assert error_of(response) == (code, f"{ERROR[code]}: {name} contains {described}")
    assert Profile.objects.count() == 1
    assert not Group.objects.exists()


ERROR = {3: "Invalid message body", 16: "Invalid query parameters", 18: "Invalid name"}


def test_a_control_character_in_a_parameter_name_is_refused(alice):
    response = api_get(alice, "profiles", {"phone\x00number": "2025550150"})
    assert error_of(response) == (
        16,
        "Invalid query parameters: a parameter name contains a NUL byte",
    )


def test_a_message_body_keeps_its_line_breaks_and_tabs_through_the_guard(alice, company):
    make_profile(company, "+12025550150")
    response = api_get(alice, "profiles", {"phone_number": "2025550150\t"})
    ok(response)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "path",
    ["/api/no_such_call", "/api/profiles/extra", "/api/send_messages.xml", "/api/", "/api/a/b/c/"],
)
def test_an_unknown_api_path_answers_the_seed_error_xml_with_404(alice, method, path, debug):
    with override_settings(DEBUG=debug):
        response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/xml")
    code, message = error_of(response)
    assert code == 0
    assert message == f"Unknown error: there is no API call at {path}"


def test_the_known_endpoints_still_answer_beside_the_catch_all(alice, company):
    make_profile(company, "+12025550150")
    for path in ("profiles", "profiles/", "profiles.xml"):
        ok(api_get(alice, path))
