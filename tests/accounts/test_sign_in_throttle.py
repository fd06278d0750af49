"""The web and admin sign-ins are throttled per account and address (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins for this account from your address. Try again in 15 minutes."
SIGN_IN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def staff(company):
    return make_user("staff", company=company, role="admin", is_staff=True)


def _sign_in(client: Client, page: str, username: str, password: str, **extra):
    return client.post(page, {"username": username, "password": password}, **extra)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail_until_locked(client: Client, page: str, logins: list[str], **extra):
    limit = settings.SIGN_IN_FAILURE_LIMIT
    for n in range(limit - 1):
        response = _sign_in(client, page, logins[n % len(logins)], "wrong", **extra)
        assert response.status_code == 200  # the form again, with its error
    return _sign_in(client, page, logins[(limit - 1) % len(logins)], "wrong", **extra)


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_too_many_failed_sign_ins_show_the_lockout_page_with_a_clear_message(staff, page):
    client = Client()
    response = _fail_until_locked(client, page, ["staff"])
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "Sign-in paused" in response.content.decode()


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_the_right_password_does_not_sign_in_while_locked(staff, page):
    client = Client()
    _fail_until_locked(client, page, ["staff"])
    response = _sign_in(client, page, "staff", "pw-staff")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # still sent to the sign-in page


def test_the_username_its_case_and_the_email_are_one_account(staff):
    client = Client()
    response = _fail_until_locked(
        client, "/accounts/login/", ["staff", "Staff", "staff@example.org", "STAFF@example.org"]
    )
    assert response.status_code == 429
    for login in ("staff", "staff@example.org"):
        assert _sign_in(client, "/accounts/login/", login, "pw-staff").status_code == 429
    assert not _signed_in(client)


def test_a_lockout_holds_one_address_and_one_account_only(staff, alice):
    _fail_until_locked(Client(), "/accounts/login/", ["staff"], REMOTE_ADDR="10.0.0.1")
    elsewhere = Client()
    response = _sign_in(elsewhere, "/accounts/login/", "staff", "pw-staff", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302 and _signed_in(elsewhere)
    other_account = Client()
    response = _sign_in(
        other_account, "/accounts/login/", "alice", "pw-alice", REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302 and _signed_in(other_account)


def test_a_successful_sign_in_starts_the_count_again(staff):
    limit = settings.SIGN_IN_FAILURE_LIMIT
    client = Client()
    for _ in range(limit - 1):
        assert _sign_in(client, "/accounts/login/", "staff", "wrong").status_code == 200
    assert _sign_in(client, "/accounts/login/", "staff", "pw-staff").status_code == 302
    client = Client()
    for _ in range(limit - 1):
        assert _sign_in(client, "/accounts/login/", "staff", "wrong").status_code == 200
    assert _sign_in(client, "/accounts/login/", "staff", "pw-staff").status_code == 302


def test_behind_a_proxy_each_client_address_has_its_own_bucket(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    attacker = Client()
    limit = settings.SIGN_IN_FAILURE_LIMIT
    for n in range(limit):
        # Whatever the client puts left of the proxy's entry, it is counted as itself.
        forwarded = f"198.51.100.{n}, 203.0.113.5"
        response = _sign_in(
            attacker, "/accounts/login/", "staff", "wrong", HTTP_X_FORWARDED_FOR=forwarded, **proxy
        )
    assert response.status_code == 429
    owner = Client()
    response = _sign_in(
        owner, "/accounts/login/", "staff", "pw-staff", HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy
    )
    assert response.status_code == 302 and _signed_in(owner)


def test_a_forwarded_address_that_is_not_an_address_falls_back_to_the_peer(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    response = _sign_in(
        client, "/accounts/login/", "staff", "wrong", HTTP_X_FORWARDED_FOR="not-an-ip"
    )
    assert response.status_code == 200  # the form again, not a server error
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"
