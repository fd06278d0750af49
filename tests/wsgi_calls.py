"""A WSGI application called as gunicorn calls it, for the lean paths' tests (the
tracked-link redirect and the providers' webhooks are answered beside Django)."""

from __future__ import annotations

import io
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


def wsgi_call(
    app: Any, path: str, *, method: str = "GET", body: bytes = b"", **extra: Any
) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status code, headers as the application gave them, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **extra,
    }
    seen: dict[str, Any] = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    # What Django's test Client does around its handler: the test's transaction is one
    # connection, which close_old_connections must not close mid-test.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = app(environ, start_response)
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(seen["status"].split()[0]), seen["headers"], content
