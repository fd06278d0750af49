"""Settings → API tokens: Admins issue a token (shown once) and revoke it."""

import re

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from tests.api_client import api_get, bearer, ok
from tests.browser import screenshot

pytestmark = pytest.mark.django_db


def test_an_admin_issues_a_token_that_the_api_accepts_then_revokes_it(client_as, alice):
    client = client_as(alice)
    response = client.post(reverse("accounts:api_tokens"), {"name": "CRM sync", "user": alice.pk})
    assert response.status_code == 200
    raw = response.context["raw"]
    token = ApiToken.objects.get()
    assert token.digest == ApiToken.hash(raw) and raw not in (token.digest, token.prefix)
    assert token.created_by == alice
    ok(api_get(bearer(raw), "profiles"))
    # The secret is shown once: the list page never shows it again.
    assert raw not in client.get(reverse("accounts:api_tokens")).content.decode()
    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_get(bearer(raw), "profiles").status_code == 401


def test_a_token_cannot_act_as_a_stranger(client_as, alice, eve):
    response = client_as(alice).post(reverse("accounts:api_tokens"), {"name": "X", "user": eve.pk})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_only_admins_manage_tokens(client_as, bob, charlie, dana):
    for user in (bob, charlie, dana):
        assert client_as(user).get(reverse("accounts:api_tokens")).status_code == 403


def test_another_companys_token_cannot_be_revoked(client_as, alice, eve, other_company):
    token = ApiToken.objects.create(
        company=other_company, user=eve, name="Theirs", digest="x" * 64, prefix="sc_abcde"
    )
    response = client_as(alice).post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_tokens_page_in_a_browser(page_as, alice):
    page = page_as(alice)
    page.goto("/profiles/api-tokens/")
    page.fill("#id_name", "CRM sync")
    page.click("#issue-form button[type=submit]")
    raw = page.inner_text("#raw-token")
    assert re.fullmatch(r"sc_[\w-]{40,}", raw)
    screenshot(page, "api_tokens_issued")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#tokens-table button:has-text('Revoke')")
    page.wait_for_selector("#tokens-table .badge-red")
    screenshot(page, "api_tokens_revoked")
    assert ApiToken.objects.get().revoked_at is not None
