"""granska-regler: before the daily run applies an edited rules file, the kansli sees what it moves."""

from __future__ import annotations

from datetime import date

from prefect import flow
from pydantic import Field

from finsam import clock
from flows.common import run_name
from tasks.regler import preview_rules_change


@flow(name="granska-regler", flow_run_name=run_name("Granska regler {datum}"),
      description="Visar vilka öppna rapportdatum regelfilen flyttar, utan att spara något. "
                  "Nästa dagliga bevakning planerar om på samma sätt.")
def granska_regler(
    datum: date | None = Field(default=None, title="Datum", description="Dagen att räkna från (tomt: i dag)."),
) -> dict:
    return preview_rules_change(datum or clock.today())
