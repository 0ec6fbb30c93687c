"""Bilaga 1 of the årsredovisning from a Prefect run: the Word document (kept for `finsam serve` to hand out,
linked from the run's page) and the same text as a Markdown artifact."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact

from finsam import wiring
from finsam.messages.bilaga1_docx import bilaga1_docx
from finsam.messages.render import MarkdownRenderer
from finsam.services import dokument
from finsam.services.arsredovisning import bilaga1
from finsam.settings import get_settings
from tasks.common import reading, run_logger, work


@task(name="skriv-bilaga-1")
def write_bilaga1(ar: int, as_of: date) -> dict:
    regler = wiring.rules()
    with reading() as session:
        bilaga = bilaga1(session, regler, ar, as_of=as_of)
        markdown = MarkdownRenderer().render("bilaga1", {"b": bilaga})
    namn = f"bilaga-1-{ar}.docx"
    with work("skriv bilaga 1") as session:
        address = dokument.store(session, session.info["kontext"], namn, bilaga1_docx(bilaga, regler.forbund.namn))
    url = f"{get_settings().public_url.rstrip('/')}/{address}"
    create_link_artifact(url, link_text=f"{bilaga.titel} (Word)", key=f"bilaga-1-{ar}-word",
                         description=f"Årsredovisningens bilaga 1 för {ar} som Word-fil")
    create_markdown_artifact(markdown, key=f"bilaga-1-{ar}", description=f"Årsredovisningens bilaga 1 för {ar}")
    run_logger().info("Bilaga 1 för %d: %d insatser; %s Word-filen: %s", ar, bilaga.antal, bilaga.sammanfattning(), url)
    return {"ar": ar, "insatser": bilaga.antal, "att_fylla_i": bilaga.platshallare(), "word": url}
