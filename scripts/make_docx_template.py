"""(Re)create templates/letter.docx, the Word template for letters.

The committed .docx is the source of truth: the municipality may restyle it in Word (fonts,
margins, header, logo). Run this only to start over from the plain version:

    .venv/bin/python scripts/make_docx_template.py

Rules for editing the template in Word (docxtpl pitfalls): type each {{ tag }} in one go
without changing formatting inside it, keep straight quotes, and keep each {%p ... %} tag alone
in its own paragraph.
"""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parent.parent / "templates" / "letter.docx"


def main() -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(22)
    section.left_margin, section.right_margin = Mm(21), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)

    header = section.header.paragraphs[0]
    header.text = "{{ sender.name }} · {{ letter.department }}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def para(text: str, style: str | None = None) -> None:
        doc.add_paragraph(text, style=style)

    para("{%p for line in address_lines %}")
    para("{{ line }}")
    para("{%p endfor %}")
    para("")
    para("Dato: {{ letter.dated | dato }}")
    para("Sagsnr.: {{ letter.case_number }}")
    para("Sagsbehandler: {{ letter.caseworker }}")
    para("{{ letter.heading }}", "Title")
    para("{%p for section in sections %}")
    para("{{ section.heading }}", "Heading 1")
    para("{%p for block in section.blocks %}")
    para("{%p if block.kind == 'list' %}")
    para("{%p for item in block.items %}")
    para("{{ item }}", "List Bullet")
    para("{%p endfor %}")
    para("{%p elif block.strong %}")
    doc.add_paragraph().add_run("{{ block.text }}").bold = True
    para("{%p else %}")
    para("{{ block.text }}")
    para("{%p endif %}")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{%p for copy in copies_to %}")
    para("Kopi til: {{ copy }}")
    para("{%p endfor %}")
    para("")
    para("{{ sender.name }}, {{ sender.postal_address.street }}, {{ sender.postal_address.postcode }} {{ sender.postal_address.city }}. Telefon {{ sender.phone }}.")
    doc.core_properties.author = ""
    doc.core_properties.title = ""
    doc.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
