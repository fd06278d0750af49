from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"

    def ready(self) -> None:
        # The bulk opt-out is a job type of core.jobs, which runs jobs by kind.
        from messaging.inbound_handlers import inbound_handler_register

        from . import (
            bulk,  # noqa: F401 (registers its job type)
            conversation_views,  # noqa: F401 (registers the navigation badge)
            revocation_views,  # noqa: F401 (registers the navigation badge)
        )
        from .conversations import conversation_incoming

        # messaging is below the inbox: it calls the conversation rule through its
        # registry instead of importing it.
        inbound_handler_register(conversation_incoming)
