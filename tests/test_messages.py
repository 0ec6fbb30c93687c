"""The templates and the composed message: Swedish, strict, escaped, and safe from header injection."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from finsam.domain.ladder import MeddelandeTyp
from finsam.messages.compose import Recipient, compose, message_id
from finsam.messages.format import dagar_kvar, datum, kronor
from finsam.messages.render import TEMPLATES, MailRenderer

FORBUND = {"namn": "Samordningsförbund Gävleborg", "kansli_epost": "kontakt@sfg.example"}
DEADLINE = {"rubrik": "Delrapport 2", "period_start": date(2026, 11, 1), "period_slut": date(2027, 3, 31),
            "forfaller": date(2027, 4, 30)}
INSATS = {"namn": "Steg till arbete", "diarienummer": "SFG 26-3.2", "huvudman": ["Hofors kommun"]}
BASE = {"forbund": FORBUND, "mottagare": {"namn": "Åsa Öberg", "epost": "asa@hofors.example"}, "idag": date(2027, 4, 16),
        "insats": INSATS, "deadline": DEADLINE}
CONTEXTS = {
    MeddelandeTyp.PAMINNELSE: {},
    MeddelandeTyp.FORSENAD: {"idag": date(2027, 5, 3)},
    MeddelandeTyp.ESKALERING: {"idag": date(2027, 5, 31), "kontakt": {"namn": "Åsa", "epost": "asa@hofors.example"},
                               "tidigare": [{"datum": date(2027, 4, 16), "vad": "påminnelse 14 dagar före",
                                             "till": "asa@hofors.example"}],
                               "flagga_styrelse": True, "styrelsemote": date(2027, 6, 10)},
    MeddelandeTyp.KVITTENS: {"inkom": date(2027, 4, 20), "kvar": [DEADLINE],
                             "saknas": ["utnyttjade medel (avsnitt 7, ekonomiuppföljning)"],
                             "komplettera_senast": date(2027, 5, 4)},
    MeddelandeTyp.BESLUTSMEDDELANDE: {"beviljad": True, "beslut": {"datum": date(2026, 10, 15), "belopp": 580690,
                                      "start": date(2026, 11, 1), "slut": None, "anteckning": None,
                                      "per_ar": [{"ar": 2026, "belopp": 80690}, {"ar": 2027, "belopp": 500000}]},
                                      "deadlines": [DEADLINE]},
    MeddelandeTyp.ANDRINGSBESLUT: {"typ": "forlangning", "rubrik": "förlängning", "av_styrelsen": True,
                                   "insats": {**INSATS, "slut": date(2027, 12, 31), "beviljade_medel": 900000},
                                   "beslut": {"datum": date(2027, 4, 15), "belopp": None, "ar": None,
                                              "slut": date(2027, 12, 31), "anteckning": None, "per_ar": []},
                                   "medel": "Förlängningen ger inga nya medel.", "anstand": None,
                                   "deadlines": [{**DEADLINE, "andrad": True}], "makulerade": [DEADLINE]},
    MeddelandeTyp.KOMPLETTERING: {"datum": date(2027, 4, 14), "motivering": "Budget per år saknas."},
    MeddelandeTyp.NYTT_MOTESDATUM: {"motestyp": "Styrelsemöte", "fore": date(2027, 5, 12),
                                    "efter": {"datum": date(2027, 5, 19), "tid": None, "plats": "Gävle"},
                                    "handlingar_senast": date(2027, 5, 5)},
    MeddelandeTyp.INFOR_BEREDNING: {"mote": {"datum": date(2027, 5, 5), "tid": None, "plats": "Gävle",
                                             "handlingar_senast": date(2027, 4, 21)},
                                    "a": {"ansokningar": [{"namn": "X", "diarienummer": None, "huvudman": "Gävle kommun",
                                                           "ankomstdatum": date(2027, 4, 1), "sokt_belopp": 100000}]}},
    MeddelandeTyp.UNDERLAG: {"mote": {"datum": date(2027, 5, 12), "tid": None, "plats": None, "handlingar_senast": date(2027, 4, 28)},
                             "u": {"for_beslut": [], "inkomna_rapporter": [], "forsenade": [], "startar": [], "slutar": [],
                                   "ar": 2027, "ramar": [{"ar": 2027, "tillgangliga_medel_kr": None, "tillgangligt_kr": None,
                                                          "eget_kapital_att_anvanda_kr": None, "kansli_kr": None,
                                                          "egna_insatser_kr": 0, "intecknat_kr": 5, "uppskattat_kr": 0,
                                                          "kvar_att_fordela_kr": None, "okant": ["Z"],
                                                          "saknas": ["tillgängliga medel", "kanslibudget"]}],
                                   "vantar_komplettering": [],
                                   "ekonomi": [{"namn": "X", "diarienummer": None, "beviljat": 400000, "budget": None,
                                                "utfall": 150000, "utfall_kalla": "rapporter", "utfall_till": date(2027, 3, 31),
                                                "forbrukning": 37.5, "forvantad": 24.7, "flaggor": ["överförbrukning"],
                                                "avvikelser": "Lokalen blev dyrare.", "avvikelser_fran": "Delrapport 1"}],
                                   "aterbetalningar": [{"namn": "Y", "diarienummer": None, "belopp": 9466,
                                                        "forfaller": date(2027, 5, 3), "dagar_sen": 0, "flaggad": False}]},
                             "lank": "http://127.0.0.1:4200/artifacts/key/underlag-styrelse"},
    MeddelandeTyp.SAKNADE_BESLUT: {"mote": {"datum": date(2027, 5, 12)}, "saknas": [INSATS], "beslutade": []},
    MeddelandeTyp.FLODESFEL: {"flode": "daglig-bevakning", "korning": "x", "meddelande": "m", "tidpunkt": "t", "lank": "l"},
    MeddelandeTyp.UTSKICKSSTORNING: {"sedan": date(2027, 4, 12), "antal": 12, "fel": "SMTPConnectError"},
    MeddelandeTyp.ATERBETALNING: {"aterbetalning": {"belopp": 9466, "beviljade": 580690, "utnyttjade": 571224, "utbetalt": None,
                                                    "slutrapport_inkom": date(2027, 4, 14), "betalningsinformation": None},
                                  "steg": {"efter": False, "till_kansli": False}, "kontakt": None,
                                  "flagga_styrelse": False, "styrelsemote": None},
    MeddelandeTyp.VECKOSAMMANFATTNING: {"vecka": 16, "forfallna": [], "forfallna_antal": 0, "kommande_antal": 1,
                                        "egna": [], "egna_antal": 0,
                                        "misslyckade_antal": 0, "korfel_antal": 0, "lank": None,
                                        "kommande": [{"insats": "X", "rubrik": "Slutrapport",
                                        "forfaller": date(2027, 5, 3), "flaggad": False}], "misslyckade": [], "korfel": [],
                                        "kommande_dagar": 30},
}


def test_swedish_formatting() -> None:
    assert datum(date(2027, 4, 30)) == "fredag 30 april 2027"
    assert datum(date(2021, 6, 25), veckodag=False) == "25 juni 2021"
    assert kronor(580690) == "580\u00a0690\u00a0kr"
    assert dagar_kvar(date(2027, 4, 30), date(2027, 4, 16)) == "om 14 dagar"
    assert dagar_kvar(date(2027, 4, 30), date(2027, 5, 3)) == "för 3 dagar sedan"


def test_every_kind_has_text_and_html_sharing_one_layout() -> None:
    renderer = MailRenderer()
    for kind in MeddelandeTyp:
        assert (TEMPLATES / f"{kind.value}.txt").exists() and (TEMPLATES / f"{kind.value}.html").exists()
        rendered = renderer.render(kind.value, {**BASE, **CONTEXTS[kind]})
        assert rendered.subject and "\n" not in rendered.subject
        assert "Meddelandet skickades automatiskt" in rendered.text and "Meddelandet skickades automatiskt" in rendered.html
        assert "<style" not in rendered.html and 'style="' in rendered.html


def test_reminder_text() -> None:
    rendered = MailRenderer().render("paminnelse", BASE)
    assert rendered.subject == "Påminnelse: Delrapport 2 för Steg till arbete ska vara inne fredag 30 april 2027"
    assert "om 14 dagar, fredag 30 april 2027" in rendered.text
    assert "1 november 2026 – 31 mars 2027" in rendered.text


def test_repayment_text_states_the_amount_before_after_and_to_the_kansli() -> None:
    base = {**BASE, **CONTEXTS[MeddelandeTyp.ATERBETALNING],
            "deadline": {**DEADLINE, "rubrik": "Återbetalning", "forfaller": date(2027, 5, 14)}}
    before = MailRenderer().render("aterbetalning", base)
    # (a subject is one line of plain spaces: the no-break spaces of the amount become spaces there)
    assert before.subject == ("Återbetalning av ej utnyttjade medel: 9 466 kr för Steg till arbete "
                              "senast fredag 14 maj 2027")
    assert "har 9\u00a0466\u00a0kr av de beviljade medlen inte utnyttjats" in before.text
    assert "om 28 dagar" in before.text and "Utnyttjade medel:  571\u00a0224\u00a0kr" in before.text
    late = MailRenderer().render("aterbetalning", {**base, "idag": date(2027, 5, 17), "steg": {"efter": True, "till_kansli": False}})
    assert late.subject.startswith("Försenad återbetalning: 9 466 kr") and "för 3 dagar sedan" in late.text
    paying = {**base["aterbetalning"], "betalningsinformation": "Bankgiro 123-4567"}
    assert "Betala till: Bankgiro 123-4567" in MailRenderer().render("aterbetalning", {**base, "aterbetalning": paying}).text
    escalated = MailRenderer().render("aterbetalning", {**base, "idag": date(2027, 6, 13), "flagga_styrelse": True,
                                                        "styrelsemote": date(2027, 6, 17),
                                                        "steg": {"efter": True, "till_kansli": True}})
    assert escalated.subject == "Eskalering: återbetalning 9 466 kr från Steg till arbete är 30 dagar försenad"
    assert "uppföljningslistan till nästa styrelsemöte (torsdag 17 juni 2027)" in escalated.text
    assert "finsam aterbetalning" in escalated.text


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    context = {k: v for k, v in BASE.items() if k != "deadline"}
    with pytest.raises(UndefinedError):
        MailRenderer().render("paminnelse", context)


def test_html_is_escaped() -> None:
    context = {**BASE, "insats": {**INSATS, "namn": '<script>alert("x")</script> & Co'}}
    rendered = MailRenderer().render("paminnelse", context)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>" in rendered.text  # plain text needs no escaping


def test_a_template_of_our_own(tmp_path: Path) -> None:
    for name in ("layout.txt", "layout.html"):
        (tmp_path / name).write_text((TEMPLATES / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "x.txt").write_text('{% extends "layout.txt" %}{% block subject %}Hej\n{{ a }}{% endblock %}{% block body %}{{ a }}{% endblock %}')
    (tmp_path / "x.html").write_text('{% extends "layout.html" %}{% block body %}{{ a }}{% endblock %}')
    rendered = MailRenderer(tmp_path).render("x", {"forbund": FORBUND, "a": "b"})
    assert rendered.subject == "Hej b"  # folded to one line
    with pytest.raises(ValueError, match="radbrytningar eller styrtecken"):
        MailRenderer(tmp_path).render("x", {"forbund": FORBUND, "a": "b\x00Bcc: x@y.example"})


def _compose(name: str = "Åsa Öberg", subject: str = "Påminnelse") -> bytes:
    rendered = MailRenderer().render("paminnelse", BASE)
    rendered = type(rendered)(subject=subject, text=rendered.text, html=rendered.html)
    return compose(rendered, sender=Recipient("Förbundet", "finsam@sfg.example"), to=Recipient(name, "asa@hofors.example"),
                   cc=[Recipient("Kansliet", "kontakt@sfg.example")], reply_to="kontakt@sfg.example",
                   msg_id=message_id("k", "finsam@sfg.example"), date=datetime(2027, 4, 16, 5, tzinfo=timezone.utc))


def test_composed_message_parses_with_utf8_names() -> None:
    msg = BytesParser(policy=policy.default).parsebytes(_compose())
    assert str(msg["To"]) == "Åsa Öberg <asa@hofors.example>"
    assert str(msg["Cc"]) == "Kansliet <kontakt@sfg.example>"
    assert msg["Subject"] == "Påminnelse"
    assert msg["Date"] == "Fri, 16 Apr 2027 05:00:00 +0000"
    assert msg.get_content_type() == "multipart/alternative"
    assert message_id("k", "x@a.example") == message_id("k", "y@a.example") != message_id("l", "x@a.example")


@pytest.mark.parametrize("name", ["Åsa\r\nBcc: evil@attacker.example", "Åsa\nX-Injected: 1"])
def test_a_name_cannot_inject_a_header(name: str) -> None:
    with pytest.raises(ValueError):
        _compose(name=name)


@pytest.mark.parametrize("subject", ["Hej\r\nBcc: evil@attacker.example", "Hej\nX: y"])
def test_a_subject_cannot_inject_a_header(subject: str) -> None:
    with pytest.raises(ValueError):
        _compose(subject=subject)


def test_every_heading_of_the_underlag_mail_says_inga_when_empty_and_the_link_stands_alone() -> None:
    text = MailRenderer().render("underlag", {**BASE, **CONTEXTS[MeddelandeTyp.UNDERLAG]}).text.replace("\r\n", "\n")
    assert "Det finns också i Prefect: http://127.0.0.1:4200/artifacts/key/underlag-styrelse\n\nANSÖKNINGAR FÖR BESLUT (0)" in text
    assert "INSATSER SOM STARTAR OCH SLUTAR\nInga.\n" in text
    assert "FÖRSENADE RAPPORTER (0)\nInga.\n" in text and "RAPPORTER SOM KOMMIT IN (0)\nInga.\n" in text


@pytest.mark.parametrize(("typ", "beslut", "subject"), [
    ("forlangning", {"slut": date(2027, 12, 31)}, "Förlängning: Steg till arbete förlängs till 31 december 2027"),
    ("tillaggsanslag", {"belopp": 100000, "ar": 2027}, "Tilläggsanslag: 100 000 kr till Steg till arbete"),
    ("avbrott", {"slut": date(2027, 6, 30)}, "Avbrott: Steg till arbete avslutas 30 juni 2027"),
])
def test_a_change_decisions_subject_says_what_it_changed(typ: str, beslut: dict, subject: str) -> None:
    context = CONTEXTS[MeddelandeTyp.ANDRINGSBESLUT]
    made = {**context["beslut"], **beslut}
    rendered = MailRenderer().render("andringsbeslut", {**BASE, **context, "typ": typ, "rubrik": typ, "beslut": made})
    assert rendered.subject == subject
