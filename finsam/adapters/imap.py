"""The kansli's mailbox over IMAP: attachments of new (unseen) messages, and marking them handled."""

from __future__ import annotations

import imaplib
import ssl
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

from finsam.clock import STOCKHOLM
from finsam.errors import FinsamError
from finsam.files import shown_name
from finsam.intake.documents import SUFFIXES
from finsam.settings import Settings


@dataclass(frozen=True)
class Attachment:
    uid: str
    filename: str
    data: bytes
    received: date | None  # the day the message arrived (its Date header, Stockholm time)


class Mailbox:
    def __init__(self, settings: Settings):
        if not settings.imap_host:
            raise FinsamError("Ingen brevlåda är inställd (FINSAM_IMAP_HOST).")
        self.settings = settings
        self.client: imaplib.IMAP4 | None = None

    def __enter__(self) -> Mailbox:
        s = self.settings
        try:
            if s.imap_tls == "tls":
                self.client = imaplib.IMAP4_SSL(s.imap_host, s.imap_port, ssl_context=ssl.create_default_context())
            else:
                self.client = imaplib.IMAP4(s.imap_host, s.imap_port)
                if s.imap_tls == "starttls":
                    self.client.starttls(ssl_context=ssl.create_default_context())
            self.client.login(s.imap_username or "", s.imap_password or "")
            status, _ = self.client.select(s.imap_folder)
        except (OSError, imaplib.IMAP4.error) as e:
            raise FinsamError(f"Kan inte läsa brevlådan {s.imap_username}@{s.imap_host}: {e}") from None
        if status != "OK":
            raise FinsamError(f"Brevlådan saknar mappen {s.imap_folder}.")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    def new_attachments(self) -> dict[str, list[Attachment]]:
        """The report attachments of every unseen message, by message UID (read without marking them seen)."""
        assert self.client is not None
        _, data = self.client.uid("SEARCH", None, "UNSEEN")
        found: dict[str, list[Attachment]] = {}
        for uid in (data[0] or b"").split():
            _, parts = self.client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(p[1] for p in parts if isinstance(p, tuple))
            message = message_from_bytes(raw, policy=policy.default)
            try:
                received = parsedate_to_datetime(message["Date"]).astimezone(STOCKHOLM).date() if message["Date"] else None
            except (TypeError, ValueError):
                received = None
            attachments = []
            for part in message.iter_attachments():
                # Bounded at the door: any length, any bytes, line breaks (finsam.files.shown_name).
                name = shown_name(part.get_filename() or "")
                if name.lower().endswith(SUFFIXES):
                    attachments.append(Attachment(uid.decode(), name, part.get_payload(decode=True) or b"", received))
            found[uid.decode()] = attachments
        return found

    def mark_seen(self, uid: str) -> None:
        assert self.client is not None
        self.client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
