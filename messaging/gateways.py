"""Where outgoing messages leave the platform, chosen by settings.SMS_GATEWAY.

- ConsoleGateway: development; logs each message and appends it as a JSON line to its
  company's outbox, `outbox/<company id>.log` in the private storage (PRIVATE_ROOT),
  so one can read what would have been sent. One file per company: a shared file
  would hand every company's texts to whoever reads it.
- HttpGateway: production; a JSON POST to an aggregator (SMS_GATEWAY_URL, bearer
  SMS_GATEWAY_TOKEN). Delivery receipts come back on /messaging/receipts/.
- FakeGateway: tests and benchmarks; keeps the last sends in memory and simulates
  failures (SMS_FAKE_FAILURE_RATE, or per-number rules in SMS_FAKE_RULES).

What a gateway reads of a message: pk, phone_number, originator, body, channel, encoding,
segments, media_url/attachment, attempts, and `validity_period` (read with getattr; it
may be absent): None for the provider's default, else the seconds the provider may keep
trying before it drops the message (1–36000, Twilio's `ValidityPeriod` range). Quiet
hours set it to the time left in the recipient's sending window, so that a carrier
backlog cannot deliver a broadcast at night. The HTTP gateway sends it as
"validity_period" when set.

A gateway only transmits. Compliance, retries and bounces are decided by
messaging.services, so every gateway behaves the same way towards subscribers.
"""

import json
import logging
import random
import threading
from collections import deque
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.private_files import private_storage

logger = logging.getLogger(__name__)


class Bounce:
    HARD = "hard"  # the number cannot receive texts: clean the profile at once
    SOFT = "soft"  # temporary (handset off, full inbox): clean after a run of them


@dataclass(frozen=True)
class SendResult:
    ok: bool
    gateway_message_id: str = ""
    error_code: str = ""
    error: str = ""
    bounce: str = ""
    retriable: bool = True
    # The provider refused to take it now (429, a throughput code): not a failure of the
    # message or the number; the message goes back to the queue with no attempt counted.
    throttled: bool = False
    retry_after: float | None = None
    # What the failure says about the number (providers.base.NumberFact): opted_out,
    # invalid, hard_bounce or soft_bounce; message_record_failure acts on it.
    number_fact: str = ""


class Gateway(Protocol):
    def send(self, message: Any) -> SendResult: ...


def gateway_send_many(gateway: Any, messages: list[Any]) -> list[SendResult]:
    """`send_many` where the gateway has one (many in flight), else one `send` each."""
    send_many = getattr(gateway, "send_many", None)
    if send_many is not None:
        return send_many(messages)
    results = []
    for message in messages:
        try:
            results.append(gateway.send(message))
        except Exception as exc:  # noqa: BLE001 (any gateway crash is one failed attempt)
            results.append(SendResult(ok=False, error=f"Gateway error: {exc}"))
    return results


def _payload(message: Any) -> dict[str, Any]:
    payload = {
        "id": message.pk,
        "to": message.phone_number,
        "from": message.originator or settings.SMS_DEFAULT_ORIGINATOR,
        "body": message.body,
        "channel": message.channel,
        "encoding": message.encoding,
        "segments": message.segments,
        "media_url": message.media_url
        or (message.attachment.file.url if message.attachment_id else ""),
    }
    validity = getattr(message, "validity_period", None)
    if validity is not None:
        payload["validity_period"] = validity
    return payload


class ConsoleGateway:
    def send(self, message: Any) -> SendResult:
        line = {**_payload(message), "at": timezone.now().isoformat()}
        logger.info("SMS to %s: %s", message.phone_number, message.body)
        path = console_outbox_path(company_id=message.company_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError:
            logger.warning("could not write %s; the message was only logged", path)
        return SendResult(ok=True, gateway_message_id=f"console-{message.pk}")


def console_outbox_path(*, company_id: int) -> Path:
    """The console gateway's outbox file of one company (appended to, so a real path)."""
    return Path(private_storage().path(f"outbox/{int(company_id)}.log"))


class HttpGateway:
    """A generic aggregator API: POST JSON, get back {"id": "..."} or an error object.

    4xx answers are permanent (the aggregator refuses the number or the content), 429
    slows the number down, 5xx and network errors are retriable. An error object may
    say {"bounce": "hard"}. Sends go through messaging.carriers: many in flight over
    one pooled client, paced by the number's shared rate limit.
    """

    def send(self, message: Any) -> SendResult:
        return self.send_many([message])[0]

    def send_many(self, messages: list[Any]) -> list[SendResult]:
        from .carriers import json_send_many  # carriers builds on this module

        return json_send_many(messages)

    def open_stream(self) -> Any:
        from .carriers import json_open_stream

        return json_open_stream()


class FakeGateway:
    """Records sends in memory. Rules by number (SMS_FAKE_RULES):

    "hard" / "soft": every attempt bounces that way; "error": a retriable error;
    "fail_once": the first attempt of each message fails, the re-send succeeds.
    """

    outbox: deque = deque(maxlen=10_000)
    sent_count = 0
    _lock = threading.Lock()

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls.outbox.clear()
            cls.sent_count = 0

    @classmethod
    def sent_to(cls, phone_number: str) -> list[dict[str, Any]]:
        return [m for m in list(cls.outbox) if m["to"] == phone_number]

    def send(self, message: Any) -> SendResult:
        rule = settings.SMS_FAKE_RULES.get(message.phone_number, "")
        rate = settings.SMS_FAKE_FAILURE_RATE
        if rule == Bounce.HARD:
            return SendResult(ok=False, error_code="30003", error="Unreachable", bounce="hard")
        if rule == Bounce.SOFT:
            return SendResult(ok=False, error_code="30005", error="Handset off", bounce="soft")
        if rule == "error" or (rule == "fail_once" and message.attempts <= 1):
            return SendResult(ok=False, error_code="0", error="Aggregator unavailable")
        if rate and random.random() < rate:
            return SendResult(ok=False, error_code="0", error="Simulated failure")
        with FakeGateway._lock:
            FakeGateway.sent_count += 1
            FakeGateway.outbox.append(_payload(message))
        return SendResult(ok=True, gateway_message_id=f"fake-{message.pk}-{message.attempts}")


@cache
def _gateway_class(path: str) -> type:
    return import_string(path)


def get_gateway() -> Gateway:
    return _gateway_class(settings.SMS_GATEWAY)()
