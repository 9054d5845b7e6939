"""Process leaflets: the bundled leaflets built, and their PDF, HTML and report read back."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from generator import paths
from generator.errors import BrevgenError
from generator.leaflets.build import build_leaflet
from generator.leaflets.source import read_leaflet
from generator.leaflets.watch import poll, snapshot
from generator.processes import PHASE_ORDER, find_process, load_process, processing_times
from generator.render.diagram import process_svg

from conftest import MM, d, one_line, pdf_text, run_ok

LEAFLETS = paths.CONTENT / "leaflets"
SVG = "{http://www.w3.org/2000/svg}"
FRONT = """---
title: Prøvepjece
audience: {audience}
version: "1.0"
approved_by: Testteamet
approved: 2026-01-01
next_review: 2027-01-01
paper: A5
---
"""


def write_leaflet(folder: Path, body: str, name: str = "proeve.md", audience: str = "citizen") -> Path:
    path = folder / name
    path.write_text(FRONT.format(audience=audience) + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("leaflets")
    run_ok("leaflet", LEAFLETS, "--out", out)
    return out


def structure_types(pdf_path: Path) -> list[tuple[str, dict]]:
    """Every element of the PDF's structure tree, in document order: (type, the element)."""
    reader = pypdf.PdfReader(pdf_path)
    found: list[tuple[str, dict]] = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                found.append((str(node["/S"])[1:], node))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


# --- the bundled leaflets ------------------------------------------------------------------


def test_four_leaflets_each_with_pdf_html_and_report(built):
    stems = ["foerste-moede-tjekliste", "sagsforloeb-barn", "sagsforloeb-voksen", "tilbud-uden-visitation"]
    assert sorted(p.name for p in built.iterdir()) == sorted(f"{s}.{e}" for s in stems for e in ("pdf", "html", "json"))


def test_report_holds_lix_processes_and_checksums(built):
    report = json.loads((built / "sagsforloeb-voksen.json").read_text())
    assert report["audience"] == "citizen" and report["paper"] == "A5"
    assert report["lix"]["score"] <= 35  # the target for citizen leaflets
    assert report["processes"][0]["id"] == "voksen-sel-85"
    assert report["processes"][0]["weeks"] == processing_times().weeks("SEL § 85")
    assert report["processes"][0]["phases"] == [k.value for k in PHASE_ORDER]
    import hashlib

    assert report["files"]["pdf"]["sha256"] == hashlib.sha256((built / "sagsforloeb-voksen.pdf").read_bytes()).hexdigest()


def test_every_citizen_leaflet_is_easy_to_read(built):
    for report_file in built.glob("*.json"):
        report = json.loads(report_file.read_text())
        if report["audience"] == "citizen":
            assert report["lix"]["score"] <= 35, report_file.name
            assert not any("LIX" in w for w in report["warnings"])


def test_pdf_page_size_follows_front_matter(built):
    a5 = pypdf.PdfReader(built / "sagsforloeb-voksen.pdf").pages[0].mediabox
    a4 = pypdf.PdfReader(built / "foerste-moede-tjekliste.pdf").pages[0].mediabox
    assert (round(float(a5.width) * MM), round(float(a5.height) * MM)) == (148, 210)
    assert (round(float(a4.width) * MM), round(float(a4.height) * MM)) == (210, 297)


def test_pdf_is_tagged_danish_and_titled(built):
    reader = pypdf.PdfReader(built / "sagsforloeb-voksen.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "da"
    assert bool(root["/MarkInfo"]["/Marked"]) and bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Sådan behandler vi din sag"
    assert reader.metadata.author == "Eksempel Kommune"
    xmp = root["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfuaid:part[^0-9]{0,3}1", xmp)  # declares PDF/UA-1
    types = [t for t, _ in structure_types(built / "sagsforloeb-voksen.pdf")]
    assert types.count("H1") == 1
    for needed in ("H2", "H3", "H4", "H5", "P", "Figure"):
        assert needed in types
    # headings come in reading order: the title, then the sections, the process, its phases
    assert types.index("H1") < types.index("H2") < types.index("H3") < types.index("H4") < types.index("H5")


def test_pdf_lists_are_tagged(built):
    types = [t for t, _ in structure_types(built / "tilbud-uden-visitation.pdf")]
    assert "L" in types and types.count("LI") >= 5


def test_pdf_diagram_figure_has_alternate_text(built):
    figures = [el for t, el in structure_types(built / "sagsforloeb-voksen.pdf") if t == "Figure"]
    alts = [str(el.get("/Alt")) for el in figures]
    assert "Sådan går en sag om socialpædagogisk støtte" in alts  # the diagram (its SVG <title>)
    assert "Eksempel Kommune" in alts  # the logo


def test_pdf_text_in_reading_order(built):
    text = one_line(pdf_text(built / "sagsforloeb-voksen.pdf"))
    order = ["Sådan behandler vi din sag", "Eksempel: kommunen, tiderne og personerne er opfundet.",
             "Om denne pjece", "Du er med hele vejen", "Sagen trin for trin",
             "Sådan går en sag om socialpædagogisk støtte", "1. Du søger om støtte", "6. Vi følger op",
             "Hvis du er uenig", "Når du klager", "Vil du vide mere?", "Telefon 99 99 99 99"]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, at in zip(order, positions) if at == -1]
    assert positions == sorted(positions)


def test_pdf_cover_then_numbered_pages(built):
    with pdfplumber.open(built / "sagsforloeb-voksen.pdf") as pdf:
        count = len(pdf.pages)
        cover = pdf.pages[0].extract_text()
        second = pdf.pages[1].extract_text()
        texts = [page.extract_text() for page in pdf.pages]
    assert "Side" not in cover and "Sådan behandler vi din sag" in cover
    assert "Om denne pjece" not in cover  # the body starts on a new page
    assert f"Side 2 af {count}" in second
    assert f"Side {count} af {count}" in texts[-1]


def test_pdf_holds_every_phase_with_the_published_time(built):
    text = one_line(pdf_text(built / "sagsforloeb-voksen.pdf"))
    process = find_process("voksen-sel-85")
    for phase in process.phases:
        assert text.count(phase.title) >= 2  # in the diagram and in the text after it
    assert f"Du får svar senest {process.weeks} uger efter" in text


def test_pdf_links_to_other_leaflets_are_plain_text(built):
    with pdfplumber.open(built / "sagsforloeb-voksen.pdf") as pdf:
        uris = [link.get("uri") for page in pdf.pages for link in page.hyperlinks]
    assert not any(uri and ".html" in uri for uri in uris)
    assert "tilbud, du kan bruge uden at søge" in one_line(pdf_text(built / "sagsforloeb-voksen.pdf"))


def test_pdf_hyphenates_danish(tmp_path):
    words = "Sagsbehandlingstiden for kommunens handicapkompenserende ydelser offentliggøres årligt. " * 12
    source = write_leaflet(tmp_path, "## Afsnit\n\n" + words)
    from generator.leaflets.job import leaflet_job

    list(leaflet_job([source], tmp_path / "out", today=d("2026-11-01")))
    with pdfplumber.open(tmp_path / "out" / "proeve.pdf") as pdf:
        lines = pdf.pages[1].extract_text().splitlines()
    hyphens = ("-", "\u2010")  # WeasyPrint draws U+2010 HYPHEN
    broken = [line.split()[-1] for line in lines if line.endswith(hyphens)]
    assert broken, "expected Danish words to be hyphenated at line ends"
    source_words = set(re.findall(r"\w+", words))
    for index, line in enumerate(lines[:-1]):
        if line.endswith(hyphens):  # the two halves make up a word from the text
            joined = line.split()[-1][:-1] + lines[index + 1].split()[0].rstrip(".")
            assert joined in source_words


def leaflet_lines(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]


def test_pdf_never_hyphenates_short_words(built):
    """Issue 14: "no-get", "sa-gen" no more. A hyphen WeasyPrint adds (U+2010) at a line end
    splits a word of at least 8 letters and leaves at least 3 letters on each line
    (`hyphenate-limit-chars: 8 3 3`, lang="da")."""
    splits = []
    for path in sorted(built.glob("*.pdf")):
        lines = leaflet_lines(path)
        for line, following in zip(lines, lines[1:]):
            if line.endswith("\u2010") and line.split() and following.split():
                before = re.sub(r"^\W+", "", line.split()[-1][:-1])
                after = re.match(r"\w*", following.split()[0]).group()
                splits.append((path.name, before, after))
    assert splits, "the example leaflets hyphenate some long words"
    short = [s for s in splits if len(s[1] + s[2]) < 8 or len(s[1]) < 3 or len(s[2]) < 3]
    assert short == []


def test_pdf_leaves_no_short_word_alone_on_a_paragraph_s_last_line(built):
    """The last word of a paragraph goes to a new line only with the word before it."""
    alone = [(path.name, line) for path in sorted(built.glob("*.pdf")) for line in leaflet_lines(path)
             if re.fullmatch(r"\w{1,7}[.!?]", line.strip())]
    assert alone == []


# --- the web page --------------------------------------------------------------------------


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = tag, ""

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((tag, " ".join(self._text.split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self._text += data


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_html_language_viewport_and_no_script(built):
    for page in built.glob("*.html"):
        parser = parse_page(page)
        tags = dict((tag, attrs) for tag, attrs in parser.tags if tag in ("html", "title"))
        assert tags["html"]["lang"] == "da"
        viewport = [a for t, a in parser.tags if t == "meta" and a.get("name") == "viewport"]
        assert viewport and "width=device-width" in viewport[0]["content"]
        assert not any(t == "script" for t, _ in parser.tags)
        assert not any(k.startswith("on") for _, a in parser.tags for k in a)  # no inline handlers


def test_html_headings_are_semantic_and_do_not_skip_levels(built):
    parser = parse_page(built / "sagsforloeb-voksen.html")
    levels = [int(tag[1]) for tag, _ in parser.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    assert ("h1", "Sådan behandler vi din sag") in parser.headings
    # a process sits one level below the heading before it, its phases one further down
    assert ("h3", "Støtte i hverdagen") in parser.headings
    assert ("h4", "Sådan går en sag om socialpædagogisk støtte") in parser.headings
    assert ("h5", "3. Du ser det, vi har fundet frem til") in parser.headings
    checklist = parse_page(built / "foerste-moede-tjekliste.html").headings
    assert ("h3", "Sådan går en sag om socialpædagogisk støtte") in checklist  # under an h2 there
    assert ("h4", "3. Du ser det, vi har fundet frem til") in checklist


def test_html_every_image_has_alt_text(built):
    images = [a for page in built.glob("*.html") for t, a in parse_page(page).tags if t == "img"]
    assert len(images) >= 5  # the logo on each page, and the illustration
    assert all(a.get("alt", "").strip() for a in images)
    assert all(a["src"].startswith("data:image/") for a in images)  # one self-contained file


def test_html_diagram_is_labelled_and_repeated_as_text(built):
    page = (built / "sagsforloeb-barn.html").read_text(encoding="utf-8")
    svg_markup = re.search(r"<svg.*?</svg>", page, re.DOTALL).group()
    svg = ET.fromstring(svg_markup)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    headings = [text for _, text in parse_page(built / "sagsforloeb-barn.html").headings]
    for number, phase in enumerate(find_process("barn-bl-86").phases, start=1):
        assert f"{number}. {phase.title}" in headings
        assert phase.title in svg.find(f"{SVG}desc").text


def test_html_links_between_leaflets_point_to_web_pages(built):
    page = (built / "tilbud-uden-visitation.html").read_text(encoding="utf-8")
    assert 'href="sagsforloeb-voksen.html"' in page
    assert '.md"' not in page


def test_html_fits_a_phone(built):
    css = (paths.TEMPLATES / "leaflet.css").read_text()
    page = (built / "sagsforloeb-voksen.html").read_text(encoding="utf-8")
    assert "max-width: 40rem" in page  # the stylesheet is inside the page
    assert re.search(r"svg\.process-diagram \{ width: 100%; height: auto;", css)
    assert re.search(r"img \{ max-width: 100%; height: auto; \}", css)


# --- the diagram ---------------------------------------------------------------------------


@pytest.mark.parametrize("process_id", ["voksen-sel-85", "barn-bl-86"])
def test_diagram_holds_every_phase_in_order(process_id):
    process = find_process(process_id)
    svg = ET.fromstring(str(process_svg(process, "x")))
    groups = svg.findall(f"{SVG}g")
    assert [g.get("data-phase") for g in groups] == [k.value for k in PHASE_ORDER]
    for number, (group, phase) in enumerate(zip(groups, process.phases), start=1):
        texts = [t.text for t in group.iter(f"{SVG}text")]
        assert texts[0] == str(number)
        assert " ".join(texts[1:]).startswith(phase.title)
        assert phase.time.split()[-1] in " ".join(texts)  # the time, wrapped over lines
    assert svg.find(f"{SVG}title").text == process.title


def test_diagram_is_grayscale():
    svg = str(process_svg(find_process("voksen-sel-85"), "x"))
    for colour in re.findall(r"#([0-9a-fA-F]{6})", svg):
        r, g, b = colour[0:2], colour[2:4], colour[4:6]
        assert r == g == b, colour


# --- process data ---------------------------------------------------------------------------


def test_decision_time_comes_from_the_published_table():
    process = find_process("barn-bl-86")
    weeks = processing_times().weeks("BL § 86")
    decision = next(p for p in process.phases if p.kind.value == "decision")
    assert decision.time == f"I får svar senest {weeks} uger efter, at vi har fået jeres ansøgning."


def test_process_without_a_published_time_is_an_error(tmp_path):
    text = (paths.CONTENT / "processes" / "voksen-sel-85.yaml").read_text(encoding="utf-8")
    path = tmp_path / "voksen-sel-85.yaml"
    path.write_text(text.replace("provision: SEL § 85", "provision: SEL § 999"), encoding="utf-8")
    with pytest.raises(BrevgenError, match=r"voksen-sel-85.yaml: provision: 'SEL § 999' has no published"):
        load_process(path)


def test_process_missing_a_phase_is_an_error_with_line(tmp_path):
    text = (paths.CONTENT / "processes" / "voksen-sel-85.yaml").read_text(encoding="utf-8")
    start = text.index("  - kind: hearing")
    end = text.index("  - kind: decision")
    path = tmp_path / "voksen-sel-85.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    line = text[:text.index("phases:")].count("\n") + 2  # the line the list starts on
    with pytest.raises(BrevgenError, match=rf"voksen-sel-85.yaml:{line}: phases: .*application, facts, hearing"):
        load_process(path)


# --- checks: errors name file and line; nothing is written ------------------------------------


def test_errors_name_file_and_line_and_nothing_is_written(tmp_path, run_cli):
    body = (
        "## Afsnit\n"  # line 10
        "\n"
        "![](billede.svg)\n"  # 12: no alt text, and the file is missing
        "\n"
        "Se [her](#findes-ikke).\n"  # 14: broken internal link
        "\n"
        "[[proces: voksen-sel-999]]\n"  # 16: unknown process
        "\n"
        "# En titel mere\n"  # 18: a second h1
        "\n"
        "Se [den anden](anden.md).\n"  # 20: missing leaflet
        "\n"
        "Se [afsnittet](#afsnit).\n"  # 22: fine
    )
    source = write_leaflet(tmp_path, body)
    good = write_leaflet(tmp_path, "## Fint\n\nDet her er fint.\n", name="god.md")
    out = tmp_path / "out"
    result = run_cli("leaflet", source, good, "--out", out)
    assert result.exit_code == 2
    message = result.output
    assert f"{source}:12: image 'billede.svg' has no alt text" in message
    assert f"{source}:12: image 'billede.svg' not found" in message
    assert f"{source}:14: link to '#findes-ikke': no heading" in message
    assert f"{source}:16: process 'voksen-sel-999' not found in content/processes/" in message
    assert f"{source}:18: a '#' heading" in message
    assert f"{source}:20: link to 'anden.md': file 'anden.md' not found" in message
    assert ":22:" not in message
    assert not out.exists()  # the good leaflet was not written either


def test_front_matter_error_names_file_line_and_field(tmp_path, run_cli):
    source = tmp_path / "bad.md"
    source.write_text(FRONT.format(audience="everyone") + "## A\n", encoding="utf-8")
    result = run_cli("leaflet", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"{source}:3: audience: Input should be 'citizen' or 'staff'" in result.output


def test_unknown_area_names_the_line(tmp_path):
    source = tmp_path / "area.md"
    source.write_text(FRONT.format(audience="citizen").replace("paper: A5", "paper: A5\narea: sport") + "Tekst.\n")
    with pytest.raises(BrevgenError, match=r"area.md:9: area: expected a department id .*voksen, boern"):
        read_leaflet(source)


def test_missing_front_matter(tmp_path, run_cli):
    source = tmp_path / "bare.md"
    source.write_text("## Hej\n", encoding="utf-8")
    result = run_cli("leaflet", source, "--out", tmp_path / "out")
    assert result.exit_code == 2 and f"{source}:1: expected front matter" in result.output


def test_image_outside_the_leaflet_folder_is_refused(tmp_path):
    (tmp_path / "inner").mkdir()
    (tmp_path / "secret.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    source = write_leaflet(tmp_path / "inner", "![Et billede](../secret.svg)\n")
    _, errors = build_leaflet(read_leaflet(source), d("2026-11-01"))
    assert [e.line for e in errors] == [10]
    assert "must be in the leaflet's folder" in errors[0].message


def test_hard_citizen_text_gives_a_lix_warning_but_staff_text_does_not(tmp_path):
    hard = ("Kommunalbestyrelsens sagsbehandlingsfrister offentliggøres administrativt i overensstemmelse "
            "med retssikkerhedslovens bestemmelser vedrørende tilrettelæggelse af sagsbehandlingen.\n")
    citizen, _ = build_leaflet(read_leaflet(write_leaflet(tmp_path, hard)), d("2026-11-01"))
    staff, _ = build_leaflet(read_leaflet(write_leaflet(tmp_path, hard, "staff.md", "staff")), d("2026-11-01"))
    assert citizen.lix.score > 35
    assert any("above the target of 35" in str(w) for w in citizen.warnings)
    assert not staff.warnings


def test_passed_review_date_gives_a_warning(tmp_path):
    leaflet, _ = build_leaflet(read_leaflet(write_leaflet(tmp_path, "Kort tekst.\n")), d("2027-01-02"))
    assert any("next_review 2027-01-01 has passed" in str(w) for w in leaflet.warnings)


def test_raw_html_is_shown_as_text_not_run(tmp_path):
    source = write_leaflet(tmp_path, "Hej <script>alert(1)</script> og <b>fed</b>.\n")
    from generator.leaflets.job import rebuild_html

    rebuild_html([source], tmp_path / "out", today=d("2026-11-01"))
    page = (tmp_path / "out" / "proeve.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page


# --- --watch ---------------------------------------------------------------------------------


def test_watch_rebuilds_the_page_when_a_source_is_saved(tmp_path):
    source = write_leaflet(tmp_path, "Første udgave.\n")
    out = tmp_path / "out"  # inside the watched folder: writing there must not trigger a rebuild
    state = snapshot([source], out)
    state, lines = poll([source], out, state)
    assert lines == [] and not out.exists()  # nothing saved: nothing rebuilt

    source.write_text(source.read_text(encoding="utf-8").replace("Første", "Anden"), encoding="utf-8")
    os.utime(source, ns=(state[source] + 1_000_000_000, state[source] + 1_000_000_000))
    state, lines = poll([source], out, state)
    assert lines[-1] == f"rebuilt 1 web page(s) in {out}"
    assert "Anden udgave." in (out / "proeve.html").read_text(encoding="utf-8")
    assert not (out / "proeve.pdf").exists()  # only the web page is rebuilt on save

    state, lines = poll([source], out, state)  # writing the page did not count as a change
    assert lines == []

    source.write_text(source.read_text(encoding="utf-8") + "\n![](mangler.svg)\n", encoding="utf-8")
    os.utime(source, ns=(state[source] + 1_000_000_000, state[source] + 1_000_000_000))
    state, lines = poll([source], out, state)
    assert lines[0].startswith(f"error: {source}:") and "no alt text" in lines[0]  # reported, not raised


def test_watch_stops_cleanly_on_ctrl_c(tmp_path, run_cli, monkeypatch):
    import generator.leaflets.watch as watch_module

    def interrupt(_seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module.time, "sleep", interrupt)
    source = write_leaflet(tmp_path, "Kort tekst.\n")
    result = run_cli("leaflet", source, "--out", tmp_path / "out", "--watch")
    assert result.exit_code == 0
    assert "watching" in result.output and result.output.rstrip().endswith("stopped watching")
    assert (tmp_path / "out" / "proeve.pdf").exists()  # the first build is complete


def test_check_covers_processes_and_leaflets(run_cli):
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert f"processes: {len(list((paths.CONTENT / 'processes').glob('*.yaml')))}" in result.output
    assert "leaflets: 4" in result.output


def test_weasyprint_reports_no_accessibility_errors(tmp_path, caplog):
    """WeasyPrint logs an error for PDF/UA problems it can see (an image without alt, no lang)."""
    import logging

    from generator.leaflets.job import leaflet_job

    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        list(leaflet_job([LEAFLETS / "tilbud-uden-visitation.md"], tmp_path, today=d("2026-11-01")))
    assert (tmp_path / "tilbud-uden-visitation.pdf").exists()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
