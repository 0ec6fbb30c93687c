"""Composing a message: multipart/alternative text+HTML, optionally with an .ics part, as bytes.

Headers Outlook needs to treat it well: UTF-8 names and subject, Message-ID, Date, Reply-To the
kansli's shared mailbox, `Auto-Submitted: auto-generated` (RFC 3834) and
`X-Auto-Response-Suppress: All` (no out-of-office replies back to us). Every header value is
checked for CR, LF and other control characters before it is set, so no name or subject can
inject a header.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email import charset as email_charset
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr

from finsam.domain.parsing import plain_text
from finsam.messages.render import Rendered

MESSAGE_ID_NAMESPACE = uuid.UUID("7c1d8e52-4a8b-4f0e-9a59-3f1c3b1f6e21")
_UTF8_QP = email_charset.Charset("utf-8")
_UTF8_QP.body_encoding = email_charset.QP  # readable in any mail program's "show source", unlike base64
_WIRE = compat32.clone(linesep="\r\n", max_line_length=78)


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str

    def header(self) -> str:
        """`Åsa Öberg <asa@…>` with the name RFC 2047-encoded where it needs to be; never a CR or LF."""
        return formataddr((plain_text(self.name), plain_text(self.address)), charset="utf-8")


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
    """The whole message as bytes (CRLF). Built with the email package's compat32 classes, which are many
    times faster than its default policy; every header value is checked here instead (plain_text)."""
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(rendered.text, "plain", _UTF8_QP))
    alternative.attach(MIMEText(rendered.html, "html", _UTF8_QP))
    if attachments:
        message: MIMEMultipart = MIMEMultipart("mixed")
        message.attach(alternative)
        for attachment in attachments:
            if attachment.maintype == "text":
                # As text with its charset, so every client decodes å/ä/ö (and reads METHOD from the part).
                part = MIMEText(attachment.data.decode("utf-8"), attachment.subtype, _UTF8_QP)
            else:
                part = MIMEBase(attachment.maintype, attachment.subtype)
                part.set_payload(attachment.data)
                encoders.encode_base64(part)
            for key, value in attachment.params.items():
                part.set_param(key, value)
            part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
            message.attach(part)
    else:
        message = alternative
    headers = {
        "From": sender.header(),
        "To": to.header(),
        "Cc": ", ".join(c.header() for c in cc) if cc else None,
        "Reply-To": plain_text(reply_to),
        "Subject": Header(plain_text(rendered.subject), "utf-8", header_name="Subject"),
        "Date": format_datetime(date),
        "Message-ID": plain_text(msg_id),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "Content-Language": "sv-SE",
    }
    for key, value in headers.items():
        if value is not None:
            message[key] = value
    return message.as_bytes(policy=_WIRE)
