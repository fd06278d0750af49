from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        # Subscriptions and donations in the profile's status, tables, page and XML:
        # profiles cannot import campaigns, so campaigns hands them over here.
        from . import profile_parts

        profile_parts.register()
        # The group upload is a job type of core.jobs, which runs jobs by kind.
        from . import group_uploads  # noqa: F401
