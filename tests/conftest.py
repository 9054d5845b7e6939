"""Shared helpers for tests: the example data, and readers for PDF and DOCX output."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from click.testing import CliRunner

from generator import paths
from generator.cli import app
from generator.models import Channel, Recipient, Role

EXAMPLES = paths.CONTENT / "examples"
MM = 25.4 / 72  # PDF points to millimetres


def run_ok(*args) -> None:
    """Run `brevgen ARGS...` in this process and require exit 0 (for module-scoped fixtures,
    which cannot use the function-scoped `run_cli`)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def example_output(tmp_path_factory) -> Path:
    """Every document the bundled examples produce, rendered once per test session (issue 14's
    tests read them back: layout, PDF/UA, self-contained previews): OUT/letters (every example
    case, PDF and HTML), OUT/guidance, OUT/transition (the invitation run of the example
    register) and OUT/leaflets."""
    out = tmp_path_factory.mktemp("examples")
    run_ok("letter", EXAMPLES / "cases", "--out", out / "letters", "--format", "pdf,html")
    run_ok("guidance", EXAMPLES / "guidance", "--out", out / "guidance", "--format", "pdf,html")
    result = CliRunner().invoke(app, ["transition", "invite", "--register", str(EXAMPLES / "transition" / "register.csv"),
                                      "--meeting", "2027-02-10", "--out", str(out / "transition")])
    assert result.exit_code == 1, result.output  # 1: the example register's deliberately bad rows
    run_ok("leaflet", paths.CONTENT / "leaflets", "--out", out / "leaflets")
    return out


@pytest.fixture
def run_cli():
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


def assert_same_files(path: Path, other: Path) -> None:
    """Same letter bytes; a JSON record is the same except for when it was made (`produced.time`),
    which is kept out of the letters so that they stay reproducible."""
    import json

    if path.suffix != ".json":
        assert path.read_bytes() == other.read_bytes(), path.name
        return
    mine, theirs = json.loads(path.read_bytes()), json.loads(other.read_bytes())
    assert mine.pop("produced")["brevgen_version"] == theirs.pop("produced")["brevgen_version"]
    assert mine == theirs, path.name


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def one_line(text: str) -> str:
    """Collapse line breaks, so phrases broken across PDF lines can be searched."""
    return " ".join(text.split())


def recipient(channel: str = "digital", role: str = "citizen", name: str = "Fiktiv Testperson") -> Recipient:
    return Recipient(
        role=Role(role), name=name, address=("Eksempelvej 1",), postcode="9999", city="Eksempelby",
        channel=Channel(channel),
    )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
