"""importera: the kansli imports a list of insatser or a meeting plan it put in the import folder, from a run form."""

from __future__ import annotations

from typing import Literal

from prefect.states import Failed
from pydantic import Field

from finsam import clock
from finsam.domain.checked import Namn
from flows.common import REGISTRERAS_AV, Formular, kansli_form, parameter, refused, run_name
from flows.moten import synka_motesplan
from flows.skicka_utskick import skicka_utskick
from tasks.importera import MOTESPLAN, import_file


class ImportFormular(Formular):
    fil: str = Field(title="Fil", min_length=1, max_length=300,
                     description="Filens namn i importmappen, t.ex. insatser-2022.csv eller sammantraden-2023.yaml.")
    vad: Literal["insatser", "mötesplan"] = Field(title="Innehåll", description="Insatser (CSV) eller mötesplan (YAML/CSV).")
    provkorning: bool = Field(default=False, title="Provkörning",
                              description="Visa vad importen skulle ändra, utan att spara något.")
    registreras_av: Namn = REGISTRERAS_AV


@kansli_form(name="importera", flow_run_name=run_name("Import – {fil}"),
      description="Importerar insatser eller mötesplanen ur en fil i importmappen. Allt eller inget: en felaktig rad "
                  "stoppar hela importen och nämns med radnummer.")
def importera(importfil: ImportFormular = parameter("Importera fil")) -> dict:
    result = import_file(importfil.fil, importfil.vad, importfil.provkorning, clock.today())
    if (state := refused(result)) is not None:
        return state
    if importfil.vad == MOTESPLAN and not importfil.provkorning:
        result["synkat"] = synka_motesplan()  # the meetings' runs follow the plan
        skicka_utskick()  # applicants whose meeting moved are told
        if result["meddelandefel"]:
            return Failed(message="Mötesplanen är sparad, men några meddelanden kunde inte skapas: "
                                  + "; ".join(result["meddelandefel"]), data=result)
    return result
