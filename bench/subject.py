"""What the benchmarks measure: "a letter", in one place.

Today the letter is the standalone complaint guidance (`brevgen guidance`), which renders through
the same template, stylesheet and renderers as decision letters. When `brevgen letter` exists,
point CASE, build_letter() and cli_command() at it; every benchmark follows.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from generator import paths

BENCH = Path(__file__).resolve().parent
CASE = BENCH / "data" / "one-letter.yaml"  # invented: one case, one recipient, paper post
KIND = "complaint guidance (brevgen guidance)"


def build_letter(case: Path = CASE):
    """Load, validate and build: case file -> Letter (the first recipient's)."""
    from generator.documents.complaint_guidance import guidance_letters
    from generator.loading import load_model
    from generator.models import GuidanceRequest
    from generator.output import sha256

    request = load_model(GuidanceRequest, case)
    return guidance_letters(request, input_sha256=sha256(case.read_bytes()))[0]


def letter_pdf(case: Path = CASE) -> bytes:
    """End to end in this process: case file -> PDF bytes."""
    from generator.render import render_pdf

    return render_pdf(build_letter(case))


def letter_docx(case: Path = CASE) -> bytes:
    from generator.render import render_docx

    return render_docx(build_letter(case))


def final_html(case: Path = CASE) -> str:
    """The HTML the PDF renderer lays out (print variant: the stylesheet is separate)."""
    from generator.render.html import render_html_text

    return render_html_text(build_letter(case), for_print=True)


def brevgen(*args: str) -> list[str]:
    """A cold `brevgen` process (what the console script runs), in this Python environment."""
    return [sys.executable, "-c", "from generator.cli import app; app()", *map(str, args)]


def cli_command(case: Path, out: Path) -> list[str]:
    """A cold `brevgen` run producing the PDF letter(s) of one case file (or a folder of them)."""
    return brevgen("guidance", case, "--out", out, "--format", "pdf")


def system_font_css() -> str:
    """letter.css with its own font removed: the same layout in a common system font."""
    css = (paths.TEMPLATES / "letter.css").read_text(encoding="utf-8")
    css = re.sub(r"@font-face\s*{[^}]*}", "", css)
    return css + '\nhtml, body { font-family: "DejaVu Sans", sans-serif; }\n'


