"""Settings from the environment (FINSAM_*), with defaults that run on a laptop."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
