"""What the kansli's run forms share: how a refused registration ends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect.runtime import flow_run
from prefect.states import Failed, State
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

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


def _for_the_kansli(schema: dict[str, Any], model: type[BaseModel]) -> None:
    properties = schema.get("properties", {})
    for position, name in enumerate(model.model_fields):
        if name not in properties:
            continue
        field = properties[name]
        # The Prefect UI orders a form's fields by `position`; without it a PostgreSQL-backed server
        # (whose jsonb column re-sorts object keys) would show them in alphabetical order.
        field["position"] = position
        # An optional field is shown as its plain input, left empty when not needed, instead of a
        # "None" type switch: the anyOf with null becomes the value's own type.
        # (No null default either: the UI would send it, and the server refuses null for a string. An
        # emptied input is left out, and the flow's own default applies.)
        choices = field.get("anyOf", [])
        if len(choices) == 2 and {"type": "null"} in choices:
            field.pop("anyOf")
            field.update(next(c for c in choices if c != {"type": "null"}))
            if field.get("default", "") is None:
                field.pop("default")


def parameter(title: str, **kwargs: Any) -> Any:  # noqa: ANN401 - a pydantic Field, as a flow parameter's default
    """A flow parameter titled in Swedish in the run form: Prefect titles a parameter with its Python name, but
    applies the field's own json_schema_extra last, so the title given there is the one the form shows."""
    return Field(title=title, json_schema_extra={"title": title}, **kwargs)


# Every registration form ends with who fills it in; the audit log records the person, not the run.
REGISTRERAS_AV = Field(title="Registreras av", description="Ditt namn; det står i insatsens historik.",
                       min_length=1, max_length=100)


class Formular(BaseModel):
    """A run form: no unknown fields, the fields in the order they are declared, optional ones plain."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_for_the_kansli)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any, info: ValidationInfo) -> Any:  # noqa: ANN401
        """An optional field left empty in the form is not given."""
        if isinstance(value, str) and not value.strip() and info.field_name \
                and cls.model_fields[info.field_name].default is None:
            return None
        return value


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
