"""Named people, as the tests speak of them.

alice is an Admin, bob an Agent, charlie a Staff reader and dana an Analyst of Acme
Action; eve is an Admin of another company and must never see Acme's data.
"""

import contextlib
import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connections
from django.test import Client

from tests import factories

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _own_cache():
    """Every test starts and ends with an empty cache, so a sign-in lockout, throttle,
    lock or presence key one test leaves in Redis never decides another test."""
    _caches_clear()
    yield
    _caches_clear()


def _caches_clear() -> None:
    from django.core.cache import caches

    for backend in caches.all(initialized_only=True):
        # An unreachable cache (a test that stopped its Redis) holds nothing to leak.
        with contextlib.suppress(Exception):
            backend.clear()


@pytest.fixture
def requires_redis() -> str:
    """Tests that need a real Redis: a missing Redis fails the test, never skips it."""
    url = os.environ.get("REDIS_URL", "")
    if url and _reachable(url, 6379):
        return url
    pytest.fail("this test needs Redis: set REDIS_URL to a running server")


@pytest.fixture
def company(db):
    return factories.make_company("Acme Action", short_code="22822")


@pytest.fixture
def other_company(db):
    return factories.make_company("Other Org", short_code="73223")


@pytest.fixture
def alice(company):
    return factories.make_user("alice", company=company, role="admin", first_name="Alice")


@pytest.fixture
def bob(company):
    return factories.make_user("bob", company=company, role="agent", first_name="Bob")


@pytest.fixture
def charlie(company):
    return factories.make_user("charlie", company=company, role="staff", first_name="Charlie")


@pytest.fixture
def dana(company):
    return factories.make_user("dana", company=company, role="analyst", first_name="Dana")


@pytest.fixture
def eve(other_company):
    return factories.make_user("eve", company=other_company, role="admin", first_name="Eve")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_as():
    """client_as(alice) → a test client signed in as alice."""
    return _client_for


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(path):
        pytest.fail(
            f"browser tests need chromium at {path}: run `make browser` (apt-get install chromium)"
        )
    return path


@pytest.fixture
def browser(chromium_path, live_server):
    """A headless Debian chromium driven by Playwright (no downloaded browser)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()
        # Once Playwright has started, the test runs in another context, where Django
        # opens a second connection that the database teardown never sees. Left open,
        # it keeps the test database from being dropped at the end of the run.
        connections.close_all()


@pytest.fixture
def page_as(browser, live_server, settings):
    """page_as(alice) → a Playwright page signed in as alice at the live server."""
    from tests.browser import fail_on_csp_refusals, watch_csp

    settings.CELERY_TASK_ALWAYS_EAGER = True
    contexts = []
    refusals: list[list[str]] = []

    def _page(user, password: str | None = None, **context_options):
        # context_options: Playwright's, e.g. a phone's viewport and has_touch=True.
        context = browser.new_context(
            base_url=live_server.url, accept_downloads=True, **context_options
        )
        contexts.append(context)
        # Every browser test proves its pages work under the Content-Security-Policy.
        refusals.append(watch_csp(context))
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password or "pw-" + user.username)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        return page

    yield _page
    for context in contexts:
        context.close()
    fail_on_csp_refusals([text for found in refusals for text in found])
