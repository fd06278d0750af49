"""The Content-Security-Policy middleware, with the one exception the admin needs.

The policy itself is CONTENT_SECURITY_POLICY in config/settings/base.py, and applies to
every page, the Django admin included (Django's own admin templates have no inline
script or style). django-import-export's admin export page is the exception: its
template has one inline handler (the "Select all" checkbox) and two style attributes.
Rather than 'unsafe-inline', that page alone allows exactly those three snippets by
hash ('unsafe-hashes' admits only handlers and style attributes whose text matches).
"""

import base64
import hashlib
import re

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

# /admin/<app>/<model>/export/ (import_export/templates/admin/import_export/export.html)
_ADMIN_EXPORT_PATH = re.compile(r"^/admin/[a-z0-9_]+/[a-z0-9_]+/export/$")
_ADMIN_EXPORT_HANDLERS = ("onSelectToggleChange(event)",)
_ADMIN_EXPORT_STYLES = ("padding: 0;", "font-weight: bold;")


def _hash(snippet: str) -> str:
    digest = base64.b64encode(hashlib.sha256(snippet.encode()).digest()).decode()
    return f"'sha256-{digest}'"


_ADMIN_EXPORT_UPDATE = {
    "script-src-attr": ["'unsafe-hashes'", *map(_hash, _ADMIN_EXPORT_HANDLERS)],
    "style-src-attr": ["'unsafe-hashes'", *map(_hash, _ADMIN_EXPORT_STYLES)],
}


class PolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        user = getattr(request, "user", None)
        if (
            _ADMIN_EXPORT_PATH.match(request.path_info)
            and user is not None
            and user.is_staff
            and parts.update is None
        ):
            parts.update = _ADMIN_EXPORT_UPDATE
        return parts
