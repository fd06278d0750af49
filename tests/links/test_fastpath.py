"""The redirect's lean WSGI path (links/fastpath.py, wrapped around Django in
config/wsgi.py): the same answers as the view through the full stack, and every other
request still Django's."""

import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from config.wsgi import application
from links import services
from links.fastpath import LinkRedirects
from links.models import Click, TrackedLink
from links.services import CLICK_QUEUE, click_queue
from links.tokens import token_for, token_parse
from messaging.models import Message
from tests import factories
from tests.wsgi_calls import wsgi_call

from .builders import URL, path_of, sent_broadcast, short_url_of

pytestmark = pytest.mark.django_db

# Not sent by the lean path: the answer never depends on a cookie (and is no-store).
IGNORED = {"vary"}


@pytest.fixture
def fresh_process():
    """A process that has seen no link yet and believes Redis is up."""
    services._SEEN.clear()
    services._redis_down_until = 0.0
    services._client = None
    yield
    services._SEEN.clear()
    services._redis_down_until = 0.0
    services._client = None


def call(path, *, method="GET", app=application, **extra):
    """The WSGI application as gunicorn calls it: (status code, headers, body)."""
    return wsgi_call(app, path, method=method, **extra)


def as_dict(headers):
    return {name.lower(): value for name, value in headers if name.lower() not in IGNORED}


def through_django(path, *, method="GET", **extra):
    response = getattr(Client(), method.lower())(path, **extra)
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in IGNORED}
    return response.status_code, headers, response.content


@pytest.fixture
def tokens(company):
    ana, bo = factories.make_profile(company), factories.make_profile(company)
    broadcast = sent_broadcast(company, [ana, bo])
    link = TrackedLink.objects.get(broadcast=broadcast)
    good = path_of(short_url_of(Message.objects.get(broadcast=broadcast, profile=ana)))
    check = token_parse(good.lstrip("/")).check
    return {
        "ana": ana,
        "link": link,
        "good": good,
        "forged": f"/{link.code}{bo.pk:x}{check}",  # Ana's check digits on Bo's id
        "unknown": "/zzzzzz",
        "unknown_with_profile": f"/zzzzzz{ana.pk:x}{check}",
    }


def test_a_good_token_answers_the_views_302_and_records_one_click(
    tokens, requires_redis, fresh_process, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    status, headers, body = call(
        tokens["good"],
        HTTP_USER_AGENT="Mozilla/5.0 (Phone)",
        HTTP_REFERER="https://chat.example/",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
        REMOTE_ADDR="10.0.0.1",
    )
    assert (status, body) == (302, b"")
    lean = as_dict(headers)
    assert lean["location"] == URL
    assert lean["cache-control"] == "no-store"
    assert lean["referrer-policy"] == "no-referrer"
    assert lean["x-content-type-options"] == "nosniff"
    assert "sessionid" not in lean.get("set-cookie", "")
    click = Click.objects.get()  # the first click queued the drain, which stored it
    assert click.profile == tokens["ana"]
    assert click.remote_addr == "203.0.113.9"  # TRUSTED_PROXY_COUNT, as the view reads it
    assert (click.user_agent, click.referer) == ("Mozilla/5.0 (Phone)", "https://chat.example/")
    assert click.token == tokens["good"].lstrip("/")
    # Byte for byte the view's answer through the middleware stack (Vary aside).
    assert (status, lean, body) == through_django(tokens["good"])


@pytest.mark.parametrize("which", ["forged", "unknown", "unknown_with_profile"])
def test_forged_and_unknown_tokens_answer_the_views_plain_404(
    tokens, requires_redis, fresh_process, which
):
    status, headers, body = call(tokens[which])
    assert (status, body) == (404, b"Not found")
    assert as_dict(headers)["content-type"] == "text/plain; charset=utf-8"
    assert (status, as_dict(headers), body) == through_django(tokens[which])
    assert not Click.objects.exists()
    assert click_queue().llen(CLICK_QUEUE) == 0


def test_a_head_redirects_with_the_same_headers_and_no_click(tokens, requires_redis, fresh_process):
    status, headers, body = call(tokens["good"], method="HEAD")
    assert (status, body) == (302, b"")
    assert as_dict(headers) == through_django(tokens["good"], method="HEAD")[1]
    assert not Click.objects.exists()
    assert click_queue().llen(CLICK_QUEUE) == 0


def test_https_behind_a_proxy_gets_hsts_like_django(tokens, requires_redis, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    status, headers, _ = call(tokens["good"], method="HEAD", HTTP_X_FORWARDED_PROTO="https")
    assert status == 302
    assert as_dict(headers)["strict-transport-security"] == "max-age=3600"
    assert (
        as_dict(headers)
        == through_django(tokens["good"], method="HEAD", HTTP_X_FORWARDED_PROTO="https")[1]
    )


def test_requests_the_lean_path_cannot_answer_exactly_go_to_django(
    tokens, requires_redis, settings
):
    # Another method: the view's 405.
    assert call(tokens["good"], method="POST")[0] == 405
    # A host outside ALLOWED_HOSTS: Django's 400.
    assert call(tokens["good"], HTTP_HOST="evil.example")[0] == 400
    # Plain HTTP under SECURE_SSL_REDIRECT: Django's 301 to https (a new handler: the
    # middleware reads its settings when built).
    settings.SECURE_SSL_REDIRECT = True
    status, headers, _ = call(tokens["good"], app=LinkRedirects(WSGIHandler()))
    assert status == 301
    assert as_dict(headers)["location"] == f"https://testserver{tokens['good']}"
    assert not Click.objects.exists()


def test_paths_that_are_not_tokens_still_reach_django(tokens, monkeypatch):
    lean = []
    original = LinkRedirects._redirect

    def spy(self, environ, token, **kwargs):
        lean.append(environ["PATH_INFO"])
        return original(self, environ, token, **kwargs)

    monkeypatch.setattr(LinkRedirects, "_redirect", spy)
    status, headers, body = call("/accounts/login/")
    assert status == 200
    assert b"<form" in body  # Django's sign-in page, rendered by the full stack
    assert "csrftoken" in as_dict(headers).get("set-cookie", "")
    status, headers, _ = call("/profiles/")
    assert status == 302  # LoginRequiredMiddleware ran
    assert as_dict(headers)["location"].startswith("/accounts/login/")
    # Static files are whitenoise's and Django's: the same answer as through the stack.
    static = call("/static/css/app.css", method="HEAD")
    assert static[0] == through_django("/static/css/app.css", method="HEAD")[0]
    # Near misses of the pattern: a trailing slash, a query-less path with a non-hex
    # digit, too short a code.
    good = tokens["good"]
    for path in (f"{good}/", f"{good[:-1]}x", "/abc12", f"/x{good}"):
        call(path)
    assert lean == []  # none of these went through the lean path
    assert call(good, method="HEAD")[0] == 302
    assert lean == [good]
    assert not Click.objects.exists()


def test_without_redis_the_redirect_answers_and_stores_the_click_directly(
    tokens, requires_redis, fresh_process, settings
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    status, headers, _ = call(tokens["good"])
    assert status == 302
    assert as_dict(headers)["location"] == URL
    click = Click.objects.get()
    assert click.profile == tokens["ana"]
    # Backing off: the next clicks do not wait on Redis, and are stored as well.
    assert services.click_queue() is None
    assert call(tokens["good"])[0] == 302
    assert Click.objects.count() == 2


def test_with_redis_and_the_database_away_the_redirect_still_answers(
    tokens, requires_redis, fresh_process, settings, monkeypatch
):
    call(tokens["good"], method="HEAD")  # the link is now in process memory
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    def database_down(entries):
        raise RuntimeError("database away")

    monkeypatch.setattr(services, "clicks_store", database_down)
    dropped = services._dropped
    assert call(tokens["good"])[0] == 302
    assert services._dropped == dropped + 1  # counted and logged, not raised


def test_the_drain_is_queued_only_by_the_first_click_into_an_empty_list(
    tokens, requires_redis, fresh_process, monkeypatch
):
    queued = []
    from links import tasks

    monkeypatch.setattr(tasks.clicks_drain, "apply_async", lambda **kw: queued.append(kw))
    for _ in range(3):
        assert call(tokens["good"])[0] == 302
    assert len(queued) == 1
    entries = [json.loads(line) for line in click_queue().lrange(CLICK_QUEUE, 0, -1)]
    assert [e["p"] for e in entries] == [tokens["ana"].pk] * 3
    assert len({e["k"] for e in entries}) == 3  # one key per click: stored once each
    link = tokens["link"]
    assert tokens["good"] == "/" + token_for(
        link_id=link.pk, code=link.code, profile_id=tokens["ana"].pk
    )


def test_a_drain_that_stops_with_clicks_left_queues_the_next_one(
    company, requires_redis, monkeypatch
):
    from links import tasks
    from links.services import clicks_drain

    ana = factories.make_profile(company)
    link = TrackedLink.objects.get(broadcast=sent_broadcast(company, [ana]))
    queued = []
    monkeypatch.setattr(tasks.clicks_drain, "apply_async", lambda **kw: queued.append(kw))
    entries = [
        {"k": f"{n:032x}", "l": link.pk, "c": company.pk, "p": ana.pk, "tok": "t", "at": 1.7e9}
        for n in range(7)
    ]
    click_queue().rpush(CLICK_QUEUE, *[json.dumps(e) for e in entries])
    # Past max_batches: stopped with clicks left, so it queues the next drain (no RPUSH
    # into the non-empty list would).
    assert clicks_drain(batch=2, max_batches=2) == {"stored": 4, "batches": 2}
    assert queued == [{"countdown": 1}]
    # Caught up (a short batch) and nothing left: no drain queued.
    assert clicks_drain(batch=5) == {"stored": 3, "batches": 1}
    assert queued == [{"countdown": 1}]
    assert Click.objects.count() == 7
