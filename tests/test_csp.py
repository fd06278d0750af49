"""Every page carries a Content-Security-Policy that lets no inline or foreign script run,
and no template brings back an inline script, event handler or style."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.test_tenancy_sweep import LIST_PAGES, acme, object_pages  # noqa: F401 (fixture)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response) -> None:
    policy = policy_of(response)
    path = response.request["PATH_INFO"]
    assert policy["script-src"] == ["'self'"], path
    assert policy["style-src"] == ["'self'"], path
    assert policy["default-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["form-action"] == ["'self'"], path
    assert policy["base-uri"] == ["'self'"], path
    assert policy["img-src"] == ["'self'", "https:"], path
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"], path


@pytest.mark.django_db
def test_every_page_sends_a_csp_with_no_unsafe_inline_in_script_src(client_as, alice, acme):  # noqa: F811  # acme is the imported fixture, by name
    client = client_as(alice)
    reads, _ = object_pages(acme)
    pages = [reverse(name) for name in LIST_PAGES]
    pages += [reverse(name, args=args) for name, args in reads]
    profile = acme["profile"]
    for tab in ("subscriptions", "messages", "custom_fields", "activity", "notes", "donations"):
        pages.append(reverse("profiles:detail", args=[profile.pk]) + f"?tab={tab}")
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 302, 404), path  # 404: an export with no file yet
        assert_strict(response)


@pytest.mark.django_db
def test_the_sign_in_page_the_error_pages_and_the_webhooks_carry_the_policy(client_as, alice):
    assert_strict(Client().get(reverse("login")))
    assert_strict(client_as(alice).get("/no-such-page/"))
    assert_strict(
        Client().post(reverse("messaging:inbound"), b"{}", content_type="application/json")
    )


@pytest.mark.django_db
def test_the_django_admin_is_under_the_same_strict_policy(client_as):
    root = User.objects.create_superuser("root", "root@example.org", "pw-root")
    client = client_as(root)
    for path in ("/admin/", "/admin/profiles/profile/", "/admin/profiles/profile/add/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


@pytest.mark.django_db
def test_the_admin_export_page_allows_only_its_three_snippets_by_hash(client_as, alice):
    root = User.objects.create_superuser("root", "root@example.org", "pw-root")
    response = client_as(root).get("/admin/profiles/profile/export/")
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["script-src-attr"] == [
        "'unsafe-hashes'",
        "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",  # onSelectToggleChange(event)
    ]
    assert policy["style-src-attr"][0] == "'unsafe-hashes'" and len(policy["style-src-attr"]) == 3
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    # The handler the hash admits is the one the page really has.
    assert 'onchange="onSelectToggleChange(event)"' in response.content.decode()
    # Anyone else asking for that path gets the strict policy.
    assert_strict(client_as(alice).get("/admin/profiles/profile/export/"))


# What the policy blocks, so a template that brings one back fails here, not in a browser.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""[\s"'/]on[a-z]+\s*=""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""[\s"']style\s*=""", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
SCRIPT_URL = re.compile(r"(?:javascript|vbscript)\s*:", re.IGNORECASE)
HX_ON = re.compile(r"\bhx-on", re.IGNORECASE)


def _template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_template_scan_sees_every_template():
    names = {str(p.relative_to(TEMPLATES)) for p in _template_files()}
    assert {"base.html", "profiles/detail/_tab_messages.html", "registration/login.html"} <= names


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [
        (INLINE_SCRIPT, "<script>alert(1)</script>"),
        (INLINE_SCRIPT, '<script type="module">x()</script>'),
        (EVENT_HANDLER, '<select onchange="this.form.submit()">'),
        (EVENT_HANDLER, '<img src=x onerror="x()">'),
        (STYLE_ATTRIBUTE, '<span style="width: 5%">'),
        (STYLE_BLOCK, "<style>.a{}</style>"),
        (SCRIPT_URL, '<a href="javascript:history.back()">'),
        (HX_ON, '<button hx-on:click="x()">'),
    ],
)
def test_the_template_scan_catches_what_the_policy_blocks(pattern, sample):
    assert pattern.search(sample)
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert not EVENT_HANDLER.search('<button data-confirm="Opt out?">')


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_an_inline_script_handler_or_style(path):
    text = path.read_text(encoding="utf-8")
    for name, pattern in [
        ("an inline <script> (move it to static/js)", INLINE_SCRIPT),
        ("an inline event handler (add a listener in static/js)", EVENT_HANDLER),
        ("a style attribute (use a class in static/css)", STYLE_ATTRIBUTE),
        ("a <style> block (move it to static/css)", STYLE_BLOCK),
        ("a javascript: or vbscript: URL", SCRIPT_URL),
        ("an hx-on attribute (it runs through eval)", HX_ON),
    ]:
        found = pattern.search(text)
        assert found is None, f"{path.relative_to(TEMPLATES)} has {name}: {found.group(0)!r}"
