"""Merge fields: parsing, fallbacks, refusal of unknown fields, rendering in Python and
in SQL (the broadcast path) giving the same bodies, and the encoding after expansion."""

import pytest

from messaging.merge_fields import (
    MergeFieldError,
    merge_fields_check,
    profile_values,
    template_compile,
    template_render,
)
from messaging.models import Message
from messaging.segments import segment_info
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


@pytest.mark.usefixtures("requires_postgres")
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
