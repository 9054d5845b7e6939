"""(Re)create templates/letter.docx, the Word template for letters, from nothing but this file.

The committed .docx is the source of truth: the municipality may restyle it in Word (fonts,
margins, logo, styles; docs/reference.md, "The Word template"). Run this only to start over from
the plain version, or after changing the layout numbers below:

    .venv/bin/python scripts/make_docx_template.py

The same input gives the same bytes (fixed zip timestamps, no rsids, no dates).

What it writes, part by part (no python-docx default template: no theme, no latent styles, no
table styles, no fonts the letter does not use):

- word/document.xml: the letter with docxtpl tags. Sender block, return line and recipient are
  paragraphs in frames (w:framePr) at the page positions of templates/letter.css, so Word and
  LibreOffice put the address in the envelope window; they are ordinary text in reading order
  (a screen reader reads them first, as in the PDF). An empty spacer paragraph of exact height,
  the first in the body, starts the text where the PDF's does (116 mm down on paper letters,
  80 mm on digital ones).
- word/header1.xml: the first page's header, the logo as a floating picture at the PDF's position.
- word/footer1.xml, footer2.xml: the municipality's name and "Side X af Y" as PAGE and NUMPAGES
  fields on every page (the first page has its own header, so its own footer part too).
- word/styles.xml: Danish (da-DK) defaults and only the styles the letter uses; headings are
  Word's built-in "heading 1"/"heading 2" (Word shows them as "Overskrift 1/2" in Danish) with
  outline levels, so the navigation pane and the accessibility checker see them.
- word/fontTable.xml: Fira Sans, with Arial as the named fallback (see FONT_TABLE).
- word/settings.xml: Danish proofing and number settings; Word removes personal information
  (author, reviewers) when a caseworker saves.

Rules for editing the template in Word (docxtpl pitfalls): type each {{ tag }} in one go
without changing formatting inside it, keep straight quotes, and keep each {%p ... %} tag alone
in its own paragraph.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "letter.docx"
LOGO = ROOT / "content" / "logo.svg"  # the profile's logo (content/profile.yaml `logo`)

LANG = "da-DK"
FONT = "Fira Sans"

# --- layout: the numbers of templates/letter.css, as page positions --------------------------

TWIPS_PER_MM = 1440 / 25.4
EMU_PER_MM = 36000


def tw(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def pt20(points: float) -> int:  # line heights in twentieths of a point
    return round(points * 20)


PAGE_W, PAGE_H = 210, 297
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 20, 20, 22, 21  # @page margin
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
# .logo: 50 x 12.5 mm box at top -10 mm, left 119 mm of the text area; the picture fits inside
# it keeping its proportions, centred vertically (as an SVG <img> with both sizes does).
LOGO_BOX = (MARGIN_LEFT + 119, MARGIN_TOP - 10, 50, 12.5)  # x, y, width, height in mm
SENDER = (MARGIN_LEFT + 119, MARGIN_TOP + 8, 50)  # .sender: x, y, width
RETURN_LINE = (MARGIN_LEFT, MARGIN_TOP + 14, 105)  # .return-address
RECIPIENT_PAPER = (MARGIN_LEFT, MARGIN_TOP + 21, 59, 21)  # .recipient: x, y, width, min height
RECIPIENT_DIGITAL = (MARGIN_LEFT, MARGIN_TOP + 12, 59, 21)  # body.digital .recipient
FIRST_PAGE_PAPER, FIRST_PAGE_DIGITAL = 96, 60  # .first-page height: where the text starts
# The footer line (margin boxes, 8.5 pt) sits in the middle of the 22 mm bottom margin.
FOOTER_FROM_BOTTOM = 9

# --- namespaces ---------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = (f'xmlns:w="{W}" xmlns:r="{R}" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"')
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"

LANG_XML = f'<w:lang w:val="{LANG}" w:eastAsia="{LANG}" w:bidi="{LANG}"/>'


# --- styles ---------------------------------------------------------------------------------

def rpr(size: float | None = None, bold: bool = False, color: str | None = None) -> str:
    """Run properties in schema order; every one names the language."""
    parts = []
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size is not None:
        half = round(size * 2)
        parts.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    parts.append(LANG_XML)
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


def spacing(before_mm: float = 0, after_mm: float = 0, line_pt: float | None = None, rule: str = "atLeast") -> str:
    line = f' w:line="{pt20(line_pt)}" w:lineRule="{rule}"' if line_pt else ""
    return f'<w:spacing w:before="{tw(before_mm)}" w:after="{tw(after_mm)}"{line}/>'


def style(style_id: str, name: str, ppr: str = "", run: str = "", *, kind: str = "paragraph",
          based_on: str | None = "Normal", next_id: str | None = None, default: bool = False,
          priority: int | None = None, qformat: bool = True) -> str:
    attrs = f' w:type="{kind}" w:styleId="{style_id}"' + (' w:default="1"' if default else "")
    body = f'<w:name w:val="{name}"/>'
    if based_on:
        body += f'<w:basedOn w:val="{based_on}"/>'
    if next_id:
        body += f'<w:next w:val="{next_id}"/>'
    if priority is not None:
        body += f'<w:uiPriority w:val="{priority}"/>'
    if qformat:
        body += "<w:qFormat/>"
    if ppr:
        body += f"<w:pPr>{ppr}</w:pPr>"
    body += run
    return f"<w:style{attrs}>{body}</w:style>"


# Sizes and line heights from letter.css: html 10pt / 1.4; h1 14pt / 1.25; h2 11.5pt; .sender
# 8.5pt / 1.35; .return-address 7pt; footer 8.5pt #333. "At least" line heights keep the PDF's
# lines and still grow for a larger character a caseworker types.
STYLES = [
    style("Normal", "Normal", "<w:widowControl/>" + spacing(0, 2.5, 14), rpr(10),
          based_on=None, default=True, priority=0),
    style("Heading1", "heading 1", "<w:keepNext/><w:keepLines/>" + spacing(0, 4, 17.5) + '<w:outlineLvl w:val="0"/>',
          rpr(14, bold=True), next_id="Normal", priority=9),
    style("Heading2", "heading 2", "<w:keepNext/><w:keepLines/>" + spacing(6, 2, 16.1) + '<w:outlineLvl w:val="1"/>',
          rpr(11.5, bold=True), next_id="Normal", priority=9),
    # A key sentence (the complaint deadline): p.key, 10.5 pt, bold.
    style("Vigtigt", "Vigtigt", "", rpr(10.5, bold=True), next_id="Normal"),
    style("ListBullet", "List Bullet",
          '<w:numPr><w:numId w:val="1"/></w:numPr>' + spacing(0, 2.5, 14) + "<w:contextualSpacing/>",
          rpr(), priority=99),
    # .copies: 6 mm above the first "Kopi til" line, none between them.
    style("KopiTil", "Kopi til", spacing(6, 2.5, 14) + "<w:contextualSpacing/>", rpr(), next_id="Normal"),
    style("Afsender", "Afsender", spacing(0, 0, 8.5 * 1.35), rpr(8.5)),
    style("Returadresse", "Returadresse",
          '<w:pBdr><w:bottom w:val="single" w:sz="2" w:space="0" w:color="000000"/></w:pBdr>'
          + spacing(0, 0, 7 * 1.4), rpr(7)),
    style("Modtager", "Modtager", spacing(0, 0, 14), rpr(10)),
    style("Footer", "footer",
          f'<w:tabs><w:tab w:val="right" w:pos="{tw(TEXT_W)}"/></w:tabs>' + spacing(0, 0, 8.5 * 1.35),
          rpr(8.5, color="333333"), priority=99),
]

STYLES_XML = (
    XML + f'<w:styles {NS}>'
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    # kerning from 7 pt, as WeasyPrint kerns the PDF's text (same line breaks)
    '<w:kern w:val="14"/><w:sz w:val="20"/><w:szCs w:val="20"/>' + LANG_XML +
    "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>" + spacing(0, 0) + "</w:pPr></w:pPrDefault></w:docDefaults>"
    + "".join(STYLES) + "</w:styles>"
)

# --- numbering: one bullet list (ul: text 6 mm in, the bullet just before it, as in the PDF) ---

NUMBERING_XML = (
    XML + f'<w:numbering {NS}>'
    '<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\u2022"/>'
    '<w:lvlJc w:val="left"/>'
    f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{tw(6)}"/></w:tabs><w:ind w:left="{tw(6)}" w:hanging="{tw(2.4)}"/></w:pPr>'
    f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>{LANG_XML}</w:rPr>'
    "</w:lvl></w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    "</w:numbering>"
)

# --- fonts ----------------------------------------------------------------------------------

# Fira Sans is the PDF's font (templates/fonts/, OFL). A municipal Windows PC usually does not
# have it; Word then takes w:altName. Arial is the fallback because every Windows (and macOS and
# Office install) has it, it is the same kind of face (a sans serif of similar width and x-height:
# PANOSE family 2 "Latin text", serif style 11 "normal sans"), and it covers Danish. The PANOSE
# numbers, family and pitch below are Fira Sans's own (its OS/2 table), so Word's own matching
# also lands on a sans serif rather than Times New Roman.
FONT_TABLE_XML = (
    XML + f'<w:fonts {NS}>'
    f'<w:font w:name="{FONT}"><w:altName w:val="Arial"/><w:panose1 w:val="020B0503050000020004"/>'
    '<w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="00000003" w:usb1="00000000" w:usb2="00000000" w:usb3="00000000" w:csb0="00000001" w:csb1="00000000"/>'
    "</w:font></w:fonts>"
)

SETTINGS_XML = (
    XML + f'<w:settings {NS}>'
    '<w:zoom w:percent="100"/>'
    "<w:removePersonalInformation/><w:removeDateAndTime/>"
    '<w:defaultTabStop w:val="1304"/>'  # Danish Word's default, 2.3 cm
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
    f'<w:themeFontLang w:val="{LANG}" w:eastAsia="{LANG}" w:bidi="{LANG}"/>'
    '<w:decimalSymbol w:val=","/><w:listSeparator w:val=";"/>'
    "</w:settings>"
)

# --- body -----------------------------------------------------------------------------------


def frame(x_mm: float, y_mm: float, w_mm: float, h_mm: float | None = None) -> str:
    height = f' w:h="{tw(h_mm)}" w:hRule="atLeast"' if h_mm else ""
    return (f'<w:framePr w:w="{tw(w_mm)}"{height} w:hSpace="0" w:wrap="around" w:vAnchor="page" '
            f'w:hAnchor="page" w:x="{tw(x_mm)}" w:y="{tw(y_mm)}"/>')


def para(text: str = "", style_id: str | None = None, ppr: str = "", run: str = "") -> str:
    """A paragraph; `ppr` holds further paragraph properties in schema order after pStyle."""
    props = (f'<w:pStyle w:val="{style_id}"/>' if style_id else "") + ppr
    ppr_xml = f"<w:pPr>{props}</w:pPr>" if props else ""
    runs = f'<w:r>{run}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f"<w:p>{ppr_xml}{runs}</w:p>"


def tag(text: str) -> str:
    """A docxtpl paragraph tag ({%p ... %}): alone in its paragraph, removed when rendered."""
    return para(text)


def spacer(height_mm: float) -> str:
    """An empty paragraph of exact height: the text starts below the first page's fields."""
    return para(ppr=f'<w:spacing w:before="0" w:after="0" w:line="{tw(height_mm)}" w:lineRule="exact"/>')


def document_xml() -> str:
    sender = frame(*SENDER)
    last_of_group = f'<w:spacing w:before="0" w:after="{tw(3)}"/>'  # .sender p: 3 mm below
    bold = rpr(bold=True)
    body = [
        # The spacer comes first: after the framed paragraphs LibreOffice lays it out beside
        # the frames and the text starts too high (seen on digital letters).
        tag("{%p if letter.window_envelope %}"),
        spacer(FIRST_PAGE_PAPER),
        tag("{%p else %}"),
        spacer(FIRST_PAGE_DIGITAL),
        tag("{%p endif %}"),
        # sender block, top right (two groups, as the PDF's two paragraphs)
        para("{{ sender.name }}", "Afsender", sender, bold),
        para("{{ letter.department }}", "Afsender", sender),
        tag("{%p for line in sender.postal_address.lines %}"),
        para("{{ line }}", "Afsender", sender),
        tag("{%p endfor %}"),
        para("Telefon {{ sender.phone }}", "Afsender", sender + last_of_group),
        para("Dato: {{ letter.dated | dato }}", "Afsender", sender),
        tag("{%p if letter.case_number %}"),
        para("Sagsnr.: {{ letter.case_number }}", "Afsender", sender),
        tag("{%p endif %}"),
        para("Sagsbehandler: {{ letter.caseworker }}", "Afsender", sender + last_of_group),
        # paper: return line and recipient in the envelope window; digital: recipient higher up
        tag("{%p if letter.window_envelope %}"),
        para("{{ return_line }}", "Returadresse", frame(*RETURN_LINE)),
        tag("{%p for line in address_lines %}"),
        para("{{ line }}", "Modtager", frame(*RECIPIENT_PAPER)),
        tag("{%p endfor %}"),
        tag("{%p else %}"),
        tag("{%p for line in address_lines %}"),
        para("{{ line }}", "Modtager", frame(*RECIPIENT_DIGITAL)),
        tag("{%p endfor %}"),
        tag("{%p endif %}"),
        # the text
        para("{{ letter.heading | nobreak }}", "Heading1"),
        tag("{%p for section in sections %}"),
        tag("{%p if section.heading %}"),
        para("{{ section.heading | nobreak }}", "Heading2"),
        tag("{%p endif %}"),
        tag("{%p for block in section.blocks %}"),
        tag("{%p if block.kind == 'list' %}"),
        tag("{%p for item in block.items %}"),
        para("{{ item | nobreak }}", "ListBullet"),
        tag("{%p endfor %}"),
        tag("{%p elif block.strong %}"),
        para("{{ block.text | nobreak }}", "Vigtigt", run=bold),
        tag("{%p else %}"),
        para("{{ block.text | nobreak }}"),
        tag("{%p endif %}"),
        tag("{%p endfor %}"),
        tag("{%p endfor %}"),
        tag("{%p for copy in copies_to %}"),
        para("Kopi til: {{ copy }}", "KopiTil"),
        tag("{%p endfor %}"),
    ]
    section = (
        '<w:sectPr>'
        '<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>'
        '<w:footerReference w:type="default" r:id="rIdFooter"/>'
        '<w:footerReference w:type="first" r:id="rIdFooterFirst"/>'
        f'<w:pgSz w:w="{tw(PAGE_W)}" w:h="{tw(PAGE_H)}"/>'
        f'<w:pgMar w:top="{tw(MARGIN_TOP)}" w:right="{tw(MARGIN_RIGHT)}" w:bottom="{tw(MARGIN_BOTTOM)}" '
        f'w:left="{tw(MARGIN_LEFT)}" w:header="{tw(LOGO_BOX[1])}" w:footer="{tw(FOOTER_FROM_BOTTOM)}" w:gutter="0"/>'
        '<w:cols w:space="708"/><w:titlePg/>'
        '</w:sectPr>'
    )
    return XML + f"<w:document {NS}><w:body>" + "".join(body) + section + "</w:body></w:document>"


def footer_xml() -> str:
    """Sender name left, "Side X af Y" right: PAGE and NUMPAGES fields, updated by Word and
    LibreOffice as they lay out the pages (the cached "1" is what a reader without layout sees)."""
    run = rpr()

    def field(code: str) -> str:
        return (f'<w:r>{run}<w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r>{run}<w:instrText xml:space="preserve"> {code} </w:instrText></w:r>'
                f'<w:r>{run}<w:fldChar w:fldCharType="separate"/></w:r>'
                f'<w:r>{run}<w:t>1</w:t></w:r>'
                f'<w:r>{run}<w:fldChar w:fldCharType="end"/></w:r>')

    text = lambda t: f'<w:r>{run}<w:t xml:space="preserve">{t}</w:t></w:r>'  # noqa: E731
    paragraph = ('<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>'
                 + text("{{ sender.name }}") + f"<w:r>{run}<w:tab/></w:r>"
                 + text("Side ") + field("PAGE \\* Arabic") + text(" af ") + field("NUMPAGES \\* Arabic")
                 + "</w:p>")
    return XML + f"<w:ftr {NS}>{paragraph}</w:ftr>"


def header_xml(logo_size: tuple[float, float]) -> str:
    """The first page's header: the logo as a floating picture at the PDF's place, its alt text
    the municipality's name."""
    x, y, box_w, box_h = LOGO_BOX
    width, height = logo_size
    y += (box_h - height) / 2
    cx, cy = round(width * EMU_PER_MM), round(height * EMU_PER_MM)
    drawing = (
        '<w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{round(x * EMU_PER_MM)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{round(y * EMU_PER_MM)}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        '<wp:docPr id="1" name="Logo" descr="{{ sender.name }}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="logo.png" descr="{{ sender.name }}"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip r:embed="rIdLogo"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:anchor></w:drawing>"
    )
    paragraph = f'<w:p><w:pPr>{spacing(0, 0)}</w:pPr><w:r>{rpr()}{drawing}</w:r></w:p>'
    return XML + f"<w:hdr {NS}>{paragraph}</w:hdr>"


# --- the logo -------------------------------------------------------------------------------


def logo_png(svg: Path, width_mm: float, height_mm: float, dpi: int = 600) -> bytes:
    """The SVG logo as a PNG for Word (which older versions and LibreOffice need): drawn by
    WeasyPrint into a one-page PDF of the picture's size and rasterised with pdfium."""
    import pypdfium2
    import weasyprint
    from PIL import Image

    html = (f'<style>@page {{ size: {width_mm}mm {height_mm}mm; margin: 0 }} body {{ margin: 0 }}'
            f'img {{ display: block; width: {width_mm}mm; height: {height_mm}mm }}</style>'
            f'<img src="{svg.name}">')
    pdf = weasyprint.HTML(string=html, base_url=str(svg.parent) + "/").write_pdf()
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=dpi / 72, draw_annots=False).to_pil().convert("RGB")
    # a logo has few colours: a palette keeps the PNG small without visible loss
    image = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(dpi, dpi))
    return out.getvalue()


def logo_size(svg: Path) -> tuple[float, float]:
    """The logo's size in mm inside the PDF's logo box, keeping its proportions."""
    box_w, box_h = LOGO_BOX[2], LOGO_BOX[3]
    view = re.search(r'viewBox="\s*[-\d.]+\s+[-\d.]+\s+([\d.]+)\s+([\d.]+)"', svg.read_text(encoding="utf-8"))
    ratio = float(view.group(1)) / float(view.group(2)) if view else box_w / box_h
    return (box_w, box_w / ratio) if ratio >= box_w / box_h else (box_h * ratio, box_h)


# --- package ----------------------------------------------------------------------------------

CONTENT_TYPES = (
    XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    f'<Override PartName="/word/document.xml" ContentType="{CT}.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{CT}.styles+xml"/>'
    f'<Override PartName="/word/settings.xml" ContentType="{CT}.settings+xml"/>'
    f'<Override PartName="/word/fontTable.xml" ContentType="{CT}.fontTable+xml"/>'
    f'<Override PartName="/word/numbering.xml" ContentType="{CT}.numbering+xml"/>'
    f'<Override PartName="/word/header1.xml" ContentType="{CT}.header+xml"/>'
    f'<Override PartName="/word/footer1.xml" ContentType="{CT}.footer+xml"/>'
    f'<Override PartName="/word/footer2.xml" ContentType="{CT}.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS = (
    XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rIdStyles" Type="{REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rIdSettings" Type="{REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rIdFonts" Type="{REL}/fontTable" Target="fontTable.xml"/>'
    f'<Relationship Id="rIdNumbering" Type="{REL}/numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rIdHeaderFirst" Type="{REL}/header" Target="header1.xml"/>'
    f'<Relationship Id="rIdFooter" Type="{REL}/footer" Target="footer1.xml"/>'
    f'<Relationship Id="rIdFooterFirst" Type="{REL}/footer" Target="footer2.xml"/>'
    "</Relationships>"
)

HEADER_RELS = (
    XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rIdLogo" Type="{REL}/image" Target="media/logo.png"/>'
    "</Relationships>"
)

# No personal data and no dates: the renderer fills in title, the municipality as author, and
# the letter's date (generator/render/docx.py).
CORE_XML = (
    XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    f"<dc:title></dc:title><dc:creator></dc:creator><dc:language>{LANG}</dc:language><cp:revision>1</cp:revision>"
    "</cp:coreProperties>"
)


def build(logo: Path = LOGO) -> bytes:
    size = logo_size(logo)
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "docProps/core.xml": CORE_XML,
        "word/document.xml": document_xml(),
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/styles.xml": STYLES_XML,
        "word/settings.xml": SETTINGS_XML,
        "word/fontTable.xml": FONT_TABLE_XML,
        "word/numbering.xml": NUMBERING_XML,
        "word/header1.xml": header_xml(size),
        "word/_rels/header1.xml.rels": HEADER_RELS,
        "word/footer1.xml": footer_xml(),
        "word/footer2.xml": footer_xml(),
        "word/media/logo.png": logo_png(logo, *size),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            package.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return out.getvalue()


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    target.write_bytes(build())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
