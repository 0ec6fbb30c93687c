"""What to tell whom: ladder steps, kvittens, beslutsmeddelande and the weekly summary, queued in the outbox.

Every message is rendered in full when it is queued; the outbox key makes queuing idempotent,
so planning the same day twice queues nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session, defer, selectinload

from finsam.audit import Kontext
from finsam.domain.enums import DeadlineStatus, DeadlineTillstand, MoteTyp, RapportTyp, UtskickTillstand
from finsam.domain.ladder import LadderStep, MeddelandeTyp, Mottagare, offset_of
from finsam.domain.limits import max_length
from finsam.domain.lifecycle import REPORTING_STATES
from finsam.domain.model import Beslut, Deadline, InkommenRapport, Insats, Sammantrade, Utskick
from finsam.domain.parsing import plain_text
from finsam.domain.rules_config import Regler
from finsam.messages.compose import Attachment, Recipient, compose, message_id
from finsam.messages.render import MailRenderer
from finsam.services import outbox
from finsam.services.batch import ItemFailure, isolated, let_go_in_batches, reason
from finsam.services.calendars import email_calendar
from finsam.services.ekonomi import repayment_view


@dataclass(frozen=True)
class MailContext:
    """What composing needs: the rules (addresses, ladder), the templates and the sender."""

    regler: Regler
    renderer: MailRenderer
    sender: Recipient
    ui_url: str | None = None  # the Prefect UI, for links to artifacts in messages to the kansli

    def artifact_link(self, key: str) -> str | None:
        return f"{self.ui_url.rstrip('/')}/artifacts/key/{key}" if self.ui_url else None

    @property
    def kansli(self) -> Recipient:
        return Recipient(*self.regler.address(Mottagare.KANSLI))


def insats_view(insats: Insats) -> dict[str, Any]:
    return {"namn": insats.namn, "diarienummer": insats.diarienummer, "huvudman": insats.huvudman}


def deadline_view(deadline: Deadline, regler: Regler | None = None) -> dict[str, Any]:
    """A deadline as a message names it. A slutrapport covers the whole insatstid (unless the rules say it reports
    only on the time since the last delrapport), so that is the period its messages give."""
    start = deadline.period_start
    whole = regler is None or regler.rapportering.slutrapport.omfattar == "hela_insatstiden"
    if deadline.typ is RapportTyp.SLUTRAPPORT and whole and deadline.insats is not None and deadline.insats.start:
        start = min(deadline.insats.start, deadline.period_start)
    return {
        "rubrik": deadline.rubrik,
        "period_start": start,
        "period_slut": deadline.period_slut,
        "forfaller": deadline.forfaller,
    }


def calendar_part(deadlines: list[Deadline], mail: MailContext, kontext: Kontext, name: str) -> Attachment:
    data = email_calendar(deadlines, mail.regler, name=name, stamp=kontext.nu)
    return Attachment(filename="rapporter.ics", data=data, params={"method": "PUBLISH"})


def contact_of(insats: Insats) -> Recipient | None:
    person = insats.kontaktperson
    return Recipient(person.namn, person.epost) if person else None


def insatsagare(insats: Insats, mail: MailContext) -> Recipient:
    """Who a message to the insatsägare goes to: the contact person; for an insats without one the
    kansli gets the message instead, and sees why."""
    return contact_of(insats) or mail.kansli


def _recipient(roll: Mottagare, insats: Insats, mail: MailContext) -> Recipient:
    if roll is Mottagare.INSATSAGARE:
        return insatsagare(insats, mail)
    return Recipient(*mail.regler.address(roll))


def queue(
    session: Session,
    kontext: Kontext,
    mail: MailContext,
    *,
    nyckel: str,
    typ: MeddelandeTyp,
    to: Recipient,
    cc: list[Recipient],
    context: dict[str, Any],
    planerad: date,
    attachments: Callable[[], list[Attachment]] | None = None,
    steg: str | None = None,
    insats: Insats | None = None,
    deadline: Deadline | None = None,
) -> Utskick | None:
    """Render, compose and queue one message, unless its key is already in the outbox.

    A message that cannot be made (a stored address with a line break, a template error) is kept
    as a failed row with its reason and returned as such (see `not_made`); the caller's own work
    (a registration, a decision) stands.
    """
    if outbox.exists(session, nyckel):
        return None
    full = {
        "forbund": {"namn": mail.regler.forbund.namn, "kansli_epost": mail.regler.forbund.kansli_epost},
        "mottagare": {"namn": to.name, "epost": to.address},
        "idag": planerad,
        **context,
    }
    cc = [c for c in cc if c.address != to.address]
    msg_id = message_id(nyckel, mail.sender.address)
    try:
        for address in [to.address, *(c.address for c in cc)]:
            plain_text(address, max_length(Utskick.mottagare))
        rendered = mail.renderer.render(typ.value, full)
        data = compose(
            rendered,
            sender=mail.sender,
            to=to,
            cc=cc,
            reply_to=mail.regler.forbund.kansli_epost,
            msg_id=msg_id,
            date=kontext.nu,
            attachments=attachments() if attachments is not None else [],  # made here: its failure is this message's
        )
    except Exception as e:  # noqa: BLE001 - this message only; recorded with its reason, never half-sent
        return _keep_not_made(session, kontext, mail, nyckel=nyckel, typ=typ, to=to.address, error=reason(e),
                              planerad=planerad, steg=steg, insats=insats, deadline=deadline)
    return outbox.enqueue(
        session,
        kontext,
        outbox.NewMessage(
            nyckel=nyckel,
            typ=typ.value,
            steg=steg,
            mottagare=to.address,
            kopia=[c.address for c in cc],
            amne=outbox.printable(rendered.subject, max_length(Utskick.amne)),  # the message keeps the whole subject
            message_id=msg_id,
            meddelande=data,
            planerad=planerad,
            insats_id=insats.id if insats else None,
            deadline_id=deadline.id if deadline else None,
            forfaller=deadline.forfaller if deadline else None,
        ),
    )


def _what(typ: MeddelandeTyp, insats: Insats | None, deadline: Deadline | None) -> str:
    """A message as the kansli knows it: "Påminnelse: Delrapport 2 – Trisam 2.0"."""
    return typ.label + (f": {deadline.rubrik}" if deadline else "") + (f" – {insats.namn}" if insats else "")


def _keep_not_made(
    session: Session, kontext: Kontext, mail: MailContext, *, nyckel: str, typ: MeddelandeTyp, to: str, error: str,
    planerad: date, steg: str | None, insats: Insats | None, deadline: Deadline | None,
) -> Utskick | None:
    """Keep a message that could not be made in the outbox as failed, with its reason."""
    return outbox.record_not_composed(
        session, kontext, nyckel=nyckel, typ=typ.value, mottagare=to, vad=_what(typ, insats, deadline), error=error,
        planerad=planerad, sender_domain=mail.sender.address.rpartition("@")[2], steg=steg,
        insats_id=insats.id if insats else None, deadline_id=deadline.id if deadline else None,
        forfaller=deadline.forfaller if deadline else None,
    )


def not_made(row: Utskick | None) -> str | None:
    """Why a message `queue` returned could not be made, or None if it was queued (or already was)."""
    if row is not None and row.tillstand is UtskickTillstand.MISSLYCKAD:
        return row.senaste_fel or "okänt fel"
    return None


def ladder_key(deadline: Deadline, step: LadderStep, recipient: str) -> str:
    # The due date is part of the key: an anstånd starts the ladder afresh for the new date.
    return f"stege:{deadline.id}:{deadline.forfaller.isoformat()}:{step.key}:{recipient.lower()}"


def _chased_deadlines(regler: Regler, as_of: date):  # noqa: ANN202
    """The open, chased deadlines of insatser that owe reports, close enough to have a step today."""
    ladder = regler.ladder()
    horizon = as_of - timedelta(days=ladder.steps[0].offset)  # nothing is due for deadlines further ahead
    return (
        select(Deadline.id, Deadline.forfaller)
        .join(Insats, Insats.id == Deadline.insats_id)
        .where(
            Deadline.tillstand == DeadlineTillstand.OPPEN,
            Deadline.bevakas.is_(True),
            Deadline.forfaller <= horizon,
            Insats.tillstand.in_(list(REPORTING_STATES)),
            Insats.egen.is_(False),  # the förbund's own insatser: the kansli's to-dos, never chased
        )
    )


def scan_due(session: Session, regler: Regler, *, as_of: date) -> dict[int, LadderStep]:
    """The daily scan: which open, chased deadline has which ladder step to send today (by id).

    Plain rows (id, due date, steps sent) in two queries, the ladder applied in Python.
    """
    ladder = regler.ladder()
    if not ladder.steps:
        return {}
    # Each candidate with the latest step already queued for its current due date, in one query.
    offset = case(
        (Utskick.steg == "forfallodag", 0),
        (Utskick.steg.like("fore-%"), -cast(func.substr(Utskick.steg, 6), Integer)),
        else_=cast(func.substr(Utskick.steg, 7), Integer),
    )
    query = (
        _chased_deadlines(regler, as_of)
        .add_columns(func.max(offset))
        .outerjoin(Utskick, and_(Utskick.deadline_id == Deadline.id, Utskick.forfaller == Deadline.forfaller,
                                 Utskick.steg.is_not(None), Utskick.tillstand != UtskickTillstand.MISSLYCKAD))
        .group_by(Deadline.id, Deadline.forfaller)
    )
    due: dict[int, LadderStep] = {}
    for deadline_id, forfaller, latest in session.execute(query):
        step = ladder.step_to_send(forfaller, as_of, () if latest is None else (latest,))
        if step is not None:
            due[deadline_id] = step
    return due


def due_steps(
    session: Session, regler: Regler, *, as_of: date, due: dict[int, LadderStep] | None = None
) -> list[tuple[Deadline, LadderStep]]:
    """The deadlines that get a message today (or those of `due`), loaded with what their messages need."""
    due = scan_due(session, regler, as_of=as_of) if due is None else due
    if not due:
        return []
    deadlines = session.scalars(
        select(Deadline).where(Deadline.id.in_(list(due)))
        .options(selectinload(Deadline.insats).selectinload(Insats.kontaktperson), selectinload(Deadline.historik),
                 selectinload(Deadline.aterbetalning))
        .order_by(Deadline.forfaller, Deadline.id)
    ).all()
    return [(d, due[d.id]) for d in deadlines]


def next_styrelse(session: Session, after: date) -> date | None:
    return session.scalar(
        select(Sammantrade.datum)
        .where(Sammantrade.typ == MoteTyp.STYRELSE, Sammantrade.datum > after, Sammantrade.installt.is_(False))
        .order_by(Sammantrade.datum)
        .limit(1)
    )


def _kind(deadline: Deadline, step: LadderStep) -> MeddelandeTyp:
    """A report's step is a påminnelse, försenad or eskalering; every step of an återbetalning has its own message."""
    return MeddelandeTyp.ATERBETALNING if deadline.typ is RapportTyp.ATERBETALNING else step.kind


def _repayment(deadline: Deadline, step: LadderStep, regler: Regler) -> dict[str, Any]:
    return {"aterbetalning": repayment_view(deadline, regler),
            "steg": {"efter": step.offset > 0, "till_kansli": step.till is not Mottagare.INSATSAGARE}}


def _step_text(typ: str, steg: str) -> str:
    """A ladder message as the kansli reads it: "påminnelse 14 dagar före", "eskalering 14 dagar efter"."""
    offset = offset_of(steg)
    if offset < 0:
        return f"påminnelse {-offset} dagar före"
    if offset == 0:
        return "påminnelse på sista dagen"
    return f"{MeddelandeTyp(typ).label.lower()} {offset} dagar efter"


def _sent_before(session: Session, deadline: Deadline) -> list[dict[str, Any]]:
    """What the ladder has sent about this due date, oldest first: the day, what, to whom."""
    rows = session.execute(
        select(Utskick.planerad, Utskick.typ, Utskick.steg, Utskick.mottagare)
        .where(Utskick.deadline_id == deadline.id, Utskick.forfaller == deadline.forfaller, Utskick.steg.is_not(None),
               Utskick.tillstand == UtskickTillstand.SKICKAD)
        .order_by(Utskick.planerad, Utskick.id)
    ).all()
    return [{"datum": planerad, "vad": _step_text(typ, steg), "till": mottagare} for planerad, typ, steg, mottagare in rows]


@dataclass
class LadderResult:
    queued: list[outbox.Koat]  # headings only
    flagged: list[str]  # "Delrapport 2 – Trisam": put on the styrelse's follow-up list today
    failed: list[ItemFailure] = field(default_factory=list)


LADDER_BATCH = 500  # deadlines loaded, messaged and let go at a time: memory stays flat however many are due


def plan_ladder(session: Session, kontext: Kontext, mail: MailContext, *, as_of: date) -> LadderResult:
    """Queue today's step, if any, for every open deadline that is chased; one that fails is recorded, not fatal.

    The deadlines are taken in batches; after each batch (flushed, item by item) the session lets go of
    what it loaded, so the day's run holds one batch of deadlines and the headings of its messages."""
    result = LadderResult([], [])
    due = scan_due(session, mail.regler, as_of=as_of)
    # Where a step puts a report on the styrelse's follow-up list, it names the next meeting: one look.
    next_meeting = next_styrelse(session, as_of) if any(step.flagga_styrelse for step in due.values()) else None
    for batch in let_go_in_batches(session, sorted(due), LADDER_BATCH):
        steps = due_steps(session, mail.regler, as_of=as_of, due={i: due[i] for i in batch})
        _plan_batch(session, kontext, mail, steps, next_meeting, as_of=as_of, result=result)
    return result


def _plan_batch(
    session: Session, kontext: Kontext, mail: MailContext, steps: list[tuple[Deadline, LadderStep]],
    next_meeting: date | None, *, as_of: date, result: LadderResult,
) -> None:
    for deadline, step in steps:
        why: str | None = None
        to: Recipient | None = None
        flag = step.flagga_styrelse and deadline.flaggad_styrelse is None
        kind = _kind(deadline, step)
        with isolated(session, result.failed, f"Steg {step.key} för deadline {deadline.id}") as item:
            insats = deadline.insats
            to = _recipient(step.till, insats, mail)
            if flag:  # the styrelse hears of it whether or not the message can be made
                deadline.flaggad_styrelse = as_of
            cc = [_recipient(r, insats, mail) for r in step.kopia]
            contact = contact_of(insats)
            row = queue(
                session,
                kontext,
                mail,
                nyckel=ladder_key(deadline, step, to.address),
                typ=kind,
                to=to,
                cc=cc,
                context={
                    "insats": insats_view(insats),
                    "deadline": deadline_view(deadline, mail.regler),
                    "kontakt": {"namn": contact.name, "epost": contact.address} if contact else None,
                    "flagga_styrelse": step.flagga_styrelse,
                    "styrelsemote": next_meeting if step.flagga_styrelse else None,
                    **(_repayment(deadline, step, mail.regler) if kind is MeddelandeTyp.ATERBETALNING else {}),
                    "tidigare": _sent_before(session, deadline) if step.offset > 0 else [],
                },
                planerad=as_of,
                # The calendar event helps before the due date; after it, a day already past is no help.
                attachments=(lambda: [calendar_part([deadline], mail, kontext, f"{deadline.rubrik} – {insats.namn}")])
                if step.offset <= 0 else None,
                steg=step.key,
                insats=insats,
                deadline=deadline,
            )
            if (why := not_made(row)) is not None:  # queue kept it in the outbox as failed
                result.failed.append(ItemFailure(_what(kind, insats, deadline), why))
            elif row is not None:
                result.queued.append(outbox.Koat.of(row))
        if item.ok:
            if flag:
                result.flagged.append(f"{deadline.rubrik} – {deadline.insats.namn}")
        elif to is not None:  # it failed before queue could keep it: keep it in the outbox as failed
            failure = ItemFailure(_what(kind, deadline.insats, deadline), result.failed[-1].orsak)
            result.failed[-1] = failure  # named as the kansli knows it, now that the insats is loaded
            with isolated(session, result.failed, f"{failure.vad} (kunde inte sparas i utkorgen)"):
                _keep_not_made(session, kontext, mail, nyckel=ladder_key(deadline, step, to.address), typ=kind,
                               to=to.address, error=failure.orsak, planerad=as_of, steg=step.key,
                               insats=deadline.insats, deadline=deadline)


def queue_weekly_summary(
    session: Session, kontext: Kontext, mail: MailContext, *, as_of: date, failures: list[ItemFailure] = ()  # type: ignore[assignment]
) -> Utskick | None:
    """Once per ISO week, on the configured weekday or the first run after it; `failures` are the
    day's items that could not be done (besides messages, which the outbox lists)."""
    weekday = mail.regler.paminnelser.veckosammanfattning
    if weekday is None or as_of.weekday() < weekday.weekday:
        return None
    year, week, _ = as_of.isocalendar()
    nyckel = f"vecka:{year}-{week:02d}:{mail.kansli.address.lower()}"
    if outbox.exists(session, nyckel):
        return None
    horizon = as_of + timedelta(days=mail.regler.drift.kommande_dagar)
    rows = mail.regler.drift.sammanfattning_rader
    open_ = Deadline.tillstand == DeadlineTillstand.OPPEN
    # Each part lists its first `rows` and counts the rest: the message, and what making it holds in memory,
    # stay the same size however many insatser the förbund follows.
    # The förbund's own insatser are the kansli's own to-dos, listed apart, never as someone else's delay.
    others, own = Deadline.insats_id.in_(select(Insats.id).where(Insats.egen.is_(False))), Deadline.insats_id.in_(
        select(Insats.id).where(Insats.egen.is_(True)))
    overdue, overdue_total = _listed(session, open_ & (Deadline.forfaller < as_of) & Deadline.bevakas.is_(True) & others, rows)
    coming, coming_total = _listed(session, open_ & Deadline.forfaller.between(as_of, horizon) & others, rows)
    todo, todo_total = _listed(session, open_ & (Deadline.forfaller <= horizon) & Deadline.bevakas.is_(True) & own, rows)
    last_week = Utskick.planerad >= as_of - timedelta(days=7)
    not_delivered = (
        ((Utskick.tillstand.in_([UtskickTillstand.MISSLYCKAD, UtskickTillstand.OSAKER])) & last_week)
        | ((Utskick.tillstand == UtskickTillstand.VANTAR) & (Utskick.forsok > 0))
        # Sent, but some recipient refused it (the insatsägare, while the kansli's copy went).
        | ((Utskick.tillstand == UtskickTillstand.SKICKAD) & Utskick.senaste_fel.is_not(None) & last_week)
    )
    problems = session.execute(
        select(Utskick.mottagare, Utskick.amne, Utskick.tillstand, Utskick.senaste_fel)
        .where(not_delivered).order_by(Utskick.id).limit(rows)
    ).all()
    problems_total = _total(session, Utskick, not_delivered, len(problems), rows)

    def row(d: Deadline) -> dict[str, Any]:
        return {"insats": d.insats.namn, "rubrik": d.rubrik, "forfaller": d.forfaller,
                "flaggad": d.flaggad_styrelse is not None}

    return queue(
        session, kontext, mail,
        nyckel=nyckel,
        typ=MeddelandeTyp.VECKOSAMMANFATTNING,
        to=mail.kansli,
        cc=[],
        context={
            "vecka": week,
            "forfallna": [row(d) for d in overdue],
            "forfallna_antal": overdue_total,
            "kommande": [row(d) for d in coming],
            "kommande_antal": coming_total,
            "kommande_dagar": mail.regler.drift.kommande_dagar,
            "egna": [row(d) for d in todo],
            "egna_antal": todo_total,
            "misslyckade": [
                {"mottagare": mottagare, "amne": amne, "tillstand": tillstand.label, "fel": fel}
                for mottagare, amne, tillstand, fel in problems
            ],
            "misslyckade_antal": problems_total,
            "korfel": [str(f) for f in failures[:rows]],
            "korfel_antal": len(failures),
            "lank": mail.artifact_link("forsenade-rapporter"),
        },
        planerad=as_of,
        attachments=lambda: [calendar_part(overdue + coming + todo, mail, kontext, "Rapporter att bevaka")],
    )


def _listed(session: Session, where: Any, limit: int) -> tuple[list[Deadline], int]:
    """The first `limit` deadlines by due date (with what their calendar events show), and how many there are."""
    listed = session.scalars(
        select(Deadline).where(where)
        .options(selectinload(Deadline.insats), selectinload(Deadline.historik))
        .order_by(Deadline.forfaller, Deadline.id).limit(limit)
    ).all()
    return list(listed), _total(session, Deadline, where, len(listed), limit)


def _total(session: Session, model: type, where: Any, shown: int, limit: int) -> int:
    """How many rows `where` matches: those shown when the limit was not reached, else counted."""
    return shown if shown < limit else session.scalar(select(func.count()).select_from(model).where(where))


def is_stale(session: Session, row: Utskick) -> str | None:
    """Why a queued ladder message should no longer go out (the report arrived, the date moved), or None."""
    if row.steg is None or row.deadline_id is None:
        return None
    deadline = session.get(Deadline, row.deadline_id)
    if deadline is None:
        return "rapporten finns inte längre"
    if deadline.tillstand is DeadlineTillstand.INKOMMEN:
        return {RapportTyp.ATERBETALNING: "återbetalningen är betald",
                RapportTyp.KOMPLETTERING: "kompletteringen har kommit in"}.get(deadline.typ, "rapporten har kommit in")
    if deadline.tillstand is DeadlineTillstand.MAKULERAD:
        return "rapporten är makulerad"
    if deadline.tillstand is DeadlineTillstand.EJ_INKOMMEN:
        return "slutrapporten har kommit in; delrapporten bevakas inte längre"
    if deadline.forfaller != row.forfaller:
        return f"nytt sista datum {deadline.forfaller.isoformat()}"
    # Queued while the mail server was down, and a later step has been queued since: send only that one.
    later = session.scalars(
        select(Utskick.steg).where(
            Utskick.deadline_id == row.deadline_id,
            Utskick.forfaller == row.forfaller,
            Utskick.steg.is_not(None),
            Utskick.id != row.id,
            Utskick.tillstand != UtskickTillstand.MAKULERAD,
            Utskick.tillstand != UtskickTillstand.MISSLYCKAD,
        )
    )
    if any(offset_of(key) > offset_of(row.steg) for key in later):
        return "ersatt av ett senare steg"
    return None



def queue_flow_failure(
    session: Session, kontext: Kontext, mail: MailContext, *, flow_run_id: str, flode: str, korning: str,
    meddelande: str, tidpunkt: str, lank: str,
) -> Utskick | None:
    return queue(
        session, kontext, mail,
        nyckel=f"flodesfel:{flow_run_id}:{mail.kansli.address.lower()}",
        typ=MeddelandeTyp.FLODESFEL, to=mail.kansli, cc=[],
        context={"flode": flode, "korning": korning, "meddelande": meddelande, "tidpunkt": tidpunkt, "lank": lank},
        planerad=kontext.nu.date(),
    )


def queue_outage_notice(session: Session, kontext: Kontext, mail: MailContext) -> Utskick | None:
    """Tell the kansli when messages have waited for the mail server since before yesterday's run.

    One notice per outage (keyed by the day it began); it goes out when the server answers again.
    """
    waiting = session.scalars(
        select(Utskick).where(Utskick.tillstand == UtskickTillstand.VANTAR, Utskick.forsok > 0,
                              Utskick.typ != MeddelandeTyp.UTSKICKSSTORNING.value).order_by(Utskick.skapad)
    ).all()
    if not waiting:
        return None
    oldest = waiting[0].skapad if waiting[0].skapad.tzinfo else waiting[0].skapad.replace(tzinfo=timezone.utc)
    if kontext.nu - oldest < timedelta(hours=mail.regler.drift.utskicksstorning_timmar):
        return None
    since = oldest.astimezone(kontext.nu.tzinfo).date()
    return queue(
        session, kontext, mail,
        nyckel=f"storning:{since.isoformat()}:{mail.kansli.address.lower()}",
        typ=MeddelandeTyp.UTSKICKSSTORNING, to=mail.kansli, cc=[],
        context={"sedan": since, "antal": len(waiting), "fel": waiting[-1].senaste_fel or "okänt"},
        planerad=kontext.nu.date(),
    )
