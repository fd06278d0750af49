"""The inbound-handler registry: messaging calls the apps above it without importing them."""

import messaging.inbound_handlers as registry
from inbox.conversations import conversation_incoming
from messaging.inbound_handlers import (
    inbound_handler_register,
    inbound_handlers,
    inbound_handlers_run,
)


def test_the_inbox_registers_its_conversation_rule():
    assert conversation_incoming in inbound_handlers()


def test_handlers_run_in_order_and_register_once(monkeypatch):
    monkeypatch.setattr(registry, "_handlers", [])
    calls = []

    def late(*, message):
        calls.append(("late", message))

    def early(*, message):
        calls.append(("early", message))

    def second_early(*, message):
        calls.append(("second_early", message))

    inbound_handler_register(late)
    inbound_handler_register(early, order=10)
    inbound_handler_register(second_early, order=10)
    inbound_handler_register(late)  # again: still once
    inbound_handlers_run(message="m")
    assert calls == [("early", "m"), ("second_early", "m"), ("late", "m")]
