from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Companies and their users"

    def ready(self) -> None:
        # core has no app of its own: importing the module registers its PRIVATE_ROOT check.
        from core import private_files  # noqa: F401
