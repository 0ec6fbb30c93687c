"""An incomplete report is not a finished one.

A slutrapport without beviljade or utnyttjade medel, or a delrapport without its economic table or with the
checklist unanswered, is registered as inkommen (its reminders stop) but *ofullständig*: a komplettering with a
date of its own (`rapportering.komplettering_dagar` after the report came in, on a working day) is chased by the
ladder like any deadline, and a slutrapport does not make the insats slutredovisad, nor is an återbetalning
computed from a guess, until the missing part arrives (the completed report, read like any other) or the kansli
accepts the report as it is (`finsam report godkann`, the run form godkann-rapport).
"""

from __future__ import annotations

from datetime import timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import DeadlineTillstand, RapportTyp
from finsam.domain.lifecycle import Steg, next_state
from finsam.domain.model import Deadline, InkommenRapport, Insats
from finsam.domain.rules_config import Regler
from finsam.domain.workdays import next_working_day
from finsam.errors import FinsamError
from finsam.services.deadlines import fulfil, record
from finsam.services.ekonomi import open_repayment


def ask(kontext: Kontext, regler: Regler, insats: Insats, rapport: InkommenRapport) -> Deadline:
    """Open the komplettering of an incomplete report: one open at a time per report."""
    own = [d for d in insats.deadlines if d.typ is RapportTyp.KOMPLETTERING]
    due = next_working_day(rapport.inkom + timedelta(days=regler.rapportering.komplettering_dagar))
    report = rapport.deadline
    deadline = Deadline(
        typ=RapportTyp.KOMPLETTERING, nr=1 + max((d.nr for d in own), default=0),
        period_start=report.period_start if report else rapport.inkom,
        period_slut=report.period_slut if report else rapport.inkom,
        forfaller=due, regel_forfaller=due, tillstand=DeadlineTillstand.OPPEN, bevakas=True,
    )
    insats.deadlines.append(deadline)
    what = report.rubrik if report else rapport.typ.label
    record(deadline, kontext, "tillstand", None, DeadlineTillstand.OPPEN,
           f"{what} (inkom {rapport.inkom.isoformat()}) saknar: " + "; ".join(rapport.ofullstandig or []))
    return deadline


def open_request(insats: Insats) -> Deadline | None:
    return next((d for d in sorted(insats.deadlines, key=lambda d: d.nr) if d.typ is RapportTyp.KOMPLETTERING
                 and d.tillstand is DeadlineTillstand.OPPEN), None)


def incomplete_reports(session: Session, insats: Insats) -> list[InkommenRapport]:
    return list(session.scalars(
        select(InkommenRapport).where(InkommenRapport.insats_id == insats.id, InkommenRapport.ofullstandig.is_not(None),
                                      InkommenRapport.godkand.is_(None)).order_by(InkommenRapport.inkom)))


def complete(session: Session, kontext: Kontext, regler: Regler, rapport: InkommenRapport, *, inkom,  # noqa: ANN001
             godkand_av: str | None = None) -> None:
    """The report is complete now (the missing part came in `inkom`), or the kansli accepts it as it is
    (`godkand_av`): its komplettering is fulfilled, a slutrapport closes the insats and opens the återbetalning
    its own figures give (none from a guess: without utnyttjade medel there is no amount)."""
    insats = session.get(Insats, rapport.insats_id)
    request = open_request(insats)
    why = (f"godkänd som den är av {godkand_av}" if godkand_av else f"kompletteringen inkom {inkom.isoformat()}")
    if request is not None:
        fulfil(session, kontext, request, inkom, why)
    if godkand_av:
        rapport.godkand_av, rapport.godkand = godkand_av, kontext.nu.astimezone(timezone.utc)
    else:
        rapport.ofullstandig = None
    if rapport.typ is RapportTyp.SLUTRAPPORT:
        insats.tillstand = next_state(insats.tillstand, Steg.SLUTREDOVISA, start=insats.start, end=insats.slut)
        session.flush()
        open_repayment(session, kontext, regler, rapport)


def accept(session: Session, kontext: Kontext, regler: Regler, insats: Insats, *, godkand_av: str) -> InkommenRapport:
    """The kansli accepts the insats's incomplete report as it is."""
    waiting = incomplete_reports(session, insats)
    if not waiting:
        raise FinsamError(f"{insats.ref} har ingen ofullständig rapport att godkänna.")
    rapport = waiting[-1]
    complete(session, kontext, regler, rapport, inkom=kontext.nu.date(), godkand_av=godkand_av)
    return rapport
