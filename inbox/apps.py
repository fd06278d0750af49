from typing import Any

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"

    def nav_badges(self, request: Any) -> dict[str, str]:
        """The menu's Inbox count: conversations needing a reply with unread texts."""
        from profiles.tenancy import Perm, has_perm  # app registry: models load after

        from .selectors import NAV_COUNT_CAP, inbox_unread_count

        company = getattr(request, "company", None)
        if company is None or not has_perm(getattr(request, "role", None), Perm.VIEW):
            return {}
        count = inbox_unread_count(company=company)
        if not count:
            return {}
        return {"inbox:index": f"{NAV_COUNT_CAP}+" if count > NAV_COUNT_CAP else str(count)}
