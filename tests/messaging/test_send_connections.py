"""The send engine's connections: reused, renewed when the provider drops them, and a
failure to connect told apart from a failure after the request left.

Each test runs a small HTTP server of its own on a socket, so it can do what the
providers' fake does not: close a kept-alive connection behind the client's back,
refuse connections, or speak TLS with a certificate nobody signed.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from messaging import send_engine
from messaging.gateways import SendResult
from messaging.providers.base import HttpCall
from messaging.ratelimit import RateLimiter
from messaging.sending_numbers import SendingNumber

NUMBER = SendingNumber(
    key="test-connections", number="+12028830000", provider="twilio", credentials=None, mps=10**6
)
OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"id": "1"}'


class _Server:
    """Answers each request with OK; after `close_after` answers on a connection it
    closes that connection without saying so (no `Connection: close`)."""

    def __init__(self, *, close_after: int | None = None, tls: ssl.SSLContext | None = None):
        self.close_after = close_after
        self.tls = tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.requests = 0
        self.closed = 0  # connections this server has closed
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            answered = 0
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length:")),
                    0,
                )  # fmt: skip
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                buffer = buffer[length:]
                conn.sendall(OK)
                with self._lock:
                    self.requests += 1
                answered += 1
                if self.close_after is not None and answered >= self.close_after:
                    return
        except (OSError, ssl.SSLError) as exc:
            self.errors.append(exc)
        finally:
            conn.close()
            with self._changed:
                self.closed += 1
                self._changed.notify_all()

    def wait_closed(self, count: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.closed >= count, timeout=10)

    def close(self) -> None:
        self.listener.close()


@contextmanager
def _engine() -> Iterator[send_engine._Engine]:
    engine = send_engine._Engine(concurrency=1)  # one thread: one connection to reuse
    try:
        yield engine
    finally:
        engine.close()


def _send(engine: send_engine._Engine, url: str, count: int) -> list[SendResult]:
    def read(answer: send_engine.Answer) -> SendResult:
        return SendResult(ok=answer.status_code == 200, gateway_message_id="1")

    items = [
        send_engine.Outgoing(NUMBER, HttpCall("POST", url, {"Content-Type": "text/plain"}, b"hi"),
                             read)
        for _ in range(count)
    ]  # fmt: skip
    return send_engine.dispatch(items, engine=engine, limiter=RateLimiter(None), concurrency=1)


def test_one_connection_carries_every_request():
    server = _Server()
    try:
        with _engine() as engine:
            results = _send(engine, f"http://127.0.0.1:{server.port}/messages", 5)
    finally:
        server.close()
    assert [r.ok for r in results] == [True] * 5
    assert (server.connections, server.requests) == (1, 5)


def test_a_connection_the_provider_dropped_while_idle_is_renewed_not_failed():
    # The server closes each connection after one answer, unannounced, as a provider
    # does with idle keep-alive connections. Writing to the dead one would be an
    # "outcome unknown" failure; the engine must notice and open a new connection.
    server = _Server(close_after=1)
    url = f"http://127.0.0.1:{server.port}/messages"
    try:
        results = []
        with _engine() as engine:
            for sent in range(4):
                # Once the server has closed the last connection, the next send finds
                # it dead in the engine's hands.
                server.wait_closed(sent)
                results += _send(engine, url, 1)
    finally:
        server.close()
    assert [r.ok for r in results] == [True] * 4, [r.error for r in results]
    assert (server.connections, server.requests) == (4, 4)


def test_nothing_listening_is_a_failure_to_reach_and_safe_to_send_again():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed on leaving: nothing listens there
    with _engine() as engine:
        [result] = _send(engine, f"http://127.0.0.1:{port}/messages", 1)
    assert not result.ok
    assert result.error.startswith("Could not reach the provider")
    assert result.retriable  # the request never left: no duplicate possible


def _self_signed() -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with _temp_pem(cert, key) as (cert_path, key_path):
        context.load_cert_chain(cert_path, key_path)
    return context


@contextmanager
def _temp_pem(cert, key) -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        yield str(cert_path), str(key_path)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_certificate_nobody_signed_is_refused_before_anything_is_sent():
    server = _Server(tls=_self_signed())
    try:
        with _engine() as engine:
            [result] = _send(engine, f"https://localhost:{server.port}/messages", 1)
    finally:
        server.close()
    assert not result.ok
    assert "Could not reach the provider" in result.error
    assert "SSLCertVerificationError" in result.error
    assert server.requests == 0
