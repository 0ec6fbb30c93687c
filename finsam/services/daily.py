"""The day's work (daglig bevakning): states by the calendar, open-ended schedules extended, messages queued.

Planning is one transaction and idempotent: the same day planned twice queues nothing new.
Sending is separate (finsam.services.delivery), so a mail server that is down loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from finsam.audit import Kontext
from finsam.domain.ladder import MeddelandeTyp
from finsam.domain.lifecycle import REPORTING_STATES
from finsam.domain.model import Insats
from finsam.services.batch import ItemFailure, isolated
from finsam.services.deadlines import sync_deadlines
from finsam.services.lifecycle import Flyttad, advance_states
from finsam.services.outbox import Koat
from finsam.services.replan import Flytt, replan_if_rules_changed
from finsam.services.notify import MailContext, plan_ladder, queue_outage_notice, queue_weekly_summary


@dataclass
class DayPlan:
    as_of: date
    moved: list[Flyttad] = field(default_factory=list)
    queued: list[Koat] = field(default_factory=list)  # headings only: a big day queues thousands
    flagged: list[str] = field(default_factory=list)  # "Delrapport 2 – Trisam", put on the styrelse's list
    extended: int = 0
    replanned: list[Flytt] | None = None  # the rules changed: the deadlines that moved
    failed: list[ItemFailure] = field(default_factory=list)  # items that could not be done, with the reason


def plan_day(session: Session, kontext: Kontext, mail: MailContext, *, as_of: date) -> DayPlan:
    """Every part of the day, each insats and each message on its own: one that fails is recorded in
    `failed` and the rest goes on."""
    plan = DayPlan(as_of=as_of)
    plan.moved = advance_states(session, kontext, as_of=as_of, failures=plan.failed)
    plan.replanned = replan_if_rules_changed(session, kontext, mail.regler, as_of=as_of, failures=plan.failed)
    # Insatser without an end date get delrapporter planned a horizon ahead; move the horizon along.
    open_ended = session.scalars(
        select(Insats).where(Insats.slut.is_(None), Insats.tillstand.in_(list(REPORTING_STATES)))
        .options(selectinload(Insats.deadlines)).order_by(Insats.id)  # one query, not one per insats
    ).all()
    for insats in open_ended:
        with isolated(session, plan.failed, f"Planering av delrapporter: {insats.namn}"):
            plan.extended += sync_deadlines(
                session, insats, mail.regler, kontext, as_of=as_of, orsak="planeringshorisonten flyttad"
            ).skapade
    not_messages = list(plan.failed)  # failed messages are kept in the outbox, which the summary lists anyway
    ladder = plan_ladder(session, kontext, mail, as_of=as_of)
    plan.queued.extend(ladder.queued)
    plan.flagged = ladder.flagged
    plan.failed.extend(ladder.failed)
    with isolated(session, plan.failed, MeddelandeTyp.VECKOSAMMANFATTNING.label):
        if (weekly := queue_weekly_summary(session, kontext, mail, as_of=as_of, failures=not_messages)) is not None:
            plan.queued.append(Koat.of(weekly))
    with isolated(session, plan.failed, MeddelandeTyp.UTSKICKSSTORNING.label):
        if (outage := queue_outage_notice(session, kontext, mail)) is not None:
            plan.queued.append(Koat.of(outage))
    return plan
