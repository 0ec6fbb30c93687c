"""A sending process for the crash runs: delivers the outbox until done (or killed)."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta, timezone

from finsam.adapters.mail import SmtpTransport
from finsam.services.delivery import deliver
from finsam.settings import Settings


def main(url: str, port: int, claim_seconds: float) -> None:
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, mail_from="finsam@chaos.example")
    report = asyncio.run(deliver(url, SmtpTransport(settings), clock=lambda: datetime.now(timezone.utc), aktor="chaos",
                                 batch_size=50, claim_timeout=timedelta(seconds=claim_seconds)))
    print(len(report.sent))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
