from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"

    def ready(self) -> None:
        from . import (
            conversation_views,  # noqa: F401 (registers the navigation badge)
            revocation_views,  # noqa: F401 (registers the navigation badge)
        )
