from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Export types register themselves on import; the kinds that ship are here.
        from .exports import messages, profiles  # noqa: F401  # imported for their registration
