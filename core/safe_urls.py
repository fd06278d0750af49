"""The one rule for URLs that come from outside (carriers' media, avatar links, data files).

Such a URL ends up in an `href` or `src`, so a `javascript:`, `data:` or `vbscript:` value
would run in a signed-in user's session. Only absolute http(s) URLs with a host are kept;
whitespace and control characters are refused outright, because browsers strip them
before reading the scheme (" javascript:" and "java\\tscript:" both run).

Every service that stores such a URL calls `external_url_clean`; templates render stored
values through the `safe_external_url` filter (profiles/templatetags/safe_urls.py), so a
value stored before this rule existed is inert too.
"""

from typing import TypeGuard
from urllib.parse import urlsplit

from core.errors import ServiceError

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Browsers and carriers handle far longer URLs, but a media or avatar link past this is
# not a link a person or a carrier sends; callers pass their column's length when smaller.
MAX_URL_LENGTH = 2048


class UnsafeUrlError(ServiceError, ValueError):
    """The URL may not be stored or rendered; the message says why, for the user."""


def external_url_clean(value: str, *, max_length: int | None = MAX_URL_LENGTH) -> str:
    """`value` as stored when it is a safe http(s) URL, "" for "", else UnsafeUrlError.

    `max_length` is the column's (a model field's `max_length`); None means MAX_URL_LENGTH.

    The value is not stripped or repaired: a URL with surrounding whitespace is refused,
    so what is stored is exactly what was checked.
    """
    if not isinstance(value, str):
        raise UnsafeUrlError("The link must be text.")
    if value == "":
        return ""
    max_length = max_length or MAX_URL_LENGTH
    if len(value) > max_length:
        raise UnsafeUrlError(f"The link is longer than {max_length} characters.")
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        raise UnsafeUrlError("The link may not contain spaces or control characters.")
    if "\\" in value:
        # Browsers read "https:\\evil" as "https://evil"; no honest link needs it.
        raise UnsafeUrlError("The link may not contain backslashes.")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise UnsafeUrlError("The link is not a valid URL.") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeUrlError("The link must start with http:// or https://.")
    if not parts.hostname or not value[len(parts.scheme) + 1 :].startswith("//"):
        raise UnsafeUrlError("The link must name a host, as in https://example.com/image.jpg.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrlError("The link may not contain a user name or password.")
    if port == 0:
        raise UnsafeUrlError("The link is not a valid URL.")
    return value


def external_url_is_safe(value: object) -> TypeGuard[str]:
    """Whether a stored value may be put in an href or src (the render-side check)."""
    if not isinstance(value, str) or not value:
        return False
    try:
        external_url_clean(value)
    except UnsafeUrlError:
        return False
    return True


def site_or_external_url_is_safe(value: object) -> TypeGuard[str]:
    """A safe external URL, or a path on this site such as a stored file's "/media/…"."""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        return not any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in value)
    return external_url_is_safe(value)
