"""One page per insats: its whole story on one day, for the kansli (a Prefect artifact, `finsam insats visa`).

Its state and dates, every deadline with its status, every message sent or waiting, the reports
received, the decisions and anstånd, and its money (finsam.services.ekonomi, year by year). The page
is plain data (JSON-ready: dates as ÅÅÅÅ-MM-DD); templates/artifacts/insats.md renders it as Markdown.
Nothing here knows Prefect.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from finsam import clock
from finsam.domain.enums import UtskickTillstand
from finsam.domain.ladder import MeddelandeTyp, offset_of
from finsam.domain.model import (
    Ansokan,
    Anstand,
    Aterbetalning,
    Beslut,
    Deadline,
    InkommenRapport,
    Insats,
    Utskick,
    Yttrande,
)
from finsam.domain.rules_config import Regler
from finsam.messages.render import MarkdownRenderer
from finsam.services import ekonomi

TAG_PREFIX = "insats:"
# The per-year money figures the page shows (the rest of EkonomiRad.as_json is the insats itself).
EKONOMI_FALT = ("ar", "beviljat_kr", "beviljat_kalla", "tillaggsanslag_kr", "budget_kr", "utfall_kr", "utfall_kalla",
                "utfall_till", "forbrukning_procent", "forvantad_procent", "utbetalt_kr", "flaggor")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def slug(text: str) -> str:
    """Lowercase letters, digits and dashes: `SFG 21-6.58` → `sfg-21-6-58`, `Söderhamn` → `soderhamn`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _own_key(insats: Insats) -> str:
    return "insats-" + (slug(insats.diarienummer or "") or slug(insats.namn) or str(insats.id))


def artifact_key(session: Session, insats: Insats) -> str:
    """The page's Prefect artifact key: from the diarienummer, else a slug of the name; the insats's id
    is added only where another insats would get the same key."""
    key = _own_key(insats)
    others = session.scalars(select(Insats).where(Insats.id != insats.id)).all()
    return f"{key}-{insats.id}" if any(_own_key(o) == key for o in others) else key


def with_tags(session: Session, tags: Iterable[str]) -> list[Insats]:
    """The insatser behind run tags (`insats:SFG 21-6.58`, or `insats:<name>` for one without a diarienummer)."""
    values = {t.removeprefix(TAG_PREFIX) for t in tags if t.startswith(TAG_PREFIX)}
    if not values:
        return []
    query = select(Insats).where(or_(Insats.diarienummer.in_(values),
                                     Insats.diarienummer.is_(None) & Insats.namn.in_(values)))
    return list(session.scalars(query.order_by(Insats.id)))


def _steg(steg: str | None) -> str | None:
    """A ladder step as the kansli reads it: `fore-14` → "14 dagar före", `efter-3` → "3 dagar efter"."""
    if not steg:
        return None
    try:
        days = offset_of(steg)
    except ValueError:
        return steg
    if days == 0:
        return "på förfallodagen"
    return f"{abs(days)} dagar {'före' if days < 0 else 'efter'}"


def _typ(typ: str) -> str:
    try:
        return MeddelandeTyp(typ).label
    except ValueError:
        return typ


def _deadline(d: Deadline, as_of: date, anstand: dict[int, int]) -> dict[str, Any]:
    status = d.status(as_of)
    return {
        "id": d.id, "rapport": d.rubrik, "typ": d.typ.value, "nr": d.nr,
        "period_start": _iso(d.period_start), "period_slut": _iso(d.period_slut),
        "forfaller": _iso(d.forfaller), "regel_forfaller": _iso(d.regel_forfaller),
        "status": status.value, "status_text": status.label, "bevakas": d.bevakas,
        "anstand": anstand.get(d.id, 0), "inkom": _iso(d.inkom), "styrelselistan": _iso(d.flaggad_styrelse),
    }


def _utskick(u: Utskick, rubriker: dict[int, str]) -> dict[str, Any]:
    return {
        "id": u.id, "typ": u.typ, "typ_text": _typ(u.typ), "steg": u.steg, "steg_text": _steg(u.steg),
        "rapport": rubriker.get(u.deadline_id) if u.deadline_id else None, "forfaller": _iso(u.forfaller),
        "planerad": _iso(u.planerad), "mottagare": u.mottagare, "kopia": list(u.kopia or []), "amne": u.amne,
        "tillstand": u.tillstand.value, "tillstand_text": u.tillstand.label,
        "skickad": clock.local(u.skickad).strftime("%Y-%m-%d %H:%M") if u.skickad else None,
        "fel": u.senaste_fel if u.tillstand is UtskickTillstand.MISSLYCKAD else None,
    }


def _rapport(r: InkommenRapport) -> dict[str, Any]:
    d = r.deadline
    return {
        "id": r.id, "rapport": d.rubrik if d else r.typ.label, "typ": r.typ.value, "inkom": _iso(r.inkom),
        "forfaller": _iso(d.forfaller) if d else None, "i_tid": bool(d and r.inkom <= d.forfaller),
        "filnamn": r.filnamn, "registrerad_av": r.registrerad_av,
        "beviljade_medel_kr": r.beviljade_medel_kr, "utnyttjade_medel_kr": r.utnyttjade_medel_kr,
        "aterbetalning_kr": r.aterbetalning_kr, "medel_helt_utnyttjade": r.medel_helt_utnyttjade,
        "summa_budget_kr": r.summa_budget_kr, "summa_utfall_kr": r.summa_utfall_kr,
        "sektioner": r.sektioner or {}, "checklista": r.checklista or [], "checklista_flaggor": r.checklista_flaggor or [],
    }


def _beslut(b: Beslut, rubriker: dict[int, str]) -> dict[str, Any]:
    return {
        "id": b.id, "datum": _iso(b.datum), "typ": b.typ.value, "typ_text": b.typ.label, "utfall": b.utfall.value,
        "utfall_text": b.utfall.label, "belopp_kr": b.belopp_kr, "ar": b.ar, "start": _iso(b.start), "slut": _iso(b.slut),
        "rapport": rubriker.get(b.deadline_id) if b.deadline_id else None, "anteckning": b.anteckning,
        "sammantrade": b.sammantrade.rubrik if b.sammantrade else None,
    }


def _ekonomi(session: Session, insats: Insats, regler: Regler, as_of: date) -> dict[str, Any]:
    years: list[dict[str, Any]] = []
    if insats.start is not None:
        last = (insats.slut or max(as_of, insats.start)).year
        for year in range(insats.start.year, last + 1):
            for rad in ekonomi.uppfoljning(session, regler, year, as_of=as_of, insatser=[insats]):
                row = rad.as_json(as_of)
                years.append({k: row[k] for k in EKONOMI_FALT} | {"flaggor_text": rad.flaggtext})
    known = [y["utfall_kr"] for y in years if y["utfall_kr"] is not None]
    repayments = session.scalars(
        select(Aterbetalning).where(Aterbetalning.insats_id == insats.id)
        .options(selectinload(Aterbetalning.deadline)).order_by(Aterbetalning.id)
    ).all()
    paid = [u.belopp_kr for u in insats.utbetalningar]
    return {"beviljade_medel_kr": insats.beviljade_medel_kr, "utfall_hittills_kr": sum(known) if known else None,
            "egen": insats.egen, "utbetalt_kr": sum(paid) if paid else None, "ar": years, "aterbetalningar": [ekonomi.aterbetalning_json(a, as_of) for a in repayments]}


def build(session: Session, insats: Insats, regler: Regler, *, as_of: date) -> dict[str, Any]:
    """The insats's page on `as_of`, as plain data."""
    deadlines = session.scalars(
        select(Deadline).where(Deadline.insats_id == insats.id).order_by(Deadline.forfaller, Deadline.typ, Deadline.nr)
    ).all()
    rubriker = {d.id: d.rubrik for d in deadlines}
    anstand_rows = session.scalars(
        select(Anstand).join(Anstand.deadline).where(Deadline.insats_id == insats.id).order_by(Anstand.tid, Anstand.id)
    ).all()
    anstand_count: dict[int, int] = {}
    for a in anstand_rows:
        anstand_count[a.deadline_id] = anstand_count.get(a.deadline_id, 0) + 1
    ansokan = session.scalar(select(Ansokan).where(Ansokan.insats_id == insats.id))
    kontakt = insats.kontaktperson
    return {
        "as_of": as_of.isoformat(),
        "nyckel": artifact_key(session, insats),
        "insats": {
            "id": insats.id, "namn": insats.namn, "diarienummer": insats.diarienummer,
            "inriktning": insats.inriktning.value, "tillstand": insats.tillstand.value,
            "tillstand_text": insats.tillstand.label, "huvudman": insats.huvudman,
            "samverkansparter": insats.samverkansparter, "start": _iso(insats.start), "slut": _iso(insats.slut),
            "avbruten": insats.avbruten, "beviljade_medel_kr": insats.beviljade_medel_kr,
            "kontaktperson": {"namn": kontakt.namn, "epost": kontakt.epost} if kontakt else None,
        },
        "ansokan": None if ansokan is None else {
            "ankomstdatum": _iso(ansokan.ankomstdatum), "sokt_belopp_kr": ansokan.sokt_belopp_kr,
            "sokt_start": _iso(ansokan.sokt_start), "sokt_slut": _iso(ansokan.sokt_slut),
            "beredningsmote": ansokan.beredningsmote.rubrik if ansokan.beredningsmote else None,
            "styrelsemote": ansokan.styrelsemote.rubrik if ansokan.styrelsemote else None,
            "komplettering_begard": _iso(ansokan.komplettering_begard),
            "komplettering_inkom": _iso(ansokan.komplettering_inkom),
        },
        "yttranden": [{"datum": _iso(y.datum), "bedomning": y.bedomning.value, "motivering": y.motivering}
                      for y in session.scalars(select(Yttrande).where(Yttrande.insats_id == insats.id)
                                               .order_by(Yttrande.datum, Yttrande.id))],
        "deadlines": [_deadline(d, as_of, anstand_count) for d in deadlines],
        "utskick": [_utskick(u, rubriker) for u in session.scalars(
            select(Utskick).where(Utskick.insats_id == insats.id).order_by(Utskick.planerad, Utskick.id))],
        "rapporter": [_rapport(r) for r in session.scalars(
            select(InkommenRapport).where(InkommenRapport.insats_id == insats.id)
            .options(selectinload(InkommenRapport.deadline)).order_by(InkommenRapport.inkom, InkommenRapport.id))],
        "beslut": [_beslut(b, rubriker) for b in session.scalars(
            select(Beslut).where(Beslut.insats_id == insats.id).order_by(Beslut.datum, Beslut.id))],
        "anstand": [{"rapport": a.deadline.rubrik, "tidigare_forfaller": _iso(a.tidigare_forfaller),
                     "nytt_forfaller": _iso(a.nytt_forfaller), "skal": a.skal, "beviljat_av": a.beviljat_av,
                     "beviljat": clock.local(a.tid).date().isoformat()} for a in anstand_rows],
        "ekonomi": _ekonomi(session, insats, regler, as_of),
    }


def markdown(page: dict[str, Any], renderer: MarkdownRenderer | None = None) -> str:
    """The page as Markdown (templates/artifacts/insats.md)."""
    return (renderer or MarkdownRenderer()).render("insats", {"p": page})


def title(page: dict[str, Any]) -> str:
    """Which insats: "Trisam 2.0 - Hudiksvalls kommun (SFG 21-6.58)"."""
    i = page["insats"]
    return f"{i['namn']} ({i['diarienummer']})" if i["diarienummer"] else i["namn"]


def description(page: dict[str, Any]) -> str:
    """The artifact's one-line description: which insats, its state, on which day."""
    return f"{title(page)}: {page['insats']['tillstand_text']}, per {page['as_of']}"
