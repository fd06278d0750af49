from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"

    def ready(self) -> None:
        # The bulk opt-out is a job type of core.jobs, which runs jobs by kind.
        from . import (
            bulk,  # noqa: F401
            conversation_views,  # noqa: F401 (registers the navigation badge)
            revocation_views,  # noqa: F401 (registers the navigation badge)
        )
