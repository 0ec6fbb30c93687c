"""The year's money as a Prefect artifact: what `finsam ekonomi` shows, for the kansli in the UI."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact

from finsam import wiring
from finsam.messages.render import MarkdownRenderer
from finsam.services.ekonomi import tertial_slut
from finsam.services.ram import ekonomirapport
from tasks.common import reading, run_logger


@task(name="skriv-ekonomisk-uppfoljning")
def write_ekonomi(ar: int, tertial: int | None, as_of: date) -> dict:
    with reading() as session:
        report = ekonomirapport(session, wiring.rules(), ar, as_of=as_of, tertial=tertial)
        summa = report.summa
        summor = ([("Alla insatser", summa), ("varav förbundets egna (kanslibudget)", summa["egna_insatser"])]
                  + [(f"Inriktning {k}", v) for k, v in summa["per_inriktning"].items()]
                  + [(f"Huvudman {k}", v) for k, v in summa["per_huvudman"].items()])
        markdown = MarkdownRenderer().render("ekonomi", {"r": report, "summor": summor, "idag": as_of.isoformat(),
                                                         "till": tertial_slut(ar, tertial).isoformat()})
        frame = report.ramar[0]
    create_markdown_artifact(markdown, key=f"ekonomi-{ar}",
                             description=f"Ekonomisk uppföljning {ar}{f', tertial {tertial}' if tertial else ''}")
    run_logger().info("Ekonomi %d%s: %d insatser; intecknat %d kr, kvar att fördela %s; okänt för %d insatser.", ar,
                      f" tertial {tertial}" if tertial else "", len(report.rader), frame.intecknat_kr,
                      "inte angivet" if frame.kvar_att_fordela_kr is None else f"{frame.kvar_att_fordela_kr} kr",
                      len(frame.okant))
    return {"ar": ar, "tertial": tertial, "insatser": len(report.rader), "intecknat_kr": frame.intecknat_kr,
            "kvar_att_fordela_kr": frame.kvar_att_fordela_kr, "okant": frame.okant}
