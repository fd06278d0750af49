"""Carrier modules: one per provider, the same shape for each (see base.Provider)."""

from .bandwidth import provider as bandwidth
from .base import Provider
from .telnyx import provider as telnyx
from .twilio import provider as twilio

PROVIDERS: dict[str, Provider] = {p.name: p for p in (twilio, telnyx, bandwidth)}

__all__ = ["PROVIDERS", "bandwidth", "telnyx", "twilio"]
