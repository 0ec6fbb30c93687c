"""Mail transports: SMTP through aiosmtplib (one connection per batch), or .eml files in a folder."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path

import aiosmtplib

from finsam.errors import FinsamError
from finsam.files import Folder, UnsafeFile
from finsam.services.delivery import (AVVISAD, LEVERERAD, VANTAR, Answer, PermanentMailError, TransientMailError,
                                     UncertainMailError)
from finsam.settings import Settings


def _answer(error: aiosmtplib.SMTPResponseException) -> str:
    return f"{error.code} {error.message}".strip()


def _classify(error: Exception) -> Exception:
    """An aiosmtplib error before the message was handed over, as ours: 5xx permanent, everything else transient."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        if isinstance(error, aiosmtplib.SMTPAuthenticationError) or error.code == 530:
            # A login problem is the operator's to fix; the messages wait for it, they are not lost.
            return TransientMailError(f"inloggningen till e-postservern misslyckades: {_answer(error)}")
        return PermanentMailError(_answer(error)) if error.code >= 500 else TransientMailError(_answer(error))
    return TransientMailError(f"{type(error).__name__}: {error}")


_LOST = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, OSError, TimeoutError)


class SmtpConnection:
    def __init__(self, client: aiosmtplib.SMTP):
        self.client = client

    async def send(self, sender: str, recipients: list[str], message: bytes) -> dict[str, Answer]:
        """One mail transaction, recipient by recipient: each RCPT's answer is kept (250 delivered with the
        message, 4xx to try again for that address alone, 5xx refused). Before DATA nothing has gone, so a
        lost connection or a timeout is transient. Once the message is handed over, a timeout or a lost
        connection leaves its fate unknown: UncertainMailError, never a plain retry."""
        client = self.client
        try:
            if not client.is_connected:
                await client.connect()
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
            options = [f"size={len(message)}"] if client.supports_extension("size") else []
            await client.mail(sender, options=options)
            answers: dict[str, Answer] = {}
            for recipient in recipients:
                try:
                    await client.rcpt(recipient)
                except aiosmtplib.SMTPRecipientRefused as e:
                    answers[recipient] = Answer(AVVISAD if e.code >= 500 else VANTAR, _answer(e))
            accepted = [r for r in recipients if r not in answers]
            if not accepted:
                await client.rset()
                return answers
        except UnicodeError:
            raise PermanentMailError(f"en adress kan inte skickas som ASCII: {', '.join(recipients)}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            if isinstance(e, _LOST):
                client.close()  # the next attempt reconnects
            raise _classify(e) from None
        try:
            reply = await client.data(message)
        except aiosmtplib.SMTPResponseException as e:  # the relay answered DATA: a definite no, for all of them
            try:
                await client.rset()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
            if e.code >= 500:
                return {**answers, **{r: Answer(AVVISAD, _answer(e)) for r in accepted}}
            return {**answers, **{r: Answer(VANTAR, _answer(e)) for r in accepted}}
        except _LOST as e:
            client.close()
            raise UncertainMailError(
                f"inget svar från e-postservern efter att meddelandet lämnats ({type(e).__name__}); det kan ha kommit fram",
                accepted) from None
        return {**answers, **{r: Answer(LEVERERAD, f"{reply.code} {reply.message}".strip()[:200]) for r in accepted}}


class SmtpTransport:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.sender = settings.mail_from

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            use_tls=s.smtp_tls == "tls",
            start_tls=True if s.smtp_tls == "starttls" else False,
            timeout=s.smtp_timeout,
            validate_certs=s.smtp_validate_certs,
        )

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[SmtpConnection]:
        client = self._client()
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            raise _classify(e) from None
        try:
            yield SmtpConnection(client)
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()


class FolderConnection:
    def __init__(self, folder: Folder):
        self.folder = folder

    async def send(self, sender: str, recipients: list[str], message: bytes) -> dict[str, Answer]:
        headers = BytesParser(policy=policy.default).parsebytes(message, headersonly=True)
        message_id = str(headers.get("Message-ID", "")).strip().strip("<>")
        name = re.sub(r"[^A-Za-z0-9._-]", "_", message_id or hashlib.sha256(message).hexdigest())[:150]
        try:
            # Written whole or not at all; the same message twice replaces its own file (never through a link).
            self.folder.replace(f"{name}.eml", message)
        except UnsafeFile as e:
            raise PermanentMailError(str(e)) from None
        except OSError as e:
            raise TransientMailError(f"kan inte skriva {self.folder.path / name}.eml: {e.strerror}") from None
        return {r: Answer(LEVERERAD, f"sparat som {name}.eml") for r in recipients}


class FolderTransport:
    """The embedded default: each message as an .eml file, readable in any mail program."""

    def __init__(self, folder: Path, sender: str):
        self.folder = folder
        self.sender = sender

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[FolderConnection]:
        # The sink folder itself is opened without following a link at its name (finsam.files).
        try:
            with Folder.open(self.folder.parent, create=True) as parent:
                folder = parent.sub(self.folder.name)
        except FinsamError as e:
            raise TransientMailError(f"kan inte använda {self.folder}: {e}") from None
        with folder:
            yield FolderConnection(folder)


def transport_from_settings(settings: Settings) -> SmtpTransport | FolderTransport:
    if settings.smtp_host:
        return SmtpTransport(settings)
    return FolderTransport(settings.mail_folder, settings.mail_from)
