"""The sidebar. An entry shows when its URL exists and the user's role allows it."""

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .tenancy import Perm, has_perm

NAV: dict[str, list[tuple[str, str, Perm]]] = {
    "home": [
        ("Profiles", "profiles:list", Perm.VIEW),
        ("Profile Analysis", "reports:analysis_list", Perm.VIEW),
        ("Reports", "reports:index", Perm.VIEW),
    ],
    "campaigns": [
        ("Campaigns", "campaigns:list", Perm.VIEW),
        ("Broadcasts", "campaigns:broadcast_list", Perm.VIEW),
        ("Groups", "campaigns:group_list", Perm.VIEW),
    ],
    "messaging": [
        ("Inbox", "inbox:index", Perm.VIEW),
        ("Manual Opt-Out", "inbox:bulk_opt_out", Perm.MANAGE),
    ],
    "settings": [
        ("Company", "profiles:company_settings", Perm.MANAGE),
        ("Custom fields", "profiles:custom_fields", Perm.MANAGE),
        ("API tokens", "profiles:api_tokens", Perm.MANAGE),
        ("Users", "profiles:users", Perm.MANAGE),
        ("Sending numbers", "messaging:channels", Perm.MANAGE),
    ],
}


def _badges(request: HttpRequest) -> dict[str, str]:
    """Counts beside entries ("Inbox 12"), from apps whose config has `nav_badges`.

    The apps own their counts (the inbox's unread conversations), so this lower layer
    asks them through the app registry instead of importing them.
    """
    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        provider = getattr(config, "nav_badges", None)
        if provider is not None:
            found.update(provider(request))
    return found


def nav_items(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = getattr(request, "role", None)
    path = request.path
    sections: dict[str, list[dict[str, Any]]] = {}
    badges = _badges(request)
    for section, entries in NAV.items():
        items = []
        for label, name, perm in entries:
            if not has_perm(role, perm):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            items.append(
                {
                    "label": label,
                    "url": url,
                    "active": path.startswith(url),
                    "badge": badges.get(name, ""),
                }
            )
        sections[section] = items
    # Only the longest matching entry is active: /profiles/users/ is Users, not Profiles.
    matches = [i for items in sections.values() for i in items if i["active"]]
    if len(matches) > 1:
        best = max(matches, key=lambda i: len(i["url"]))
        for item in matches:
            item["active"] = item is best
    return {"nav_items": sections}
