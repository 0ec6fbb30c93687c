"""Real SMTP servers (aiosmtpd) for the tests: one that records, and ones that misbehave on purpose."""

from __future__ import annotations

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
    drop_connections: int = 0  # close the connection instead of answering DATA, this many times
    lock: threading.Lock = field(default_factory=threading.Lock)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            if self.drop_connections > 0:
                self.drop_connections -= 1
                server.transport.close()
                return "421 closing"
            if self.data_answers:
                return self.data_answers.pop(0)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
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
        user, password = auth

        def authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            if ok:
                recorder.logins.append(user)
            return AuthResult(success=ok)

        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    port = port or free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False, **kwargs)
    controller.start()
    server = Server("127.0.0.1", port, recorder, controller)
    try:
        yield server
    finally:
        server.stop()
