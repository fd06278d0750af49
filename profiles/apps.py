from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles and companies"

    def ready(self) -> None:
        from . import private_files  # noqa: F401 (registers the PRIVATE_ROOT check)
