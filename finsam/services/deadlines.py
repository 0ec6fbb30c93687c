"""Deadlines of an insats: materialised from the rules, re-planned when the insats changes, extended by anstånd.

Re-planning never touches a fulfilled deadline or its history, nor an open one for a period
that is already behind the last fulfilled one; it only re-plans what comes after. It is
idempotent: a second run with the same inputs finds nothing to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from finsam.audit import Kontext
from finsam.domain.enums import DeadlineStatus, DeadlineTillstand, RapportTyp, Tillstand
from finsam.domain.lifecycle import REPORTING_STATES
from finsam.domain.model import Anstand, Deadline, DeadlineAndring, Insats
from finsam.domain.rules_config import Regler
from finsam.domain.schedule import PlannedDeadline, plan_deadlines
from finsam.domain.workdays import add_working_days, next_working_day
from finsam.services.lookup import by_id
from finsam.errors import FinsamError, NotFound


@dataclass
class SyncResult:
    skapade: int = 0
    andrade: int = 0
    makulerade: int = 0
    # The deadlines created, moved or cancelled, for the message that tells the insatsägare.
    berorda: list[Deadline] = field(default_factory=list, compare=False, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.skapade or self.andrade or self.makulerade)

    def __iadd__(self, other: SyncResult) -> SyncResult:
        self.skapade += other.skapade
        self.andrade += other.andrade
        self.makulerade += other.makulerade
        self.berorda += [d for d in other.berorda if d not in self.berorda]
        return self


def _change(kontext: Kontext, falt: str, fore: object, efter: object, orsak: str) -> dict[str, Any]:
    """The columns of one history entry (also for rows inserted in bulk, see `opened`)."""
    return {
        "tid": kontext.nu.astimezone(timezone.utc),
        "falt": falt,
        "fore": None if fore is None else str(fore),
        "efter": None if efter is None else str(efter),
        "orsak": orsak,
        "aktor": kontext.aktor,
    }


def record(deadline: Deadline, kontext: Kontext, falt: str, fore: object, efter: object, orsak: str) -> None:
    deadline.historik.append(DeadlineAndring(**_change(kontext, falt, fore, efter, orsak)))


def _set(deadline: Deadline, kontext: Kontext, falt: str, value: object, orsak: str) -> bool:
    before = getattr(deadline, falt)
    if before == value:
        return False
    setattr(deadline, falt, value)
    record(deadline, kontext, falt, before, value, orsak)
    return True


def cancel(deadline: Deadline, kontext: Kontext, orsak: str) -> None:
    _set(deadline, kontext, "tillstand", DeadlineTillstand.MAKULERAD, orsak)


def fair_due_date(decided: date, regler: Regler) -> date:
    """The earliest due date a change may give: room for the insatsägare to hear of it and act."""
    return add_working_days(decided, regler.andringar.rattvis_frist_arbetsdagar)


def _plan(
    regler: Regler, tillstand: Tillstand, start: date | None, slut: date | None, rapportschema: dict[str, Any] | None,
    *, as_of: date, covered_until: date | None, first_nr: int,
) -> list[PlannedDeadline]:
    """The deadlines the rules give an insats in this state with these dates (none if it owes no reports)."""
    if tillstand not in REPORTING_STATES or start is None:
        return []
    return plan_deadlines(
        start, slut, regler.schedule(rapportschema), as_of=as_of, covered_until=covered_until, first_nr=first_nr
    )


def sync_deadlines(
    session: Session,
    insats: Insats,
    regler: Regler,
    kontext: Kontext,
    *,
    as_of: date,
    orsak: str,
    bevaka_passerade: bool = True,
    rattvis_fran: date | None = None,
) -> SyncResult:
    """Bring an insats's stored deadlines in line with its dates and schedule.

    `bevaka_passerade=False` (imports) stores deadlines already due before `as_of` as not
    chased: they are listed for the kansli, but no reminder or escalation is sent for them.
    `rattvis_fran` (a decision's day) gives every deadline the change creates or moves a fair
    due date: never earlier than `fair_due_date(rattvis_fran)`, so its ladder starts with a reminder.
    """
    result = SyncResult()
    # An återbetalning is no report the rules plan: it stays as it is, whatever the dates do.
    existing = {(d.typ, d.nr): d for d in insats.deadlines if d.typ.is_report}
    owes_reports = insats.tillstand in REPORTING_STATES and insats.start is not None
    fair = fair_due_date(rattvis_fran, regler) if rattvis_fran is not None else None

    def fair_day(due: date, previous: date | None, chased: bool) -> date:
        # Only what the change itself makes unfair: a chased deadline that is new, or that was not yet due.
        unfair = chased and (previous is None or previous >= as_of)
        return fair if fair is not None and unfair and due < fair else due

    fulfilled = [d for d in existing.values() if d.tillstand is DeadlineTillstand.INKOMMEN]
    # A delrapport marked ej inkommen is history, like a fulfilled one: no plan reopens it.
    never_came = {key for key, d in existing.items() if d.tillstand is DeadlineTillstand.EJ_INKOMMEN}
    slutrapport_in = any(d.typ is RapportTyp.SLUTRAPPORT for d in fulfilled)
    reported = [d.period_slut for d in fulfilled if d.typ is RapportTyp.DELRAPPORT]
    covered_until = max(reported, default=None)
    # Open delrapporter for periods behind the last fulfilled one stay as they are: still owed.
    frozen = {
        key
        for key, d in existing.items()
        if d.tillstand is DeadlineTillstand.INKOMMEN
        or (
            covered_until is not None
            and d.typ is RapportTyp.DELRAPPORT
            and d.tillstand is DeadlineTillstand.OPPEN
            and d.period_slut <= covered_until
        )
    } | never_came

    planned: list[PlannedDeadline] = []
    if not slutrapport_in:
        planned = _plan(
            regler, insats.tillstand, insats.start, insats.slut, insats.rapportschema, as_of=as_of,
            covered_until=covered_until,
            first_nr=1 + max((nr for (typ, nr) in frozen if typ is RapportTyp.DELRAPPORT), default=0),
        )

    wanted = set()
    for plan in planned:
        key = (plan.typ, plan.nr)
        wanted.add(key)
        deadline = existing.get(key)
        if deadline is None:
            chased = bevaka_passerade or plan.forfaller >= as_of
            due = fair_day(plan.forfaller, None, chased)
            deadline = Deadline(
                typ=plan.typ,
                nr=plan.nr,
                period_start=plan.period_start,
                period_slut=plan.period_slut,
                forfaller=due,
                regel_forfaller=plan.forfaller,
                tillstand=DeadlineTillstand.OPPEN,
                bevakas=chased,
            )
            insats.deadlines.append(deadline)
            record(deadline, kontext, "tillstand", None, DeadlineTillstand.OPPEN, orsak)
            if due != plan.forfaller:
                record(deadline, kontext, "forfaller", plan.forfaller, due, f"{orsak}: rättvis frist")
            result.skapade += 1
            result.berorda.append(deadline)
            continue
        same_period = (deadline.period_start, deadline.period_slut) == (plan.period_start, plan.period_slut)
        had_anstand = deadline.forfaller != deadline.regel_forfaller
        was_open = deadline.tillstand is DeadlineTillstand.OPPEN
        changed = _set(deadline, kontext, "period_start", plan.period_start, orsak)
        changed |= _set(deadline, kontext, "period_slut", plan.period_slut, orsak)
        changed |= _set(deadline, kontext, "regel_forfaller", plan.forfaller, orsak)
        # An anstånd (or a fair due date) holds while its period does, unless the rules now give later.
        due = max(deadline.forfaller, plan.forfaller) if same_period and had_anstand else plan.forfaller
        if due != deadline.forfaller or not was_open:
            due = fair_day(due, deadline.forfaller if was_open else None, deadline.bevakas)
        if _set(deadline, kontext, "forfaller", due, orsak if due == plan.forfaller else f"{orsak}: rättvis frist"):
            changed = True
            deadline.flaggad_styrelse = None  # a new due date: a new ladder, a new board flag if it runs out
        changed |= _set(deadline, kontext, "tillstand", DeadlineTillstand.OPPEN, orsak)
        result.andrade += changed
        if changed:
            result.berorda.append(deadline)

    for key, deadline in existing.items():
        if key not in wanted and key not in frozen and deadline.tillstand is DeadlineTillstand.OPPEN:
            cancel(deadline, kontext, orsak)
            result.makulerade += 1
            result.berorda.append(deadline)
    return result


def opened(
    plan: PlannedDeadline, kontext: Kontext, *, as_of: date, orsak: str, bevaka_passerade: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new deadline as planned: its columns, and those of the history entry that opens it."""
    values = {
        "typ": plan.typ,
        "nr": plan.nr,
        "period_start": plan.period_start,
        "period_slut": plan.period_slut,
        "forfaller": plan.forfaller,
        "regel_forfaller": plan.forfaller,
        "tillstand": DeadlineTillstand.OPPEN,
        "bevakas": bevaka_passerade or plan.forfaller >= as_of,
    }
    return values, _change(kontext, "tillstand", None, DeadlineTillstand.OPPEN, orsak)


def first_deadlines(
    regler: Regler, kontext: Kontext, *, tillstand: Tillstand, start: date | None, slut: date | None,
    rapportschema: dict[str, Any] | None, as_of: date, orsak: str, bevaka_passerade: bool = True,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """What `sync_deadlines` creates for an insats with these dates and no deadlines yet, as rows to insert
    (see `opened`): for imports that write new insatser in bulk."""
    planned = _plan(regler, tillstand, start, slut, rapportschema, as_of=as_of, covered_until=None, first_nr=1)
    return [opened(plan, kontext, as_of=as_of, orsak=orsak, bevaka_passerade=bevaka_passerade) for plan in planned]


def grant_anstand(
    session: Session, kontext: Kontext, deadline_id: int, nytt: date, skal: str, beviljat_av: str
) -> Anstand:
    """Extend one deadline. The old due date stays in the history and in the anstånd record."""
    deadline = by_id(session, Deadline, deadline_id)
    if deadline is None:
        raise NotFound(f"Det finns ingen deadline med id {deadline_id}.")
    if deadline.tillstand is not DeadlineTillstand.OPPEN:
        raise FinsamError(
            f"{deadline.rubrik} för {deadline.insats.namn} är {deadline.tillstand.value}; anstånd ges bara för öppna."
        )
    if not skal.strip():
        raise FinsamError("Ange ett skäl för anståndet (--reason).")
    if not beviljat_av.strip():
        raise FinsamError("Ange vem som beviljar anståndet.")
    nytt = next_working_day(nytt)
    if nytt <= deadline.forfaller:
        raise FinsamError(
            f"Nytt datum {nytt.isoformat()} är inte senare än nuvarande {deadline.forfaller.isoformat()}; "
            "ett anstånd förlänger tiden."
        )
    anstand = Anstand(
        deadline_id=deadline.id,
        tidigare_forfaller=deadline.forfaller,
        nytt_forfaller=nytt,
        skal=skal.strip(),
        beviljat_av=beviljat_av.strip(),
        tid=kontext.nu.astimezone(timezone.utc),
    )
    session.add(anstand)
    _set(deadline, kontext, "forfaller", nytt, f"anstånd: {skal.strip()} (beviljat av {beviljat_av.strip()})")
    # The ladder starts afresh for the new date; if it runs out again, the styrelse hears of it again.
    deadline.flaggad_styrelse = None
    return anstand


def set_chased(session: Session, kontext: Kontext, deadline_id: int, chased: bool, orsak: str) -> Deadline:
    """Turn reminders on for a deadline the kansli finds really missing (or off again)."""
    deadline = by_id(session, Deadline, deadline_id)
    if deadline is None:
        raise NotFound(f"Det finns ingen deadline med id {deadline_id}.")
    if deadline.tillstand is not DeadlineTillstand.OPPEN:
        raise FinsamError(f"{deadline.rubrik} för {deadline.insats.namn} är {deadline.tillstand.value}, inte öppen.")
    _set(deadline, kontext, "bevakas", chased, orsak)
    return deadline


def mark_not_received(deadline: Deadline, kontext: Kontext, orsak: str) -> None:
    """A delrapport that never came, once the slutrapport has: not chased any more, but kept as ej inkommen (its
    history, and the styrelse's follow-up list if it was on it), never made to look cancelled."""
    _set(deadline, kontext, "tillstand", DeadlineTillstand.EJ_INKOMMEN, orsak)


def fulfil(session: Session, kontext: Kontext, deadline: Deadline, inkom: date, orsak: str) -> None:
    if deadline.tillstand is DeadlineTillstand.INKOMMEN:
        raise FinsamError(f"{deadline.rubrik} för {deadline.insats.namn} är redan registrerad som inkommen.")
    if deadline.tillstand is DeadlineTillstand.MAKULERAD:
        raise FinsamError(f"{deadline.rubrik} för {deadline.insats.namn} är makulerad.")
    _set(deadline, kontext, "tillstand", DeadlineTillstand.INKOMMEN, orsak)
    _set(deadline, kontext, "inkom", inkom, orsak)


@dataclass(frozen=True)
class DeadlineRow:
    """A deadline as listed to users (CLI table, --json, flows' artifacts)."""

    id: int
    insats: str
    diarienummer: str | None
    kind: RapportTyp
    nr: int
    period_start: date
    period_end: date
    due: date
    rule_due: date
    status: DeadlineStatus
    received: date | None
    chased: bool

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "insats": self.insats,
            "diarienummer": self.diarienummer,
            "kind": self.kind.value,
            "nr": self.nr,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "due": self.due.isoformat(),
            "rule_due": self.rule_due.isoformat(),
            "status": self.status.value,
            "received": self.received.isoformat() if self.received else None,
            "chased": self.chased,
        }


def list_deadlines(
    session: Session, *, as_of: date, insats: Insats | None = None, include_cancelled: bool = False
) -> list[DeadlineRow]:
    query = select(Deadline).join(Deadline.insats).options(selectinload(Deadline.insats))
    if insats is not None:
        query = query.where(Deadline.insats_id == insats.id)
    if not include_cancelled:
        query = query.where(Deadline.tillstand != DeadlineTillstand.MAKULERAD)
    query = query.order_by(Deadline.forfaller, Insats.namn, Deadline.typ, Deadline.nr)
    return [
        DeadlineRow(
            id=d.id,
            insats=d.insats.namn,
            diarienummer=d.insats.diarienummer,
            kind=d.typ,
            nr=d.nr,
            period_start=d.period_start,
            period_end=d.period_slut,
            due=d.forfaller,
            rule_due=d.regel_forfaller,
            status=d.status(as_of),
            received=d.inkom,
            chased=d.bevakas,
        )
        for d in session.scalars(query)
    ]
