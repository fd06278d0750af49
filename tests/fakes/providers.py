"""A local stand-in for the send APIs of Twilio, Telnyx and Bandwidth.

Tests and the benchmark point the providers' base_url at it; no test reaches the
internet. It answers the documented shapes on the exact paths:

- Twilio    POST /2010-04-01/Accounts/{AccountSid}/Messages.json, Basic SID:token, form
            -> 201 {"sid": "SM...", "status": "queued", ...}
- Telnyx    POST /v2/messages, Authorization: Bearer <key>, JSON
            -> 200 {"data": {"id": "...", "to": [{"status": "queued"}], ...}}
- Bandwidth POST /api/v2/users/{accountId}/messages, Basic user:password, JSON
            -> 202 {"id": "...", "to": [...], ...}

It can wait before answering (latency), answer 429 with Retry-After above a number of
requests per second, and answer a provider's own error for chosen destination numbers
(Twilio 400 {"code": 21610}, Telnyx 422 {"errors": [{"code": "40300"}]}, Bandwidth 400
{"type": ..., "description": ...}). It keeps every request it saw and counts accepted
message ids, the most requests it ever had in flight at once, and the connections it
was opened. It also counts accepted messages per reference of ours (the `ref` query
parameter of the status-callback URL, or Bandwidth's `tag`), so a benchmark can tell
a duplicate or a missing message. Twilio's list (GET .../Messages.json?To=...) answers
the accepted messages to a number. GET /_fake/stats reports the counts as JSON and
GET /_fake/refs the accepted references, for a benchmark in another process.

Run it on its own:  python -m tests.fakes.providers --port 8765 --latency 0.05 --rate 200
In a test:          with serve(FakeConfig(...)) as fake: ... fake.base_url ...
"""

from __future__ import annotations

import argparse
import base64
import json
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TWILIO_ERRORS = {
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    20429: "Too Many Requests",
}
TELNYX_ERRORS = {
    "40300": "Blocked due to STOP message",
    "40001": "Not routable",
    "10011": "Too many requests",
}


@dataclass
class FakeConfig:
    twilio_account_sid: str = "AC00000000000000000000000000000001"
    twilio_auth_token: str = "twilio-token"
    telnyx_api_key: str = "KEYtelnyx"
    bandwidth_account_id: str = "9900001"
    bandwidth_username: str = "bw-user"
    bandwidth_password: str = "bw-password"
    generic_token: str = "generic-token"  # POST /generic/messages, the generic JSON gateway
    latency: float = 0.0  # seconds before each answer
    rate_limit: int | None = None  # requests per second over all providers; then 429
    retry_after: int = 1
    # Answer nothing until this many requests were in flight at once (or 10 s passed):
    # proves concurrency without a timing assertion, as a client sending one at a time
    # never gets there.
    hold_until_in_flight: int = 0
    clock: Callable[[], float] = time.monotonic  # tests freeze it to cross the cap exactly
    # destination number -> the provider's error code answered for it
    twilio_errors: dict[str, int] = field(default_factory=dict)
    telnyx_errors: dict[str, str] = field(default_factory=dict)
    bandwidth_errors: dict[str, str] = field(default_factory=dict)
    # More accounts the fake knows besides the ones above (several companies, each with
    # its own): Twilio SID -> auth token, Telnyx API keys, Bandwidth id -> (user, pass).
    twilio_accounts: dict[str, str] = field(default_factory=dict)
    telnyx_api_keys: tuple[str, ...] = ()
    bandwidth_accounts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def twilio_token(self, account_sid: str) -> str | None:
        if account_sid == self.twilio_account_sid:
            return self.twilio_auth_token
        return self.twilio_accounts.get(account_sid)

    def telnyx_key_known(self, authorization: str | None) -> bool:
        keys = (self.telnyx_api_key, *self.telnyx_api_keys)
        return any(authorization == f"Bearer {key}" for key in keys)

    def bandwidth_pair(self, account_id: str) -> tuple[str, str] | None:
        if account_id == self.bandwidth_account_id:
            return self.bandwidth_username, self.bandwidth_password
        return self.bandwidth_accounts.get(account_id)


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body)


class FakeProviders:
    """The state behind the server: its config, what it saw, what it accepted."""

    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self.requests: list[SeenRequest] = []
        self.accepted: dict[str, list[str]] = {
            "twilio": [],
            "telnyx": [],
            "bandwidth": [],
            "generic": [],
        }
        self.throttled = 0
        # Runs of 429s more than Retry-After apart: each is one pause of the sender.
        self.throttle_episodes = 0
        self._last_throttled = float("-inf")
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0
        self.refs: Counter[str] = Counter()  # our reference -> times accepted
        self.twilio_messages: dict[str, list[dict[str, Any]]] = {}  # To -> what the list answers
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self._gathered = threading.Condition(self._lock)
        self.base_url = ""

    def opened(self) -> None:
        with self._lock:
            self.connections += 1

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._gathered.notify_all()

    def hold(self) -> None:
        wanted = self.config.hold_until_in_flight
        if wanted:
            with self._lock:
                self._gathered.wait_for(lambda: self.max_in_flight >= wanted, timeout=10)

    def end(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def over_rate(self) -> bool:
        limit = self.config.rate_limit
        if limit is None:
            return False
        now = self.config.clock()
        with self._lock:
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) >= limit:
                self.throttled += 1
                if now - self._last_throttled > self.config.retry_after:
                    self.throttle_episodes += 1
                self._last_throttled = now
                return True
            self._recent.append(now)
            return False

    def record(self, seen: SeenRequest) -> None:
        with self._lock:
            self.requests.append(seen)

    def accept(self, provider: str, message_id: str, ref: str = "") -> None:
        with self._lock:
            self.accepted[provider].append(message_id)
            if ref:
                self.refs[ref] += 1

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": len(self.requests),
                "throttled": self.throttled,
                "throttle_episodes": self.throttle_episodes,
                "accepted": {name: len(ids) for name, ids in self.accepted.items()},
                "max_in_flight": self.max_in_flight,
                "connections": self.connections,
                "refs": len(self.refs),
                "duplicate_refs": sum(1 for times in self.refs.values() if times > 1),
            }


def _ref(callback_url: str) -> str:
    """Our reference in a status-callback URL (?ref=...), as the benchmark counts it."""
    return parse_qs(urlsplit(callback_url or "").query).get("ref", [""])[0]


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, so a pooled client reuses connections
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK
    # would hold the body back ~40 ms per answer, which no real provider adds.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's name)
        pass

    def setup(self) -> None:
        super().setup()
        self.server.fake.opened()

    def _answer(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        fake = self.server.fake
        path, _, query = self.path.partition("?")
        parts = path.strip("/").split("/")
        if path == "/_fake/stats":
            self._answer(200, fake.stats())
        elif path == "/_fake/refs":
            with fake._lock:
                self._answer(200, dict(fake.refs))
        elif (
            len(parts) == 4
            and parts[:2] == ["2010-04-01", "Accounts"]
            and parts[3] == ("Messages.json")
        ):
            self._twilio_list(parts[2], parse_qs(query))
        else:
            self._answer(404, {"message": "not found"})

    def _twilio_list(self, account_sid: str, query: dict[str, list[str]]) -> None:
        config = self.server.fake.config
        token = config.twilio_token(account_sid)
        if token is None or self.headers.get("Authorization") != _basic(account_sid, token):
            self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        to = query.get("To", [""])[0]
        with self.server.fake._lock:
            found = list(self.server.fake.twilio_messages.get(to, []))
        self._answer(200, {"messages": found, "next_page_uri": None})

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        fake = self.server.fake
        fake.begin()
        try:
            self._post(fake)
        finally:
            fake.end()

    def _post(self, fake: FakeProviders) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = SeenRequest("POST", self.path, dict(self.headers.items()), self.rfile.read(length))
        fake.record(seen)
        fake.hold()
        if fake.config.latency:
            time.sleep(fake.config.latency)
        parts = self.path.split("?")[0].strip("/").split("/")
        if (
            len(parts) == 4
            and parts[:2] == ["2010-04-01", "Accounts"]
            and parts[3] == ("Messages.json")
        ):
            self._twilio(parts[2], seen)
        elif parts == ["v2", "messages"]:
            self._telnyx(seen)
        elif parts == ["generic", "messages"]:
            self._generic(seen)
        elif len(parts) == 5 and parts[:3] == ["api", "v2", "users"] and parts[4] == "messages":
            self._bandwidth(parts[3], seen)
        else:
            self._answer(404, {"message": f"no such endpoint {self.path}"})

    def _throttle(self, document: Any) -> bool:
        if not self.server.fake.over_rate():
            return False
        retry = str(self.server.fake.config.retry_after)
        self._answer(429, document, {"Retry-After": retry})
        return True

    def _twilio(self, account_sid: str, seen: SeenRequest) -> None:
        config = self.server.fake.config
        token = config.twilio_token(account_sid)
        if token is None or seen.headers.get("Authorization") != _basic(account_sid, token):
            self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        if self._throttle({"code": 20429, "message": TWILIO_ERRORS[20429], "status": 429}):
            return
        form = seen.form()
        to = form.get("To", [""])[0]
        if to in config.twilio_errors:
            code = config.twilio_errors[to]
            self._answer(
                400,
                {
                    "code": code,
                    "message": TWILIO_ERRORS.get(code, "Error"),
                    "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    "status": 400,
                },
            )
            return
        sid = "SM" + uuid.uuid4().hex
        self.server.fake.accept("twilio", sid, _ref(form.get("StatusCallback", [""])[0]))
        answer = {
            "sid": sid,
            "account_sid": account_sid,
            "to": to,
            "from": form.get("From", [None])[0],
            "messaging_service_sid": form.get("MessagingServiceSid", [None])[0],
            "body": form.get("Body", [""])[0],
            "status": "queued",
            "num_media": str(len(form.get("MediaUrl", []))),
            "api_version": "2010-04-01",
            "date_created": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        }
        with self.server.fake._lock:
            self.server.fake.twilio_messages.setdefault(to, []).append(answer)
        self._answer(201, answer)

    def _telnyx(self, seen: SeenRequest) -> None:
        config = self.server.fake.config
        if not config.telnyx_key_known(seen.headers.get("Authorization")):
            self._answer(401, {"errors": [{"code": "10009", "title": "Authentication failed"}]})
            return
        if self._throttle({"errors": [{"code": "10011", "title": TELNYX_ERRORS["10011"]}]}):
            return
        document = seen.json()
        to = document.get("to", "")
        if to in config.telnyx_errors:
            code = config.telnyx_errors[to]
            self._answer(
                422,
                {
                    "errors": [
                        {
                            "code": code,
                            "title": TELNYX_ERRORS.get(code, "Error"),
                            "detail": TELNYX_ERRORS.get(code, "Error"),
                        }
                    ]
                },
            )
            return
        message_id = str(uuid.uuid4())
        self.server.fake.accept("telnyx", message_id, _ref(document.get("webhook_url", "")))
        self._answer(
            200,
            {
                "data": {
                    "record_type": "message",
                    "direction": "outbound",
                    "id": message_id,
                    "type": "MMS" if document.get("media_urls") else "SMS",
                    "messaging_profile_id": document.get("messaging_profile_id"),
                    "from": {"phone_number": document.get("from")},
                    "to": [{"phone_number": to, "status": "queued"}],
                    "text": document.get("text"),
                    "media": [{"url": url} for url in document.get("media_urls", [])],
                    "webhook_url": document.get("webhook_url"),
                }
            },
        )

    def _generic(self, seen: SeenRequest) -> None:
        """The generic JSON aggregator of messaging.gateways.HttpGateway."""
        config = self.server.fake.config
        if seen.headers.get("Authorization") != f"Bearer {config.generic_token}":
            self._answer(401, {"error": {"code": "401", "message": "Unauthorized"}})
            return
        if self._throttle({"error": {"code": "429", "message": "Too many requests"}}):
            return
        document = seen.json()
        message_id = "G" + uuid.uuid4().hex
        self.server.fake.accept("generic", message_id, str(document.get("id") or ""))
        self._answer(200, {"id": message_id})

    def _bandwidth(self, account_id: str, seen: SeenRequest) -> None:
        config = self.server.fake.config
        pair = config.bandwidth_pair(account_id)
        if pair is None or seen.headers.get("Authorization") != _basic(*pair):
            self._answer(401, {"type": "unauthorized", "description": "Authentication failed"})
            return
        if self._throttle({"type": "rate-limit", "description": "Too many requests"}):
            return
        document = seen.json()
        to = (document.get("to") or [""])[0]
        if to in config.bandwidth_errors:
            self._answer(
                400,
                {"type": config.bandwidth_errors[to], "description": "Request rejected"},
            )
            return
        message_id = f"{int(time.time() * 1000)}{uuid.uuid4().hex[:16]}"
        self.server.fake.accept("bandwidth", message_id, str(document.get("tag") or ""))
        self._answer(
            202,
            {
                "id": message_id,
                "owner": document.get("from"),
                "applicationId": document.get("applicationId"),
                "time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "segmentCount": 1,
                "direction": "out",
                "to": document.get("to"),
                "from": document.get("from"),
                "media": document.get("media", []),
                "text": document.get("text"),
                "tag": document.get("tag"),
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A pooled client opens its connections all at once; socketserver's backlog of 5
    # would drop the rest of the handshakes and delay them by a SYN retry.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], fake: FakeProviders) -> None:
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that died mid-request (the benchmark kills a worker) is expected;
        # whatever the fake had accepted by then stays counted.
        pass


@contextmanager
def serve(config: FakeConfig | None = None, *, port: int = 0) -> Iterator[FakeProviders]:
    """Run the fake on 127.0.0.1 (an ephemeral port unless given) in a thread."""
    fake = FakeProviders(config or FakeConfig())
    server = _Server(("127.0.0.1", port), fake)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="fake-providers",
        daemon=True,
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--rate", type=int, default=None, help="requests/s before 429")
    args = parser.parse_args()
    config = FakeConfig(latency=args.latency, rate_limit=args.rate)
    with serve(config, port=args.port) as fake:
        print(f"fake providers listening on {fake.base_url}", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
