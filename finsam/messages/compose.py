"""Composing a message: multipart/alternative text+HTML, optionally with an .ics part, as bytes.

Headers Outlook needs to treat it well: UTF-8 names and subject, Message-ID, Date, Reply-To the
kansli's shared mailbox, `Auto-Submitted: auto-generated` (RFC 3834) and
`X-Auto-Response-Suppress: All` (no out-of-office replies back to us). The email package's
policy refuses a CR or LF in any header, so no name or subject can inject one.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from finsam.domain.parsing import plain_text
from finsam.messages.render import Rendered

MESSAGE_ID_NAMESPACE = uuid.UUID("7c1d8e52-4a8b-4f0e-9a59-3f1c3b1f6e21")


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str

    def header(self) -> Address:
        local, _, domain = self.address.rpartition("@")
        return Address(display_name=plain_text(self.name), username=local, domain=domain)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str = "text"
    subtype: str = "calendar"
    params: dict[str, str] = field(default_factory=dict)


def message_id(key: str, sender: str) -> str:
    """Stable for the same outbox key: a resend after a crash carries the same Message-ID."""
    domain = sender.rpartition("@")[2] or "finsam.invalid"
    # 26 base32 characters: short enough that the header is rarely folded.
    left = base64.b32encode(uuid.uuid5(MESSAGE_ID_NAMESPACE, key).bytes).decode().rstrip("=").lower()
    return f"<{left}@{domain}>"


def compose(
    rendered: Rendered,
    *,
    sender: Recipient,
    to: Recipient,
    cc: list[Recipient],
    reply_to: str,
    msg_id: str,
    date: datetime,
    attachments: list[Attachment] = (),  # type: ignore[assignment]
) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender.header()
    message["To"] = to.header()
    if cc:
        message["Cc"] = [c.header() for c in cc]
    message["Reply-To"] = reply_to
    message["Subject"] = plain_text(rendered.subject)  # no control character in a header, whoever built it
    message["Date"] = format_datetime(date)
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(rendered.text, charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    for attachment in attachments:
        if attachment.maintype == "text":
            # As text with its charset, so every client decodes å/ä/ö (and reads METHOD from the part).
            message.add_attachment(
                attachment.data.decode("utf-8"),
                subtype=attachment.subtype,
                charset="utf-8",
                filename=attachment.filename,
                params=attachment.params,
            )
        else:
            message.add_attachment(
                attachment.data,
                maintype=attachment.maintype,
                subtype=attachment.subtype,
                filename=attachment.filename,
                params=attachment.params,
            )
    message["Content-Language"] = "sv-SE"  # after the content: setting content clears Content-* headers
    return message.as_bytes()
