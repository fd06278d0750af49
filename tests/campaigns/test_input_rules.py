"""Campaign set-up, broadcasts and groups refuse text that cannot be stored or sent.

Names refuse control characters and lose bidi controls; a broadcast body is checked
against the send rule (control characters, settings.SMS_MAX_SEGMENTS) when it is saved,
so a scheduled broadcast can never fail at fan-out; the auto-texts of a campaign (HELP,
opt-out confirmation, welcome) pass the same rule.
"""

import re

import pytest

from campaigns.api import broadcast_api_error
from campaigns.broadcasts import BroadcastError, broadcast_create
from campaigns.group_uploads import group_upload_apply
from campaigns.groups import GroupError, group_create
from campaigns.models import Broadcast, Campaign, Keyword, OptInPath
from campaigns.services_campaigns import (
    CampaignError,
    campaign_create,
    keyword_create,
    opt_in_path_create,
)
from profiles.models import Group, Profile
from tests.api_client import api_post, error_of
from tests.factories import make_campaign, make_opt_in_path, make_profile, make_subscription

pytestmark = pytest.mark.django_db

REFUSED_BODIES = [
    pytest.param("x" * 2000, "This message is 14 segments long; at most 10", id="2000"),
    pytest.param("Polls open\x00", "The message contains a NUL byte", id="nul"),
    pytest.param("Polls \x07open", "The message contains the control character U+0007", id="bell"),
]


@pytest.fixture
def campaign(company):
    campaign = make_campaign(company, "Action Alerts")
    make_subscription(make_profile(company), campaign)
    return campaign


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("x" * 2000, "This message is 14 segments long; at most 10 segments"),
        ("Polls open\x00", "Null characters are not allowed."),
        ("Polls \x07open", "This contains the control character U+0007, which is not allowed."),
    ],
    ids=["2000", "nul", "bell"],
)
def test_the_broadcast_composer_refuses_on_save_and_stores_nothing(
    campaign, alice, client_as, body, error
):
    data = {"body": body, "include_subscribers": "on", "send": "now"}
    response = client_as(alice).post(f"/campaigns/{campaign.pk}/broadcasts/new/", data)
    assert response.status_code in (200, 400)
    assert error in response.content.decode()
    assert not Broadcast.objects.exists()


@pytest.mark.parametrize(("body", "error"), REFUSED_BODIES)
def test_broadcast_create_refuses_a_body_the_send_rule_refuses(campaign, body, error):
    with pytest.raises(BroadcastError, match=re.escape(error)) as raised:
        broadcast_create(campaign=campaign, body=body)
    assert broadcast_api_error(raised.value).code == 3
    assert not Broadcast.objects.exists()


def test_the_broadcast_composer_shows_the_segment_limit(campaign, alice, client_as):
    page = client_as(alice).get(f"/campaigns/{campaign.pk}/broadcasts/new/").content.decode()
    assert 'data-max-segments="10"' in page
    assert "1 of 10 segments" in page


def test_a_broadcast_of_ten_segments_is_saved(campaign):
    broadcast = broadcast_create(campaign=campaign, body="x" * 1530)
    assert Broadcast.objects.get() == broadcast


def test_api_schedule_broadcast_refuses_a_body_past_the_limit(alice, campaign):
    response = api_post(
        alice, "schedule_broadcast", {"campaign_id": campaign.pk, "body": "x" * 2000}
    )
    code, message = error_of(response)
    assert code == 3 and "14 segments" in message
    assert not Broadcast.objects.exists()


def test_a_broadcast_name_loses_bidi_controls_and_refuses_control_characters(campaign):
    with pytest.raises(BroadcastError, match="The broadcast name contains a NUL byte"):
        broadcast_create(campaign=campaign, body="Hi", name="Rally\x00")
    broadcast = broadcast_create(campaign=campaign, body="Hi", name="abc\u202egnp.exe")
    assert broadcast.name == "abcgnp.exe"


# --- Campaigns, opt-in paths, keywords, groups ----------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x07"])
def test_campaign_keyword_and_group_names_refuse_control_characters(company, campaign, char):
    path = make_opt_in_path(campaign)
    with pytest.raises(CampaignError, match="The campaign name contains"):
        campaign_create(company=company, name=f"Rally{char}")
    with pytest.raises(CampaignError, match="The opt-in path name contains"):
        opt_in_path_create(campaign=campaign, name=f"Web{char}")
    with pytest.raises(CampaignError, match="The keyword contains"):
        keyword_create(opt_in_path=path, name=f"VOTE{char}")
    with pytest.raises(GroupError, match="The group name contains"):
        group_create(company=company, name=f"Volunteers{char}")
    assert Campaign.objects.count() == 1
    assert OptInPath.objects.count() == 1
    assert not Keyword.objects.exists()
    assert not Group.objects.exists()


def test_names_lose_bidi_controls(company, campaign):
    assert campaign_create(company=company, name="Rally\u202e").name == "Rally"
    path = opt_in_path_create(campaign=campaign, name="\u2066Web\u2069")
    assert path.name == "Web"
    assert keyword_create(opt_in_path=path, name="vo\u200ete").name == "VOTE"
    assert group_create(company=company, name="abc\u202egnp.exe").name == "abcgnp.exe"


def test_the_campaign_form_refuses_a_control_character_in_the_name(alice, client_as):
    data = {"name": "Rally\x07", "timezone": "America/Chicago"}
    response = client_as(alice).post("/campaigns/new/", data)
    assert response.status_code in (200, 400)
    assert "not allowed" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_group_form_strips_a_bidi_override(company, alice, client_as):
    data = {"name": "abc\u202egnp.exe", "kind": "UploadedGroup"}
    client_as(alice).post("/campaigns/groups/new/", data)
    assert Group.objects.get(company=company).name == "abcgnp.exe"


@pytest.mark.parametrize(
    ("field", "label"),
    [("help_text", "HELP reply"), ("opt_out_text", "Opt-out confirmation")],
)
def test_a_campaign_auto_text_past_the_segment_limit_is_refused(company, field, label):
    with pytest.raises(CampaignError, match=f"^{label}: This message is 19 segments"):
        campaign_create(company=company, name="Rally", **{field: "😄" * 600})
    assert not Campaign.objects.exists()


def test_a_welcome_message_with_a_control_character_is_refused(campaign):
    with pytest.raises(CampaignError, match="Welcome message: The message contains a NUL"):
        opt_in_path_create(campaign=campaign, name="Web", welcome_message="Welcome\x00")
    assert not OptInPath.objects.exists()


@pytest.mark.parametrize("char", ["\x00", "\x07"])
def test_a_control_character_in_a_group_csv_is_an_invalid_row(company, alice, char):
    group = Group.objects.create(company=company, name="Volunteers")
    source = f"phone\n202-555-0177\n202-555{char}-0178\n".encode()
    rows = group_upload_apply(group=group, source=source, actor_id=alice.pk)
    outcomes = {r.line_no: (r.outcome, r.detail) for r in rows}
    assert outcomes[2][0].startswith("Added")
    assert outcomes[3][1].startswith("The cell contains")
    assert list(group.members.values_list("phone_number", flat=True)) == ["+12025550177"]
    assert Profile.objects.count() == 1


def test_an_api_opt_in_stands_when_the_saved_welcome_cannot_be_sent(alice, company, campaign):
    path = make_opt_in_path(campaign)
    # Saved before the body rule existed (the opt-in path page now refuses it).
    OptInPath.objects.filter(pk=path.pk).update(welcome_message="😄" * 600)
    response = api_post(
        alice, "profile_update", {"phone_number": "2025550190", "opt_in_path_id": path.pk}
    )
    assert response.status_code == 200
    profile = Profile.objects.get(phone_number="+12025550190")
    assert profile.subscriptions.get().campaign == campaign
    assert not profile.messages.exists()
