from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        # The group upload is a job type of core.jobs, which runs jobs by kind.
        from . import group_uploads  # noqa: F401
