from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        # profiles sits below campaigns: an erasure (profiles.services.profile_erase)
        # reaches the one opt-out transition through this registration.
        from profiles.services import opt_out_everywhere_register

        from .opt_outs import profiles_opt_out_set

        opt_out_everywhere_register(profiles_opt_out_set)
