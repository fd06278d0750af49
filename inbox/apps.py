from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"

    def ready(self) -> None:
        from messaging.inbound_handlers import inbound_handler_register

        from . import (
            conversation_views,  # noqa: F401 (registers the navigation badge)
            revocation_views,  # noqa: F401 (registers the navigation badge)
        )
        from .conversations import conversation_incoming

        # messaging is below the inbox: it calls the conversation rule through its
        # registry instead of importing it.
        inbound_handler_register(conversation_incoming)
