"""What the kansli's run forms share: the form checked inside the run, and how a refused registration ends."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Completed, State
from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, WithJsonSchema,
    field_validator,
)

from finsam import clock
from finsam.domain.limits import check_date
from finsam.domain.parsing import parse_typed_date
from finsam.messages.format import datum as swedish_date

DATE_HINT = "Skriv ÅÅÅÅ-MM-DD, t.ex. 2026-12-17 (eller 17/12/2026, dag först)."


def _typed(value: Any) -> Any:  # noqa: ANN401
    return parse_typed_date(value) if isinstance(value, str) else value


# A date in a run form: a plain text field (Prefect's date picker reads typed dates month first and shows them in
# English), read by `parse_typed_date` (ISO, or day first), echoed in Swedish in the run's name and first log line.
Dag = Annotated[date, BeforeValidator(_typed), AfterValidator(check_date),
                WithJsonSchema({"type": "string", "maxLength": 30, "x-datum": True})]

AVVISAD = "Avvisad"


def refused(result: dict) -> State | None:
    """The run's end when the registration was refused (`{"avvisad": reason}`), else None."""
    return refusal(result["avvisad"]) if "avvisad" in result else None


def refusal(reason: str) -> State:
    """A refused registration: nothing was saved and the kansli corrects the form. The run ends named "Avvisad",
    with the reason in one Swedish line, of state type Completed: not a failure in the dashboard or the work
    pool's figures, and no alarm (that automation is for real failures). (A Cancelled or Failed end would make
    the worker's engine raise it as an exception, logged as an ERROR with a traceback.) The run is tagged with
    its insats when the form names one that exists."""
    from tasks.common import tag_with_insats_named

    tag_with_insats_named(_form_value("insats"))
    return Completed(name=AVVISAD, message=f"{reason} Inget sparades; rätta formuläret och kör igen.",
                     data={"avvisad": reason})


def _form_value(name: str) -> Any:  # noqa: ANN401 - a form's value, whatever its type
    for value in (flow_run.parameters or {}).values():
        found = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
        if found is not None:
            return found
    return None


# --- the form, checked inside the run ---

def _one_of(ctx: dict[str, Any]) -> str:
    return f"ska vara ett av: {str(ctx.get('expected')).replace(' or ', ' eller ')}"


def _said(text: str) -> Callable[[dict[str, Any]], str]:
    return lambda ctx: text


MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": _said("saknas"),
    "string_too_short": lambda ctx: "får inte vara tomt" if ctx.get("min_length") == 1 else
    f"minst {ctx.get('min_length')} tecken",
    "too_short": lambda ctx: "saknas" if ctx.get("min_length") == 1 else f"minst {ctx.get('min_length')} rader",
    "string_too_long": lambda ctx: f"högst {ctx.get('max_length')} tecken",
    "too_long": lambda ctx: f"högst {ctx.get('max_length')} rader",
    "greater_than_equal": lambda ctx: f"ska vara minst {ctx.get('ge')}",
    "greater_than": lambda ctx: f"ska vara större än {ctx.get('gt')}",
    "less_than_equal": lambda ctx: f"ska vara högst {ctx.get('le')}",
    "less_than": lambda ctx: f"ska vara mindre än {ctx.get('lt')}",
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"), _said("ska vara ett heltal")),
    **dict.fromkeys(("bool_parsing", "bool_type"), _said("ska vara ja eller nej")),
    **dict.fromkeys(("date_parsing", "date_from_datetime_parsing", "date_type"), _said("ska vara ett datum, ÅÅÅÅ-MM-DD")),
    **dict.fromkeys(("literal_error", "enum"), _one_of),
    "extra_forbidden": _said("finns inte i formuläret"),
    "string_type": _said("ska vara text"),
    "list_type": _said("ska vara en lista"),
    **dict.fromkeys(("model_type", "dict_type"), _said("har fel form")),
}


def _where(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The field a validation error is about, by the titles the form shows: "Belopp per år, rad 2, År"."""
    names: list[str] = []
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            names.append(f"rad {part + 1}")
            continue
        fields = getattr(current, "model_fields", {}) if isinstance(current, type) else {}
        info = fields.get(part)
        names.append(info.title or str(part) if info else str(part))
        annotation = info.annotation if info else None
        inner = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        current = inner[0] if inner else annotation
    return ", ".join(names) or model.__name__


def in_swedish(error: ValidationError, model: type[BaseModel]) -> str:
    """Every problem of a form, by field title, in Swedish: "Datum: ska vara ett datum, ÅÅÅÅ-MM-DD."."""
    said = []
    for problem in error.errors(include_url=False):
        make = MESSAGES.get(problem["type"])
        text = make(problem.get("ctx") or {}) if make else str(problem["msg"]).removeprefix("Value error, ")
        said.append(f"{_where(model, tuple(problem['loc']))}: {text}")
    return "; ".join(dict.fromkeys(said)) + "."


def _checked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The flow's forms validated inside the run: a wrong type or value is a refusal in Swedish naming the field,
    never Prefect's English parameter error (which fails the run and alarms the kansli)."""
    signature = inspect.signature(fn)
    hints = typing.get_type_hints(fn)

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        from tasks.common import run_logger

        bound = signature.bind(*args, **kwargs)
        for name, value in list(bound.arguments.items()):
            model = hints.get(name)
            if isinstance(model, type) and issubclass(model, BaseModel) and not isinstance(value, model):
                try:
                    bound.arguments[name] = model.model_validate(value)
                except ValidationError as e:
                    reason = in_swedish(e, model)
                    run_logger().warning("Avvisad: %s", reason)
                    return refusal(reason)
        if said := _dates_said(bound.arguments.values()):
            run_logger().info("Formulärets datum: %s.", said)
        return fn(*bound.args, **bound.kwargs)

    return run


def _dates_said(forms: Any) -> str:  # noqa: ANN401
    """Every date of the forms, by its title, written out in Swedish: what the kansli meant, or not."""
    said = []
    for form in forms:
        if isinstance(form, BaseModel):
            for name, info in type(form).model_fields.items():
                if isinstance(value := getattr(form, name), date):
                    said.append(f"{info.title or name} {swedish_date(value)}")
    return ", ".join(said)


def kansli_form(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A run form's flow: Prefect's own parameter check is off, the form is checked inside the run (`_checked`)."""

    def decorate(fn: Callable[..., Any]) -> Any:  # noqa: ANN401 - a Prefect Flow
        return flow(validate_parameters=False, **options)(_checked(fn))

    return decorate


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
        if field.pop("x-datum", False):
            field["description"] = " ".join(filter(None, [field.get("description"), DATE_HINT]))
    # Every field is listed as required, so the UI marks none "(Optional)": the kansli deployments leave the
    # schema check to the run (enforce_parameter_schema: false in prefect.yaml), which knows what may be left
    # empty (the field's default) and refuses the rest in Swedish (`_checked`).
    schema["required"] = [name for name in model.model_fields if name in properties]


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
        """An optional field left empty in the form is not given; an empty line of a list is no line."""
        if isinstance(value, str) and not value.strip() and info.field_name \
                and cls.model_fields[info.field_name].default is None:
            return None
        if isinstance(value, list):
            return [v for v in value if v is not None and not (isinstance(v, str) and not v.strip())
                    and not (isinstance(v, dict) and not any(x not in (None, "") for x in v.values()))]
        return value


def day_or_today(value: date | str | None) -> date:
    """A flow's optional date, typed in a form or given by a schedule: empty is today."""
    if isinstance(value, date):
        return value
    return parse_typed_date(value) if value and value.strip() else clock.today()


def optional_day(title: str, description: str) -> Any:  # noqa: ANN401 - a flow parameter's default
    """The date of a flow that is not a registration form: a plain text field, empty for today. Listed as required
    (no "(Optional)" in the form); its deployment gives it "" (prefect.yaml), so a scheduled run means today."""
    return parameter(title, max_length=30, description=f"{description} {DATE_HINT}")


def _in_words(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, str) and value.strip()[:1].isdigit() and len(value.strip()) <= 12:
        try:
            value = parse_typed_date(value)
        except ValueError:
            return value
    return swedish_date(value) if isinstance(value, date) and not isinstance(value, datetime) else value


def run_name(template: str) -> Any:  # noqa: ANN401 - Prefect takes a callable
    """A run named for what it does, e.g. "Beslut – SFG 21-6.58", from the form's values when the run starts."""

    def name() -> str:
        values: dict[str, Any] = {}
        for value in (flow_run.parameters or {}).values():
            values.update(value.model_dump() if isinstance(value, BaseModel) else value if isinstance(value, dict) else {})
        values.update({k: v for k, v in (flow_run.parameters or {}).items() if not isinstance(v, (BaseModel, dict))})
        values.setdefault("idag", clock.today())
        values.setdefault("nu", datetime.now(clock.STOCKHOLM).strftime("%Y-%m-%d %H:%M"))
        # An empty date on a form means today (daglig-bevakning); other empty values are left out; a date is
        # written out in Swedish ("torsdag 17 december 2026"), as typed dates are checked by eye.
        values = {k: _in_words(clock.today() if k == "datum" and v in (None, "") else "" if v is None else v)
                  for k, v in values.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template.split(" ")[0]

    return name
