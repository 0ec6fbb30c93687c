"""granska-regler: before the daily run applies an edited rules file, the kansli sees what it moves."""

from __future__ import annotations

from prefect import flow

from flows.common import day_or_today, optional_day, refusal, run_name
from tasks.regler import preview_rules_change


@flow(name="granska-regler", flow_run_name=run_name("Granska regler {datum}"), validate_parameters=False,
      description="Visar vilka öppna rapportdatum regelfilen flyttar, utan att spara något. "
                  "Nästa dagliga bevakning planerar om på samma sätt.")
def granska_regler(
    datum: str = optional_day("Datum", "Dagen att räkna från (tomt: i dag)."),
) -> dict:
    try:
        as_of = day_or_today(datum)
    except ValueError as e:
        return refusal(f"Datum: {e}.")
    return preview_rules_change(as_of)
