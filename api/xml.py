"""Building and rendering the API's XML with lxml's ElementTree API.

lxml rather than the standard library: a page of 1,000 profiles is ~50,000 elements,
and the standard library's pure-Python serializer alone took longer than the whole
page's 300 ms budget.

Every response is `<?xml version="1.0" encoding="UTF-8"?>` followed by one
`<response success="true|false">`. Text from the database can hold characters that
XML 1.0 forbids (control characters pasted from spreadsheets); they are dropped here so
one bad value never makes a whole page unparseable for the client.

Pages of profiles skip the element tree altogether: `esc_text`, `esc_attr` and `leaves`
write the same bytes lxml's serializer writes (its escapes included), as plain strings,
which costs a fraction of building ~45,000 elements and serializing them.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from lxml.etree import Element, SubElement, tostring

from .errors import ApiError

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
CONTENT_TYPE = "application/xml; charset=utf-8"
_FORBIDDEN_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff"
_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CHARS}]")
# What lxml escapes in text, and in attribute values (quoted with ").
_TEXT_SPECIAL = re.compile(f"[&<>\r{_FORBIDDEN_CHARS}]")
_ATTR_SPECIAL = re.compile(f'[&<>"\t\n\r{_FORBIDDEN_CHARS}]')
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def clean_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return fmt_time(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 25.50 → 25.5, 10.00 → 10, never 1E+1
    text = value if isinstance(value, str) else str(value)
    return _FORBIDDEN.sub("", text) if _FORBIDDEN.search(text) else text


def fmt_time(value: datetime | None) -> str:
    """Element dates as the samples show them: `2019-06-21 14:49:40 UTC`."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def fmt_iso(value: datetime | None) -> str:
    """Attribute dates as the samples show them: `2019-06-21T14:49:40Z`."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sub(parent: Element, tag: str, text: Any = None, **attrs: Any) -> Element:
    """Append `<tag attr="...">text</tag>`; None or "" text gives an empty element.

    The hot path of every page (a page of profiles appends ~45,000 elements), so plain
    strings skip `clean_text` unless they hold a forbidden character.
    """
    if attrs:
        element = SubElement(parent, tag, {k: clean_text(v) for k, v in attrs.items()})
    else:
        element = SubElement(parent, tag)
    if text is not None and text != "":
        if type(text) is str and not _FORBIDDEN.search(text):
            element.text = text
        else:
            element.text = clean_text(text) or None
    return element


def esc_text(value: Any) -> str:
    """`value` as element text, escaped as lxml serializes it ("" for None)."""
    text = value if type(value) is str else clean_text(value)
    if _TEXT_SPECIAL.search(text) is None:
        return text  # the common case: nothing to escape
    return _FORBIDDEN.sub("", text).translate(_TEXT_ESCAPES)


def esc_attr(value: Any) -> str:
    """`value` as a double-quoted attribute value, escaped as lxml serializes it."""
    text = value if type(value) is str else clean_text(value)
    if _ATTR_SPECIAL.search(text) is None:
        return text
    return _FORBIDDEN.sub("", text).translate(_ATTR_ESCAPES)


LeafTags = tuple[tuple[str, str, str], ...]


def leaf_tags(*tags: str) -> LeafTags:
    """The open, close and empty forms of each tag, for `leaves`."""
    return tuple((f"<{tag}>", f"</{tag}>", f"<{tag}/>") for tag in tags)


def leaves(tags: LeafTags, values: Sequence[str]) -> str:
    """`<tag>value</tag>` (`<tag/>` when empty) for sibling elements with string values.

    One pattern search over the joined values usually shows that none needs escaping,
    instead of one call per element (a page of 1,000 profiles has ~30,000 of them).
    """
    if _TEXT_SPECIAL.search("".join(values)) is not None:
        values = [esc_text(value) for value in values]
    return "".join(
        [
            start + value + end if value else empty
            for (start, end, empty), value in zip(tags, values, strict=True)
        ]
    )


def tag_text(tag: str, inner: str = "", **attrs: Any) -> str:
    """`<tag attr="...">inner</tag>` with already-serialized `inner`; `<tag .../>` if empty."""
    head = tag + "".join(f' {name}="{esc_attr(value)}"' for name, value in attrs.items())
    return f"<{head}>{inner}</{tag}>" if inner else f"<{head}/>"


def success() -> Element:
    return Element("response", {"success": "true"})


def render(root: Element, status: int = 200) -> HttpResponse:
    body = DECLARATION + tostring(root, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPE)


def render_text(body: str, status: int = 200) -> HttpResponse:
    """A response whose XML was written as text (`leaves`, `tag_text`), not as elements."""
    text = DECLARATION + body
    return HttpResponse(text.encode("utf-8"), status=status, content_type=CONTENT_TYPE)


def error_response(error: ApiError) -> HttpResponse:
    root = Element("response", {"success": "false"})
    SubElement(root, "error", {"id": str(error.code), "message": clean_text(error.message)})
    response = render(root, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Shortcode API", charset="UTF-8"'
    for name, value in error.headers.items():
        response[name] = value
    return response
