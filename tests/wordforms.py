"""Real Word forms for the tests, made as the förbund's templates are: labels in table cells with the value
under or beside them, two pairs in one row, merged cells, a nested table, grey FORMTEXT fields, content controls
(plain and rich text, with and without their placeholder), a text box, and the checklist ticked with
content-control checkboxes (w14:checkbox), legacy FORMCHECKBOX fields or glyphs. Written with python-docx and raw
WordprocessingML; the values are the shared delrapport's (Steg till arbete), the checklist the template's."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:v="urn:schemas-microsoft-com:vml"')

CHECKLIST_51 = [("Haft möte minst två gånger under perioden", "ja"), ("Diskuterat budget mot utfall", "nej"),
                ("Följt upp att deltagare registrerats i SUS", None)]
CHECKLIST_53 = [("Lämnat deltagaruppgifter till SUS", "ja"), ("Informerat styrgruppen om avvikelser", "ja")]


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*runs: str) -> str:
    return f"<w:p>{''.join(runs)}</w:p>"


def formtext(value: str | None) -> str:
    """Word's grey fill-in field; left empty it holds five en spaces."""
    shown = value if value else "\u2002" * 5
    return ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:enabled/>'
            '<w:textInput/></w:ffData></w:fldChar></w:r>'
            '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'{run(shown)}<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def control(value: str | None, *, rich: bool = False) -> str:
    """A content control; without a value it shows its placeholder ("Klicka eller tryck här för att ange text.")."""
    kind = "" if rich else "<w:text/>"
    if value is None:
        return (f'<w:sdt><w:sdtPr>{kind}<w:showingPlcHdr/></w:sdtPr><w:sdtContent>'
                f'{run("Klicka eller tryck här för att ange text.")}</w:sdtContent></w:sdt>')
    return f'<w:sdt><w:sdtPr>{kind}</w:sdtPr><w:sdtContent>{run(value)}</w:sdtContent></w:sdt>'


def sdt_box(checked: bool) -> str:
    return ('<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{}"/>'
            '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" '
            'w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>'
            ).format("1" if checked else "0", run("☒" if checked else "☐"))


def legacy_box(checked: bool) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:enabled/>'
            f'<w:checkBox><w:sizeAuto/><w:default w:val="{1 if checked else 0}"/></w:checkBox></w:ffData>'
            '</w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def glyph_box(checked: bool) -> str:
    return run("X" if checked else "")


def cell(content: str, *, span: int = 1, vmerge: str | None = None) -> str:
    pr = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        f'<w:vMerge w:val="{vmerge}"/>' if vmerge == "restart" else "<w:vMerge/>" if vmerge else "")
    body = content if content.startswith(("<w:p>", "<w:p ", "<w:tbl>")) else p(content)
    if body.startswith("<w:tbl>"):
        body += "<w:p/>"  # a cell ends with a paragraph
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>"


def row(*cells: str) -> str:
    return f"<w:tr>{''.join(cells)}</w:tr>"


def table(*rows: str, columns: int = 2) -> str:
    grid = "".join('<w:gridCol w:w="4500"/>' for _ in range(columns))
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def text_box(text: str) -> str:
    """A text box as Word writes it: a modern shape and a VML fallback holding the same text."""
    content = f"<w:txbxContent>{p(run(text))}</w:txbxContent>"
    return (f'<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
            f'<wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
            f'</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict>'
            '</mc:Fallback></mc:AlternateContent></w:r>')


def checklist(rows: list[tuple[str, str | None]], boxes: str, *, both: bool = False) -> str:
    box = {"sdt": sdt_box, "formcheckbox": legacy_box, "glyph": glyph_box}[boxes]
    body = [row(cell(""), cell(run("Ja")), cell(run("Nej")))]
    for question, answer in rows:
        ja, nej = (True, True) if both else (answer == "ja", answer == "nej")
        body.append(row(cell(run(question)), cell(p(box(ja))), cell(p(box(nej)))))
    return table(*body, columns=3)


def delrapport_form(path: Path, *, boxes: str = "sdt", empty: bool = False, help_texts: bool = False,
                    both_ticked: bool = False, dnr: str = "SFG 24-3.12", namn: str = "Steg till arbete",
                    period: str = "2024-09-01 - 2025-04-30", organisation: str = "Sandvikens kommun") -> Path:
    """The delrapport template filled in (or, with `empty`, every field left as the template has it)."""
    from docx import Document
    from docx.oxml import parse_xml

    def v(value: str) -> str | None:
        return None if empty else value

    def help_or(value: str, help_text: str) -> str:
        return help_text if help_texts else ("" if empty else value)

    blocks = [
        p(run("Delrapport")), p(run("Insats för samverkansmedel")),
        table(row(cell(run("Diarienummer")), cell(run("Signatur"))),
              row(cell(p(control(v(dnr)))), cell(p(formtext(v("PL")))))),
        table(row(cell(run("Registreringsdatum"), span=2)), row(cell(p(formtext(v("2025-05-09"))), span=2))),
        p(run("1. Allmänna uppgifter")),
        table(row(cell(run("Insatsens namn"), span=2)), row(cell(p(control(v(namn), rich=True)), span=2))),
        table(row(cell(run("Planerad insatstid – åååå-mm-dd")), cell(run("Delrapporten gäller för perioden"))),
              row(cell(p(formtext(v("2024-09-01 - 2026-08-31")))), cell(p(formtext(v(period)))))),
        # Label beside its value, in a merged (vMerge) first column over two rows.
        table(row(cell(run("Totalt beviljade medel från Samordningsförbund Gävleborg för insatsen"), vmerge="restart"),
                  cell(p(formtext(v("1 240 000 kr"))))),
              row(cell("", vmerge="continue"), cell(p(run(""))))),
        p(run("1.1 Målgrupp för insatsen: Vilka grupper/individer omfattas av insatsen.")),
        p(formtext(v("Unga vuxna 18-29 år med aktivitetsersättning som behöver samordnat stöd mot studier eller "
                     "arbete."))),
        p(run("2. Uppgifter om sökanden – insatsägare & huvudman för insatsen")),
        table(row(cell(run("Organisations namn")), cell(run("Arbetsställets namn"))),
              row(cell(p(formtext(v(organisation)))), cell(p(formtext(v("Arbetsmarknadsenheten"))))),
              row(cell(run("Namn - kontaktperson för insatsägare")), cell(run("Mobiltelefonnummer"))),
              row(cell(p(formtext(v("Insatsansvarig Sandviken")))), cell(p(formtext(v("070-000 00 00"))))),
              # A nested table in a merged cell: E-postadress beside its value.
              row(cell(table(row(cell(run("E-postadress")), cell(p(control(v("insatsansvarig@sandviken.example")))))),
                       span=2))),
        p(run("4. Aktivitetsrapport - resultat, utfall och nulägesanalys")),
        p(run("4.1 Aktiviteter: ")),
        p(run(help_or("14 deltagare har skrivits in, 6 kvinnor och 8 män. Två deltagare har gått vidare till studier.",
                      "Ange typ av aktiviteter och antal deltagare."))),
        p(run("4.3 Avvikelser från planering (avseende ekonomi, tidsplan, aktiviteter numerära mål, m.m.):")),
        p(formtext(v("Rekryteringen av coach tog två månader längre än planerat."))),
        p(run("4.4 Mål och utfall: Ange insatsens mål och utfall för perioden.")),
        p(run("" if empty else "Mål: 20 deltagare under året.")),
        p(run("" if empty else "Utfall: 14 deltagare, varav två till studier.")),
        p(run("4.5 Sammanfattande bedömning:")),
        p(control(v("Insatsen följer i stort sin plan."), rich=True)),
        p(run("4.6 Ekonomiskrapport: Redovisa era totala kostnader för redovisningsperioden enligt nedan.")),
        table(row(cell(run("Kostnadsslag")), cell(run("Budget")), cell(run("Utfall"))),
              row(cell(p(run("Lönekostnader (månadslön, bruttolön, lönebikostnader)")) + ""), cell(""), cell("")),
              row(cell(run("Lön coach")), cell(run("" if empty else "310000")), cell(run("" if empty else "298450"))),
              row(cell(run("Resekostnader (ange typ av aktivitet)")), cell(""), cell("")),
              row(cell(run("Resor")), cell(run("" if empty else "12000")), cell(run("" if empty else "4310"))),
              row(cell(run("Summa")), cell(run("" if empty else "322000")), cell(run("" if empty else "302760"))),
              columns=3),
        p(run("4.7 Styrgruppen /Mysam-gruppens analys av utfall för delrapport:")),
        p(text_box("Styrgruppen bedömer att utfallet är rimligt.") if not empty else run("")),
        p(run("5. Checklista")),
        p(run("5.1 Styrgruppen har under perioden:")),
        checklist(CHECKLIST_51 if not empty else [(q, None) for q, _ in CHECKLIST_51], boxes, both=both_ticked),
        p(run("5.2 Kommentar: om ni angett nej ovan ska detta kommenteras här")),
        p(formtext(None)),
        p(run("5.3 Insatsledaren har under perioden:")),
        checklist(CHECKLIST_53 if not empty else [(q, None) for q, _ in CHECKLIST_53], boxes, both=both_ticked),
        p(run("5.4 Kommentar:")),
        p(formtext(v("Inga avvikelser att kommentera."))),
        p(run("6. Underskrift")),
    ]
    document = Document()
    body = document.element.body
    sect = body[-1]
    for block in blocks:
        sect.addprevious(parse_xml(block.replace("<w:p>", f"<w:p {NS}>", 1) if block.startswith("<w:p>")
                                   else block.replace("<w:tbl>", f"<w:tbl {NS}>", 1)))
    document.save(path)
    return path


def slutrapport_form(path: Path, *, utnyttjade: str | None = "571 224 kr") -> Path:
    """The slutrapport template filled in with the Trisam 2.0 - Hudiksvall report (contacts on .example): a label
    row over a value row, the funds beside their labels, 7.2 ticked with a content-control checkbox."""
    from docx import Document
    from docx.oxml import parse_xml

    blocks = [
        p(run("Slutrapport")), p(run("Insats för samverkansmedel")),
        table(row(cell(run("Diarienummer")), cell(run("Signatur"))),
              row(cell(p(control("SFG 21-6.58"))), cell(p(formtext("AKH"))))),
        table(row(cell(run("Ankomstdatum"), span=2)), row(cell(p(formtext("2022-01-14")), span=2))),
        p(run("1. Allmänna uppgifter")),
        table(row(cell(run("Insatsens namn"), span=2)), row(cell(p(control("Trisam 2.0", rich=True)), span=2)),
              row(cell(run("Insatstid – åååå-mm-dd"), span=2)), row(cell(p(formtext("2019-12-01 – 2021-12-31")), span=2))),
        table(row(cell(run("Beviljade medel för insatsen")), cell(p(formtext("580 690 kr")))),
              row(cell(run("Utnyttjade medel")), cell(p(formtext(utnyttjade))))),
        p(run("2. Ansvarig för genomförande av insatsen")),
        table(row(cell(run("Organisations namn")), cell(run("Arbetsställets namn"))),
              row(cell(p(formtext("Hudiksvalls kommun"))), cell(p(formtext("Jobbcentrum")))),
              row(cell(run("Namn - kontaktperson för insatsägare")), cell(run("Mobiltelefonnummer"))),
              row(cell(p(formtext("Helena Hägg"))), cell(p(formtext("0650-195 37")))),
              row(cell(run("E-postadress"), span=2)), row(cell(p(control("helena.hagg@hudiksvall.example")), span=2))),
        p(run("3. Samverkansparter")),
        p(run("4. Insatsbeskrivning")),
        p(run("4.1 Syfte och bakgrund till insatsen:")),
        p(formtext("Utveckla strukturen för samverkan mellan Trisams alla parter.")),
        p(run("4.2 Målgrupp för insatsen: Vilka grupper/individer har omfattats av insatsen.")),
        p(formtext("Cirka 80 individer med försörjningsstöd och orsakskod sjukskriven med läkarintyg.")),
        p(run("5. Resultat och utfall av insats")),
        p(run("5.1 Måluppfyllelse: Ange mål och resultat.")),
        p(run("Individens delaktighet i Trisam 2.0:")), p(run("Detta mål är uppfyllt.")),
        p(run("Alla parter lyfter lika många ärenden i forumet:")), p(run("Detta mål är inte uppfyllt i sin helhet.")),
        p(run("7. Ekonomiuppföljning utnyttjade medel")),
        p(run("7.1 Beviljade medel är helt utnyttjade "), sdt_box(False)),
        p(run("7.2 Beviljade medel är inte helt utnyttjade "), sdt_box(True)),
        p(run("7.2.1 Varför utnyttjades inte beviljade insatsmedel? Berätta om de faktorer som påverkat utfallet.")),
        p(formtext("Samtliga medel förutom 9466 kr utnyttjades.")),
        p(run("8. Uppgiftslämnare")),
        table(row(cell(run("Datum")), cell(run("Namn"))),
              row(cell(p(formtext("2022-01-14"))), cell(p(formtext("Helena Hägg"))))),
    ]
    document = Document()
    sect = document.element.body[-1]
    for block in blocks:
        sect.addprevious(parse_xml(block.replace("<w:p>", f"<w:p {NS}>", 1) if block.startswith("<w:p>")
                                   else block.replace("<w:tbl>", f"<w:tbl {NS}>", 1)))
    document.save(path)
    return path
