"""Stored text is escaped for every format it goes into: an insats named with Markdown and HTML shows as the
text it is in each kind of artifact (the insats page, the underlag, Bilaga 1, the daily run's page), in the
e-mails' HTML and in the calendars, never as a link, an image or markup."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from cli import finsam
from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.model import Insats, Sammantrade, Utskick
from finsam.messages.render import MarkdownRenderer
from finsam.services import insats_page
from finsam.services.arsredovisning import bilaga1
from finsam.services.meeting_messages import do_meeting_work
from finsam.services.meeting_work import Arbete
from finsam.wiring import mail_context, rules

PROJECT = Path(__file__).resolve().parent.parent
HOSTILE = "Arbetsliv [Logga in](https://phish.example) <img src=x onerror=alert(1)> *fet* |kol| `kod` ~~x~~"
ESCAPED = ("Arbetsliv \\[Logga in\\](https://phish.example) &lt;img src=x onerror=alert(1)&gt; \\*fet\\* \\|kol\\| "
           "\\`kod\\` \\~\\~x\\~\\~")
RAW_PIECES = ("[Logga in](", "<img", "*fet*", "|kol|", "`kod`")


def loaded(db_url: str, tmp_path: Path) -> str:
    text = (PROJECT / "data" / "insatser-2021.csv").read_text(encoding="utf-8")
    csv = tmp_path / "insatser.csv"
    csv.write_text(text.replace("Ett hållbart arbetsliv - Ockelbo,", f'"{HOSTILE}",', 1), encoding="utf-8")
    finsam(db_url, "import", "meetings", str(PROJECT / "data" / "sammantraden-2021-2022.yaml"))
    finsam(db_url, "import", "insatser", str(csv), "--as-of", "2021-09-01")
    return db_url


def assert_escaped(markdown: str) -> None:
    assert ESCAPED in markdown
    for piece in RAW_PIECES:
        assert piece not in markdown.replace(ESCAPED, ""), piece


def test_every_artifact_kind_shows_a_hostile_name_as_text(db_url: str, tmp_path: Path, monkeypatch) -> None:
    loaded(db_url, tmp_path)
    regler = rules()
    with read_only(db_url) as session:
        insats = session.scalar(select(Insats).where(Insats.namn == HOSTILE))
        assert_escaped(insats_page.markdown(insats_page.build(session, insats, regler, as_of=date(2021, 10, 1))))
        bilaga = bilaga1(session, regler, 2021, as_of=date(2022, 3, 1))
        assert_escaped(MarkdownRenderer().render("bilaga1", {"b": bilaga, "forbund": regler.forbund.namn}))
    monkeypatch.setenv("FINSAM_DATABASE_URL", db_url)
    monkeypatch.setenv("FINSAM_MAIL_FOLDER", str(tmp_path / "utskick"))
    from finsam.settings import get_settings

    get_settings.cache_clear()
    try:
        kontext = Kontext(aktor="test", atgard="underlag", nu=datetime(2021, 11, 1, 7, tzinfo=timezone.utc))
        with unit_of_work(db_url, kontext) as session:
            mote = session.scalar(select(Sammantrade).where(Sammantrade.datum == date(2021, 11, 18)))
            result = do_meeting_work(session, kontext, mail_context(), Arbete.INFOR_STYRELSEMOTE, mote.id,
                                     today=date(2021, 11, 1))
        assert_escaped(result.markdown)  # its Ekonomisk uppföljning lists the running insatser by name
    finally:
        get_settings.cache_clear()


def test_the_daily_run_page_and_the_html_mail_escape_a_hostile_name(db_url: str, tmp_path: Path, monkeypatch,
                                                                     harness) -> None:
    from flows.daglig_bevakning import daglig_bevakning
    from prefect_tools import finsam_settings
    from test_prefect_flows import artifacts

    loaded(db_url, tmp_path)
    with finsam_settings(monkeypatch, database_url=db_url, mail_folder=str(tmp_path / "utskick")):
        daglig_bevakning(datum=date(2021, 10, 29), return_state=True)
    page = artifacts("daglig-bevakning")[0].data
    assert "Arbetsliv \\[Logga in\\]" in page and "[Logga in](" not in page and "<img" not in page
    with read_only(db_url) as session:
        rows = [r for r in session.scalars(select(Utskick)) if "Logga in" in r.amne]
    assert rows, "a reminder about the hostile insats was queued"
    message = message_from_bytes(rows[0].meddelande, policy=policy.default)
    html = message.get_body(("html",)).get_content()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert '<a href="https://phish.example"' not in html
