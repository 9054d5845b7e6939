"""A case process -> an SVG diagram: one numbered box per phase, top to bottom.

Drawn for grayscale print: black lines and text on white or light grey, numbers in circles and
arrows carry the order, so nothing depends on colour. The SVG has a <title> (the PDF uses it as
the figure's alternate text) and a <desc> listing the phases; the leaflet template prints the
same content as text right after it, for screen readers and for readers who skip figures.
Wording comes from the process data; this module only places it.
"""

from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

from ..processes import ResolvedProcess

WIDTH = 600
BOX_LEFT, BOX_RIGHT = 64, 592
TITLE_SIZE, TIME_SIZE = 21, 18  # about 10 and 8.5 pt when the diagram fills an A5 column
TITLE_CHARS, TIME_CHARS = 36, 46  # wrap widths for DejaVu Sans at the sizes above
PADDING, GAP = 12, 26
FILLS = ("#ffffff", "#e6e6e6")  # alternate, so neighbouring boxes differ also in grayscale


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def process_svg(process: ResolvedProcess, element_id: str) -> Markup:
    """Inline SVG markup; `element_id` must be unique in the page (it labels title and desc)."""
    parts: list[str] = []
    y = 4
    count = len(process.phases)
    for number, phase in enumerate(process.phases, start=1):
        title_lines = _lines(phase.title, TITLE_CHARS)
        time_lines = _lines(phase.time, TIME_CHARS)
        height = PADDING * 2 + len(title_lines) * (TITLE_SIZE + 5) + len(time_lines) * (TIME_SIZE + 4)
        fill = FILLS[(number - 1) % 2]
        parts.append(
            f'<g class="phase" data-phase="{escape(phase.kind.value)}">'
            f'<rect x="{BOX_LEFT}" y="{y}" width="{BOX_RIGHT - BOX_LEFT}" height="{height}" rx="6" '
            f'fill="{fill}" stroke="#000" stroke-width="1.5"/>'
            f'<circle cx="30" cy="{y + height / 2:g}" r="20" fill="#fff" stroke="#000" stroke-width="2"/>'
            f'<text x="30" y="{y + height / 2 + 7:g}" text-anchor="middle" font-size="20" '
            f'font-weight="bold">{number}</text>'
        )
        line_y = y + PADDING + TITLE_SIZE
        for line in title_lines:
            parts.append(f'<text x="{BOX_LEFT + 14}" y="{line_y}" font-size="{TITLE_SIZE}" '
                         f'font-weight="bold">{escape(line)}</text>')
            line_y += TITLE_SIZE + 5
        line_y += 2
        for line in time_lines:
            parts.append(f'<text x="{BOX_LEFT + 14}" y="{line_y}" font-size="{TIME_SIZE}">{escape(line)}</text>')
            line_y += TIME_SIZE + 4
        parts.append("</g>")
        y += height
        if number < count:  # an arrow down to the next phase
            x = (BOX_LEFT + BOX_RIGHT) / 2
            parts.append(
                f'<path d="M{x:g} {y} V{y + GAP - 8} M{x - 7:g} {y + GAP - 10} L{x:g} {y + GAP - 1} '
                f'L{x + 7:g} {y + GAP - 10}" fill="none" stroke="#000" stroke-width="2"/>'
            )
            y += GAP
    height = y + 4
    description = " ".join(f"{n}. {p.title}." for n, p in enumerate(process.phases, start=1))
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="process-diagram" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{escape(element_id)}-title {escape(element_id)}-desc" '
        f'font-family="DejaVu Sans, Verdana, sans-serif" fill="#000">'
        f'<title id="{escape(element_id)}-title">{escape(process.title)}</title>'
        f'<desc id="{escape(element_id)}-desc">{escape(description)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
