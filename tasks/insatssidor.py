"""One page per insats: a keyed Markdown artifact, refreshed by every run that changed the insats."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from finsam import clock, wiring
from finsam.messages.render import MarkdownRenderer
from finsam.services import insats_page
from tasks.common import reading


@task(name="uppdatera-insatssidor")
def publish_insats_pages(tags: list[str], as_of: date) -> list[str]:
    """The page of each insats behind the run's tags (`insats:…`), as the artifact `insats-…`."""
    regler, renderer, keys = wiring.rules(), MarkdownRenderer(), []
    with reading() as session:
        for insats in insats_page.with_tags(session, tags):  # one page at a time: a big day touches thousands
            page = insats_page.build(session, insats, regler, as_of=as_of)
            create_markdown_artifact(insats_page.markdown(page, renderer), key=page["nyckel"],
                                     description=insats_page.description(page))
            keys.append(page["nyckel"])
    if keys:
        get_run_logger().info("Insatssidor uppdaterade (%d): %s", len(keys), ", ".join(keys))
    return keys


def refresh_insats_pages(tags: Iterable[str | None], as_of: date | None = None) -> list[str]:
    """Refresh the pages of the insatser a run touched; no task run when it touched none."""
    wanted = sorted({t for t in tags if t and t.startswith(insats_page.TAG_PREFIX)})
    return publish_insats_pages(wanted, as_of or clock.today()) if wanted else []
