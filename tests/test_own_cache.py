"""Tests get their own cache: what one test leaves in Redis never reaches the next.

The two tests run in this order; the second fails if the first one's API lockout
(a counter in the shared Redis cache) survived it.
"""

import pytest
from django.conf import settings

from tests.api_client import api_get, basic, error_of

pytestmark = pytest.mark.django_db


def test_1_an_account_is_locked_out_after_its_failed_sign_ins(alice):
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT):
        api_get(basic(alice.email, "wrong"), "profiles")
    response = api_get(basic(alice.email, "pw-alice"), "profiles")
    assert response.status_code == 429
    assert error_of(response)[0] == 27


def test_2_the_next_test_starts_with_no_lockout(alice):
    assert api_get(basic(alice.email, "pw-alice"), "profiles").status_code == 200
