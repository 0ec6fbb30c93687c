"""`make demo` runs `finsam demo`: it must finish on the embedded defaults and leave readable e-mail."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

from cli import finsam


def test_the_demo_replays_and_leaves_its_mail(tmp_path: Path) -> None:
    out = finsam("sqlite:///unused.db", "demo", "--output", str(tmp_path / "demo"), cwd=tmp_path).stdout
    assert "Slutrapport från Trisam 2.0 - Hudiksvalls kommun kom in" in out
    emls = list((tmp_path / "demo" / "utskick").glob("*.eml"))
    assert len(emls) > 100
    kinds = {BytesParser(policy=policy.default).parsebytes(f.read_bytes())["Subject"].split(":")[0] for f in emls}
    assert {"Påminnelse", "Försenad", "Eskalering", "Kvittens"} <= kinds
    deadlines = json.loads((tmp_path / "demo" / "deadlines.json").read_text(encoding="utf-8"))
    hudiksvall = [d for d in deadlines if d["diarienummer"] == "SFG 21-6.58" and d["kind"] == "slutrapport"]
    assert hudiksvall[0]["status"] == "inkommen" and hudiksvall[0]["received"] == "2022-01-14"
    assert not (tmp_path / "unused.db").exists()  # the demo keeps to its own folder
