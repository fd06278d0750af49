"""The text rule (core.text_rules) at every profiles entry point: pages, services, API.

NUL and the other C0 controls are refused with an error naming the field, and nothing
is stored; tabs and line breaks stay allowed where text has lines (notes); names lose
the bidi controls that make `abc\u202egnp.exe` read as `abcexe.png`.
"""

import re

import pytest
from django.urls import reverse

from core.text_rules import BIDI_CONTROLS, TextError, name_clean, text_clean
from profiles.custom_fields import CustomFieldError
from profiles.models import ActivityEvent, CustomField, CustomFieldValue, Group, Note, Profile
from profiles.services import (
    ProfileActionError,
    custom_field_create,
    custom_value_set,
    note_create,
    profile_update,
)
from tests.api_client import api_post, error_of, ok
from tests.factories import make_profile

pytestmark = pytest.mark.django_db

BAD_CHARACTERS = [
    pytest.param("\x00", "a NUL byte", id="nul"),
    pytest.param("\x07", "U+0007", id="bell"),
    pytest.param("\x1b", "U+001B", id="escape"),
    pytest.param("\x7f", "U+007F", id="delete"),
]
NUL_AND_BELL = [pytest.param("\x00", id="nul"), pytest.param("\x07", id="bell")]


@pytest.fixture
def profile(company):
    return make_profile(company, "+12025550140", first_name="Ana", last_name="Diaz")


# --- The rule itself ------------------------------------------------------------------


@pytest.mark.parametrize(("char", "described"), BAD_CHARACTERS)
def test_control_characters_are_refused_naming_the_field_and_the_character(char, described):
    with pytest.raises(TextError, match=rf"^City contains .*{re.escape(described)}.*not allowed"):
        text_clean(f"Spring{char}field", field="City")


@pytest.mark.parametrize(
    ("value", "multiline", "allowed"),
    [
        ("line one\nline two", True, True),
        ("a\tb", True, True),
        ("windows\r\nline", True, True),
        ("a\tb", False, True),
        ("line one\nline two", False, False),
        ("carriage\rreturn", False, False),
        ("plain text, émojis 😄 and Ünïcode", False, True),
    ],
)
def test_tabs_are_allowed_everywhere_and_line_breaks_only_in_multiline_text(
    value, multiline, allowed
):
    if allowed:
        assert text_clean(value, field="Text", multiline=multiline) == value
    else:
        with pytest.raises(TextError, match="a line break"):
            text_clean(value, field="Text", multiline=multiline)


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_every_bidi_control_is_stripped_from_names(control):
    assert name_clean(f"abc{control}gnp.exe", field="Name") == "abcgnp.exe"


def test_a_right_to_left_name_keeps_its_letters():
    assert name_clean("\u200fمحمد\u200f", field="Name") == "محمد"


# --- Services -------------------------------------------------------------------------


@pytest.mark.parametrize("char", NUL_AND_BELL)
@pytest.mark.parametrize("attribute", ["first_name", "last_name", "email", "street1", "city"])
def test_profile_update_refuses_a_control_character_in_any_attribute(
    alice, profile, attribute, char
):
    before = Profile.objects.values().get(pk=profile.pk)
    with pytest.raises(ProfileActionError, match="contains"):
        profile_update(profile=profile, actor=alice, data={attribute: f"x{char}y"})
    assert Profile.objects.values().get(pk=profile.pk) == before
    assert not ActivityEvent.objects.filter(profile=profile, kind="edited").exists()


def test_profile_update_strips_a_bidi_override_from_the_first_name(alice, profile):
    profile_update(profile=profile, actor=alice, data={"first_name": "abc\u202egnp.exe"})
    profile.refresh_from_db()
    assert profile.first_name == "abcgnp.exe"


@pytest.mark.parametrize("char", NUL_AND_BELL)
def test_a_custom_value_with_a_control_character_is_refused(alice, company, profile, char):
    field = CustomField.objects.create(company=company, name="Favorite animal")
    with pytest.raises(CustomFieldError, match="not allowed"):
        custom_value_set(profile=profile, field=field, raw=f"cat{char}", actor=alice)
    assert not CustomFieldValue.objects.filter(profile=profile).exists()


@pytest.mark.parametrize("char", NUL_AND_BELL)
def test_a_note_with_a_control_character_is_refused(alice, profile, char):
    with pytest.raises(ProfileActionError, match="The note contains"):
        note_create(profile=profile, body=f"called{char}back", actor=alice)
    assert not Note.objects.filter(profile=profile).exists()


def test_a_note_keeps_its_tabs_and_line_breaks(alice, profile):
    note = note_create(profile=profile, body="Called back:\n\t- wants a yard sign", actor=alice)
    note.refresh_from_db()
    assert note.body == "Called back:\n\t- wants a yard sign"


def test_a_custom_field_name_is_refused_with_a_control_character_and_loses_bidi(company):
    with pytest.raises(ProfileActionError, match="The field name contains a NUL byte"):
        custom_field_create(company=company, name="Age\x00", field_type="age")
    field = custom_field_create(company=company, name="Pets\u202e", field_type="string")
    assert field.name == "Pets"
    assert CustomField.objects.filter(company=company).count() == 1


# --- Pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("char", NUL_AND_BELL)
def test_the_profile_edit_page_refuses_a_control_character_and_saves_nothing(
    client_as, bob, profile, char
):
    url = reverse("profiles:edit", args=[profile.pk])
    data = {"first_name": "Ana", "last_name": "Diaz", "city": f"Spring{char}field"}
    response = client_as(bob).post(url, data)
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
    profile.refresh_from_db()
    assert profile.city == ""


def test_the_profile_edit_page_strips_a_bidi_override_from_the_name(client_as, bob, profile):
    url = reverse("profiles:edit", args=[profile.pk])
    client_as(bob).post(url, {"first_name": "abc\u202egnp.exe", "last_name": "Diaz"})
    profile.refresh_from_db()
    assert profile.first_name == "abcgnp.exe"


@pytest.mark.parametrize("char", NUL_AND_BELL)
def test_the_custom_value_page_refuses_a_control_character(client_as, bob, company, profile, char):
    field = CustomField.objects.create(company=company, name="Favorite animal")
    url = reverse("profiles:custom_value_set", args=[profile.pk, field.pk])
    response = client_as(bob).post(url, {"value": f"cat{char}"}, follow=True)
    # Refused in place (400) with the editor kept open; it used to redirect and lose the value.
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
    assert not CustomFieldValue.objects.filter(profile=profile).exists()


@pytest.mark.parametrize("char", NUL_AND_BELL)
def test_the_note_form_refuses_a_control_character(client_as, bob, profile, char):
    url = reverse("profiles:note_create", args=[profile.pk])
    response = client_as(bob).post(url, {"body": f"called{char}back"}, follow=True)
    # Refused in place (400) with the text kept; it used to redirect and lose the note.
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
    assert not Note.objects.filter(profile=profile).exists()


def test_the_note_form_accepts_tabs_and_line_breaks(client_as, bob, profile):
    url = reverse("profiles:note_create", args=[profile.pk])
    client_as(bob).post(url, {"body": "Called back:\r\n\t- wants a sign"})
    # Stored with \n: a line break is one character, as the note box counts it.
    assert Note.objects.get(profile=profile).body == "Called back:\n\t- wants a sign"


# --- API ------------------------------------------------------------------------------


@pytest.mark.parametrize("char", NUL_AND_BELL)
@pytest.mark.parametrize("attribute", ["first_name", "email", "city", "Favorite animal"])
def test_api_profile_update_refuses_a_control_character_and_creates_nothing(
    alice, company, attribute, char
):
    CustomField.objects.create(company=company, name="Favorite animal")
    response = api_post(
        alice, "profile_update", {"phone_number": "2025550141", attribute: f"x{char}y"}
    )
    assert response.status_code == 400
    code, message = error_of(response)
    assert code == 16 and "contains" in message
    assert not Profile.objects.filter(phone_number="+12025550141").exists()
    assert not CustomFieldValue.objects.exists()


def test_api_profile_update_refuses_a_line_break_in_a_name(alice):
    response = api_post(
        alice, "profile_update", {"phone_number": "2025550141", "first_name": "Ana\nDiaz"}
    )
    assert error_of(response) == (30, "first_name contains a line break, which is not allowed.")
    assert not Profile.objects.filter(phone_number="+12025550141").exists()


def test_api_profile_update_strips_a_bidi_override_from_the_first_name(alice):
    response = api_post(
        alice,
        "profile_update",
        {"phone_number": "2025550141", "first_name": "abc\u202egnp.exe"},
    )
    root = ok(response)
    assert root.find("profile").findtext("first_name") == "abcgnp.exe"
    assert Profile.objects.get(phone_number="+12025550141").first_name == "abcgnp.exe"


def test_api_create_group_refuses_a_control_character_and_strips_bidi(alice, company):
    error = api_post(alice, "create_group", {"name": "Volunteers\x07"})
    assert error_of(error)[0] == 18
    assert not Group.objects.filter(company=company).exists()
    ok(api_post(alice, "create_group", {"name": "Volunteers\u202e"}))
    assert Group.objects.get(company=company).name == "Volunteers"
