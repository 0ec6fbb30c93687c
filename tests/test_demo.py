"""`make demo` runs `finsam demo`: it must finish on the embedded defaults and leave readable e-mail."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

from docx import Document

from cli import finsam


def test_the_demo_replays_and_leaves_its_mail(tmp_path: Path) -> None:
    """One Prefect flow run in local mode; its runs stay in the demo folder for the UI."""
    out = finsam("sqlite:///unused.db", "demo", "--output", str(tmp_path / "demo"), cwd=tmp_path).stdout
    assert "Slutrapport från Trisam 2.0 - Hudiksvalls kommun kom in" in out
    assert "prefect server start" in out and (tmp_path / "demo" / "prefect").is_dir()
    underlag = (tmp_path / "demo" / "underlag" / "2021-11-11-infor-styrelsemote.md").read_text(encoding="utf-8")
    assert "| Arbetsträning Sandviken | SFG 21-10.3 | Sandvikens kommun | 650\u00a0000\u00a0kr |" in underlag
    assert len(list((tmp_path / "demo" / "kalender").glob("*.ics"))) == 21  # the kansli's and one per insats
    emls = list((tmp_path / "demo" / "utskick").glob("*.eml"))
    assert len(emls) > 100
    kinds = {BytesParser(policy=policy.default).parsebytes(f.read_bytes())["Subject"].split(":")[0] for f in emls}
    assert {"Påminnelse", "Försenad", "Eskalering", "Kvittens", "Beslut", "Underlag till styrelsemötet torsdag 18 november 2021"} <= kinds
    deadlines = json.loads((tmp_path / "demo" / "deadlines.json").read_text(encoding="utf-8"))
    hudiksvall = [d for d in deadlines if d["diarienummer"] == "SFG 21-6.58" and d["kind"] == "slutrapport"]
    assert hudiksvall[0]["status"] == "inkommen" and hudiksvall[0]["received"] == "2022-01-14"
    # Its real figures leave 9 466 kr unused: due back Monday 14 February 2022 (14 January + 30 days is a
    # Sunday), reminded of with the amount, paid on 16 February.
    assert "9\u00a0466\u00a0kr ska betalas tillbaka senast 2022-02-14" in out
    [owed] = [d for d in deadlines if d["diarienummer"] == "SFG 21-6.58" and d["kind"] == "aterbetalning"]
    assert (owed["due"], owed["status"], owed["received"]) == ("2022-02-14", "inkommen", "2022-02-16")
    assert "Återbetalning av ej utnyttjade medel" in kinds
    assert "## Ekonomisk uppföljning 2021" in underlag
    # The board's money: the frame 2021–2023, what the ansökan would leave (650 000 kr asked for 2022-01-01 –
    # 2023-06-30: 365 + 181 days, 434 524 and 215 476 kr), and what is not known, by name.
    assert "| **Kvar att fördela** | **222\u00a0000\u00a0kr** |" in underlag
    assert "| Om Arbetsträning Sandviken beviljas som sökt | 222\u00a0000\u00a0kr | 11\u00a0165\u00a0476\u00a0kr (sökt 434\u00a0524\u00a0kr) |" in underlag
    # Bilaga 1 for 2021: the 18 insatser; Hofors used 648 of its 934 tkr.
    bilaga = Document(str(tmp_path / "demo" / "bilaga-1-2021.docx"))
    assert len(bilaga.tables) == 18 and bilaga.paragraphs[0].text == "Mål och resultat av insatser 2021"
    hofors = {r.cells[0].text: r.cells[1].text for r in bilaga.tables[0].rows}
    assert (hofors["Insatsnamn"], hofors["Kommentar"]) == ("Ett hållbart arbetsliv - Hofors", "Förbrukning 69 % av årets budget.")
    money = json.loads((tmp_path / "demo" / "ekonomi-2022.json").read_text(encoding="utf-8"))
    sandviken = next(r for r in money["insatser"] if r["diarienummer"] == "SFG 21-10.3")
    assert (sandviken["beviljat_kr"], sandviken["beviljat_kalla"]) == (430_000, "beslut")  # as the beslut states it
    assert (money["ram"]["intecknat_kr"], len(money["ram"]["okant"])) == (430_000, 4)  # Insatskatalogen is the kansli's
    # The förbund's own insatser (Mysam, the förstudie, Insatskatalogen) are never chased.
    subjects = [BytesParser(policy=policy.default).parsebytes(f.read_bytes())["Subject"] for f in emls]
    chased = [s for s in subjects if s.split(":")[0] in ("Påminnelse", "Försenad", "Eskalering")]
    own = ("för Mysam ", "för Förstudie - Utveckling av egenmakt Hudiksvall ", "för Insatskatalogen Gävleborg ")
    assert chased and not [s for s in chased if any(name in s for name in own)]
    assert not (tmp_path / "unused.db").exists()  # the demo keeps to its own folder
