"""An arriving report registers itself: read it, find its insats and deadline, register it, store it once,
stop the reminders and send a kvittens. What cannot be matched with confidence goes to the kansli's
queue with the reason, and nothing is registered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timezone
from pathlib import Path

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import DeadlineTillstand, RapportTyp
from finsam.domain.model import Deadline, InkommenRapport, Insats, RapportEkonomiRad, RapportKo
from finsam.services.lookup import by_id
from finsam.errors import FinsamError
from finsam.intake.documents import Document
from finsam.intake.extract import Extraction, extract, fold
from finsam.intake.limits import Limits
from finsam.files import Folder, UnsafeFile
from finsam.services import completion, registrations
from finsam.services.ekonomi import open_repayment
from finsam.services.notify import MailContext

MATCH_MARGIN = 8  # the best candidate must lead the next by this much


class NotAReport(FinsamError):
    pass


@dataclass
class IntakeResult:
    document: str
    sha256: str
    extraction: Extraction
    atgard: str  # registrerad / redan_registrerad / i_kon / provkorning
    insats: Insats | None = None
    deadline: Deadline | None = None
    skal: str | None = None
    inkom: date | None = None
    candidates: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        out = self.extraction.as_json()
        out["inkom"] = self.inkom.isoformat() if self.inkom else out["inkom"]
        out["match"] = (
            {"insats": self.insats.namn, "diarienummer": self.insats.diarienummer,
             "rapport": self.deadline.rubrik if self.deadline else None}
            if self.insats else None
        )
        out["skal"] = self.skal
        out["atgard"] = self.atgard
        out["fil"] = self.document
        return out


def _normal_dnr(text: str) -> str:
    return " ".join(text.split()).casefold()


def match_insats(session: Session, extraction: Extraction, threshold: int) -> tuple[Insats | None, str, list[str]]:
    """The insats a report is about: by diarienummer, else by name and organisation (fuzzy, a rapidfuzz
    score of at least `threshold` for the two together: the rules file's drift.matchning_procent)."""
    insatser = list(session.scalars(select(Insats)))
    dnr = extraction.get("diarienummer")
    if dnr:
        exact = [i for i in insatser if i.diarienummer and _normal_dnr(i.diarienummer) == _normal_dnr(str(dnr))]
        if exact:
            return exact[0], f"diarienummer {dnr}", []
    name, org = extraction.get("insatsens_namn"), extraction.get("organisation")
    if not name:
        return None, "rapporten anger varken ett känt diarienummer eller insatsens namn", []
    scored = []
    for insats in insatser:
        name_score = fuzz.token_set_ratio(fold(str(name)), fold(insats.namn))
        if org:
            org_score = max((fuzz.token_set_ratio(fold(str(org)), fold(h)) for h in insats.huvudman), default=0)
            score = (2 * name_score + org_score) / 3
        else:
            score = name_score
        scored.append((score, insats))
    scored.sort(key=lambda s: -s[0])
    good = [(s, i) for s, i in scored if s >= threshold]
    described = [f"{i.ref} ({s:.0f})" for s, i in good[:5]]
    if not good:
        near = ", ".join(f"{i.ref} ({s:.0f})" for s, i in scored[:3])
        return None, f"ingen insats liknar '{name}'" + (f" hos {org}" if org else "") + (f"; närmast: {near}" if near else ""), []
    if len(good) > 1 and good[0][0] - good[1][0] < MATCH_MARGIN:
        return None, f"flera insatser passar '{name}'" + (f" hos {org}" if org else "") + ": " + ", ".join(described), described
    return good[0][1], f"namn och organisation ({good[0][0]:.0f})", described


def match_deadline(insats: Insats, extraction: Extraction, inkom: date) -> tuple[Deadline | None, str]:
    typ = extraction.get("typ")
    if typ not in ("delrapport", "slutrapport"):
        return None, "det framgår inte om det är en delrapport eller en slutrapport"
    typ = RapportTyp(typ)
    owned = [d for d in insats.deadlines if d.typ is typ and d.tillstand is not DeadlineTillstand.MAKULERAD]
    if typ is RapportTyp.SLUTRAPPORT:
        if not owned:
            return None, f"{insats.namn} har ingen slutrapport att registrera (inget slutdatum?)"
        return owned[0], "slutrapporten"
    start, end = extraction.get("period_start"), extraction.get("period_slut")
    open_ = [d for d in owned if d.tillstand is DeadlineTillstand.OPPEN]
    if start and end:
        def overlap(d: Deadline) -> int:
            return (min(d.period_slut, end) - max(d.period_start, start)).days + 1  # type: ignore[operator]

        best = max(owned, key=overlap, default=None)
        if best is None or overlap(best) <= 0:
            return None, f"{insats.namn} har ingen delrapport för perioden {start} – {end}"
        return best, f"perioden {start} – {end}"
    ended = [d for d in open_ if d.period_slut <= inkom]
    if ended:
        return max(ended, key=lambda d: d.period_slut), "den senast avslutade perioden (rapporten anger ingen period)"
    return None, f"{insats.namn} har ingen öppen delrapport vars period har slutat"


def take_in(
    session: Session,
    kontext: Kontext,
    mail: MailContext,
    document: Document,
    *,
    storage: Path,
    received: date | None = None,
    dry_run: bool = False,
) -> IntakeResult:
    """Read, match and register one document (or queue it); the caller's transaction holds it all."""
    extraction = extract(document.text, document.budget, form=document.form)
    if not any(extraction.get(f) for f in ("typ", "diarienummer", "insatsens_namn")):
        raise NotAReport(f"{document.name}: ser inte ut som en delrapport eller slutrapport (hittar varken rubrik, "
                         "diarienummer eller insatsens namn).")
    inkom = received or extraction.get("inkom") or kontext.nu.date()
    result = IntakeResult(document.name, document.sha256, extraction, "provkorning", inkom=inkom)  # type: ignore[arg-type]
    known = session.scalar(select(InkommenRapport).where(InkommenRapport.sha256 == document.sha256))
    if known is not None:
        result.atgard, result.insats, result.deadline = "redan_registrerad", session.get(Insats, known.insats_id), known.deadline
        result.skal = f"samma fil registrerades {known.inkom.isoformat()}"
        return result
    insats, reason, candidates = match_insats(session, extraction, mail.regler.drift.matchning_procent)
    result.insats, result.candidates = insats, candidates
    deadline = None
    if insats is not None:
        deadline, why = match_deadline(insats, extraction, inkom)  # type: ignore[arg-type]
        reason = f"{reason}; {why}"
        if deadline is not None and deadline.tillstand is DeadlineTillstand.INKOMMEN:
            waiting = session.scalar(select(InkommenRapport).where(
                InkommenRapport.deadline_id == deadline.id, InkommenRapport.ofullstandig.is_not(None),
                InkommenRapport.godkand.is_(None)))
            if waiting is not None:  # the report came in incomplete: this is its komplettering
                result.deadline = deadline
                if not dry_run:
                    _complete_with(session, kontext, mail, waiting, extraction, inkom)
                    _store(storage, document)
                result.atgard = "kompletterad" if not dry_run else "provkorning"
                result.skal = (f"komplettering av {deadline.rubrik} för {insats.namn}"
                               + (f"; saknas fortfarande: {'; '.join(waiting.ofullstandig)}" if waiting.ofullstandig else ""))
                return result
            reason, deadline = f"{deadline.rubrik} för {insats.namn} är redan registrerad ({deadline.inkom})", None
    result.skal = reason
    if deadline is None:
        result.atgard = "provkorning" if dry_run else "i_kon"
        if not dry_run and session.scalar(select(RapportKo).where(RapportKo.sha256 == document.sha256)) is None:
            session.add(RapportKo(sha256=document.sha256, filnamn=_kept_name(document.name), skal=reason,
                                  extraherat=result.as_json(), inkom=inkom, skapad=kontext.nu.astimezone(timezone.utc)))
            _store(storage, document)  # kept, so the kansli can register it from the queue
        return result
    result.deadline = deadline
    if dry_run:
        return result
    _register(session, kontext, mail, insats, extraction, typ=deadline.typ, inkom=inkom, nr=deadline.nr,  # type: ignore[arg-type]
              filnamn=_kept_name(document.name), sha256=document.sha256)
    _store(storage, document)
    result.atgard = "registrerad"
    return result


def _register(session: Session, kontext: Kontext, mail: MailContext, insats: Insats, extraction: Extraction, *,
              typ: RapportTyp, inkom: date, nr: int | None, filnamn: str, sha256: str) -> InkommenRapport:
    """Register a report read from a document: its deadline, its kvittens, the money it states, and
    the återbetalning a slutrapport with unused funds opens."""
    rapport = registrations.rapport(session, kontext, mail, insats, typ=typ, inkom=inkom, nr=nr, filnamn=filnamn,
                                    sha256=sha256, ofullstandig=extraction.ofullstandig or None).rapport
    keep_economics(rapport, extraction)
    session.flush()
    if not rapport.ofullstandig:  # no återbetalning from a guess: an incomplete slutrapport waits for its figures
        open_repayment(session, kontext, mail.regler, rapport)
    return rapport


def _complete_with(session: Session, kontext: Kontext, mail: MailContext, rapport: InkommenRapport,
                   extraction: Extraction, inkom: date) -> None:
    """The completed report came in: its figures and texts replace the first ones; what it still lacks stays asked
    for, and once nothing is missing the komplettering is fulfilled (and a slutrapport closes the insats)."""
    keep_economics(rapport, extraction)
    rapport.ofullstandig = extraction.ofullstandig or None
    if rapport.ofullstandig is None:
        completion.complete(session, kontext, mail.regler, rapport, inkom=inkom)


SECTION_LIMIT = 20_000


def keep_economics(rapport: InkommenRapport, extraction: Extraction) -> None:
    """The money the report states, as read, kept with it: the figures, the table's rows and Summa,
    how sure the table is, and the warnings shown when it was read (the reader bounds every text)."""
    for name in ("beviljade_medel_kr", "utnyttjade_medel_kr", "aterbetalning_kr", "medel_helt_utnyttjade",
                 "avvikelser", "styrgruppens_analys"):
        setattr(rapport, name, extraction.get(name))
    table = extraction.ekonomi
    rapport.varningar = extraction.alla_varningar or None
    # Bounded as they are kept: a section of a report is a few paragraphs, never a whole document.
    rapport.sektioner = {k: v[:SECTION_LIMIT] for k, v in extraction.sektioner.items()} or None
    rapport.checklista = [{"avsnitt": c.avsnitt, "rad": c.rad[:300], "svar": c.svar} for c in extraction.checklista] or None
    rapport.checklista_flaggor = extraction.checklista_flaggor or None
    if table is None:
        return
    rapport.summa_budget_kr, rapport.summa_utfall_kr = table.summa_budget_kr, table.summa_utfall_kr
    rapport.ekonomi_sakerhet = table.sakerhet.value
    rapport.ekonomirader = [
        RapportEkonomiRad(ordning=i, kostnadsslag=r.kostnadsslag, benamning=r.benamning, budget_kr=r.budget_kr,
                          utfall_kr=r.utfall_kr, sakerhet=r.sakerhet.value)
        for i, r in enumerate(table.rader, start=1)
    ]


def _kept_name(name: str, limit: int = 300) -> str:
    """The file name as the database keeps it: a name longer than the column (a mail attachment may
    have one) is shortened in the middle, its suffix kept, rather than refusing the report."""
    if len(name) <= limit:
        return name
    suffix = Path(name).suffix[:20]
    return name[: limit - len(suffix) - 1] + "…" + suffix


def _stored(sha256: str, name: str) -> str:
    return f"{sha256}{Path(name).suffix.lower()}"


def _store(storage: Path, document: Document) -> None:
    """Each file once, under its content hash, readable by the owner only (finsam.files: never through a link)."""
    with Folder.open(storage, create=True, private=True) as folder:
        folder.store_once(_stored(document.sha256, document.name), document.data)


def resolve_queued(
    session: Session,
    kontext: Kontext,
    mail: MailContext,
    queue_id: int,
    insats: Insats,
    *,
    storage: Path,
    typ: RapportTyp | None = None,
    nr: int | None = None,
    limits: Limits = Limits(),
) -> InkommenRapport:
    """The kansli decides which insats (and report) a queued document belongs to; it is registered."""
    from finsam.intake.documents import read_document

    row = by_id(session, RapportKo, queue_id)
    if row is None or row.hanterad is not None:
        raise FinsamError(f"Det finns ingen ohanterad rapport med id {queue_id} i kön.")
    try:
        with Folder.open(storage) as folder:
            data = folder.read(_stored(row.sha256, row.filnamn), max_bytes=limits.max_bytes,
                               too_big=lambda size: FinsamError(f"Filen för köpost {queue_id} är för stor ({size} byte)."))
        document = read_document(row.filnamn, data.data, limits)
    except FileNotFoundError:
        raise FinsamError(f"Filen för köpost {queue_id} finns inte längre i {storage}.") from None
    except UnsafeFile as e:
        raise FinsamError(f"Filen för köpost {queue_id} läses inte: {e}") from None
    extraction = extract(document.text, document.budget, form=document.form)
    kind = typ or (RapportTyp(extraction.get("typ")) if extraction.get("typ") in ("delrapport", "slutrapport") else None)
    if kind is None:
        raise FinsamError("Ange om det är en delrapport eller slutrapport (--typ).")
    inkom = row.inkom or kontext.nu.date()
    if nr is None and kind is RapportTyp.DELRAPPORT:
        deadline, why = match_deadline(insats, extraction, inkom)
        if deadline is None:
            raise FinsamError(f"{why}; ange delrapportens nummer (--nr).")
        nr = deadline.nr
    rapport = _register(session, kontext, mail, insats, extraction, typ=kind, inkom=inkom, nr=nr, filnamn=row.filnamn,
                        sha256=row.sha256)
    row.hanterad = kontext.nu.astimezone(timezone.utc)
    return rapport


def dismiss_queued(session: Session, kontext: Kontext, queue_id: int) -> RapportKo:
    row = by_id(session, RapportKo, queue_id)
    if row is None or row.hanterad is not None:
        raise FinsamError(f"Det finns ingen ohanterad rapport med id {queue_id} i kön.")
    row.hanterad = kontext.nu.astimezone(timezone.utc)
    return row


def queue_rows(session: Session, *, include_handled: bool = False) -> list[RapportKo]:
    query = select(RapportKo).order_by(RapportKo.id)
    if not include_handled:
        query = query.where(RapportKo.hanterad.is_(None))
    return list(session.scalars(query))
