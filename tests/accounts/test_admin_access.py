"""The Django admin is for platform operators (superusers) only.

Its pages are not scoped by company, so a company role, even Admin, gets nothing there:
not as the product makes its users, and not as older versions did (`is_staff` in a
group holding every model permission). Superusers keep the whole admin, and its
exports escape formulas like every other export.
"""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Role
from campaigns.models import Tag
from tests.factories import make_profile

pytestmark = pytest.mark.django_db

MARK = "Wintergreen"  # only the other company's rows carry it
ROLES = ["alice", "bob", "dana", "charlie"]  # Acme's Admin, Agent, Analyst, Staff


@pytest.fixture
def theirs(other_company):
    profile = make_profile(other_company, first_name=MARK, email="w@other.example")
    tag = Tag.objects.create(company=other_company, name=f"{MARK} tag")
    return {"profile": profile, "tag": tag}


def as_older_versions_made_them(user) -> None:
    """is_staff in the old role group that held add/change/delete on every model."""
    group, _ = Group.objects.get_or_create(name="Admin")
    group.permissions.set(Permission.objects.all())
    user.groups.add(group)
    user.is_staff = True
    user.save(update_fields=["is_staff"])


def admin_pages(theirs) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("admin:index"), {}),
        ("get", reverse("admin:profiles_profile_changelist"), {}),
        ("get", reverse("admin:profiles_profile_change", args=[theirs["profile"].pk]), {}),
        ("post", reverse("admin:profiles_profile_export"), {"format": "0", "resource": "0"}),
        ("get", reverse("admin:accounts_membership_add"), {}),
        ("get", reverse("admin:campaigns_tag_change", args=[theirs["tag"].pk]), {}),
    ]


def assert_refused(response, page: str) -> None:
    # admin_view sends a refused user to the admin's sign-in page, never to the view.
    assert response.status_code == 302, page
    assert response["Location"].startswith(reverse("admin:login")), page
    assert MARK not in response.content.decode(), page


@pytest.mark.parametrize("older_version", [False, True], ids=["as-made-now", "stray-staff"])
@pytest.mark.parametrize("who", ROLES)
def test_a_company_role_gets_no_admin_data(request, client_as, theirs, who, older_version):
    user = request.getfixturevalue(who)
    if older_version:
        as_older_versions_made_them(user)
    client = client_as(user)
    for method, url, data in admin_pages(theirs):
        assert_refused(getattr(client, method)(url, data), url)
    login_page = client.get(reverse("admin:index"), follow=True)
    page = login_page.content.decode()
    assert "not authorized to access this page" in page
    assert MARK not in page
    assert theirs["profile"].phone_number not in page


@pytest.mark.parametrize("who", ROLES)
def test_a_company_role_cannot_make_itself_a_member_of_another_company(
    request, client_as, other_company, who
):
    user = request.getfixturevalue(who)
    as_older_versions_made_them(user)
    response = client_as(user).post(
        reverse("admin:accounts_membership_add"),
        {"user": user.pk, "company": other_company.pk, "role": Role.ADMIN},
    )
    assert_refused(response, "membership add")
    assert not Membership.objects.filter(user=user, company=other_company).exists()


def test_a_company_admin_cannot_rename_another_companys_tag(client_as, alice, theirs):
    as_older_versions_made_them(alice)
    tag = theirs["tag"]
    url = reverse("admin:campaigns_tag_change", args=[tag.pk])
    response = client_as(alice).post(url, {"name": "Renamed", "company": tag.company_id})
    assert_refused(response, "tag change")
    tag.refresh_from_db()
    assert tag.name == f"{MARK} tag"


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")


def test_a_superuser_still_uses_the_admin(client_as, operator, company, theirs):
    ours = make_profile(company, first_name="Ourname")
    client = client_as(operator)
    assert client.get(reverse("admin:index")).status_code == 200
    listing = client.get(reverse("admin:profiles_profile_changelist")).content.decode()
    assert MARK in listing and "Ourname" in listing  # every company: it is the operator's view
    change = client.get(reverse("admin:profiles_profile_change", args=[theirs["profile"].pk]))
    assert change.status_code == 200
    tag = theirs["tag"]
    url = reverse("admin:campaigns_tag_change", args=[tag.pk])
    assert client.post(url, {"name": "Renamed", "company": tag.company_id}).status_code == 302
    tag.refresh_from_db()
    assert tag.name == "Renamed"
    assert ours.company != theirs["profile"].company


def test_the_django_admin_link_shows_only_for_superusers(client_as, alice, operator):
    admin_url = f'href="{reverse("admin:index")}"'
    assert admin_url not in client_as(alice).get(reverse("home")).content.decode()
    assert admin_url in client_as(operator).get(reverse("home")).content.decode()


def export_rows(client, selected: list[str]) -> list[dict[str, str]]:
    url = reverse("admin:profiles_profile_export")
    data = {"format": "0", "resource": "0"} | {f"profileresource_{f}": "on" for f in selected}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def test_the_admin_csv_export_escapes_formulas(client_as, operator, company):
    hostile = {
        '=HYPERLINK("http://evil.example","x")': '\'=HYPERLINK("http://evil.example","x")',
        "==HYPERLINK(1)": "'==HYPERLINK(1)",  # the library alone would leave "=HYPERLINK(1)"
        "@SUM(1+1)": "'@SUM(1+1)",
        "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
        "Ana": "Ana",
    }
    for first_name in hostile:
        make_profile(company, first_name=first_name)
    rows = export_rows(client_as(operator), ["first_name", "phone_number"])
    assert sorted(row["first_name"] for row in rows) == sorted(hostile.values())
    # Numbers are data: an E.164 phone keeps its "+".
    assert all(row["phone_number"].startswith("+1") for row in rows)


def test_create_roles_takes_admin_access_from_company_roles(alice, bob, operator):
    as_older_versions_made_them(alice)
    call_command("create_roles", stdout=io.StringIO())
    alice.refresh_from_db()
    operator.refresh_from_db()
    assert not alice.is_staff
    assert not Group.objects.get(name="Admin").permissions.exists()
    assert not get_user_model().objects.filter(is_staff=True, is_superuser=False).exists()
    assert operator.is_staff and operator.is_superuser  # operators keep the admin
    assert Membership.objects.get(user=alice).role == Role.ADMIN  # the role stays
    assert alice.groups.filter(name="Admin").exists()  # nothing deleted


def test_the_users_page_never_makes_staff_users(client_as, alice, bob):
    client = client_as(alice)
    response = client.post(
        reverse("accounts:users"),
        {"username": "newadmin", "email": "new@example.org", "role": Role.ADMIN},
    )
    assert response.status_code == 200
    membership = Membership.objects.get(user__username="newadmin")
    assert membership.role == Role.ADMIN
    bobs = Membership.objects.get(user=bob)
    client.post(reverse("accounts:user_role", args=[bobs.pk]), {"role": Role.ADMIN})
    bobs.refresh_from_db()
    assert bobs.role == Role.ADMIN
    users = get_user_model().objects.filter(username__in=["newadmin", "bob"])
    assert not users.filter(is_staff=True).exists()
    assert not Permission.objects.filter(user__in=users).exists()
    assert not Permission.objects.filter(group__user__in=users).exists()
