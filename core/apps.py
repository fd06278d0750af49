from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: jobs, periodic-task locks and task publishing for every app.

    An app of its own (first in INSTALLED_APPS) so that the abstract job model and the
    job-type registry exist before any app that declares a job type is loaded.
    """

    name = "core"
    verbose_name = "Core"
