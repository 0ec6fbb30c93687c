"""Bilaga 1 of the årsredovisning as a Prefect artifact."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from finsam import wiring
from finsam.messages.render import MarkdownRenderer
from finsam.services.arsredovisning import bilaga1
from tasks.common import reading


@task(name="skriv-bilaga-1")
def write_bilaga1(ar: int, as_of: date) -> dict:
    regler = wiring.rules()
    with reading() as session:
        bilaga = bilaga1(session, regler, ar, as_of=as_of)
        markdown = MarkdownRenderer().render("bilaga1", {"b": bilaga, "forbund": regler.forbund.namn})
    create_markdown_artifact(markdown, key=f"bilaga-1-{ar}", description=f"Årsredovisningens bilaga 1 för {ar}")
    get_run_logger().info("Bilaga 1 för %d: %d insatser, %d fält att fylla i.", ar, bilaga.antal, bilaga.platshallare())
    return {"ar": ar, "insatser": bilaga.antal, "att_fylla_i": bilaga.platshallare()}
