"""Settings from the environment (FINSAM_*), with defaults that run on a laptop."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from finsam.domain import limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINSAM_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///finsam.db",
        description="SQLAlchemy URL of the application database; default a SQLite file in the working folder.",
    )
    rules_file: Path = Field(
        default=PROJECT_ROOT / "config" / "regler.yaml",
        description="The förbund's rules: report schedules, meeting lead times.",
    )

    # Mail. Without a host, messages are written as .eml files into `mail_folder` (the demo's mail sink).
    smtp_host: str | None = Field(default=None, description="SMTP relay; unset writes .eml files instead.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        default="none", description="none (plain, e.g. a local relay), starttls, or tls (implicit, port 465)."
    )
    smtp_timeout: float = Field(default=30.0, gt=0, description="Seconds for connecting and each SMTP command.")
    smtp_attempts: int = Field(default=3, ge=1, description="Tries per message in one run for transient errors.")
    smtp_retry_delay: float = Field(default=2.0, ge=0, description="Seconds before the first retry; doubles each time.")
    smtp_validate_certs: bool = True
    smtp_uncertain_wait_minutes: int = Field(
        default=30, ge=1, le=24 * 60,
        description="A message the relay took without answering (timeout after DATA) is tried once more after this wait.")
    smtp_run_max_seconds: float = Field(
        default=600.0, gt=0, description="A sending run stops taking new messages after this long; the rest wait.")
    mail_from: str = Field(default="finsam@forbund.example", description="From address of every message.")
    mail_folder: Path = Field(default=Path("utskick"), description="Where .eml files go without an SMTP host.")
    send_retry_delays: list[int] = Field(
        default=[60, 300, 900, 3600],
        description="Prefect: seconds between the send task's retries while the mail server is away.",
    )
    prefect_ui_url: str = Field(
        default="http://127.0.0.1:4200", description="The Prefect UI, for links in messages to the kansli."
    )
    report_folder: Path = Field(default=Path("rapporter"), description="Where arrived reports are stored, once each.")
    report_inbox: Path = Field(default=Path("inkorg"), description="The folder the kansli drops arriving reports into.")
    import_folder: Path = Field(default=Path("import"),
                                description="The folder the kansli puts insatser and meeting plans in, to import from a run form.")
    imap_host: str | None = Field(default=None, description="The kansli's mailbox (IMAP); unset: no mailbox intake.")
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_tls: Literal["none", "starttls", "tls"] = "tls"
    imap_username: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    public_url: str = Field(
        default="http://127.0.0.1:8080", description="Where `finsam serve` is reached from outside (feed links)."
    )
    serve_host: str = Field(default="127.0.0.1", description="Address `finsam serve` listens on.")
    serve_port: int = Field(default=8080, ge=1, le=65535)
    backoff_max_minutes: int = Field(
        default=360, ge=1, le=1440,
        description="Longest wait between attempts to send a message the mail server put off (minutes).",
    )
    claim_timeout_minutes: int = Field(
        default=15, ge=1, description="A message claimed by a run that died is sent again after this long."
    )
    # The door: dates and amounts outside these bounds are refused wherever they enter.
    datum_tidigast: date = Field(default=limits.Limits.earliest, description="The earliest date accepted anywhere.")
    datum_senast: date = Field(default=limits.Limits.latest, description="The latest date accepted anywhere.")
    max_belopp_kr: int = Field(default=limits.Limits.max_amount_kr, ge=0, le=10**15,
                               description="The largest amount in kronor accepted anywhere.")
    max_importfil_mb: int = Field(default=20, ge=1, le=2000, description="The largest import file (CSV, YAML) in MB.")
    crash_folder: Path = Field(default=Path("felrapporter"), description="Where crash reports of real bugs are written.")

    # Limits on arriving documents
    document_max_mb: float = Field(default=20, gt=0, description="Largest report file read (MB); larger is refused.")
    document_max_unpacked_mb: float = Field(
        default=50, gt=0, description="Largest a Word file may unpack to (MB), checked before unpacking (zip bombs)."
    )
    document_max_zip_entries: int = Field(default=1000, ge=1, description="Most parts a Word file may have.")
    document_max_pages: int = Field(default=200, ge=1, description="Most pages read from a PDF; more is refused.")
    document_seconds: float = Field(
        default=30, gt=0, description="Seconds one document may take to read and search for fields."
    )


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    limits.configure(limits.Limits(settings.datum_tidigast, settings.datum_senast, settings.max_belopp_kr,
                                   settings.max_importfil_mb * 1_000_000))
    return settings
