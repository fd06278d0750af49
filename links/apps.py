from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "links"
    verbose_name = "Tracked links"

    def ready(self) -> None:
        # Clicks in the profile's XML and activity feed: profiles cannot import links,
        # so links hands them over here.
        from . import profile_parts

        profile_parts.register()
