"""The sidebar. An entry shows when its URL exists and the user's role allows it."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .tenancy import Perm, TenantRequest, has_perm

NAV: dict[str, list[tuple[str, str, Perm]]] = {
    "home": [
        ("Profiles", "profiles:list", Perm.VIEW),
        ("Profile Analysis", "reports:analysis_list", Perm.VIEW),
        ("Reports", "reports:index", Perm.VIEW),
        ("Revocations", "inbox:revocation_report", Perm.VIEW),
    ],
    "campaigns": [
        ("Campaigns", "campaigns:list", Perm.VIEW),
        ("Broadcasts", "campaigns:broadcast_list", Perm.VIEW),
        ("Groups", "campaigns:group_list", Perm.VIEW),
    ],
    "messaging": [
        ("Inbox", "inbox:index", Perm.VIEW),
        ("Opt-out review", "inbox:opt_out_review", Perm.OPT_OUT_ONE),
        ("Manual Opt-Out", "inbox:bulk_opt_out", Perm.MANAGE),
    ],
    "settings": [
        ("Company", "accounts:company_settings", Perm.MANAGE),
        ("Custom fields", "profiles:custom_fields", Perm.MANAGE),
        ("API tokens", "accounts:api_tokens", Perm.MANAGE),
        ("Users", "accounts:users", Perm.MANAGE),
        ("Sending numbers", "messaging:channels", Perm.MANAGE),
    ],
}


# Counts beside an entry ({"count": 3, "unit": "waiting", "alert": "1 escalated"}), given by
# the app that owns the page (registered in its AppConfig.ready), so this bottom layer
# imports none of them. A badge function returns None when there is nothing to show.
NavBadge = Callable[[HttpRequest], dict[str, Any] | None]
NAV_BADGES: dict[str, NavBadge] = {}


def nav_badge(url_name: str) -> Callable[[NavBadge], NavBadge]:
    def register(function: NavBadge) -> NavBadge:
        NAV_BADGES[url_name] = function
        return function

    return register


_URLS: dict[tuple[str, str, str], str | None] = {}


def _nav_url(name: str) -> str | None:
    """reverse(name), or None where the URL does not exist; remembered per URLconf and
    prefix (these names take no arguments, and every page shows all of them)."""
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix(), name)
    if key not in _URLS:
        try:
            _URLS[key] = reverse(name)
        except NoReverseMatch:
            _URLS[key] = None
    return _URLS[key]


def nav_items(request: TenantRequest) -> dict[str, Any]:
    # Once per request, however many templates render with a RequestContext (see
    # accounts.tenancy.company_context).
    cached = getattr(request, "_nav_items", None)
    if cached is None:
        cached = request._nav_items = _nav_items(request)
    return cached


def _nav_items(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = getattr(request, "role", None)
    path = request.path
    sections: dict[str, list[dict[str, Any]]] = {}
    for section, entries in NAV.items():
        items = []
        for label, name, perm in entries:
            if not has_perm(role, perm):
                continue
            url = _nav_url(name)
            if url is None:
                continue
            badge = NAV_BADGES[name](request) if name in NAV_BADGES else None
            items.append(
                {"label": label, "url": url, "active": path.startswith(url), "badge": badge}
            )
        sections[section] = items
    # Only the longest matching entry is active: /profiles/users/ is Users, not Profiles.
    matches = [i for items in sections.values() for i in items if i["active"]]
    if len(matches) > 1:
        best = max(matches, key=lambda i: len(i["url"]))
        for item in matches:
            item["active"] = item is best
    return {"nav_items": sections}
