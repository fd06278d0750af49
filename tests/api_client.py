"""Calling the XML API in tests as a Mobile Commons client would, and reading its answers."""

import base64
from typing import Any
from xml.etree import ElementTree

from django.test import Client


def basic(username: str, password: str | None = None) -> dict[str, str]:
    raw = f"{username}:{password if password is not None else 'pw-' + username}"
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(raw.encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _auth(user_or_auth: Any) -> dict[str, str]:
    """A user signs in with their login email (seed 004), or pass ready-made headers."""
    if isinstance(user_or_auth, dict):
        return user_or_auth
    return basic(user_or_auth.email, "pw-" + user_or_auth.username)


def api_get(user_or_auth: Any, endpoint: str, params: Any = None, **extra: Any):
    auth = _auth(user_or_auth)
    return Client().get(f"/api/{endpoint}", params or {}, **{**auth, **extra})


def api_post(user_or_auth: Any, endpoint: str, data: Any = None, **extra: Any):
    auth = _auth(user_or_auth)
    return Client().post(f"/api/{endpoint}", data or {}, **{**auth, **extra})


def xml(response) -> ElementTree.Element:
    """The parsed <response>, after checking the declaration and content type."""
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>'), body[:200]
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own server's output)


def error_of(response) -> tuple[int, str]:
    root = xml(response)
    assert root.tag == "response" and root.get("success") == "false", response.content[:300]
    error = root.find("error")
    assert error is not None, response.content[:300]
    code = error.get("id")
    assert code is not None, response.content[:300]
    return int(code), error.get("message", "")


def ok(response) -> ElementTree.Element:
    root = xml(response)
    assert response.status_code == 200, response.content[:500]
    assert root.get("success") == "true", response.content[:500]
    return root


def shape(element: ElementTree.Element, prefix: str = "") -> set[str]:
    """Every element path and attribute of a tree: `profile/first_name`, `profile@id`."""
    path = f"{prefix}/{element.tag}" if prefix else element.tag
    paths = {path} | {f"{path}@{name}" for name in element.attrib}
    for child in element:
        paths |= shape(child, path)
    return paths


def sample(text: str) -> ElementTree.Element:
    """A seed sample response (tests/api_samples.py), parsed."""
    return ElementTree.fromstring(text.split("?>", 1)[1])  # noqa: S314 (fixed test data)
