"""One page per insats: a keyed Markdown artifact, refreshed by every run that changed the insats."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact

from finsam import clock, wiring
from finsam.messages.render import MarkdownRenderer, markdown_cell
from finsam.services import insats_page
from finsam.settings import get_settings
from tasks.common import reading


LISTED = 200  # links listed at most on a run's page (a big day touches thousands of insatser)


@task(name="uppdatera-insatssidor")
def publish_insats_pages(tags: list[str], as_of: date) -> list[str]:
    """The page of each insats behind the run's tags (`insats:…`), as the artifact `insats-…`, and a link to it
    among the run's artifacts: the page itself in one click (the artifact's key opens its history first)."""
    regler, renderer, keys, links = wiring.rules(), MarkdownRenderer(), [], []
    ui = get_settings().prefect_ui_url.rstrip("/")
    with reading() as session:
        for insats in insats_page.with_tags(session, tags):  # one page at a time: a big day touches thousands
            page = insats_page.build(session, insats, regler, as_of=as_of)
            artifact_id = create_markdown_artifact(insats_page.markdown(page, renderer), key=page["nyckel"],
                                                   description=insats_page.description(page))
            keys.append(page["nyckel"])
            if len(links) < LISTED:
                links.append((insats_page.title(page), f"{ui}/artifacts/artifact/{artifact_id}"))
    if len(links) == 1:
        [(title, url)] = links
        create_link_artifact(url, link_text=f"Insatssidan: {title}", description=f"Insatssidan för {title}")
    elif links:
        more = f"\n\n… och {len(keys) - len(links)} till (Artifacts, nycklarna insats-…)." if len(keys) > len(links) else ""
        create_markdown_artifact(
            "\n".join(f"- [{markdown_cell(title)}]({url})" for title, url in links) + more,
            description=f"Insatssidorna som körningen uppdaterade ({len(keys)})")
    if keys:
        get_run_logger().info("Insatssidor uppdaterade (%d): %s", len(keys), ", ".join(keys))
    return keys


def refresh_insats_pages(tags: Iterable[str | None], as_of: date | None = None) -> list[str]:
    """Refresh the pages of the insatser a run touched; no task run when it touched none."""
    wanted = sorted({t for t in tags if t and t.startswith(insats_page.TAG_PREFIX)})
    return publish_insats_pages(wanted, as_of or clock.today()) if wanted else []
