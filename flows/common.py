"""What the kansli's run forms share: how a refused registration ends."""

from __future__ import annotations

from prefect.states import Failed, State

AVVISAD = "Avvisad"


def refused(result: dict) -> State | None:
    """The run's end when the registration was refused: state "Avvisad" with the reason in one line.

    Its type is failed (red in the UI, nothing was saved), but its name is not "Failed", so the
    automation that e-mails the kansli about real failures (prefect.flow-run.Failed) stays quiet.
    """
    if "avvisad" not in result:
        return None
    return Failed(name=AVVISAD, message=f"{result['avvisad']} Inget sparades; rätta formuläret och kör igen.",
                  data=result)
