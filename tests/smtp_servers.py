"""Real SMTP servers (aiosmtpd) for the tests: one that records, and ones that misbehave on purpose."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Recorder:
    """Accepts everything, or answers with `data_answers` / `rcpt_answers` first."""

    received: list[Received] = field(default_factory=list)
    data_answers: list[str] = field(default_factory=list)  # answers to DATA, used up one per message
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> answer
    rcpt_answers: dict[str, list[str]] = field(default_factory=dict)  # address -> answers used up one per RCPT, then 250
    drop_connections: int = 0  # close the connection instead of answering DATA, this many times
    drop_after_accept: int = 0  # take the message, then close without answering, this many times
    slow_answers: list[float] = field(default_factory=list)  # seconds to wait before answering DATA, one per message
    lock: threading.Lock = field(default_factory=threading.Lock)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        with self.lock:
            queued = self.rcpt_answers.get(address)
            answer = queued.pop(0) if queued else None
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            delay = self.slow_answers.pop(0) if self.slow_answers else 0
        if delay:
            # A relay that has queued the message and answers late: it is taken, whether the client waits or not.
            with self.lock:
                self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            await asyncio.sleep(delay)
            return "250 Message accepted"
        with self.lock:
            if self.drop_connections > 0:
                self.drop_connections -= 1
                server.transport.close()
                return "421 closing"
            if self.data_answers:
                return self.data_answers.pop(0)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            if self.drop_after_accept > 0:
                self.drop_after_accept -= 1
                server.transport.close()
                return "421 closing"
        return "250 Message accepted"

    def by_message_id(self) -> dict[str, list[Received]]:
        out: dict[str, list[Received]] = {}
        for r in self.received:
            out.setdefault(r.message["Message-ID"], []).append(r)
        return out


@dataclass
class Server:
    host: str
    port: int
    recorder: Recorder
    controller: Controller | None

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def smtp_server(recorder: Recorder | None = None, *, port: int | None = None, auth: tuple[str, str] | None = None) -> Iterator[Server]:
    recorder = recorder or Recorder()
    kwargs = {}
    if auth is not None:
        kwargs = dict(authenticator=_authenticator(recorder, *auth), auth_required=True, auth_require_tls=False)
    with _running(recorder, port or free_port(), kwargs) as server:
        yield server


def _authenticator(recorder: Recorder, user: str, password: str):  # noqa: ANN202
    def authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == (user, password)
        if ok:
            recorder.logins.append(user)
        return AuthResult(success=ok)

    return authenticate


@contextmanager
def _running(recorder: Recorder, port: int, kwargs: dict) -> Iterator[Server]:
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False, **kwargs)
    controller.start()
    server = Server("127.0.0.1", port, recorder, controller)
    try:
        yield server
    finally:
        server.stop()


def self_signed(tmp_dir) -> tuple[str, str]:
    """A certificate and key for 127.0.0.1, written as PEM files; returns their paths."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = f"{tmp_dir}/cert.pem", f"{tmp_dir}/key.pem"
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def tls_smtp_server(cert: str, key: str, *, implicit: bool, auth: tuple[str, str] | None = None) -> Iterator[Server]:
    """STARTTLS required (implicit=False) or TLS from the first byte (implicit=True)."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = Recorder()
    kwargs: dict = {"ssl_context": context} if implicit else {"tls_context": context, "require_starttls": True}
    if auth is not None:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; with implicit TLS the whole session is encrypted.
        kwargs.update(authenticator=_authenticator(recorder, *auth), auth_required=True, auth_require_tls=not implicit)
    with _running(recorder, free_port(), kwargs) as server:
        yield server
