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
from finsam.services.delivery import PermanentMailError, TransientMailError
from finsam.settings import Settings


def _answer(error: aiosmtplib.SMTPResponseException) -> str:
    return f"{error.code} {error.message}".strip()


def _classify(error: Exception) -> Exception:
    """An aiosmtplib error as ours: 5xx permanent, everything else transient."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in error.recipients]
        text = "; ".join(f"{r.recipient}: {_answer(r)}" for r in error.recipients)
        return PermanentMailError(text) if all(c >= 500 for c in codes) else TransientMailError(text)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        if isinstance(error, aiosmtplib.SMTPAuthenticationError) or error.code == 530:
            # A login problem is the operator's to fix; the messages wait for it, they are not lost.
            return TransientMailError(f"inloggningen till e-postservern misslyckades: {_answer(error)}")
        return PermanentMailError(_answer(error)) if error.code >= 500 else TransientMailError(_answer(error))
    return TransientMailError(f"{type(error).__name__}: {error}")


class SmtpConnection:
    def __init__(self, client: aiosmtplib.SMTP):
        self.client = client

    async def send(self, sender: str, recipients: list[str], message: bytes) -> str | None:
        try:
            if not self.client.is_connected:
                await self.client.connect()
            refused, _answer_text = await self.client.sendmail(sender, recipients, message)
        except UnicodeError:
            raise PermanentMailError(f"en adress kan inte skickas som ASCII: {', '.join(recipients)}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            if isinstance(e, (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, OSError, TimeoutError)):
                self.client.close()  # the next attempt reconnects
            raise _classify(e) from None
        if refused:
            # Some recipients refused, others accepted: the message went; note who did not get it.
            return "avvisad för " + "; ".join(f"{r}: {_answer(e)}" for r, e in refused.items())
        return None


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

    async def send(self, sender: str, recipients: list[str], message: bytes) -> str | None:
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
        return None


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
