import pytest
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Membership
from accounts.tenancy import ROLE_PERMS, Perm
from tests.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def test_every_page_asks_for_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_member_works_in_their_company(client_as, alice, company):
    response = client_as(alice).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["current_company"] == company
    assert response.context["current_role"] == "admin"


def test_a_user_with_two_companies_can_switch_but_not_into_a_stranger(client_as, company):
    second = make_company("Second Org")
    stranger = make_company("Stranger Org")
    user = make_user("multi", company=company, role="staff")
    Membership.objects.create(user=user, company=second, role="agent")
    client = client_as(user)
    client.post(reverse("company_switch"), {"company_id": second.pk})
    assert client.get(reverse("home")).context["current_company"] == second
    response = client.post(reverse("company_switch"), {"company_id": stranger.pk}, follow=True)
    assert response.context["current_company"] == second


def test_switching_refuses_an_offsite_redirect(client_as, alice, company):
    response = client_as(alice).post(
        reverse("company_switch"), {"company_id": company.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_user_without_a_company_is_refused(client_as):
    lonely = make_user("lonely", company=None)
    assert client_as(lonely).get(reverse("home")).status_code == 403


def test_roles_grant_what_the_product_promises():
    assert ROLE_PERMS["staff"] == {Perm.VIEW}
    assert {Perm.CHAT, Perm.OPT_OUT_ONE} <= ROLE_PERMS["agent"]
    assert {Perm.EXPORT, Perm.ANALYZE} <= ROLE_PERMS["analyst"]
    assert Perm.MANAGE not in ROLE_PERMS["agent"] | ROLE_PERMS["analyst"]
    assert ROLE_PERMS["admin"] == set(Perm)


def test_users_sign_in_with_their_email(client, alice):
    # The sign-in throttle's backend needs the request it throttles.
    assert client.login(request=HttpRequest(), username="alice@example.org", password="pw-alice")
