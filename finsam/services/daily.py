"""The day's work (daglig bevakning): states by the calendar, open-ended schedules extended, messages queued.

Planning is one transaction and idempotent: the same day planned twice queues nothing new.
Sending is separate (finsam.services.delivery), so a mail server that is down loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import Tillstand
from finsam.domain.lifecycle import REPORTING_STATES
from finsam.domain.model import Deadline, Insats, Utskick
from finsam.services.deadlines import sync_deadlines
from finsam.services.lifecycle import advance_states
from finsam.services.notify import MailContext, plan_ladder, queue_outage_notice, queue_weekly_summary


@dataclass
class DayPlan:
    as_of: date
    moved: list[tuple[Insats, Tillstand]] = field(default_factory=list)
    queued: list[Utskick] = field(default_factory=list)
    flagged: list[Deadline] = field(default_factory=list)
    extended: int = 0


def plan_day(session: Session, kontext: Kontext, mail: MailContext, *, as_of: date) -> DayPlan:
    plan = DayPlan(as_of=as_of)
    plan.moved = advance_states(session, kontext, as_of=as_of)
    # Insatser without an end date get delrapporter planned a horizon ahead; move the horizon along.
    for insats in session.scalars(
        select(Insats).where(Insats.slut.is_(None), Insats.tillstand.in_(list(REPORTING_STATES))).order_by(Insats.id)
    ):
        plan.extended += sync_deadlines(
            session, insats, mail.regler, kontext, as_of=as_of, orsak="planeringshorisonten flyttad"
        ).skapade
    ladder = plan_ladder(session, kontext, mail, as_of=as_of)
    plan.queued.extend(ladder.queued)
    plan.flagged = ladder.flagged
    if (weekly := queue_weekly_summary(session, kontext, mail, as_of=as_of)) is not None:
        plan.queued.append(weekly)
    if (outage := queue_outage_notice(session, kontext, mail)) is not None:
        plan.queued.append(outage)
    return plan
