from django.apps import AppConfig
from django.core import checks


class ShortcodeConfig(AppConfig):
    """The project itself: registers its deployment checks."""

    name = "config"
    label = "shortcode"
    verbose_name = "Shortcode"

    def ready(self) -> None:
        from .checks import database_check, deploy_settings_check

        checks.register(database_check)
        checks.register(deploy_settings_check, checks.Tags.security, deploy=True)
