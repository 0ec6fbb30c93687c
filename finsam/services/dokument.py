"""Documents finsam writes for the kansli (Bilaga 1 as Word), kept in the database behind a secret address so
that the link on a Prefect run's page works wherever the worker ran: `finsam serve` hands them out at
/dokument/{token}/{namn}. As with the calendar feeds, only a hash of the token is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.model import Dokument

# The names finsam gives its documents: "bilaga-1-2021.docx". Nothing else is ever served.
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}\.docx$")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def store(session: Session, kontext: Kontext, namn: str, data: bytes) -> str:
    """Keep a document; returns its address below the public URL ("dokument/{token}/{namn}")."""
    if not NAME.match(namn):
        raise ValueError(f"document name {namn!r}")
    token = secrets.token_urlsafe(32)  # 256 random bits
    session.add(Dokument(token_hash=_hash(token), namn=namn, innehall=data, skapad=kontext.nu.astimezone(timezone.utc),
                         skapad_av=kontext.aktor[:200]))
    session.flush()
    return f"dokument/{token}/{namn}"


def find(session: Session, token: str, namn: str) -> Dokument | None:
    """The document at that address; None for a wrong token or name."""
    if not NAME.match(namn) or len(token) > 100:
        return None
    row = session.scalar(select(Dokument).where(Dokument.token_hash == _hash(token)))
    return row if row is not None and row.namn == namn else None
