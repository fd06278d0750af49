"""Render a URL from outside only when it is safe; anything else renders as nothing.

Stored values are not trusted even though the services now check them: rows written
before the check (or by a path that forgot it) must still be inert in an href or src.
"""

from django import template

from core.safe_urls import external_url_is_safe, site_or_external_url_is_safe

register = template.Library()


@register.filter
def safe_external_url(value: object) -> str:
    """The value when it is an http(s) URL with a host, else ""."""
    return value if external_url_is_safe(value) else ""


@register.filter
def safe_url(value: object) -> str:
    """Like safe_external_url, but also a path on this site (a stored file's URL)."""
    return value if site_or_external_url_is_safe(value) else ""


@register.filter
def safe_image_url(value: object) -> str:
    """An https URL (or a path on this site) for an <img src>, else "".

    The Content-Security-Policy loads images from https origins only (img-src 'self'
    https:), so an http link is offered as a link, never as an image the policy blocks.
    """
    if not site_or_external_url_is_safe(value):
        return ""
    text = str(value)
    return text if text.startswith("/") or text[:8].lower() == "https://" else ""
