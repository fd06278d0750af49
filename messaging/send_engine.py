"""The sending engine: many requests in flight, each number at its bucket's pace.

One engine per process: a pool of SMS_SEND_CONCURRENCY threads, each of which sends a
request and reads its answer on keep-alive connections of its own (`_Connections`), so
at most that many connections go to one host and none is shared between threads. A
`Stream` feeds it: a thread of its own (the pump) reserves send times for each number
from its bucket (messaging.ratelimit) and starts each request at its time while the
caller does its database work, so requests stay in flight across the caller's batches
instead of stopping at a barrier per batch. `dispatch` is the one-shot form (send
these, return the results).

Why threads and the standard library's http.client, measured on this machine against
the local fake (50 ms a request): 200 requests ten at a time took 1.4 s through a
thread pool on an httpx.Client and 21.8 s through an httpx.AsyncClient on an event
loop; 2,000 requests a hundred at a time cost 3.25 ms of CPU each through
httpx.Client (207/s) and 0.59 ms through urllib3's PoolManager (924/s); 5,000 through
this engine cost 0.70–0.73 ms of the process's CPU each on urllib3 and 0.34–0.40 ms on
http.client connections kept per thread (the same pump and threads). At 1,000 msg/s
the client's CPU is the worker's budget, and urllib3's pool, header dictionaries and
retry objects were half of it. What urllib3 gave that the engine needs is kept here:
a connection the provider closed while idle is noticed before it is reused, TLS
verifies the certificate and host name (the default SSL context), and a failure to
connect is told apart from a failure after the request was written. The connections
outlive any one batch; the engine is made lazily and again after a fork (prefork pool
children).

A 429 (or a provider's throughput code) pauses the number's bucket for Retry-After
(all workers see it) and the message waits its turn again, for up to
SMS_THROTTLE_WAIT_SECONDS; after that it comes back `throttled` and the delivery code
re-queues it. Throttling is never a failure of the message or the number.
"""

from __future__ import annotations

import collections
import concurrent.futures
import http.client
import logging
import os
import queue
import select
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from .gateways import SendResult
from .providers.base import HttpCall
from .ratelimit import RateLimiter, get_limiter
from .sending_numbers import SendingNumber

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT, READ_TIMEOUT = 5.0, 15.0
# A pause the provider asked for without saying how long.
DEFAULT_PAUSE_SECONDS = 1.0
# Shortest and longest sleep of the dispatcher while it waits for tokens or answers:
# short enough to keep the number busy, long enough not to ask Redis in a spin.
MIN_WAIT, MAX_WAIT = 0.005, 0.05
# How often the pump looks for requests past their start window (a fraction of it).
SWEEP_SECONDS = 0.1
# Handed back to the queue like a throttled message: the provider never saw it.
NOT_STARTED = SendResult(
    ok=False, error="Not started within the in-flight window", throttled=True, retry_after=0.0
)


@dataclass(frozen=True)
class Answer:
    """What a provider answered, as the read functions see it."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    reason_phrase: str = ""


class NotSent(Exception):
    """The request never left: no connection could be opened (sending again is safe)."""


class _Connections:
    """One pool thread's keep-alive connections, one per (scheme, host, port).

    Owned by a single thread, so no lock is taken per request; the engine keeps the
    list of every connection made only to close them all at shutdown.
    """

    def __init__(self, engine: _Engine) -> None:
        self.engine = engine
        self.by_origin: dict[tuple[str, str, int | None], http.client.HTTPConnection] = {}

    def get(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        origin = (scheme, host, port)
        conn = self.by_origin.get(origin)
        if conn is not None and conn.sock is not None and _dropped(conn.sock):
            # The provider closed it while it sat idle: writing to it would fail after
            # the fact, and that failure would look like an unknown outcome.
            conn.close()
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(
                    host, port, timeout=CONNECT_TIMEOUT, context=self.engine.tls
                )
            else:
                conn = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)
            self.by_origin[origin] = conn
            self.engine.opened(conn)
        if conn.sock is None:
            try:
                conn.connect()
            except OSError as exc:
                conn.close()
                raise NotSent(f"{exc.__class__.__name__}: {exc}") from exc
            sock: Any = conn.sock  # set by connect()
            sock.settimeout(READ_TIMEOUT)
        return conn


def _dropped(sock: Any) -> bool:
    """True when the peer closed the socket (readable with nothing pending is EOF)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _Engine:
    """The pool threads that keep requests in flight, each with its own connections."""

    def __init__(self, concurrency: int) -> None:
        self.pid = os.getpid()
        # One context for every TLS connection (building one per connection costs
        # more than the handshake): the system's CAs, host names checked.
        self.tls = ssl.create_default_context()
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._all_lock = threading.Lock()
        self.pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix="sms-send"
        )

    def opened(self, conn: http.client.HTTPConnection) -> None:
        with self._all_lock:
            self._all.append(conn)

    def _request(self, call: HttpCall) -> Answer:
        connections = getattr(self._local, "connections", None)
        if connections is None:
            connections = self._local.connections = _Connections(self)
        url = urlsplit(call.url)
        conn = connections.get(url.scheme, url.hostname or "", url.port)
        target = f"{url.path or '/'}?{url.query}" if url.query else url.path or "/"
        try:
            conn.request(call.method, target, body=call.body, headers=dict(call.headers))
            response = conn.getresponse()
            content = response.read()
        except BaseException:
            conn.close()  # its state is unknown: the next request opens a new one
            raise
        if response.will_close:
            conn.close()
        # The providers' readers look headers up by name, case-insensitively.
        headers: Mapping[str, str] = response.headers  # type: ignore[assignment]  # an email.message.Message: get() and items() as a mapping has them
        return Answer(response.status, headers, content, response.reason or "")

    def submit(self, call: HttpCall) -> concurrent.futures.Future:
        return self.pool.submit(self._request, call)

    def send(self, item: Outgoing) -> concurrent.futures.Future:
        """The request and the reading of its answer, both on a pool thread (the pump
        that starts requests only collects results)."""
        return self.pool.submit(self._send, item)

    def _send(self, item: Outgoing) -> SendResult:
        try:
            answer = self._request(item.call)  # type: ignore[arg-type]  # the pump submits only items that have a request
        except Exception as exc:  # noqa: BLE001 (the transport's failure is the result)
            return _transport_failure(exc)
        return item.read(answer)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None or _engine.pid != os.getpid():
            _engine = _Engine(settings.SMS_SEND_CONCURRENCY)
        return _engine


def engine_close() -> None:
    """Close this process's client and loop (tests and benches that change settings)."""
    global _engine
    with _engine_lock:
        if _engine is not None and _engine.pid == os.getpid():
            _engine.close()
        _engine = None


@dataclass
class Outgoing:
    """One message on its way: what to call, and how to read the answer."""

    number: SendingNumber
    call: HttpCall | None
    read: Callable[[Answer], SendResult]
    refused: SendResult | None = None  # a request that could not be built


# The number of a message whose channel's credentials no key decrypts (never sent).
_UNREADABLE = SendingNumber(key="unreadable", number="", provider="", credentials=None, mps=1)


def _transport_failure(exc: BaseException) -> SendResult:
    if isinstance(exc, NotSent):
        # The request never left: sending it again cannot make a duplicate.
        return SendResult(ok=False, error=f"Could not reach the provider: {exc}"[:200])
    # Written and unanswered: the provider may have taken it; a resend could text twice.
    return SendResult(
        ok=False,
        error=f"No answer from the provider, outcome unknown: {exc.__class__.__name__}",
        retriable=False,
    )


@dataclass
class _Ticket:
    handle: Any  # the caller's name for it (an index, a message)
    item: Outgoing
    start_by: float  # monotonic: not started by then, it is handed back unsent
    deadline: float  # monotonic: throttled after this, it is handed back throttled
    started: bool = False  # a request left for it once (a 429 may bring it back)


class Stream:
    """Requests kept in flight without a pause between the caller's batches.

    A thread of its own (the pump) takes each number's tokens and starts requests,
    while the caller does its database work: `submit` hands it messages, `collect`
    takes the answers as they come. So the delivery batch claims the next slice and
    writes the last one's outcomes while the number stays busy, instead of a barrier
    per slice (all answers in, then the next claim) that leaves the number idle for
    the slowest request and two round trips to the database each time.

    Every ticket submitted is answered exactly once. Not started within a third of the
    in-flight timeout of its submission (the claim just before it): NOT_STARTED, as a
    throttled message is, never sent. A request answered 429 waits its turn again until
    SMS_THROTTLE_WAIT_SECONDS after submission, then comes back throttled.
    """

    def __init__(
        self,
        *,
        engine: _Engine | None = None,
        limiter: RateLimiter | None = None,
        concurrency: int | None = None,
        throttle_wait: float | None = None,
    ) -> None:
        self.engine = engine or get_engine()
        self.limiter = limiter or get_limiter()
        self.concurrency = concurrency or settings.SMS_SEND_CONCURRENCY
        self.throttle_wait = (
            settings.SMS_THROTTLE_WAIT_SECONDS if throttle_wait is None else throttle_wait
        )
        self.start_window = settings.SMS_IN_FLIGHT_TIMEOUT_SECONDS / 3
        # The pump reads one queue: new tickets, answers, and the end.
        self._events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[Any, SendResult]] = queue.SimpleQueue()
        self.submitted = 0  # written by the caller only
        self.settled = 0  # tickets the pump started or answered unstarted (pump only)
        self.pending = 0  # submitted and not yet collected (caller only)
        self._closed = False  # the pump saw close() (its crash path waits for it)
        self._thread = threading.Thread(target=self._pump, name="sms-pump", daemon=True)
        self._thread.start()

    # ── the caller's side ──

    @property
    def unstarted(self) -> int:
        """Submitted and not started yet: how much work the pump has in hand."""
        return self.submitted - self.settled

    def submit(self, items: list[tuple[Any, Outgoing]]) -> None:
        now = time.monotonic()
        for handle, item in items:
            self.pending += 1
            if item.refused is not None:
                self._done.put((handle, item.refused))
                continue
            self.submitted += 1
            ticket = _Ticket(handle, item, now + self.start_window, now + self.throttle_wait)
            self._events.put(("new", ticket))

    def collect(self, timeout: float | None = None) -> list[tuple[Any, SendResult]]:
        """Answers in: at least one (waiting up to `timeout`, forever for None) unless
        nothing is pending, then every other one already there."""
        if not self.pending:
            return []
        try:
            done = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                done.append(self._done.get_nowait())
            except queue.Empty:
                break
        self.pending -= len(done)
        return done

    def close(self) -> None:
        """Answer everything submitted, then stop the pump (collect what is left)."""
        self._events.put(("close", None))
        self._thread.join()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ── the pump (its own thread; no database) ──

    def _pump(self) -> None:
        waiting: dict[str, collections.deque[_Ticket]] = collections.defaultdict(collections.deque)
        numbers: dict[str, SendingNumber] = {}
        in_flight: dict[concurrent.futures.Future, _Ticket] = {}
        closing = False
        next_sweep = 0.0
        # Events taken off the queue and not handled yet: a crash still answers them.
        taken: collections.deque[tuple[str, Any]] = collections.deque()
        try:
            while not (closing and not in_flight and not any(waiting.values())):
                now = time.monotonic()
                if now >= next_sweep:
                    # Out of its start window (a 429 brought it back, or the number is
                    # that slow): back unsent; the delivery code queues it again.
                    next_sweep = now + SWEEP_SECONDS
                    for key, pending in waiting.items():
                        if pending and min(t.start_by for t in pending) < now:
                            late = [t for t in pending if t.start_by < now]
                            waiting[key] = collections.deque(
                                t for t in pending if t.start_by >= now
                            )
                            for ticket in late:
                                self._answer_unstarted(ticket, NOT_STARTED)
                wake = MAX_WAIT
                for key, pending in waiting.items():
                    free = self.concurrency - len(in_flight)
                    if not pending or free <= 0:
                        continue
                    number = numbers[key]
                    grant = self.limiter.take(key, mps=number.mps, wanted=min(len(pending), free))
                    for _ in range(grant.granted):
                        ticket = pending.popleft()
                        future = self.engine.send(ticket.item)
                        in_flight[future] = ticket
                        future.add_done_callback(self._announce)
                        if not ticket.started:
                            ticket.started = True
                            self.settled += 1
                    if pending:
                        wake = min(wake, max(grant.wait, MIN_WAIT))
                more = any(waiting.values()) and len(in_flight) < self.concurrency
                try:
                    events = [self._events.get(timeout=wake if more else None)]
                except queue.Empty:
                    continue
                while True:
                    try:
                        events.append(self._events.get_nowait())
                    except queue.Empty:
                        break
                taken.extend(events)
                while taken:
                    kind, value = taken.popleft()
                    if kind == "close":
                        closing = self._closed = True
                    elif kind == "new":
                        numbers[value.item.number.key] = value.item.number
                        waiting[value.item.number.key].append(value)
                    else:
                        self._answered(in_flight.pop(value), value, waiting)
        except BaseException as exc:  # noqa: BLE001 (a crash here must not strand the caller)
            logger.exception("the send pump stopped")
            self._drain_after_crash(exc, waiting, in_flight, taken)

    def _announce(self, future: concurrent.futures.Future) -> None:
        self._events.put(("answer", future))

    def _answer_unstarted(self, ticket: _Ticket, result: SendResult) -> None:
        if not ticket.started:
            self.settled += 1
        self._done.put((ticket.handle, result))

    def _answered(
        self,
        ticket: _Ticket,
        future: concurrent.futures.Future,
        waiting: dict[str, collections.deque[_Ticket]],
    ) -> None:
        exc = future.exception()
        result = _transport_failure(exc) if exc is not None else future.result()
        if result.throttled:
            number = ticket.item.number
            self.limiter.pause(
                number.key, mps=number.mps, seconds=result.retry_after or DEFAULT_PAUSE_SECONDS
            )
            if time.monotonic() < ticket.deadline:
                waiting[number.key].append(ticket)  # its turn again after the pause
                return
        self._done.put((ticket.handle, result))

    def _drain_after_crash(
        self,
        exc: BaseException,
        waiting: dict[str, collections.deque[_Ticket]],
        in_flight: dict[concurrent.futures.Future, _Ticket],
        taken: collections.deque[tuple[str, Any]],
    ) -> None:
        # Not started: nothing left; handed back unsent. Started: the provider may have
        # taken it, so the outcome is unknown and it must not be sent again.
        for pending in waiting.values():
            while pending:
                self._answer_unstarted(pending.popleft(), NOT_STARTED)
        unknown = SendResult(
            ok=False, error=f"Send pump stopped, outcome unknown: {exc!r}", retriable=False
        )
        for ticket in in_flight.values():
            self._done.put((ticket.handle, unknown))
        # Tickets taken but not handled, or still arriving, get an answer too; the
        # caller sends no more after close(), which is the last event it puts.
        while True:
            if taken:
                kind, value = taken.popleft()
            else:
                try:
                    kind, value = self._events.get(timeout=MAX_WAIT)
                except queue.Empty:
                    if self._closed:
                        break
                    continue
            if kind == "new":
                self._answer_unstarted(value, NOT_STARTED)
            elif kind == "close":
                self._closed = True


class MessageStream(Stream):
    """A Stream of messages: each built into its request by the gateway's `build`."""

    def __init__(self, build: Callable[[Any], Outgoing], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.build = build

    def submit_messages(self, messages: list[Any]) -> None:
        items = []
        for message in messages:
            try:
                items.append((message, self.build(message)))
            except Exception as exc:  # noqa: BLE001 (one message's failure, not the batch's)
                failed = SendResult(ok=False, error=f"Gateway error: {exc}")
                items.append((message, Outgoing(_UNREADABLE, None, _never_read, failed)))
        self.submit(items)


def dispatch(
    items: list[Outgoing],
    *,
    engine: _Engine | None = None,
    limiter: RateLimiter | None = None,
    concurrency: int | None = None,
    throttle_wait: float | None = None,
) -> list[SendResult]:
    """Send every item, many in flight, each number at its bucket's pace; results in order."""
    results: list[SendResult | None] = [None] * len(items)
    with Stream(
        engine=engine, limiter=limiter, concurrency=concurrency, throttle_wait=throttle_wait
    ) as stream:
        stream.submit(list(enumerate(items)))
        while stream.pending:
            for index, result in stream.collect():
                results[index] = result
    return [r if r is not None else SendResult(ok=False, error="Not sent") for r in results]


def _never_read(answer: Answer) -> SendResult:  # pragma: no cover (refused: never sent)
    raise AssertionError("a refused message has no answer to read")
