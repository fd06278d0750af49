from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        from campaigns.broadcasts import broadcast_generation_register

        from . import broadcast_reads, tasks

        # campaigns' broadcast pages read Message rows and send tests through its port.
        broadcast_reads.register()

        # campaigns schedules broadcasts but may not import messaging (it is below):
        # scheduling a due one starts generation through this registered starter. The
        # task is looked up at call time so that tests can replace its delay().
        broadcast_generation_register(
            lambda broadcast_id: tasks.broadcast_generate.delay(broadcast_id)
        )
