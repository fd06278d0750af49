from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        # Messages on the profile page, in Profile Summary and in erasure: profiles
        # cannot import messaging, so messaging hands them over here.
        from . import profile_parts

        profile_parts.register()
