"""What the kansli's run forms share: how a refused registration ends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect.runtime import flow_run
from prefect.states import Failed, State
from pydantic import BaseModel, ConfigDict, Field

from finsam import clock

AVVISAD = "Avvisad"


def refused(result: dict) -> State | None:
    """The run's end when the registration was refused: state "Avvisad" with the reason in one line.

    Its type is failed (red in the UI, nothing was saved), but its name is not "Failed", so the
    automation that e-mails the kansli about real failures (prefect.flow-run.Failed) stays quiet.
    """
    if "avvisad" not in result:
        return None
    return Failed(name=AVVISAD, message=f"{result['avvisad']} Inget sparades; rätta formuläret och kör igen.",
                  data=result)


def _in_declared_order(schema: dict[str, Any], model: type[BaseModel]) -> None:
    # The Prefect UI orders a form's fields by `position`; without it a PostgreSQL-backed server
    # (whose jsonb column re-sorts object keys) would show them in alphabetical order.
    for position, name in enumerate(model.model_fields):
        if name in schema.get("properties", {}):
            schema["properties"][name]["position"] = position


# Every registration form ends with who fills it in; the audit log records the person, not the run.
REGISTRERAS_AV = Field(title="Registreras av", description="Ditt namn; det står i insatsens historik.",
                       min_length=1, max_length=100)


class Formular(BaseModel):
    """A run form: no unknown fields, and the fields shown in the order they are declared."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_in_declared_order)


def run_name(template: str) -> Any:  # noqa: ANN401 - Prefect takes a callable
    """A run named for what it does, e.g. "Beslut – SFG 21-6.58", from the form's values when the run starts."""

    def name() -> str:
        values: dict[str, Any] = {}
        for value in (flow_run.parameters or {}).values():
            values.update(value.model_dump() if isinstance(value, BaseModel) else value if isinstance(value, dict) else {})
        values.update({k: v for k, v in (flow_run.parameters or {}).items() if not isinstance(v, (BaseModel, dict))})
        values.setdefault("idag", clock.today())
        values.setdefault("nu", datetime.now(clock.STOCKHOLM).strftime("%Y-%m-%d %H:%M"))
        # An empty date on a form means today (daglig-bevakning); other empty values are left out.
        values = {k: (v if v is not None else clock.today() if k == "datum" else "") for k, v in values.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template.split(" ")[0]

    return name
