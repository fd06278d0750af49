from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        # Messages on the profile page, in Profile Summary and in erasure: profiles
        # cannot import messaging, so messaging hands them over here.
        from . import profile_parts

        profile_parts.register()
        from campaigns.broadcasts import broadcast_generation_register
        from campaigns.messaging_port import MessagingPort, messaging_port_register

        from . import broadcast_reads, flows, tasks

        # campaigns' broadcast pages read Message rows and send tests, and its API opts
        # numbers in through a path's flow, all through its port (campaigns is below).
        messaging_port_register(
            MessagingPort(
                broadcast_waiting_for_window=broadcast_reads.broadcast_waiting_for_window,
                broadcast_sent_segments=broadcast_reads.broadcast_sent_segments,
                broadcast_test_send=broadcast_reads.broadcast_test_sent,
                path_opt_in_via_api=flows.flow_opt_in_via_api,
            )
        )

        # campaigns schedules broadcasts but may not import messaging (it is below):
        # scheduling a due one starts generation through this registered starter. The
        # task is looked up at call time so that tests can replace its delay().
        broadcast_generation_register(
            lambda broadcast_id: tasks.broadcast_generate.delay(broadcast_id)
        )
