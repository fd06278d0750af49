from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        # profiles cannot import campaigns: campaigns hands over what profiles shows
        # (subscriptions and donations in the status, tables, page and XML) and the one
        # opt-out transition an erasure (profiles.services.profile_erase) runs.
        from profiles.services import opt_out_everywhere_register

        # The group upload is a job type of core.jobs, which runs jobs by kind.
        from . import (
            group_uploads,  # noqa: F401 (registers its job type)
            profile_parts,
        )
        from .opt_outs import profiles_opt_out_set

        profile_parts.register()
        opt_out_everywhere_register(profiles_opt_out_set)
