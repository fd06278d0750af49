"""Who may call the API: Basic and Bearer auth, companies, roles, throttling, concurrency."""

import threading

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import ApiToken, Membership
from accounts.tenancy import Perm
from api import api_endpoint, success
from tests.api_client import api_get, api_post, basic, bearer, error_of, ok
from tests.factories import make_company, make_profile, make_user

pytestmark = pytest.mark.django_db


def _token(user, company, **fields) -> str:
    raw = ApiToken.generate()
    ApiToken.objects.create(
        company=company, user=user, name="CRM", digest=ApiToken.hash(raw), prefix=raw[:8], **fields
    )
    return raw


def test_basic_auth_accepts_the_login_email_or_the_username(alice, company):
    make_profile(company)
    for login in (alice.email, alice.username):
        root = ok(api_get(basic(login, "pw-alice"), "profiles"))
        assert root.find("profiles").get("num") == "1"


def test_no_credentials_or_a_wrong_password_is_401_with_error_xml(alice):
    response = api_get({}, "profiles")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert error_of(response)[0] == 0
    response = api_get(basic(alice.email, "wrong"), "profiles")
    assert response.status_code == 401
    response = api_get({"HTTP_AUTHORIZATION": "Basic !!!not-base64"}, "profiles")
    assert response.status_code == 401


def test_an_inactive_user_cannot_call_the_api(alice):
    alice.is_active = False
    alice.save()
    assert api_get(alice, "profiles").status_code == 401


def test_failed_logins_are_throttled_per_address_and_username(alice):
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT):
        assert api_get(basic(alice.email, "wrong"), "profiles").status_code == 401
    response = api_get(basic(alice.email, "pw-alice"), "profiles")
    assert response.status_code == 429
    assert error_of(response)[0] == 27
    assert response["Retry-After"]
    # Another client address is not locked out by this one's failures.
    other = api_get(basic(alice.email, "pw-alice"), "profiles", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_a_valid_token_keeps_working_while_bad_tokens_are_tried_from_its_address(alice, company):
    raw = _token(alice, company)
    for n in range(settings.SIGN_IN_FAILURE_LIMIT + 2):
        assert api_get(bearer(f"sc_guess{n:03d}-not-a-token"), "profiles").status_code in (401, 429)
    assert api_get(bearer(raw), "profiles").status_code == 200
    # Even guesses at its own prefix (shown on the tokens page) cannot lock it out.
    for n in range(settings.SIGN_IN_FAILURE_LIMIT + 2):
        assert api_get(bearer(f"{raw[:8]}-guess-{n}"), "profiles").status_code in (401, 429)
    assert api_get(bearer(raw), "profiles").status_code == 200


def test_a_bad_token_tried_too_often_is_refused_with_error_27_other_tokens_are_not(alice):
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT):
        assert api_get(bearer("sc_AAAAA-revoked-one"), "profiles").status_code == 401
    response = api_get(bearer("sc_AAAAA-revoked-one"), "profiles")
    assert response.status_code == 429
    assert error_of(response) == (
        27,
        "API rate limit exceeded: too many failed sign-ins, try again in 15 minutes",
    )
    assert response["Retry-After"] == str(15 * 60)
    # Another credential from the same address is still answered on its merits.
    assert api_get(bearer("sc_BBBBB-another-one"), "profiles").status_code == 401


def test_the_username_and_the_email_of_an_account_share_one_throttle_bucket(company):
    make_user("staff", company=company)
    limit = settings.SIGN_IN_FAILURE_LIMIT
    logins = ["staff", "staff@example.org", "Staff", "STAFF@Example.org"]
    for n in range(limit):
        response = api_get(basic(logins[n % len(logins)], "wrong"), "profiles")
        assert response.status_code == 401
    for login in logins:
        response = api_get(basic(login, "pw-staff"), "profiles")
        assert response.status_code == 429 and error_of(response)[0] == 27


def test_an_unknown_login_is_throttled_in_one_bucket_whatever_its_case(db):
    for n in range(settings.SIGN_IN_FAILURE_LIMIT):
        login = "Nobody@Example.org" if n % 2 else "nobody@example.org"
        assert api_get(basic(login, "guess"), "profiles").status_code == 401
    assert api_get(basic("NOBODY@example.org", "guess"), "profiles").status_code == 429


def test_a_user_already_signed_in_keeps_working_while_their_account_is_guessed(alice):
    assert api_get(alice, "profiles").status_code == 200  # verified and remembered
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT + 1):
        assert api_get(basic(alice.email, "wrong"), "profiles").status_code in (401, 429)
    assert api_get(alice, "profiles").status_code == 200


def test_api_sign_in_failures_are_counted_by_the_api_not_by_the_web_sign_in_throttle(alice):
    from axes.models import AccessAttempt

    for _ in range(settings.SIGN_IN_FAILURE_LIMIT + 1):
        response = api_get(basic(alice.email, "wrong"), "profiles")
    assert response.status_code == 429 and error_of(response)[0] == 27  # XML, not a web page
    assert not AccessAttempt.objects.exists()
    web = Client().post("/accounts/login/", {"username": "alice", "password": "pw-alice"})
    assert web.status_code == 302


def test_a_bearer_token_works_in_its_company(alice, company):
    make_profile(company)
    raw = _token(alice, company)
    root = ok(api_get(bearer(raw), "profiles"))
    assert root.find("profiles").get("num") == "1"
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_or_unknown_token_is_refused(alice, company):
    raw = _token(alice, company, revoked_at=timezone.now())
    assert api_get(bearer(raw), "profiles").status_code == 401
    assert api_get(bearer("sc_not-a-token"), "profiles").status_code == 401


def test_a_token_cannot_reach_another_company(alice, company, other_company):
    Membership.objects.create(user=alice, company=other_company, role="admin")
    raw = _token(alice, company)
    response = api_get(bearer(raw), "profiles", {"company": other_company.key})
    assert response.status_code == 403
    assert error_of(response)[0] == 4


def test_a_token_stops_working_when_its_user_leaves_the_company(alice, company):
    raw = _token(alice, company)
    Membership.objects.filter(user=alice).delete()
    assert api_get(bearer(raw), "profiles").status_code == 403


def test_the_company_parameter_picks_one_of_the_users_companies(alice, company):
    second = make_company("Second Org")
    Membership.objects.create(user=alice, company=second, role="staff")
    make_profile(second, "+12025550001")
    root = ok(api_get(alice, "profiles"))
    assert root.find("profiles").get("num") == "0"  # default: the firm (alice's default)
    root = ok(api_get(alice, "profiles", {"company": second.key}))
    assert root.find("profiles").get("num") == "1"


def test_a_company_the_user_does_not_belong_to_is_error_4(alice, other_company):
    make_profile(other_company)
    for key in (other_company.key, "CO-NOT-A-KEY", "' OR 1=1 --"):
        response = api_get(alice, "profiles", {"company": key})
        assert response.status_code == 403
        assert error_of(response)[0] == 4


def test_a_superuser_reaches_every_company_and_defaults_to_the_first(company, other_company):
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    make_profile(other_company)
    root = ok(api_get(basic("root@example.org", "pw-root"), "profiles"))
    assert root.find("profiles").get("num") == "0"  # the first company (Acme) has none
    params = {"company": other_company.key}
    root = ok(api_get(basic("root@example.org", "pw-root"), "profiles", params))
    assert root.find("profiles").get("num") == "1"


def test_a_user_without_any_company_is_refused(db):
    make_user("loner", company=None)
    response = api_get(basic("loner@example.org", "pw-loner"), "profiles")
    assert response.status_code == 403 and error_of(response)[0] == 4


def test_writes_need_the_matching_role(charlie, bob, company):
    make_profile(company, "+12025551234")
    data = {"phone_number": "12025551234"}
    assert api_post(charlie, "profile_opt_out", data).status_code == 403
    assert api_post(bob, "profile_opt_out", data).status_code == 200
    assert api_get(bob, "create_group", {"name": "x"}).status_code == 403


@pytest.mark.parametrize("suffix", ["", "/", ".xml", ".xml/"])
def test_endpoints_answer_with_a_trailing_slash_or_xml_suffix(alice, suffix):
    assert api_get(alice, "profiles" + suffix).status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "code"),
    [
        ("calls", 15),
        ("call_count", 15),
        ("mconnects", 15),
        ("mdata_entries", 9),
        ("trigger_mdata", 9),
        ("mdatas", 9),
        ("mdata_queries", 9),
        ("edit_attachment", 21),
    ],
)
def test_unsupported_endpoints_answer_with_the_seed_error_shape(alice, endpoint, code):
    response = api_get(alice, endpoint)
    assert response.status_code == 404
    error_code, message = error_of(response)
    assert error_code == code and "not support" in message


# --- Concurrency: at most API_CONCURRENCY_LIMIT calls in flight per company ----------------

_release = threading.Event()
_entered = threading.Semaphore(0)


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def _blocking(call):
    _entered.release()
    _release.wait(10)
    return success()


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def _failing(call):
    raise RuntimeError("boom")


def _reset_gate() -> None:
    _release.clear()
    while _entered.acquire(blocking=False):
        pass


def _call_in_thread(view, user, results: list) -> None:
    try:
        results.append(_call(view, user).status_code)
    finally:
        connection.close()  # each thread has its own connection; leave none open


def _call(view, user):
    request = RequestFactory().get("/api/blocking", **basic(user.email, "pw-" + user.username))
    return view(request)


@pytest.mark.django_db(transaction=True)
def test_the_161st_concurrent_call_gets_error_27_and_slots_come_back(requires_redis, settings):
    settings.REDIS_URL = requires_redis
    settings.API_CONCURRENCY_LIMIT = 4
    company = make_company("Busy Org")
    user = make_user("busy", company=company, role="admin")
    client = redis.Redis.from_url(requires_redis)
    client.delete(f"api:slots:{company.pk}")
    _reset_gate()
    results = []
    threads = [
        threading.Thread(target=_call_in_thread, args=(_blocking, user, results)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert _entered.acquire(timeout=10)
    assert client.zcard(f"api:slots:{company.pk}") == 4
    refused = _call(_blocking, user)
    assert refused.status_code == 429
    assert error_of(refused)[0] == 27
    # Another company has its own slots.
    other = make_company("Quiet Org")
    other_user = make_user("quiet", company=other, role="admin")
    assert _call(_failing, other_user).status_code == 500
    _release.set()
    for thread in threads:
        thread.join(10)
    assert results == [200, 200, 200, 200]
    assert client.zcard(f"api:slots:{company.pk}") == 0
    # A failing call gives its slot back too.
    assert _call(_failing, user).status_code == 500
    assert client.zcard(f"api:slots:{company.pk}") == 0
    assert client.zcard(f"api:slots:{other.pk}") == 0


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_limit_falls_back_to_each_process(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.API_CONCURRENCY_LIMIT = 1
    company = make_company("Offline Org")
    user = make_user("offline", company=company, role="admin")
    _reset_gate()
    results = []
    thread = threading.Thread(target=_call_in_thread, args=(_blocking, user, results))
    thread.start()
    assert _entered.acquire(timeout=10)
    assert _call(_blocking, user).status_code == 429
    _release.set()
    thread.join(10)
    assert results == [200]
    _reset_gate()
    threading.Timer(0.05, _release.set).start()
    assert _call(_blocking, user).status_code == 200  # the slot came back


def test_a_remembered_login_ends_when_the_password_changes(alice, company):
    assert api_get(alice, "profiles").status_code == 200  # verified and remembered
    alice.set_password("a-new-password")
    alice.save()
    assert api_get(alice, "profiles").status_code == 401
    assert api_get(basic(alice.email, "a-new-password"), "profiles").status_code == 200
    alice.is_active = False
    alice.save()
    assert api_get(basic(alice.email, "a-new-password"), "profiles").status_code == 401
