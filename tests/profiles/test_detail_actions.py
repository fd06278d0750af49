"""Profile page actions change the database as promised and are recorded with who did them."""

import pytest
from django.urls import reverse

from core.phones import phone_digest
from messaging.models import Attachment
from profiles.models import (
    ActivityEvent,
    CustomField,
    CustomFieldValue,
    Note,
    Profile,
    ProfileStatus,
    Suppression,
)
from profiles.services import (
    ProfileActionError,
    custom_field_update,
    note_create,
    profile_erase,
)
from tests.factories import make_profile
from tests.profiles.detail_builders import make_message, make_rich_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(company, bob):
    return make_rich_profile(company, author=bob)


def test_a_good_custom_value_is_stored_canonically_and_recorded(client_as, bob, profile):
    field = CustomField.objects.get(name="Age")
    url = reverse("profiles:custom_value_set", args=[profile.pk, field.pk])
    client_as(bob).post(url, {"value": " 34 "})
    assert CustomFieldValue.objects.get(profile=profile, field=field).value == "34"
    event = ActivityEvent.objects.filter(profile=profile, kind="custom_field").latest("id")
    assert event.actor == bob and "Age" in event.description


def test_a_wrong_custom_value_stores_nothing_and_says_why(client_as, bob, profile):
    field = CustomField.objects.get(name="Age")
    url = reverse("profiles:custom_value_set", args=[profile.pk, field.pk])
    response = client_as(bob).post(url, {"value": "200"}, follow=True)
    assert not CustomFieldValue.objects.filter(profile=profile, field=field).exists()
    assert "Age: An age must be between 0 and 130 (got 200). Nothing was saved." in (
        response.content.decode()
    )


def test_deleting_a_custom_value_removes_it(client_as, bob, profile):
    field = CustomField.objects.get(name="Favorite color")
    client_as(bob).post(reverse("profiles:custom_value_delete", args=[profile.pk, field.pk]))
    assert not CustomFieldValue.objects.filter(profile=profile, field=field).exists()


def test_the_sixth_note_is_refused_with_a_message(client_as, bob, profile):
    client = client_as(bob)
    url = reverse("profiles:note_create", args=[profile.pk])
    for i in range(4):
        client.post(url, {"body": f"Note {i}"})
    assert Note.objects.filter(profile=profile).count() == 5
    response = client.post(url, {"body": "One too many"}, follow=True)
    assert Note.objects.filter(profile=profile).count() == 5
    assert "A profile can have at most 5 notes. Delete one before adding another." in (
        response.content.decode()
    )


def test_a_note_of_501_characters_is_refused_and_500_is_accepted(bob, company):
    target = make_profile(company)
    with pytest.raises(ProfileActionError, match="at most 500 characters"):
        note_create(profile=target, body="x" * 501, actor=bob)
    assert not Note.objects.filter(profile=target).exists()
    note = note_create(profile=target, body="x" * 500, actor=bob)
    assert note.author == bob and len(note.body) == 500


def test_deleting_a_note_is_final_and_recorded(client_as, bob, profile):
    note = Note.objects.get(profile=profile)
    client_as(bob).post(reverse("profiles:note_delete", args=[profile.pk, note.pk]))
    assert not Note.objects.filter(pk=note.pk).exists()
    assert ActivityEvent.objects.filter(profile=profile, kind="note_deleted", actor=bob).exists()


def test_blacklisting_makes_the_profile_undeliverable_and_is_recorded(client_as, alice, profile):
    client_as(alice).post(reverse("profiles:flag", args=[profile.pk, "blacklist"]))
    profile.refresh_from_db()
    assert profile.blacklisted is True
    assert profile.standing.status == ProfileStatus.UNDELIVERABLE
    assert profile.standing.status_description == "Blacklisted"
    assert ActivityEvent.objects.filter(profile=profile, kind="blacklisted", actor=alice).exists()
    client_as(alice).post(reverse("profiles:flag", args=[profile.pk, "unblacklist"]))
    profile.refresh_from_db()
    assert profile.blacklisted is False and profile.standing.status == ProfileStatus.ACTIVE


def test_a_blacklisted_or_deactivated_profile_is_refused_by_the_send_rules(alice, profile):
    from campaigns.compliance import refusal_reason
    from profiles.services import profile_blacklist, profile_deactivate

    profile_deactivate(profile=profile, actor=alice)
    assert profile.deactivated and profile.standing.status == ProfileStatus.UNDELIVERABLE
    assert refusal_reason(profile=profile) is not None
    profile_blacklist(profile=profile, actor=alice)
    assert refusal_reason(profile=profile) is not None


def test_erasure_removes_personal_data_and_keeps_an_anonymous_audit_trail(alice, profile):
    number = profile.phone_number
    attachment = Attachment.objects.create(company=profile.company, name="photo.jpg", file="x.jpg")
    make_message(profile, body="Here is my photo", attachment=attachment)
    messages_before = profile.messages.count()
    subscriptions_before = profile.subscriptions.count()

    profile_erase(profile=profile, actor=alice, confirmation="+1 212-555-0147")

    erased = Profile.objects.get(pk=profile.pk)
    assert erased.first_name == erased.last_name == erased.email == ""
    assert erased.street1 == erased.city == erased.postal_code == erased.state == ""
    assert erased.congressional_district == "" and erased.latitude is None
    assert erased.phone_number == f"erased:{profile.pk}"
    assert erased.erased_at is not None and erased.standing.opted_out_globally
    assert erased.standing.status == ProfileStatus.UNDELIVERABLE
    assert not CustomFieldValue.objects.filter(profile=profile).exists()
    assert list(Note.objects.filter(profile=profile).values_list("body", flat=True)) == [""]
    assert profile.messages.count() == messages_before  # rows kept for the audit
    assert set(profile.messages.values_list("body", flat=True)) == {""}
    assert not profile.messages.filter(attachment__isnull=False).exists()
    assert profile.subscriptions.count() == subscriptions_before
    suppression = Suppression.objects.get(company=profile.company)
    assert suppression.phone_digest == phone_digest(number) and number not in str(
        suppression.__dict__
    )
    assert ActivityEvent.objects.filter(profile=profile, kind="erased", actor=alice).exists()
    assert not ActivityEvent.objects.filter(profile=profile, description__contains="Spanish")


def test_erasure_needs_the_number_typed_as_confirmation(alice, profile):
    with pytest.raises(ProfileActionError, match="Type the profile's phone number"):
        profile_erase(profile=profile, actor=alice, confirmation="yes")
    profile.refresh_from_db()
    assert profile.erased_at is None and profile.first_name == "Maria"


def test_an_erased_number_that_comes_back_is_still_refused(alice, company, profile):
    from campaigns.compliance import refusal_reason

    profile_erase(profile=profile, actor=alice, confirmation=profile.phone_number)
    returning = make_profile(company, "+12125550147")
    assert refusal_reason(profile=returning) is not None


def test_the_erase_page_erases_after_confirmation(client_as, alice, profile):
    url = reverse("profiles:erase", args=[profile.pk])
    assert client_as(alice).post(url, {"confirm": "nope"}).status_code == 400
    client_as(alice).post(url, {"confirm": profile.phone_number})
    profile.refresh_from_db()
    assert profile.erased_at is not None


def test_editing_the_profile_validates_and_records_the_change(client_as, bob, profile):
    url = reverse("profiles:edit", args=[profile.pk])
    data = {
        "first_name": "María",
        "last_name": "Lopez",
        "email": "maria@example.org",
        "street1": "350 5th Ave",
        "city": "New York",
        "state": "NY",
        "postal_code": "10118",
        "country": "us",
        "birthday": "1988-04-02",
        "gender": "female",
        "language": "es",
        "timezone": "America/New_York",
    }
    bad = client_as(bob).post(url, {**data, "language": "spanish", "timezone": "Mars/Base"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "is not an ISO 639-1 language code" in html and "is not a time zone" in html
    profile.refresh_from_db()
    assert profile.first_name == "Maria"
    client_as(bob).post(url, data)
    profile.refresh_from_db()
    assert (profile.first_name, profile.gender, profile.country) == ("María", "2", "US")
    assert str(profile.birthday) == "1988-04-02"
    event = ActivityEvent.objects.filter(profile=profile, kind="edited").latest("id")
    assert event.actor == bob and "first name" in event.description


def test_opting_out_from_the_profile_records_the_profile_source(client_as, bob, profile):
    sub = profile.subscriptions.get(campaign__name="Rally Reminders")
    client_as(bob).post(reverse("profiles:subscription_opt_out", args=[profile.pk, sub.pk]))
    sub.refresh_from_db()
    assert sub.status == "Opted-Out" and sub.opt_out_source == "Opt-out from profile"
    assert ActivityEvent.objects.filter(profile=profile, kind="opted_out", actor=bob).exists()


def test_reactivating_creates_a_new_subscription_and_keeps_history(client_as, bob, profile):
    sub = profile.subscriptions.get(campaign__name="Rally Reminders")
    client_as(bob).post(reverse("profiles:subscription_opt_out", args=[profile.pk, sub.pk]))
    client_as(bob).post(reverse("profiles:subscription_reactivate", args=[profile.pk, sub.pk]))
    rows = profile.subscriptions.filter(campaign__name="Rally Reminders")
    assert sorted(rows.values_list("status", flat=True)) == ["Active", "Opted-Out"]


def test_retyping_a_field_converts_values_or_refuses_when_one_does_not_fit(company):
    field = CustomField.objects.create(company=company, name="Member", field_type="string")
    first, second = make_profile(company), make_profile(company)
    CustomFieldValue.objects.create(profile=first, field=field, value="y")
    CustomFieldValue.objects.create(profile=second, field=field, value="maybe")
    with pytest.raises(ProfileActionError, match="1 stored value"):
        custom_field_update(field=field, name="Member", field_type="yesno")
    field.refresh_from_db()
    assert field.field_type == "string"
    CustomFieldValue.objects.filter(profile=second).delete()
    custom_field_update(field=field, name="Is member", field_type="yesno")
    assert CustomFieldValue.objects.get(profile=first).value == "Yes"
    assert CustomField.objects.get(pk=field.pk).name == "Is member"


def test_an_erased_profile_page_shows_no_personal_data_and_offers_no_edits(
    client_as, alice, profile
):
    profile_erase(profile=profile, actor=alice, confirmation=profile.phone_number)
    client = client_as(alice)
    html = client.get(reverse("profiles:detail", args=[profile.pk])).content.decode()
    assert "Personal data erased" in html and 'id="badge-erased"' in html
    assert "Maria" not in html and "555-0147" not in html
    assert 'id="edit-profile"' not in html
    messages_tab = client.get(reverse("profiles:detail", args=[profile.pk]), {"tab": "messages"})
    assert "Rally at City Hall" not in messages_tab.content.decode()
    edit = client.get(reverse("profiles:edit", args=[profile.pk]))
    assert edit.status_code == 302
    with pytest.raises(ProfileActionError, match="already erased"):
        profile_erase(profile=profile, actor=alice, confirmation=f"erased:{profile.pk}")


def test_unblacklisting_an_erased_profile_is_refused(alice, profile):
    from profiles.services import profile_unblacklist

    profile_erase(profile=profile, actor=alice, confirmation=profile.phone_number)
    profile.blacklisted = True
    with pytest.raises(ProfileActionError, match="stays suppressed"):
        profile_unblacklist(profile=profile, actor=alice)


def test_the_email_blacklist_is_recorded_and_does_not_stop_texts(client_as, alice, company):
    from campaigns.compliance import refusal_reason
    from profiles.models import ActivityEvent

    profile = make_profile(company, email="ana@example.org")
    response = client_as(alice).post(f"/profiles/{profile.pk}/flag/email_blacklist/")
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.email_blacklisted
    assert ActivityEvent.objects.get(profile=profile, kind="email_blacklisted").actor == alice
    assert refusal_reason(profile=profile) is None  # an email flag says nothing about SMS
    page = client_as(alice).get(f"/profiles/{profile.pk}/").content.decode()
    assert "Email blacklisted" in page


def test_erasure_also_removes_the_external_id_and_avatar(alice, company):
    profile = make_profile(
        company, constituent_id="CRM-991", avatar_url="https://img.example/a.png", contact_score=7
    )
    profile_erase(profile=profile, actor=alice, confirmation=profile.phone_number)
    profile.refresh_from_db()
    assert (profile.constituent_id, profile.avatar_url, profile.contact_score) == ("", "", None)


def test_a_520_character_note_is_refused_next_to_the_field_and_the_text_is_kept(
    client_as, bob, company
):
    target = make_profile(company)
    typed = "Called about the rally. " + "y" * 496
    assert len(typed) == 520
    response = client_as(bob).post(
        reverse("profiles:note_create", args=[target.pk]), {"body": typed}
    )
    assert response.status_code == 400
    assert not Note.objects.filter(profile=target).exists()
    html = response.content.decode()
    field = html[html.index('<textarea id="note-body"') :]
    assert f">{typed}</textarea>" in field[: field.index("</textarea>") + 11]
    assert 'maxlength="500"' in field[: field.index(">")]
    assert 'aria-describedby="note-error"' in field[: field.index(">")]
    assert "A note can be at most 500 characters (this one has 520)." in html


def test_a_note_with_line_breaks_counts_each_break_once(bob, company):
    target = make_profile(company)
    body = "x" * 50 + ("\r\n" + "x" * 49) * 9  # 500 as the page counts them, 509 as sent
    note = note_create(profile=target, body=body, actor=bob)
    assert note.body == body.replace("\r\n", "\n") and len(note.body) == 500
    with pytest.raises(ProfileActionError, match="this one has 501"):
        note_create(profile=target, body=body + "x", actor=bob)


def test_a_bad_custom_value_keeps_the_editor_open_with_the_typed_value_and_the_error(
    client_as, bob, profile
):
    field = CustomField.objects.get(name="Age")
    url = reverse("profiles:custom_value_set", args=[profile.pk, field.pk])
    response = client_as(bob).post(
        url, {"value": "two hundred"}, headers={"HX-Request": "true", "HX-Target": "profile-tabs"}
    )
    assert response.status_code == 200  # htmx swaps only a 2xx answer
    html = response.content.decode()
    assert "<html" not in html  # the tab area alone is re-rendered
    row = html[html.index(f'data-field="{field.name}"') :]
    row = row[: row.index("</tr>")]
    assert '<details class="inline-edit" open>' in row
    assert 'value="two hundred"' in row
    assert f'aria-describedby="cf-{field.pk}-error"' in row
    assert "Age: " in row and "Nothing was saved." in row
    assert not CustomFieldValue.objects.filter(profile=profile, field=field).exists()


def test_a_bad_custom_value_posted_without_htmx_rerenders_the_page_with_the_value(
    client_as, bob, profile
):
    field = CustomField.objects.get(name="Age")
    url = reverse("profiles:custom_value_set", args=[profile.pk, field.pk])
    response = client_as(bob).post(url, {"value": "200"})
    assert response.status_code == 400
    assert 'value="200"' in response.content.decode()
