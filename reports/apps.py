from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Export types register themselves on import; the profiles CSV ships here.
        from .exports import profiles  # noqa: F401
