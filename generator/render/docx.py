"""Letter -> DOCX from the Word template templates/letter.docx (docxtpl).

The template is kept simple on purpose: each tag typed in one go (Word splits a tag typed with
formatting changes across runs), no subdocuments, straight quotes. Rendering uses the sandboxed,
escaping environment. Zip timestamps and core properties are fixed so that the same input gives
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import lru_cache

from docxtpl import DocxTemplate

from .. import paths
from ..documents.model import Letter
from .environment import docx_environment

TEMPLATE = "letter.docx"


@lru_cache(maxsize=None)
def template_bytes() -> bytes:
    return (paths.TEMPLATES / TEMPLATE).read_bytes()


def docx_context(letter: Letter) -> dict:
    return {
        "letter": letter,
        "sender": letter.sender,
        "address_lines": letter.recipient.address_lines,
        "sections": letter.sections,
        "copies_to": letter.copies_to,
    }


def render_docx(letter: Letter) -> bytes:
    document = DocxTemplate(io.BytesIO(template_bytes()))
    document.render(docx_context(letter), jinja_env=docx_environment(), autoescape=True)
    moment = dt.datetime.combine(letter.dated, dt.time(12, 0))
    properties = document.docx.core_properties
    properties.title = letter.title
    properties.author = letter.sender.name
    properties.last_modified_by = letter.sender.name
    properties.created = moment
    properties.modified = moment
    properties.revision = 1
    properties.comments = ""
    out = io.BytesIO()
    document.save(out)
    return normalise_zip(out.getvalue(), moment)


def normalise_zip(data: bytes, moment: dt.datetime) -> bytes:
    """Rewrite a zip with fixed member timestamps (python-docx stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
