from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Export types register themselves on import; the kinds that ship are here.
        # Job types of core.jobs: core runs and sweeps jobs by kind, so the kinds
        # register themselves with it (core may not import the apps above it).
        from . import analyses, services  # noqa: F401 (imported for the kinds they register)
        from .exports import messages, profiles  # noqa: F401 (imported for the kinds they register)
