"""Every page and action of the profile page checks the role; other companies see 404."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from campaigns.models import Subscription
from profiles.forms import ProfileEditForm
from profiles.models import CustomField, CustomFieldValue, Note, Profile
from tests.profiles.detail_builders import make_rich_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(company, bob):
    return make_rich_profile(company, author=bob)


def _edit_data(profile):
    form = ProfileEditForm(instance=profile)
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    return {**data, "first_name": "Renamed"}


def _actions(profile):
    """action → (method, url, data, what is true once the action took effect)."""
    field = CustomField.objects.get(name="Age")
    note = Note.objects.get(profile=profile)
    sub = profile.subscriptions.filter(status="Active").first()

    def value_of_age():
        return CustomFieldValue.objects.filter(profile=profile, field=field).first()

    return {
        "edit": (
            "post",
            reverse("profiles:edit", args=[profile.pk]),
            _edit_data(profile),
            lambda: Profile.objects.get(pk=profile.pk).first_name == "Renamed",
        ),
        "custom_value": (
            "post",
            reverse("profiles:custom_value_set", args=[profile.pk, field.pk]),
            {"value": "30"},
            lambda: value_of_age() is not None and value_of_age().value == "30",
        ),
        "note": (
            "post",
            reverse("profiles:note_create", args=[profile.pk]),
            {"body": "Hi"},
            lambda: Note.objects.filter(profile=profile, body="Hi").exists(),
        ),
        "note_delete": (
            "post",
            reverse("profiles:note_delete", args=[profile.pk, note.pk]),
            {},
            lambda: not Note.objects.filter(pk=note.pk).exists(),
        ),
        "opt_out": (
            "post",
            reverse("profiles:subscription_opt_out", args=[profile.pk, sub.pk]),
            {},
            lambda: Subscription.objects.get(pk=sub.pk).status == Subscription.Status.OPTED_OUT,
        ),
        "blacklist": (
            "post",
            reverse("profiles:flag", args=[profile.pk, "blacklist"]),
            {},
            lambda: Profile.objects.get(pk=profile.pk).blacklisted,
        ),
        "deactivate": (
            "post",
            reverse("profiles:flag", args=[profile.pk, "deactivate"]),
            {},
            lambda: Profile.objects.get(pk=profile.pk).deactivated,
        ),
        "erase": (
            "post",
            reverse("profiles:erase", args=[profile.pk]),
            {"confirm": profile.phone_number},
            lambda: Profile.objects.get(pk=profile.pk).erased_at is not None,
        ),
        "fields": ("get", reverse("profiles:custom_fields"), {}, None),
        "users": ("get", reverse("accounts:users"), {}, None),
    }


def _state(profile):
    """Everything the actions above could change, to prove a refused one changed nothing."""
    fresh = Profile.objects.get(pk=profile.pk)
    return (
        {f.attname: getattr(fresh, f.attname) for f in Profile._meta.concrete_fields},
        sorted(Note.objects.filter(profile=profile).values_list("pk", "body")),
        sorted(CustomFieldValue.objects.filter(profile=profile).values_list("field_id", "value")),
        sorted(profile.subscriptions.values_list("pk", "status")),
    )


AGENT_MAY = {"edit", "custom_value", "note", "note_delete", "opt_out"}
ADMIN_PAGES = {"fields": "Custom fields", "users": "Users"}


def _call(client, method, url, data):
    return getattr(client, method)(url, data)


@pytest.mark.parametrize(
    "action",
    [
        "edit",
        "custom_value",
        "note",
        "note_delete",
        "opt_out",
        "blacklist",
        "deactivate",
        "erase",
        "fields",
        "users",
    ],
)
def test_staff_may_only_read(client_as, charlie, profile, action):
    method, url, data, _ = _actions(profile)[action]
    before = _state(profile)
    assert _call(client_as(charlie), method, url, data).status_code == 403
    assert _state(profile) == before


@pytest.mark.parametrize("action", ["blacklist", "deactivate", "erase", "fields", "users"])
def test_agents_may_not_do_admin_actions(client_as, bob, profile, action):
    method, url, data, _ = _actions(profile)[action]
    before = _state(profile)
    assert _call(client_as(bob), method, url, data).status_code == 403
    assert _state(profile) == before


@pytest.mark.parametrize("action", sorted(AGENT_MAY))
def test_agents_may_edit_note_and_opt_out(client_as, bob, profile, action):
    method, url, data, took_effect = _actions(profile)[action]
    assert not took_effect()
    response = _call(client_as(bob), method, url, data)
    assert response.status_code in {200, 302}
    assert took_effect(), action


@pytest.mark.parametrize("action", ["blacklist", "deactivate", "erase", *sorted(AGENT_MAY)])
def test_admins_may_do_everything(client_as, alice, profile, action):
    method, url, data, took_effect = _actions(profile)[action]
    assert not took_effect()
    response = _call(client_as(alice), method, url, data)
    assert response.status_code in {200, 302}
    assert took_effect(), action


@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
def test_admins_open_the_admin_pages(client_as, alice, profile, page):
    method, url, data, _ = _actions(profile)[page]
    response = _call(client_as(alice), method, url, data)
    assert response.status_code == 200
    assert ADMIN_PAGES[page] in response.content.decode()


def test_analysts_may_read_but_not_edit(client_as, dana, profile):
    client = client_as(dana)
    assert client.get(reverse("profiles:detail", args=[profile.pk])).status_code == 200
    method, url, data, _ = _actions(profile)["note"]
    before = _state(profile)
    assert _call(client, method, url, data).status_code == 403
    assert _state(profile) == before


def test_another_companys_profile_is_not_found(client_as, eve, profile):
    client = client_as(eve)
    assert client.get(reverse("profiles:detail", args=[profile.pk])).status_code == 404
    before = _state(profile)
    for name, (method, url, data, _) in _actions(profile).items():
        if name in {"fields", "users"}:
            continue
        assert _call(client, method, url, data).status_code == 404, name
    assert _state(profile) == before
    csv_url = reverse("reports:messages_export", args=[profile.pk])
    assert client.post(csv_url).status_code == 404


def test_the_page_shows_only_the_buttons_the_role_allows(client_as, charlie, bob, alice, profile):
    url = reverse("profiles:detail", args=[profile.pk])
    staff = client_as(charlie).get(url).content.decode()
    agent = client_as(bob).get(url).content.decode()
    admin = client_as(alice).get(url).content.decode()
    assert 'id="chat-button"' not in staff and 'id="edit-profile"' not in staff
    assert f'href="/inbox/chat/{profile.pk}/"' in agent and 'id="edit-profile"' in agent
    assert 'id="erase-link"' not in agent and 'id="erase-link"' in admin


def test_an_admin_adds_a_user_changes_the_role_and_removes_them(client_as, alice, company):
    client = client_as(alice)
    response = client.post(
        reverse("accounts:users"),
        {"username": "frank", "email": "frank@example.org", "role": "agent"},
    )
    assert "Temporary password for frank" in response.content.decode()
    membership = Membership.objects.get(user__username="frank", company=company)
    assert membership.role == "agent"
    client.post(reverse("accounts:user_role", args=[membership.pk]), {"role": "analyst"})
    membership.refresh_from_db()
    assert membership.role == "analyst"
    client.post(reverse("accounts:user_remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_cannot_be_demoted_or_remove_themselves(client_as, alice, company):
    own = Membership.objects.get(user=alice, company=company)
    response = client_as(alice).post(
        reverse("accounts:user_role", args=[own.pk]), {"role": "staff"}, follow=True
    )
    own.refresh_from_db()
    assert own.role == "admin"
    assert "at least one Admin" in response.content.decode()
    client_as(alice).post(reverse("accounts:user_remove", args=[own.pk]))
    assert Membership.objects.filter(pk=own.pk).exists()


def test_an_admin_adds_renames_and_retypes_a_field(client_as, alice, company):
    client = client_as(alice)
    client.post(reverse("profiles:custom_fields"), {"name": "Shirt size", "field_type": "string"})
    field = CustomField.objects.get(company=company, name="Shirt size")
    duplicate = client.post(
        reverse("profiles:custom_fields"), {"name": "shirt SIZE", "field_type": "string"}
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()
    client.post(
        reverse("profiles:custom_field_edit", args=[field.pk]),
        {"name": "Shoe size", "field_type": "number"},
    )
    field.refresh_from_db()
    assert (field.name, field.field_type) == ("Shoe size", "number")


def test_an_admin_cannot_edit_another_companys_field(client_as, eve, company):
    field = CustomField.objects.create(company=company, name="Secret")
    response = client_as(eve).post(
        reverse("profiles:custom_field_edit", args=[field.pk]),
        {"name": "Stolen", "field_type": "string"},
    )
    assert response.status_code == 404
