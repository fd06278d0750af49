from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: jobs, periodic-task locks and task publishing for every app.

    An app of its own (first in INSTALLED_APPS) so that the abstract job model and the
    job-type registry exist before any app that declares a job type is loaded.
    """

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Importing the module registers its PRIVATE_ROOT system check.
        from . import private_files  # noqa: F401 (imported for the check it registers)
