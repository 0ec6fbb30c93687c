"""One door per registration: the change to the insats, then the message that tells the insatsägare.

The CLI, the Prefect run forms, the intake and the demo all call these, inside their own unit of
work. A message that cannot be made does not undo the registration (see notify.not_made).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import Bedomning, BeslutUtfall, MoteTyp, RapportTyp
from finsam.domain.model import Ansokan, Anstand, Aterbetalning, Beslut, InkommenRapport, Insats, Sammantrade, Utskick
from finsam.domain.rules_config import Regler
from finsam.services import completion, ekonomi, lifecycle
from finsam.services.decision_messages import (
    queue_andring,
    queue_beslutsmeddelande,
    queue_komplettering,
    queue_kvittens,
    queue_nytt_motesdatum,
)
from finsam.services.deadlines import SyncResult
from finsam.services.meetings import MeetingImportResult, change_meeting, import_meetings
from finsam.services.notify import MailContext, not_made


@dataclass
class Registrerat:
    """What a registration did, for the caller to show: the insats, its records, the message."""

    insats: Insats
    beslut: Beslut | None = None
    rapport: InkommenRapport | None = None
    anstand: Anstand | None = None
    aterbetalning: Aterbetalning | None = None
    sync: SyncResult = field(default_factory=SyncResult)
    meddelande: Utskick | None = None
    medel: str | None = None  # what a change did to the money per year, in words

    @property
    def meddelandefel(self) -> str | None:
        """Why the message could not be made; None when it was queued (or there was none to send)."""
        return not_made(self.meddelande)


def yttrande(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, *, datum: date, bedomning: Bedomning,
    motivering: str | None = None, as_of: date | None = None, extra: bool = False,
) -> Registrerat:
    """The beredningsgrupp's yttrande (at a meeting of the plan, or an extra one); kompletteras asks the applicant
    for what is missing."""
    made = lifecycle.register_yttrande(session, kontext, insats, datum=datum, bedomning=bedomning, motivering=motivering,
                                       as_of=as_of, extra=extra)
    session.flush()
    result = Registrerat(insats)
    if bedomning is Bedomning.KOMPLETTERAS:
        result.meddelande = queue_komplettering(session, kontext, mail, insats, made)
    return result


def komplettering(session: Session, kontext: Kontext, insats: Insats, *, inkom: date) -> Registrerat:
    """The komplettering came in: the ansökan goes on to the next styrelse meeting it makes."""
    lifecycle.register_komplettering(session, kontext, insats, inkom=inkom)
    return Registrerat(insats)


@dataclass
class Motesplan:
    """A meeting plan imported: the meetings, the ansökningar that moved with them, and the messages."""

    moten: MeetingImportResult
    omdirigerade: list[lifecycle.Omdirigering] = field(default_factory=list)
    meddelanden: list[Utskick] = field(default_factory=list)

    @property
    def meddelandefel(self) -> list[str]:
        return [why for row in self.meddelanden if (why := not_made(row))]


def motesplan(session: Session, kontext: Kontext, mail: MailContext, path: Path, *, as_of: date) -> Motesplan:
    """Import a meeting plan; every open ansökan follows its meeting (or goes to the next one it makes),
    those never routed are routed, and each applicant whose meeting date changed is told."""
    result = Motesplan(import_meetings(session, kontext, path, mail.regler))
    _follow(session, kontext, mail, result, as_of=as_of)
    return result


def mote_andras(
    session: Session, kontext: Kontext, mail: MailContext, typ: MoteTyp, datum: date, *, nytt_datum: date | None = None,
    installt: bool = False, as_of: date,
) -> Motesplan:
    """One meeting moved or cancelled (from a run form or the CLI); its ansökningar follow as after an import."""
    result = Motesplan(MeetingImportResult(andrade=1))
    result.moten.flyttade = change_meeting(session, kontext, mail.regler, typ, datum, nytt_datum=nytt_datum, installt=installt)
    _follow(session, kontext, mail, result, as_of=as_of)
    return result


def _follow(session: Session, kontext: Kontext, mail: MailContext, result: Motesplan, *, as_of: date) -> None:
    """Every open ansökan to the meeting it belongs to now; each applicant whose date changed is told."""
    session.flush()
    result.omdirigerade = lifecycle.reroute_all(session)
    session.flush()
    told: dict[tuple[int, MoteTyp], tuple[date, Sammantrade | None]] = {}
    for change in result.omdirigerade:
        if change.fore is not None:  # never routed before: nothing to take back
            told[(change.ansokan.id, change.typ)] = (result.moten.flyttade.get(change.fore.id, change.fore.datum), change.efter)
    for mote_id, old_date in result.moten.flyttade.items():
        mote = session.get(Sammantrade, mote_id)
        if mote.installt:
            continue  # its ansökningar were routed on above
        column = Ansokan.beredningsmote_id if mote.typ is MoteTyp.BEREDNINGSGRUPP else Ansokan.styrelsemote_id
        for ansokan in session.scalars(select(Ansokan).where(column == mote_id)):
            told.setdefault((ansokan.id, mote.typ), (old_date, mote))
    for (ansokan_id, typ), (old_date, efter) in sorted(told.items()):
        if (efter is not None and efter.datum == old_date) or old_date < as_of:
            continue  # the same day after all, or a meeting already past
        row = queue_nytt_motesdatum(session, kontext, mail, session.get(Ansokan, ansokan_id), typ, old_date, efter,
                                    planerad=as_of)
        if row is not None:
            result.meddelanden.append(row)


def beslut(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, *, datum: date, utfall: BeslutUtfall,
    as_of: date, belopp_kr: int | None = None, start: date | None = None, slut: date | None = None,
    anteckning: str | None = None, belopp_per_ar: dict[int, int] | None = None, extra: bool = False,
) -> Registrerat:
    """The styrelse's decision on an ansökan; beviljas and avslås are told to the applicant."""
    made, sync = lifecycle.register_beslut(session, kontext, insats, mail.regler, datum=datum, utfall=utfall, as_of=as_of,
                                           belopp_kr=belopp_kr, start=start, slut=slut, anteckning=anteckning,
                                           belopp_per_ar=belopp_per_ar, extra=extra)
    session.flush()
    result = Registrerat(insats, beslut=made, sync=sync)
    if utfall in (BeslutUtfall.BEVILJAS, BeslutUtfall.AVSLAS):
        result.meddelande = queue_beslutsmeddelande(session, kontext, mail, insats, made)
    return result


def rapport(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, *, typ: RapportTyp, inkom: date,
    nr: int | None = None, filnamn: str | None = None, sha256: str | None = None,
    ofullstandig: list[str] | None = None,
) -> Registrerat:
    """A report came in: its deadline is fulfilled and the contact person gets a kvittens. An incomplete one
    (`ofullstandig`: what it lacks) opens a komplettering, due `rapportering.komplettering_dagar` after it came in,
    and the kvittens says what is missing and by when."""
    made = lifecycle.register_report(session, kontext, insats, typ=typ, inkom=inkom, nr=nr, filnamn=filnamn,
                                     sha256=sha256, complete=not ofullstandig)
    if ofullstandig:
        made.ofullstandig = ofullstandig
        completion.ask(kontext, mail.regler, insats, made)
    session.flush()
    return Registrerat(insats, rapport=made, meddelande=queue_kvittens(session, kontext, mail, made))


def godkann_rapport(session: Session, kontext: Kontext, mail: MailContext, insats: Insats) -> Registrerat:
    """The kansli accepts the insats's incomplete report as it is: its komplettering is no longer chased, and a
    slutrapport closes the insats (an återbetalning only from figures the report gives)."""
    made = completion.accept(session, kontext, mail.regler, insats, godkand_av=kontext.aktor)
    session.flush()
    return Registrerat(insats, rapport=made)


def _told(session: Session, kontext: Kontext, mail: MailContext, andring: lifecycle.Andring, as_of: date) -> Registrerat:
    session.flush()
    made = andring.beslut
    insats = session.get(Insats, made.insats_id)
    row = queue_andring(session, kontext, mail, insats, nyckel=f"andring:{made.id}", beslut=made,
                        berorda=andring.sync.berorda, planerad=as_of, medel=andring.medel)
    return Registrerat(insats, beslut=made, sync=andring.sync, meddelande=row, medel=andring.medel)


def forlangning(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, *, slut: date, as_of: date,
    beslutsdatum: date | None = None, anteckning: str | None = None,
) -> Registrerat:
    andring = lifecycle.extend(session, kontext, insats, mail.regler, slut=slut, as_of=as_of,
                               beslutsdatum=beslutsdatum, anteckning=anteckning)
    return _told(session, kontext, mail, andring, as_of)


def tillaggsanslag(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, *, belopp_kr: int | None, ar: int | None,
    as_of: date, beslutsdatum: date | None = None, anteckning: str | None = None,
    belopp_per_ar: dict[int, int] | None = None,
) -> Registrerat:
    andring = lifecycle.add_funds(session, kontext, insats, belopp_kr=belopp_kr, ar=ar, as_of=as_of,
                                  beslutsdatum=beslutsdatum, anteckning=anteckning, belopp_per_ar=belopp_per_ar)
    return _told(session, kontext, mail, andring, as_of)


def avbrott(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, *, datum: date, as_of: date,
    beslutsdatum: date | None = None, anteckning: str | None = None,
) -> Registrerat:
    andring = lifecycle.interrupt(session, kontext, insats, mail.regler, datum=datum, as_of=as_of,
                                  beslutsdatum=beslutsdatum, anteckning=anteckning)
    return _told(session, kontext, mail, andring, as_of)


def anstand(
    session: Session, kontext: Kontext, mail: MailContext, deadline_id: int, *, nytt: date, skal: str,
    beviljat_av: str, as_of: date, beslutsdatum: date | None = None,
) -> Registrerat:
    """An anstånd (a beslut too where the styrelse grants them); the insatsägare gets the new date."""
    granted, made = lifecycle.grant_anstand(session, kontext, mail.regler, deadline_id, nytt=nytt, skal=skal,
                                            beviljat_av=beviljat_av, as_of=as_of, beslutsdatum=beslutsdatum)
    session.flush()
    deadline = granted.deadline
    insats = deadline.insats
    row = queue_andring(session, kontext, mail, insats, nyckel=f"anstand:{granted.id}", beslut=made, anstand=granted,
                        berorda=[deadline], planerad=as_of)
    return Registrerat(insats, beslut=made, anstand=granted, meddelande=row)


def utbetalning(
    session: Session, kontext: Kontext, insats: Insats, *, datum: date, belopp_kr: int, as_of: date,
) -> Registrerat:
    """The förbund paid money out to the insats; an återbetalning is then counted from what was paid out."""
    ekonomi.register_payout(session, kontext, insats, datum=datum, belopp_kr=belopp_kr, as_of=as_of)
    session.flush()
    return Registrerat(insats)


def aterbetalning(
    session: Session, kontext: Kontext, insats: Insats, *, betald: date, as_of: date, belopp_kr: int | None = None,
) -> Registrerat:
    """The huvudman paid back the unused funds: the återbetalning is closed and its reminders stop."""
    paid = ekonomi.register_payment(session, kontext, insats, betald=betald, belopp_kr=belopp_kr, as_of=as_of)
    return Registrerat(insats, aterbetalning=paid)
