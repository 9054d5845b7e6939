"""What the benchmarks measure: "a letter", in one place; every benchmark follows it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from generator import paths

BENCH = Path(__file__).resolve().parent
# Which letter: the decision letter (issue 3) where it exists; the standalone complaint guidance
# before that (and for comparing with the code before the fast path). BREVGEN_BENCH_LETTER=guidance
# forces the latter.
DECISION = (BENCH.parent / "generator" / "documents" / "decision_letter.py").exists()
LETTER = os.environ.get("BREVGEN_BENCH_LETTER", "decision" if DECISION else "guidance")
if LETTER == "decision":
    CASE = paths.CONTENT / "examples" / "cases" / "sel-100-afslag.yaml"  # invented; one recipient, paper post
    KIND = "decision letter (brevgen letter), rejection under SEL § 100, paper post"
else:
    CASE = BENCH / "data" / "one-letter.yaml"  # invented: one case, one recipient, paper post
    KIND = "standalone complaint guidance (brevgen guidance), paper post"


def build_letter(case: Path = CASE):
    """Load, validate, build (and for decisions run the legal checks): case file -> Letter."""
    from generator.loading import load_model
    from generator.output import sha256

    if LETTER == "decision":
        from generator.case import CaseFile
        from generator.checks import check_decision
        from generator.documents.decision_letter import build_decision

        built = build_decision(load_model(CaseFile, case), source=str(case), input_sha256=sha256(case.read_bytes()))
        check_decision(built)
        return built.letters[0].letter
    from generator.documents.complaint_guidance import guidance_letters
    from generator.models import GuidanceRequest

    return guidance_letters(load_model(GuidanceRequest, case), input_sha256=sha256(case.read_bytes()))[0]


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


def cli_command(case: Path, out: Path, *extra: str) -> list[str]:
    """A cold `brevgen` run producing the PDF letter(s) of one case file (or a folder of them)."""
    return brevgen("letter" if LETTER == "decision" else "guidance", case, "--out", out, "--format", "pdf", *extra)


def system_font_css() -> str:
    """letter.css with its own font removed: the same layout in a common system font."""
    css = (paths.TEMPLATES / "letter.css").read_text(encoding="utf-8")
    css = re.sub(r"@font-face\s*{[^}]*}", "", css)
    return css + '\nhtml, body { font-family: "DejaVu Sans", sans-serif; }\n'


