"""Merge fields: parsing, fallbacks, refusal of unknown fields, rendering in Python and
in SQL (the broadcast path) giving the same bodies, and the encoding after expansion."""

import pytest

from campaigns.merge_fields import (
    MergeFieldError,
    merge_fields_check,
    profile_values,
    template_compile,
    template_render,
)
from core.segments import segment_info
from messaging.models import Message
from messaging.services import MessageBodyError, message_send, message_send_many
from profiles.models import CustomField, CustomFieldValue, Profile
from tests import factories


def _render(body, company, profile):
    template = template_compile(body, company=company)
    return template_render(template, profile_values(template, profile))


@pytest.fixture
def animal(company):
    return CustomField.objects.create(company=company, name="Favorite animal")


def test_it_fills_in_profile_fields_and_fallbacks(company):
    ana = factories.make_profile(company, first_name="Ana", city="Austin")
    nameless = factories.make_profile(company)
    body = "Hi {{first_name|friend}} from {{ city }}{{last_name}}!"
    assert _render(body, company, ana) == "Hi Ana from Austin!"
    assert _render(body, company, nameless) == "Hi friend from !"


def test_it_fills_in_a_custom_field_by_name_in_any_case(company, animal):
    ana = factories.make_profile(company)
    CustomFieldValue.objects.create(profile=ana, field=animal, value="otter")
    assert _render("A {{favorite ANIMAL|pet}}", company, ana) == "A otter"
    bo = factories.make_profile(company)
    assert _render("A {{Favorite animal|pet}}", company, bo) == "A pet"


def test_it_refuses_an_unknown_field_and_names_it(company, other_company):
    CustomField.objects.create(company=other_company, name="Shoe size")
    with pytest.raises(MergeFieldError, match=r"\{\{Shoe size\}\}"):
        merge_fields_check("Size {{Shoe size}}", company=company)
    with pytest.raises(MergeFieldError, match="first_nme"):
        merge_fields_check("Hi {{first_nme}}", company=company)


def test_text_that_only_looks_like_braces_stays_as_typed(company):
    ana = factories.make_profile(company, first_name="Ana")
    assert _render("{x} {{ }} {{first_name", company, ana) == "{x} {{ }} {{first_name"


def test_a_single_message_refuses_an_unknown_field_before_storing_anything(company):
    ana = factories.make_profile(company)
    with pytest.raises(MessageBodyError, match="favourite"):
        message_send(company=company, profile=ana, body="Hi {{favourite}}")
    assert not Message.objects.exists()


def test_a_single_message_is_stored_rendered_and_measured_after_expansion(company):
    ana = factories.make_profile(company, first_name="Łucja")  # Ł is not GSM-7
    message = message_send(company=company, profile=ana, body="Hi {{first_name}}")
    assert message.body == "Hi Łucja"
    assert message.encoding == "UCS-2"
    plain = factories.make_profile(company, first_name="Lucy")
    assert message_send(company=company, profile=plain, body="Hi {{first_name}}").encoding == (
        "GSM-7"
    )


@pytest.mark.django_db
def test_set_based_rows_equal_python_rendering_for_the_same_profiles(company, animal):
    campaign = factories.make_campaign(company)
    names = ["Ana", "", "Łucja", "Zoë", "O'Brien [x]", "😀 Sam", "€uro", "€ 😀 Zed"]
    profiles = []
    for index, name in enumerate(names):
        profile = factories.make_profile(company, first_name=name, city="Reno" if index else "")
        factories.make_subscription(profile, campaign)
        if index % 2:
            CustomFieldValue.objects.create(profile=profile, field=animal, value=f"owl{index}")
        profiles.append(profile)
    body = (
        "Hi {{first_name|friend}} of {{city|your town}}: your {{Favorite animal|pet}} "
        "says vote! " + "More words to pass one segment. " * 4
    )
    result = message_send_many(
        company=company,
        profiles=Profile.objects.filter(pk__in=[p.pk for p in profiles]),
        body=body,
        campaign=campaign,
        enqueue=False,
    )
    assert result.queued == len(names)
    template = template_compile(body, company=company)
    for profile in profiles:
        message = Message.objects.get(profile=profile)
        expected = template_render(template, profile_values(template, profile))
        info = segment_info(expected)
        assert message.body == expected
        assert (message.encoding, message.segments, message.multipart) == (
            info.encoding,
            info.segments,
            info.multipart,
        ), expected


def test_the_api_refuses_an_unknown_field_naming_it(company, bob):
    from tests.api_client import api_post, error_of

    profile = factories.make_profile(company, "+12025551234", first_name="Ana")
    campaign = factories.make_campaign(company)
    factories.make_subscription(profile, campaign)
    data = {"campaign_id": campaign.pk, "phone_number": "12025551234"}
    response = api_post(bob, "send_message", {**data, "body": "Hi {{nick}}"})
    code, text = error_of(response)
    assert code == 3 and "{{nick}}" in text
    assert not Message.objects.filter(direction="mt").exists()
    api_post(bob, "send_message", {**data, "body": "Hi {{first_name|you}}"})
    assert Message.objects.get(direction="mt").body == "Hi Ana"


def test_a_chat_with_an_unknown_field_is_refused_naming_it(company, bob):
    from inbox.services import InboxError, chat_send

    profile = factories.make_profile(company)
    with pytest.raises(InboxError, match=r"\{\{favorite\}\}"):
        chat_send(company=company, profile=profile, body="Your {{favorite}}?", user=bob)
    assert not Message.objects.exists()


def test_auto_texts_with_an_unknown_field_are_refused_when_saved(company):
    from campaigns.services_campaigns import CampaignError, campaign_create, opt_in_path_create

    with pytest.raises(CampaignError, match=r"HELP reply: .*\{\{hotline\}\}"):
        campaign_create(company=company, name="Rally", help_text="Call {{hotline}}")
    campaign = campaign_create(company=company, name="Rally", help_text="Hi {{first_name}}")
    with pytest.raises(CampaignError, match=r"\{\{team\}\}"):
        opt_in_path_create(campaign=campaign, name="Web", welcome_message="Go {{team}}!")


def test_an_auto_text_whose_custom_field_was_deleted_still_goes_out_with_its_fallback(
    company, animal
):
    ana = factories.make_profile(company)
    body = "Thanks! Your {{Favorite animal|pet}} says hi"
    animal.delete()
    message = message_send(
        company=company, profile=ana, body=body, strict_fields=False, enqueue=False
    )
    assert message.body == "Thanks! Your pet says hi"


def test_a_broadcast_row_too_long_once_filled_in_is_undeliverable(company, settings):
    settings.SMS_MAX_SEGMENTS = 1
    campaign = factories.make_campaign(company)
    short = factories.make_profile(company, first_name="Al")
    long = factories.make_profile(company, first_name="B" * 60)
    for profile in (short, long):
        factories.make_subscription(profile, campaign)
    message_send_many(
        company=company,
        profiles=Profile.objects.filter(pk__in=[short.pk, long.pk]),
        body="Hi {{first_name}} " + "x" * 120,
        campaign=campaign,
        enqueue=False,
    )
    assert Message.objects.get(profile=short).status == Message.Status.QUEUED
    refused = Message.objects.get(profile=long)
    assert refused.status == Message.Status.UNDELIVERABLE
    assert "merge fields" in refused.status_reason
