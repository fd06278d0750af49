"""The lean path of the public redirect: GET/HEAD /<token> answered beside Django.

Through Django a redirect cost 0.7–0.9 ms of CPU, nearly all of it the middleware stack
(sessions, CSRF, auth, messages, CSP, tenancy, axes) and the URL resolver, none of
which a redirect needs: it reads no cookie, signs no one in, renders nothing. At 1,000
clicks a second on two cores that was the whole budget. `LinkRedirects` wraps the WSGI
application (config/wsgi.py) and answers a token path itself with the same code as the
view (`links.tokens`, `link_for_code`, `click_record`) and the same headers the
middleware would add; every other request, and any token request it cannot answer
exactly as Django would (a host not in ALLOWED_HOSTS, plain HTTP under
SECURE_SSL_REDIRECT, another method, a lookup that fails), goes to Django unchanged.

Left out on purpose: `Vary: Cookie` (the answer never depends on a cookie, and is
no-store anyway).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.dispatch import receiver
from django.test.signals import setting_changed

from accounts.auth import client_address
from core.lean_wsgi import (
    StartResponse,
    WSGIApp,
    answerable,
    in_request_cycle,
    referrer_policy,
    security_headers,
    sts_headers,
)

from . import services
from .services import click_record, link_for_code
from .tokens import TOKEN_PATTERN, token_parse, token_valid

logger = logging.getLogger(__name__)

_PATH = re.compile(rf"^/({TOKEN_PATTERN})$")
_NOT_FOUND_BODY = b"Not found"

_headers: dict[str, list[tuple[str, str]]] | None = None


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _headers
    _headers = None


def _prepared() -> dict[str, list[tuple[str, str]]]:
    global _headers
    if _headers is None:
        common = security_headers()
        redirect = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "no-store"),  # every visit is a click to count
            ("Referrer-Policy", "no-referrer"),  # the token stays ours
            ("Content-Length", "0"),
            *common,
        ]
        not_found = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(_NOT_FOUND_BODY))),
            *common,
        ]
        if referrer := referrer_policy():
            not_found.append(("Referrer-Policy", referrer))
        _headers = {"302": redirect, "404": not_found}
    return _headers


class _Meta:
    """Enough of an HttpRequest for `accounts.auth.client_address` (it reads META only,
    and a WSGI environ is what Django's META is made of)."""

    __slots__ = ("META",)

    def __init__(self, environ: dict[str, Any]) -> None:
        self.META = environ


def _in_request_cycle(function: Callable[..., Any], /, **kwargs: Any) -> Any:
    """A link not yet in this process's memory, or a click stored directly while Redis
    is away: a database step, with a request's connection care."""
    return in_request_cycle(LinkRedirects, function, **kwargs)


class LinkRedirects:
    """WSGI middleware: the redirect's lean path in front of Django's application."""

    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method == "GET" or method == "HEAD":
            match = _PATH.match(environ.get("PATH_INFO", ""))
            if match is not None:
                answer = self._redirect(environ, match.group(1), head=method == "HEAD")
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [] if method == "HEAD" else [body]
        return self.application(environ, start_response)

    def _redirect(
        self, environ: dict[str, Any], token: str, *, head: bool
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """(status, headers, body), or None to let Django answer."""
        if not answerable(environ):
            return None  # Django's 301 to https, or its 400 for a host not allowed
        prepared = _prepared()
        sts = sts_headers(environ)
        parsed = token_parse(token)
        if parsed is None:  # the pattern matched, so never; Django would agree
            return None
        try:
            link = services._SEEN.get(parsed.code)  # links never change: process memory
            if link is None:
                link = _in_request_cycle(link_for_code, code=parsed.code)
        except Exception:  # noqa: BLE001 (Django answers it: same view, its own 500 handling)
            logger.exception("lean redirect lookup failed; handing the request to Django")
            return None
        if link is None or not token_valid(parsed, link_id=link.id):
            # A stream of forged tokens must not become a stream of log lines.
            return "404 Not Found", [*prepared["404"], *sts], _NOT_FOUND_BODY
        if not link.url.startswith(("https://", "http://")):
            return None  # Django's DisallowedRedirect (links are http(s): never here)
        if not head:  # a HEAD (link previews, scanners) is not a click
            click = {
                "link": link,
                "profile_id": parsed.profile_id,
                "token": token,
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
                "remote_addr": client_address(_Meta(environ)),  # type: ignore[arg-type]  # reads only .META, all _Meta has
                "referer": environ.get("HTTP_REFERER", ""),
            }
            if services.click_queue() is None:  # stored directly: a database write
                _in_request_cycle(click_record, **click)
            else:
                click_record(**click)
        headers = [("Location", _location(link.url)), *prepared["302"], *sts]
        return "302 Found", headers, b""


def _location(url: str) -> str:
    """HttpResponseRedirect's Location: IRI to URI, as HttpResponse headers store it,
    latin-1-safe for the WSGI server."""
    from django.utils.encoding import iri_to_uri

    return iri_to_uri(url)
