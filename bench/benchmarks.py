"""The six benchmarks of issue 6. Each returns Rows: what was compared, the ratio, the goal.

A ratio is always ours / theirs measured side by side in the same run (bench/timing.py), so a
speed-up of 4x is a ratio of 0.25.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator import paths

from . import subject
from .timing import Pair, run, side_by_side

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@dataclass
class Row:
    number: str
    what: str
    ours: float | None  # seconds (median), or None when not measured
    theirs: float | None
    ratio: float | None
    goal: str  # e.g. "<= 0.25"
    note: str = ""

    @property
    def met(self) -> str:
        if self.ratio is None or self.goal == "-":  # "-": a row that informs, with no goal of its own
            return "n/a"
        op, limit = self.goal.split()
        return "yes" if (self.ratio <= float(limit) if op == "<=" else self.ratio >= float(limit)) else "NO"


def row(number: str, what: str, pair: Pair, goal: str, note: str = "") -> Row:
    return Row(number, what, pair.ours, pair.theirs, pair.ratio, goal, note or f"median of {pair.rounds} rounds")


def subsetter() -> str:
    """Which library WeasyPrint subsets fonts with in this process (issue 18: it changes benchmark 1)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libharfbuzz-subset0"], capture_output=True, text=True).stdout
        return f"HarfBuzz (libharfbuzz-subset0 {version or '?'})"
    return "fontTools (no libharfbuzz-subset0)"


def bench_pdf(rounds: int) -> list[Row]:
    """1, 1f, 1s and 2: one PDF letter end to end (warm) vs WeasyPrint defaults / WeasyPrint's floor
    / layout alone, and the letter's size."""
    import weasyprint

    from generator.render.pdf import OPTIONS, font_config, stylesheet

    html = subject.final_html()
    base = str(paths.TEMPLATES)
    system_css = weasyprint.CSS(string=subject.system_font_css(), base_url=base)
    fonts_by = subsetter()

    def default_weasyprint():
        return weasyprint.HTML(string=html, base_url=base).write_pdf(stylesheets=[system_css])

    floor_cache: dict = {}  # WeasyPrint's own image cache: the logo decoded once, drawn every time

    def weasyprint_floor():
        """The same objects brevgen uses (CSS, fonts), WeasyPrint's layout + drawing + PDF/UA tags."""
        document = weasyprint.HTML(string=html, base_url=base).render(
            stylesheets=[stylesheet()], font_config=font_config(), cache=floor_cache, **OPTIONS)
        return document.write_pdf(**OPTIONS)

    def layout_alone():
        return weasyprint.HTML(string=html, base_url=base).render(stylesheets=[stylesheet()], font_config=font_config())

    one = side_by_side(subject.letter_pdf, default_weasyprint, rounds)
    floor = side_by_side(subject.letter_pdf, weasyprint_floor, rounds)
    two = side_by_side(subject.letter_pdf, layout_alone, rounds)
    size = len(subject.letter_pdf())
    every, relaid = every_example_letter(floor_cache)
    return [
        row("1", "PDF letter end to end (warm) / WeasyPrint defaults (fonts subset), same HTML, DejaVu Sans", one, "<= 1.0",
            f"fonts subset with {fonts_by}; speed-up {1 / one.ratio:.2f}x; median of {one.rounds} rounds"),
        row("1f", "PDF letter end to end (warm) / WeasyPrint's floor: the same HTML, CSS and fonts, layout + draw + PDF/UA tags", floor,
            "<= 1.05", f"fonts subset with {fonts_by}; median of {floor.rounds} rounds"),
        row("1f-all", "every example letter end to end (warm, case by case) / WeasyPrint's floor on each letter's HTML", every, "-",
            f"{every.rounds} letters, {relaid} of them set in the tight layout, each laid out twice (near-empty last page, "
            "issue 14); informs, no goal: the goal of 1f is the measured letter's; total of one round after a warm-up"),
        Row("1s", "PDF size of the letter / 24 KB (24,000 bytes), fonts subset, PDF/UA-1", None, None, size / 24_000, "<= 1.0",
            f"{size:,} bytes; fonts subset with {fonts_by}"),
        row("2", "PDF letter end to end (warm) / WeasyPrint render() (layout) of the same HTML", two, "<= 2.0"),
    ]


def every_example_letter(floor_cache: dict) -> tuple[Pair, int]:
    """1f over every example case: brevgen builds each case's letters and renders them (the tight
    re-layout of issue 14 included), WeasyPrint's floor lays out and writes each letter's normal
    HTML. One warm-up round, then one measured round, the sides alternating case by case."""
    import time

    import weasyprint

    from generator.case import CaseFile
    from generator.checks import check_decision
    from generator.documents.decision_letter import build_decision
    from generator.loading import load_model
    from generator.output import sha256
    from generator.render import render_pdf
    from generator.render import pdf as pdf_renderer
    from generator.render.html import render_html_text

    def build(path: Path):
        built = build_decision(load_model(CaseFile, path), source=str(path), input_sha256=sha256(path.read_bytes()))
        check_decision(built)
        return built

    cases, tight = [], 0
    for path in sorted((paths.CONTENT / "examples" / "cases").glob("*.yaml")):
        letters_of_case = [one.letter for one in build(path).letters]
        cases.append((path, [render_html_text(letter, for_print=True) for letter in letters_of_case]))
        tight += sum(pdf_renderer.uses_tight(lambda t, letter=letter: render_html_text(letter, for_print=True, tight=t))
                     for letter in letters_of_case)
    letters = sum(len(htmls) for _, htmls in cases)

    def ours(path, _htmls):
        for one in build(path).letters:
            render_pdf(one.letter)

    def theirs(_path, htmls):
        for html in htmls:
            weasyprint.HTML(string=html, base_url=str(paths.TEMPLATES)).render(
                stylesheets=[pdf_renderer.stylesheet()], font_config=pdf_renderer.font_config(),
                cache=floor_cache, **pdf_renderer.OPTIONS).write_pdf(**pdf_renderer.OPTIONS)

    totals = [0.0, 0.0]
    for measured in (False, True):
        for index, case in enumerate(cases):
            for side in ((0, 1) if index % 2 == 0 else (1, 0)):
                started = time.perf_counter()
                (ours, theirs)[side](*case)
                if measured:
                    totals[side] += time.perf_counter() - started
    return Pair(totals[0] / letters, totals[1] / letters, totals[0] / totals[1], letters), tight


def bench_docx(rounds: int) -> list[Row]:
    """3: one DOCX letter end to end vs a bare docxtpl render of the same template and context."""
    from docxtpl import DocxTemplate

    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from generator.formatting import FILTERS
    from generator.render.docx import docx_context

    letter = subject.build_letter()
    context = docx_context(letter)
    template = paths.TEMPLATES / "letter.docx"

    # The template uses brevgen's filters (dato): a plain sandboxed environment with them, made once.
    environment = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters.update(FILTERS)

    def bare_docxtpl():
        document = DocxTemplate(template)
        document.render(context, jinja_env=environment, autoescape=True)
        document.save(io.BytesIO())

    pair = side_by_side(subject.letter_docx, bare_docxtpl, rounds)
    return [row("3", "DOCX letter end to end (warm) / bare docxtpl render + save", pair, "<= 1.2")]


def bench_cold(rounds: int, work: Path) -> list[Row]:
    """5 and 6a: a cold brevgen run for one case vs a minimal WeasyPrint script / LibreOffice.

    5 is the issue's comparison (the minimal script imports WeasyPrint the ordinary way); 5b
    gives the minimal script brevgen's faster import too, so it shows brevgen's own overhead.
    6a-min compares that minimal script with LibreOffice: the floor of any WeasyPrint-based tool."""
    from generator.render import render_docx

    html_file = work / "letter.html"
    html_file.write_text(subject.final_html(), encoding="utf-8")
    brevgen = run(subject.cli_command(subject.CASE, work / "brevgen"))
    minimal_args = [sys.executable, str(subject.BENCH / "minimal.py"), str(html_file), str(work / "minimal.pdf"), str(paths.TEMPLATES)]
    minimal, minimal_fast = run(minimal_args), run([*minimal_args, "--fast-import"])
    rows = [
        row("5", "cold `brevgen` for one case (PDF) / cold minimal WeasyPrint script, same HTML", side_by_side(brevgen, minimal, rounds), "<= 1.3"),
        row("5b", "the same / the minimal script importing WeasyPrint as brevgen does (brevgen's own overhead)", side_by_side(brevgen, minimal_fast, rounds), "<= 1.3"),
    ]
    if SOFFICE is None:
        return rows + [Row("6a", "cold `brevgen` / cold soffice --convert-to pdf", None, None, None, "<= 0.5", "LibreOffice missing: run bench/setup.sh")]
    docx = work / "letter.docx"
    docx.write_bytes(render_docx(subject.build_letter()))
    soffice = run(soffice_command([docx], work / "soffice", work))
    soffice()  # the first run ever creates LibreOffice's user profile; that is not "cold" but "first"
    rows.append(row("6a", "cold `brevgen` for one case (PDF) / cold soffice --convert-to pdf of its DOCX", side_by_side(brevgen, soffice, rounds), "<= 0.5"))
    rows.append(row("6a-min", "(floor) cold minimal WeasyPrint script, fast import / the same soffice run", side_by_side(minimal_fast, soffice, rounds), "<= 0.5",
                    f"what any WeasyPrint-based tool costs cold; median of {rounds} rounds"))
    return rows


def soffice_command(files: list[Path], out: Path, work: Path) -> list[str]:
    profile = (work / "lo-profile").as_uri()
    return [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, files)]


def bench_soffice_batch(letters: int, work: Path) -> list[Row]:
    """6b: per-letter cost of a brevgen batch vs one soffice process converting as many DOCX."""
    from generator.render import render_docx

    if SOFFICE is None:
        return [Row("6b", "batch per letter / soffice per letter", None, None, None, "<= 1.0", "LibreOffice missing: run bench/setup.sh")]
    cases, docx = work / "cases", work / "docx"
    cases.mkdir()
    docx.mkdir()
    data = render_docx(subject.build_letter())
    case = subject.CASE.read_text(encoding="utf-8")
    for i in range(letters):  # the same letter, each copy its own case number (brevgen refuses duplicates)
        numbered = re.sub(r"(?m)^case_number: .*$", f"case_number: 9999-{i:04d}", case, count=1)
        (cases / f"case-{i:04d}.yaml").write_text(numbered, encoding="utf-8")
        (docx / f"letter-{i:04d}.docx").write_bytes(data)
    theirs = run(soffice_command(sorted(docx.iterdir()), work / "soffice-batch", work))
    run(soffice_command([docx / "letter-0000.docx"], work / "soffice-warm", work))()  # profile exists
    rows = []
    for number, workers in (("6b", 2), ("6b-1w", 1)):
        ours = run(subject.cli_command(cases, work / f"batch-out-{workers}", "--workers", str(workers)))
        pair = side_by_side(ours, theirs, rounds=1, warmup=0)
        note = (f"{letters} letters, one cold process each side, brevgen --workers {workers}: "
                f"{pair.ours / letters * 1000:.0f} ms vs {pair.theirs / letters * 1000:.0f} ms per letter")
        rows.append(Row(number, f"batch of one-letter case files (one `brevgen letter --workers {workers}` run), per letter (cold process) "
                        "/ soffice converting as many DOCX in one process", pair.ours, pair.theirs, pair.ratio, "<= 1.0", note))
    return rows


def bench_batch(letters: int, work: Path) -> list[Row]:
    """4: the transition batch: 2 workers vs 1, and peak memory at `letters` vs a fifth of it."""
    from . import batch

    if not batch.available():
        return [
            Row("4a", "transition batch: throughput 2 workers / 1 worker", None, None, None, ">= 1.8", "blocked: `brevgen transition` (issue 4) not on this branch yet"),
            Row("4b", "transition batch: peak memory at 500 / at 100 letters", None, None, None, "<= 1.1", "blocked: issue 4"),
        ]
    import shutil
    import statistics

    small = max(letters // 5, 1)
    # One run of each takes half a minute and two runs of the same command differ by up to 10 %
    # here: 4a is the median of three pairs, alternating which goes first, each in a fresh folder.
    ones, twos = [], []
    for pair in range(3):
        for workers, runs in ((1, ones), (2, twos)) if pair % 2 == 0 else ((2, twos), (1, ones)):
            folder = work / f"w{workers}"
            shutil.rmtree(folder, ignore_errors=True)
            runs.append(batch.measure(letters, workers, folder))
    one, two = ones[0], twos[0]
    few = batch.measure(small, 2, work / "few")
    ratios = [a["seconds"] / b["seconds"] for a, b in zip(ones, twos)]
    throughput = statistics.median(ratios)
    one_s, two_s = statistics.median(r["seconds"] for r in ones), statistics.median(r["seconds"] for r in twos)
    return [
        Row("4a", f"transition batch of {letters} letters: throughput 2 workers / 1 worker", two_s, one_s, throughput, ">= 1.8",
            f"median of 3 pairs ({', '.join(f'{r:.2f}' for r in ratios)}); {one_s / letters * 1000:.0f} ms/letter with 1 worker, "
            f"{two_s / letters * 1000:.0f} ms with 2"),
        Row("4b", f"transition batch: peak memory (all processes, print bundle included) at {letters} / at {small} letters, 2 workers",
            two["peak_mb"], few["peak_mb"], two["peak_mb"] / few["peak_mb"], "<= 1.1",
            f"{two['peak_mb']:.0f} MB vs {few['peak_mb']:.0f} MB; bundle phase alone {two['bundle_phase_mb']:.0f} MB vs "
            f"{few['bundle_phase_mb']:.0f} MB; bundle {two['bundle_kb_per_letter']:.1f} KB per paper letter; fonts subset with {subsetter()}"),
    ]


def all_benchmarks(rounds: int, cold_rounds: int, batch_letters: int, soffice_letters: int, only: set[str] | None) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="brevgen-bench-") as temporary:
        work = Path(temporary)
        steps = [
            ({"1", "2"}, lambda: bench_pdf(rounds)),
            ({"3"}, lambda: bench_docx(rounds)),
            ({"4"}, lambda: bench_batch(batch_letters, work / "b4")),
            ({"5", "6"}, lambda: bench_cold(cold_rounds, work / "b5")),
            ({"6"}, lambda: bench_soffice_batch(soffice_letters, work / "b6")),
            ({"7"}, lambda: bench_web_rows(cold_rounds, work / "b7")),
        ]
        for numbers, step in steps:
            if only is None or numbers & only:
                for folder in ("b4", "b5", "b6", "b7"):
                    (work / folder).mkdir(exist_ok=True)
                new = step()
                for r in new:
                    print(format_row(r), flush=True)
                rows.extend(new)
    return rows


def bench_web_rows(rounds: int, work: Path) -> list[Row]:
    """7a and 7b: the web app's preview and issue against the cold CLI (bench/web.py)."""
    from .web import bench_web

    return bench_web(rounds, work)


def format_row(r: Row) -> str:
    ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
    sides = "" if r.ours is None else f"  [{r.ours:.3f} / {r.theirs:.3f}]"
    return f"{r.number:>3}  ratio {ratio:>6}{sides}  goal {r.goal:<8} met {r.met:<4} {r.what} ({r.note})"


def check_call(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout
