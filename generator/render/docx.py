"""Letter -> DOCX from the Word template templates/letter.docx (docxtpl).

The template (made by scripts/make_docx_template.py, restylable in Word) holds the layout of the
PDF: logo, sender block, return line, the recipient in the envelope window, "Side X af Y". It is
kept simple on purpose: each tag typed in one go (Word splits a tag typed with formatting changes
across runs), no subdocuments, straight quotes. Rendering uses the sandboxed, escaping
environment. After rendering, the recipient block gets the size at which it fits the window (as
the PDF's |address_style), the closing blocks are kept with the text before them, and a letter
the PDF sets in its tight layout gets the same spacing and margins. Zip timestamps and core properties are fixed so that the same input
gives the same bytes; the properties name the municipality and the letter kind, never a person.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from functools import lru_cache

from docx.enum.text import WD_LINE_SPACING
from docx.shared import Emu, Mm, Pt
from docxtpl import DocxTemplate

from .. import paths
from ..documents.model import Letter
from ..formatting import address_fit
from .environment import docx_environment

TEMPLATE = "letter.docx"
RECIPIENT_STYLE = "Modtager"  # the template's style of the address lines (framed paragraphs)

# The tight layout of letter.css (`body.tight`, chosen by render/pdf.py only when it saves a
# nearly empty page): style id -> space before (mm), after (mm), line height (pt, at least).
TIGHT_STYLES = {
    "Normal": (0, 1.2, 13), "ListBullet": (0, 1.2, 13), "KopiTil": (3, 1.2, 13),
    "Heading1": (0, 3, 17.5), "Heading2": (3, 1, 11.5 * 1.3),
}
TIGHT_MARGINS = (14, 15)  # @page tight: top and bottom margin (mm); page one keeps 20 mm at the top
TIGHT_FOOTER = 5.5  # the footer line in the middle of the 15 mm bottom margin (mm from the edge)


@lru_cache(maxsize=None)
def template_bytes() -> bytes:
    return (paths.TEMPLATES / TEMPLATE).read_bytes()


def return_line(letter: Letter) -> str:
    """The sender's line above the address in the window, at most 70 characters (as in
    templates/letter.html.j2)."""
    sender = letter.sender
    address = sender.postal_address
    return f"{sender.name}, {address.street}, {address.postcode} {address.city}"[:70]


def docx_context(letter: Letter) -> dict:
    return {
        "letter": letter,
        "sender": letter.sender,
        "address_lines": letter.recipient.address_lines,
        "return_line": return_line(letter),
        "sections": letter.sections,
        "copies_to": letter.copies_to,
    }


def fit_recipient(document, lines) -> None:
    """Set the address lines in the size at which they fit the window, as the PDF does (10 pt,
    or smaller down to 5.5 pt for a long name or address)."""
    size, leading, _unbroken = address_fit(lines) or (5.5, 1.05, False)
    if size == 10:
        return  # the template's own size
    for paragraph in document.paragraphs:
        if paragraph.style is not None and paragraph.style.style_id == RECIPIENT_STYLE:
            paragraph.paragraph_format.line_spacing = Pt(size * leading)
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
            for run in paragraph.runs:
                run.font.size = Pt(size)


def keep_closing_together(document, letter: Letter) -> None:
    """The closing blocks (the last section, e.g. "Har du spørgsmål?", and the "Kopi til" lines)
    stay whole and go to a new page only with the paragraph before them, as the PDF's `.closing`
    (templates/letter.css; issue 14: no page holding only "Kopi til"). They are the letter's last
    paragraphs: counted from the letter, marked "keep with next" and "keep lines together"."""
    if not letter.sections:
        return
    last = letter.sections[-1]
    count = (1 if last.heading else 0) + len(letter.copies_to)
    count += sum(len(block.items) if block.kind == "list" else 1 for block in last.blocks)
    chain = document.paragraphs[-(count + 1):]
    for paragraph in chain[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    for paragraph in chain[1:]:
        paragraph.paragraph_format.keep_together = True


def uses_tight(letter: Letter) -> bool:
    """Whether the PDF of this letter is set in the tight layout (render/pdf.py `fitted`):
    remembered from rendering the PDF in this process, or laid out now (loads WeasyPrint)."""
    from . import pdf
    from .html import render_html_text

    return pdf.uses_tight(lambda tight: render_html_text(letter, for_print=True, tight=tight))


def tighten(document) -> None:
    """The tight layout in Word: less space between lines, paragraphs and headings, smaller
    margins after page one, as letter.css `body.tight`."""
    styles = {style.style_id: style for style in document.styles}
    for style_id, (before, after, line) in TIGHT_STYLES.items():
        paragraph_format = styles[style_id].paragraph_format
        paragraph_format.space_before, paragraph_format.space_after = Mm(before), Mm(after)
        paragraph_format.line_spacing = Pt(line)
        paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    section = document.sections[0]
    lowered = Emu(section.top_margin - Mm(TIGHT_MARGINS[0]))  # page one's text still starts as before
    section.top_margin, section.bottom_margin = Mm(TIGHT_MARGINS[0]), Mm(TIGHT_MARGINS[1])
    section.footer_distance = Mm(TIGHT_FOOTER)
    spacer = document.paragraphs[0].paragraph_format  # the first paragraph: the first page's spacer
    spacer.line_spacing = Emu(spacer.line_spacing + lowered)  # a Length: a plain number means lines
    spacer.line_spacing_rule = WD_LINE_SPACING.EXACTLY


def render_docx(letter: Letter) -> bytes:
    document = DocxTemplate(io.BytesIO(template_bytes()))
    document.render(docx_context(letter), jinja_env=docx_environment(), autoescape=True)
    fit_recipient(document.docx, letter.recipient.address_lines)
    keep_closing_together(document.docx, letter)
    if uses_tight(letter):
        tighten(document.docx)
    moment = dt.datetime.combine(letter.dated, dt.time(12, 0))
    properties = document.docx.core_properties
    properties.title = letter.title
    properties.author = letter.sender.name
    properties.last_modified_by = letter.sender.name
    properties.created = moment
    properties.modified = moment
    properties.revision = 1
    properties.comments = ""
    properties.language = "da-DK"
    out = io.BytesIO()
    document.save(out)
    return normalise_zip(out.getvalue(), moment)


def normalise_zip(data: bytes, moment: dt.datetime) -> bytes:
    """Stamp every zip member with `moment` (python-docx stamps the current time).

    The DOS date and time fields are overwritten in place, in each central directory entry and
    its local header, rather than re-compressing the whole file: same bytes, a fraction of the
    time (bench/RESULTS.md, benchmark 3).
    """
    stamp = struct.pack(
        "<HH",
        (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2),
        ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day,
    )
    out = bytearray(data)
    end = out.rfind(b"PK\x05\x06")  # end of central directory
    count, _size, entry = struct.unpack_from("<HII", out, end + 10)
    for _ in range(count):
        if out[entry:entry + 4] != b"PK\x01\x02":
            raise ValueError("unexpected zip layout from python-docx")
        out[entry + 12:entry + 16] = stamp
        local = struct.unpack_from("<I", out, entry + 42)[0]
        out[local + 10:local + 14] = stamp
        name, extra, comment = struct.unpack_from("<HHH", out, entry + 28)
        entry += 46 + name + extra + comment
    return bytes(out)
