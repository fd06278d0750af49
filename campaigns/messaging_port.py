"""What campaigns' pages need from messaging, which messaging registers here.

Message rows and the one send function are messaging's, above campaigns in the layer
order; yet a broadcast's page shows how many segments its sent messages cost and who
waits for their sending window, the composer sends its author a test, and the API's
opt-in through a path runs the path's flow (its welcome). Rather than
move those pages out of campaigns (their URLs, forms and rules are all here), campaigns
calls these few functions through this port, and messaging fills it in
`MessagingConfig.ready()` (messaging.broadcast_reads, messaging.flows). campaigns never
imports messaging.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MessagingPort:
    # broadcast= → {"count": …, "next_opens": …, …}: recipients waiting for the window.
    broadcast_waiting_for_window: Callable[..., dict[str, Any]]
    # broadcast= → {segments: recipients}, from the broadcast's stored messages.
    broadcast_sent_segments: Callable[..., dict[int, int]]
    # company=, campaign=, body=, phone=, actor= → campaigns.broadcast_actions.TestSent;
    # raises campaigns.broadcast_actions.TestSendError.
    broadcast_test_send: Callable[..., Any]
    # company=, profile=, path=, source=, actor= → (Subscription, created): the API's
    # opt-in through a path, which runs the path's flow (messaging.flows); raises
    # campaigns.services_subscriptions.SubscriptionRefused.
    path_opt_in_via_api: Callable[..., Any]


_ports: list[MessagingPort] = []


def messaging_port_register(port: MessagingPort) -> None:
    _ports[:] = [port]


def messaging_port() -> MessagingPort:
    if not _ports:
        raise RuntimeError("messaging has not registered its port (MessagingConfig.ready).")
    return _ports[0]
