"""What the lean WSGI paths share (links/fastpath.py, messaging/webhook_fastpath.py).

A lean path answers a few hot requests beside Django, without the middleware stack or
the URL resolver, and must answer them exactly as Django would: the same host check
(ALLOWED_HOSTS), the same https test (SECURE_PROXY_SSL_HEADER), the same headers the
security, clickjacking and CSP middleware add, and the same care of the database
connection (request_started / request_finished). These are those rules, read from the
settings once (and again when a test changes a setting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from csp.utils import build_policy
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.http.request import split_domain_port, validate_host
from django.test.signals import setting_changed

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_security: list[tuple[str, str]] | None = None
_sts: list[tuple[str, str]] | None = None

# Host header → allowed (ALLOWED_HOSTS), remembered: a few distinct values in practice.
_hosts: dict[str, bool] = {}
_HOSTS_MAX = 256


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _security, _sts
    _security = _sts = None
    _hosts.clear()


def security_headers() -> list[tuple[str, str]]:
    """What SecurityMiddleware (but Referrer-Policy and HSTS), XFrameOptionsMiddleware
    and the CSP middleware add to any answer (built once: they depend on settings only)."""
    global _security
    if _security is None:
        headers = []
        policy = build_policy()
        if policy:
            headers.append(("Content-Security-Policy", policy))
        report_only = build_policy(report_only=True)  # "" unless a report-only policy is set
        if report_only:
            headers.append(("Content-Security-Policy-Report-Only", report_only))
        if settings.X_FRAME_OPTIONS:
            headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()))
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append(("X-Content-Type-Options", "nosniff"))
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            headers.append(
                ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY)
            )
        _security = headers
    return _security


def referrer_policy() -> str:
    """SecurityMiddleware's Referrer-Policy value ("" when none is set)."""
    policy = settings.SECURE_REFERRER_POLICY
    if not policy:
        return ""
    parts = policy.split(",") if isinstance(policy, str) else policy
    return ",".join(part.strip() for part in parts)


def sts_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """SecurityMiddleware's Strict-Transport-Security, on https answers only."""
    global _sts
    if not is_secure(environ):
        return []
    if _sts is None:
        _sts = []
        if settings.SECURE_HSTS_SECONDS:
            value = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                value += "; preload"
            _sts = [("Strict-Transport-Security", value)]
    return _sts


def is_secure(environ: dict[str, Any]) -> bool:
    """HttpRequest.is_secure(), from the environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",")[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def answerable(environ: dict[str, Any]) -> bool:
    """False when Django answers the request before any view would: plain HTTP under
    SECURE_SSL_REDIRECT (its 301) or a host outside ALLOWED_HOSTS (its 400 and its
    DisallowedHost log line). A lean path hands those to Django."""
    if settings.SECURE_SSL_REDIRECT and not is_secure(environ):
        return False
    return host_allowed(environ)


def host_allowed(environ: dict[str, Any]) -> bool:
    """HttpRequest.get_host()'s check."""
    host = _host(environ)
    allowed = _hosts.get(host)
    if allowed is None:
        if len(_hosts) >= _HOSTS_MAX:
            _hosts.clear()
        allowed = _hosts[host] = _validate(host)
    return allowed


def _host(environ: dict[str, Any]) -> str:
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    elif "HTTP_HOST" in environ:
        host = environ["HTTP_HOST"]
    else:
        host = environ.get("SERVER_NAME", "")
        port = str(environ.get("SERVER_PORT", ""))
        default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
        if port and port != default:
            host = f"{host}:{port}"
    return host


def _validate(host: str) -> bool:
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def in_request_cycle(sender: Any, function: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Run a step that reads or writes the database between request_started and
    request_finished, so its connection gets the care a Django request gives it
    (close_old_connections: broken or expired connections closed)."""
    request_started.send(sender=sender)
    try:
        return function(**kwargs)
    finally:
        request_finished.send(sender=sender)
