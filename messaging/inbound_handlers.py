"""What the apps above messaging do with each classified incoming text.

messaging sits below the inbox in the layer order, yet the inbox's turn-taking must
follow every classified text (a reply opens a conversation, a STOP closes it). So
messaging does not import the inbox: `messaging.inbound` calls the handlers registered
here, in order, inside the transaction that classified the text, and the inbox
registers its conversation rule in `InboxConfig.ready()`.

A handler takes the classified Message (keyword argument `message`); its return
value is ignored and an exception rolls the classification back, as a direct call did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

InboundHandler = Callable[..., Any]

# (order, registration index, handler): lower `order` runs first, ties in the order
# they were registered.
_handlers: list[tuple[int, int, InboundHandler]] = []


def inbound_handler_register(handler: InboundHandler, *, order: int = 100) -> InboundHandler:
    """Run `handler(message=…)` after each incoming text is classified (idempotent)."""
    if all(registered is not handler for _, _, registered in _handlers):
        _handlers.append((order, len(_handlers), handler))
        _handlers.sort(key=lambda entry: (entry[0], entry[1]))
    return handler


def inbound_handlers() -> list[InboundHandler]:
    """The registered handlers, in the order they run."""
    return [handler for _, _, handler in _handlers]


def inbound_handlers_run(*, message: Any) -> None:
    for handler in inbound_handlers():
        handler(message=message)
