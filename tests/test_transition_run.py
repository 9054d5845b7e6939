"""`brevgen transition invite` and `overview` on the bundled example: files opened and read back."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest

from conftest import EXAMPLES, MM, docx_text, one_line, pdf_text
from generator import paths

REGISTER = EXAMPLES / "transition" / "register.csv"
MEETING = "2027-02-10"
BREVGEN = Path(sys.executable).parent / "brevgen"
PERSONAL = ("Alma", "Eksempelsen", "Camilla", "Prøvesen", "Eksempelvej", "Prøvegade", "Testrup", "2011-01-01")
EXPECTED = [  # (person, about, role, channel)
    ("U1001", "U1001", "youth", "digital"), ("F1001", "U1001", "custody", "digital"),
    ("F1002", "U1001", "custody", "post"), ("U1002", "U1002", "youth", "digital"),
    ("F1003", "U1002", "custody", "quickpost"), ("U1003", "U1003", "youth", "post"),
    ("F1004", "U1003", "custody", "post"), ("F1005", "U1003", "custody", "digital"),
]


def invite(*extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command in a real process (as in production, and so it can be killed)."""
    command = [str(BREVGEN), "transition", "invite", "--register", str(REGISTER), "--meeting", MEETING, *extra]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


def manifest(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8"))))


def letter_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "letters").iterdir())}


# The example register has six rows that cannot be used: a finding, so the run exits with 1
# after writing every letter it could (exit codes: 0 done, 1 findings, 2 bad input).
FINDINGS = 1


@pytest.fixture(scope="module")
def run_result(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("transition")
    result = invite("--out", str(out))
    assert result.returncode == FINDINGS, result.stderr
    return out, result


@pytest.fixture(scope="module")
def run(run_result) -> tuple[Path, str]:
    out, result = run_result
    return out, result.stdout


def test_one_letter_per_young_person_and_per_custody_holder_by_their_own_channel(run):
    out, _ = run
    rows = manifest(out)
    assert [(r["person_id"], r["youth_id"], r["role"], r["channel"]) for r in rows] == EXPECTED
    assert [r["file"] for r in rows] == [f"letters/{MEETING}_invitation_{p}-ung.pdf" if role == "youth"
                                         else f"letters/{MEETING}_invitation_{y}-foraelder-{p}.pdf"
                                         for p, y, role, _ in EXPECTED]
    assert sorted(letter_files(out)) == sorted(Path(r["file"]).name for r in rows)
    for row in rows:
        assert row["sha256"] == hashlib.sha256((out / row["file"]).read_bytes()).hexdigest()
        assert row["attachment"] == f"{MEETING}_information.pdf"


def test_each_letter_is_addressed_personally_and_dated_four_weeks_before(run):
    out, _ = run
    youth = one_line(pdf_text(out / "letters" / f"{MEETING}_invitation_U1001-ung.pdf"))
    assert "Kære Alma Eksempelsen" in youth
    assert "Du fyldte 16 år den 1. januar 2027" in youth  # before the letter's date: past tense
    assert "Dato: 13. januar 2027" in youth
    assert "Onsdag den 10. februar 2027" in youth and "Kl. 16.00 til 18.00" in youth
    assert "Caféen, 1. sal" in youth
    parent = one_line(pdf_text(out / "letters" / f"{MEETING}_invitation_U1001-foraelder-F1002.pdf"))
    assert "Kære Camilla Prøvesen" in parent
    assert "Alma fyldte 16 år den 1. januar 2027" in parent
    later = one_line(pdf_text(out / "letters" / f"{MEETING}_invitation_U1002-ung.pdf"))
    assert "Du fylder 16 år den 31. marts 2027" in later
    assert "Alma får også sin egen invitation" in parent
    assert "Prøvegade 3" in parent and "9998 Testrup" in parent
    assert "Dato: 13. januar 2027" in parent


def test_paper_letters_have_the_address_in_the_window_and_digital_ones_no_return_address(run):
    out, _ = run
    with pdfplumber.open(out / "letters" / f"{MEETING}_invitation_U1001-foraelder-F1002.pdf") as pdf:
        words = pdf.pages[0].extract_words()
    first = next(w for w in words if w["text"] == "Camilla")
    assert abs(first["x0"] * MM - 21) < 1.5 and abs(first["top"] * MM - 41) < 2.5
    paper = one_line(pdf_text(out / "letters" / f"{MEETING}_invitation_U1001-foraelder-F1002.pdf"))
    digital = one_line(pdf_text(out / "letters" / f"{MEETING}_invitation_U1001-ung.pdf"))
    assert "Eksempel Kommune, Rådhustorvet 1, 9999 Eksempelby" in paper
    assert "Eksempel Kommune, Rådhustorvet 1, 9999 Eksempelby" not in digital


def test_the_information_letter_is_written_once_and_says_what_changes_at_18(run):
    out, _ = run
    assert sorted(p.name for p in out.glob("*information*")) == [f"{MEETING}_information.pdf"]
    text = one_line(pdf_text(out / f"{MEETING}_information.pdf"))
    for topic in ("forældremyndigheden", "tabt arbejdsfortjeneste", "merudgifter", "serviceloven",
                  "handicap", "uddannelse", "job", "SU", "bo?", "værge"):
        assert topic in text, topic
    reader = pypdf.PdfReader(out / f"{MEETING}_information.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "da" and "/StructTreeRoot" in reader.trailer["/Root"]


# One part per postage class: the example has fewer paper letters than a part holds.
BUNDLES = {"post": "print_bundle_post-0001.pdf", "quickpost": "print_bundle_quickpost-0001.pdf"}


@pytest.mark.parametrize("channel", ["post", "quickpost"])
def test_print_bundle_per_postage_class_starts_each_recipient_on_a_new_sheet(run, channel):
    out, _ = run
    assert not (out / "print_bundle.pdf").exists()  # quick letters are never mixed with ordinary post
    with pdfplumber.open(out / BUNDLES[channel]) as pdf:
        texts = [one_line(page.extract_text() or "") for page in pdf.pages]
        recipient_tops = []
        for number, text in enumerate(texts, start=1):
            if "Invitation til cafémøde" in text:
                words = pdf.pages[number - 1].extract_words()
                kære = text.split("Kære ", 1)[1].split()[0]
                word = next(w for w in words if w["text"] == kære)
                recipient_tops.append((round(word["x0"] * MM), round(word["top"] * MM)))
    starts = [n for n, t in enumerate(texts, start=1) if "Invitation til cafémøde" in t]
    attachments = [n for n, t in enumerate(texts, start=1) if t.startswith("Eksempel Kommune") and "Det ændrer sig, når du fylder 18 år" in t]
    of_class = [r for r in EXPECTED if r[3] == channel]
    assert len(starts) == len(attachments) == len(of_class) == {"post": 3, "quickpost": 1}[channel]
    assert {Path(f).name for f in paper_letter_files(out, channel)} == {f"{MEETING}_invitation_{r[1]}-{'ung' if r[2] == 'youth' else 'foraelder-' + r[0]}.pdf" for r in of_class}
    assert all(n % 2 == 1 for n in starts), starts  # each recipient's set starts on a front
    # The attachment follows its own letter directly (on the back of a one-page letter), never
    # another recipient's: one sheet per recipient for a one-page invitation and information letter.
    letter_pages = [len(pypdf.PdfReader(out / "letters" / f).pages) for f in paper_letter_files(out, channel)]
    info_pages = len(pypdf.PdfReader(out / f"{MEETING}_information.pdf").pages)
    assert all(a - s in letter_pages for s, a in zip(starts, attachments)), (starts, attachments)
    assert all(a < nxt for a, nxt in zip(attachments, starts[1:]))
    sheets = sum(-(-(n + info_pages) // 2) for n in letter_pages)
    assert len(texts) == 2 * sheets, (len(texts), letter_pages, info_pages)
    blank = [n for n, t in enumerate(texts, start=1) if not t]
    assert all(n % 2 == 0 for n in blank)  # a blank page is only ever the back of a sheet
    assert all(abs(x - 21) <= 1.5 and abs(y - 41) <= 2.5 for x, y in recipient_tops)  # still in the window


@pytest.mark.parametrize("channel", ["post", "quickpost"])
def test_print_bundle_stores_the_attachment_once_and_no_personal_data_in_its_metadata(run, channel):
    out, _ = run
    bundle = pikepdf.open(out / BUNDLES[channel])
    attachment_pages = len(pypdf.PdfReader(out / f"{MEETING}_information.pdf").pages)
    streams = [page.obj.Contents.objgen for page in bundle.pages if page.obj.Contents.read_bytes().strip()]
    paper = paper_letter_files(out, channel)
    # Every letter page has its own content stream; the attachment's pages are shared by all.
    letter_pages = sum(len(pypdf.PdfReader(out / "letters" / f).pages) for f in paper)
    assert len(streams) == letter_pages + len(paper) * attachment_pages
    assert len(set(streams)) == letter_pages + attachment_pages
    # Every letter embeds the same prepared font; the bundle stores each font program once.
    descriptors = [o for o in bundle.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"]
    programs = {d[key].objgen for d in descriptors for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in d}
    assert 2 <= len(programs) <= 4  # regular and bold, for the letters and for the attachment
    assert dict(bundle.docinfo) == {"/Title": "Printfil - breve til fjernprint"}


def paper_letter_files(out: Path, channel: str) -> list[str]:
    with (out / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [Path(r["file"]).name for r in rows if r["channel"] == channel and r["file"].endswith(".pdf")]


def test_error_report_summary_and_no_personal_data_outside_the_letters(run):
    out, stdout = run
    errors = list(csv.DictReader(io.StringIO((out / "errors.csv").read_text(encoding="utf-8"))))
    assert [(e["row"], e["field"]) for e in errors] == [
        ("13", "birth_date"), ("14", "youth_id"), ("15", "postcode"), ("16", "channel"), ("17", "youth_id"),
        ("18", "person_id"),
    ]
    summary = (out / "summary.csv").read_text(encoding="utf-8")
    assert summary == "channel,letters\ndigital,4\npost,3\nquickpost,1\ntotal,8\n"
    assert "digital    4" in stdout and "rows with problems: 6" in stdout
    for name in ("manifest.csv", "errors.csv", "summary.csv"):
        text = (out / name).read_text(encoding="utf-8")
        assert not any(p in text for p in PERSONAL), name
        assert "0101111234" not in text
    assert not any(p in stdout for p in PERSONAL)
    for path in out.rglob("*"):
        assert not any(p in path.name for p in PERSONAL)
    metadata = " ".join(str(v) for v in pypdf.PdfReader(out / "letters" / f"{MEETING}_invitation_U1001-ung.pdf").metadata.values())
    assert "Invitation til cafémøde om at blive voksen - Eksempel Kommune" in metadata
    assert not any(p in metadata for p in PERSONAL)


def test_resume_after_a_kill_finishes_without_changing_or_duplicating_a_letter(run, tmp_path):
    clean, _ = run
    killed = invite("--out", str(tmp_path), env={"BREVGEN_STOP_AFTER": "3"})
    assert killed.returncode == 3  # died half-way, like a killed process
    # Nothing of the killed run is in the output folder; its finished letters wait in staging.
    assert [p.name for p in tmp_path.iterdir()] == [".brevgen-staging"]
    staged = tmp_path / ".brevgen-staging"
    first = letter_files(staged)
    assert len(first) == 3
    stamps = {p.name: p.stat().st_mtime_ns for p in (staged / "letters").iterdir()}
    # What a kill inside a write leaves behind: a temporary file, which never becomes a letter.
    (staged / "letters" / f".{MEETING}_invitation_U1003-ung.pdf.part").write_bytes(b"%PDF-1.7 half")
    resumed = invite("--out", str(tmp_path))
    assert resumed.returncode == FINDINGS, resumed.stderr
    assert "written now: 5; already there (kept unchanged): 3" in resumed.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "letters").iterdir() if p.name in stamps} == stamps
    assert letter_files(tmp_path) == letter_files(clean)  # same files, same bytes, none extra
    assert (tmp_path / "manifest.csv").read_bytes() == (clean / "manifest.csv").read_bytes()
    for bundle in BUNDLES.values():
        assert (tmp_path / bundle).read_bytes() == (clean / bundle).read_bytes()
    assert not list(tmp_path.rglob("*.part")) and not staged.exists()
    again = invite("--out", str(tmp_path))
    assert "written now: 0; already there (kept unchanged): 8" in again.stdout


# --- print bundles in parts (issue 17) ------------------------------------------------------------


@pytest.fixture(scope="module")
def one_letter_parts(tmp_path_factory) -> tuple[Path, Path, str]:
    """A copy of the content root whose print-bundle parts hold one letter each (the bound is data,
    content/remote_print.yaml), and a run of the example register with it."""
    root = tmp_path_factory.mktemp("root")
    for name in ("content", "phrases", "templates"):
        shutil.copytree(paths.CONTENT.parent / name, root / name)
    rules = root / "content" / "remote_print.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "  max_letters: 200\n" in text
    rules.write_text(text.replace("  max_letters: 200\n", "  max_letters: 1\n"), encoding="utf-8")
    out = tmp_path_factory.mktemp("parts")
    result = invite("--out", str(out), "--root", str(root))
    assert result.returncode == FINDINGS, result.stderr
    return root, out, result.stdout


PARTS = ["print_bundle_post-0001.pdf", "print_bundle_post-0002.pdf", "print_bundle_post-0003.pdf",
         "print_bundle_quickpost-0001.pdf"]


def parts_manifest(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "print_parts.csv").read_text(encoding="utf-8"))))


def part_stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("print_bundle*.pdf")}


def test_print_bundles_in_parts_each_with_its_manifest_section_and_checksum(run, one_letter_parts):
    _, out, stdout = one_letter_parts
    assert sorted(p.name for p in out.glob("print_bundle*.pdf")) == PARTS
    assert "print bundle post: 3 letters, 6 pages in 3 part(s) of at most 1 letters" in stdout
    rows = parts_manifest(out)
    assert [r["file"] for r in rows] == PARTS
    letters = manifest(out)
    for row in rows:
        data = (out / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]  # the checksum, recomputed
        with pikepdf.open(out / row["file"]) as pdf:
            assert int(row["pages"]) == len(pdf.pages) == 2 * int(row["sheets"])
        section = [r["file"] for r in letters if r["print_part"] == row["file"]]
        assert section == [row["first_letter"]] == [row["last_letter"]] and row["letters"] == "1"
        assert letters[[r["file"] for r in letters].index(section[0])]["channel"] == row["channel"]
        assert one_line(pdf_text(out / row["file"])).count("Invitation til cafémøde") == 1
    # The parts in plan order (young person's id, then the custody holders): the same letters,
    # in the same order, as the one part of the default bound.
    post = [r["file"] for r in letters if r["channel"] == "post"]
    assert [r["first_letter"] for r in rows if r["channel"] == "post"] == post
    clean, _ = run
    assert [r["print_part"] for r in manifest(clean) if r["channel"] == "post"] == [BUNDLES["post"]] * 3
    assert sum(int(r["pages"]) for r in rows if r["channel"] == "post") == len(pikepdf.open(clean / BUNDLES["post"]).pages)
    assert [r["file"] for r in letters if not r["print_part"]] == [r["file"] for r in letters if r["channel"] == "digital"]


def test_a_rerun_with_one_letter_changed_rewrites_only_that_letters_part(one_letter_parts, tmp_path):
    root, done, _ = one_letter_parts
    out = tmp_path / "out"
    shutil.copytree(done, out)  # copy2: the same modification times
    before = part_stamps(out)
    rows = REGISTER.read_text(encoding="utf-8").splitlines()
    changed = [row.replace("Prøvegade 3", "Rettet Adresse 77") if row.startswith("F1002,") else row for row in rows]
    assert changed != rows
    register = tmp_path / "register.csv"
    register.write_text("\n".join(changed) + "\n", encoding="utf-8")
    command = [str(BREVGEN), "--root", str(root), "transition", "invite", "--register", str(register), "--meeting",
               MEETING, "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == FINDINGS, result.stderr
    assert "written now: 1; already there (kept unchanged): 7" in result.stdout
    assert "print bundle parts written now: 1; kept unchanged: 3" in result.stdout
    assert "rewritten print bundle part: print_bundle_post-0001.pdf" in result.stdout
    after = part_stamps(out)
    assert {name for name in PARTS if after[name] != before[name]} == {"print_bundle_post-0001.pdf"}
    assert "Rettet Adresse 77" in pdf_text(out / "print_bundle_post-0001.pdf")
    for row in parts_manifest(out):
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]


def test_a_killed_run_keeps_the_parts_it_finished_and_resumes_to_the_same_bytes(one_letter_parts, tmp_path):
    root, clean, _ = one_letter_parts
    # Letters are written in plan order: the third is the first paper letter, so part post-0001
    # is staged before the run dies after its fourth letter.
    killed = invite("--out", str(tmp_path), "--root", str(root), env={"BREVGEN_STOP_AFTER": "4"})
    assert killed.returncode == 3
    staged = tmp_path / ".brevgen-staging" / "print_bundle_post-0001.pdf"
    assert staged.is_file()
    stamp = staged.stat().st_mtime_ns
    resumed = invite("--out", str(tmp_path), "--root", str(root))
    assert resumed.returncode == FINDINGS, resumed.stderr
    assert "print bundle parts written now: 3; kept unchanged: 1" in resumed.stdout
    # The three parts the killed run never made are new, not "rewritten": nothing to print again.
    assert "rewritten print bundle part" not in resumed.stdout
    assert resumed.stdout.count("new print bundle part: ") == 3
    assert (tmp_path / "print_bundle_post-0001.pdf").stat().st_mtime_ns == stamp  # taken over, not rebuilt
    for name in [*PARTS, "print_parts.csv", "manifest.csv"]:
        assert (tmp_path / name).read_bytes() == (clean / name).read_bytes(), name  # deterministic parts


def test_workers_render_the_same_letters(run, tmp_path):
    clean, _ = run
    result = invite("--out", str(tmp_path), "--workers", "2")
    assert result.returncode == FINDINGS, result.stderr
    assert letter_files(tmp_path) == letter_files(clean)
    assert (tmp_path / "manifest.csv").read_bytes() == (clean / "manifest.csv").read_bytes()


def test_plain_progress_lines_on_stderr_when_not_a_terminal(run_result):
    _, result = run_result
    assert f"[1/8] {MEETING}_invitation_U1001-ung" in result.stderr
    assert f"[8/8] {MEETING}_invitation_U1003-foraelder-F1005" in result.stderr
    assert "[1/8]" not in result.stdout  # progress on stderr, the result on stdout


def test_dry_run_lists_who_gets_what_and_writes_nothing(run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("transition", "invite", "--register", REGISTER, "--meeting", MEETING, "--out", out, "--dry-run")
    assert result.exit_code == FINDINGS, result.output
    assert not out.exists()
    lines = [line for line in result.output.splitlines() if "about U" in line]
    assert [tuple(line.split()[:3]) for line in lines] == [(p, role, channel) for p, _, role, channel in EXPECTED]
    assert "skipped: row 16: channel" in result.output
    assert not any(p in result.output for p in PERSONAL)


def test_docx_on_request_and_leap_day_birthday_with_another_schedule(run_cli, tmp_path):
    schedule = tmp_path / "meetings.yaml"
    schedule.write_text(
        "source: test (invented)\nmeeting_months: [2, 5, 8, 11]\ndepartment: boern\nsender: Overgangsteamet\n"
        "meetings:\n  - {date: 2028-02-16, start: '15:00', end: '17:00', place: Testhuset, address: Vej 1, room: Sal A}\n",
        encoding="utf-8",
    )
    register = tmp_path / "register.csv"
    register.write_text(
        "person_id,role,youth_id,name,birth_date,address,postcode,city,channel\n"
        "L1,youth,,Lis Skudsen,2012-02-29,Skudvej 1,9999,Eksempelby,digital\n"
        "L2,youth,,Ole Foråret,2012-04-01,Vej 2,9999,Eksempelby,digital\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("transition", "invite", "--register", register, "--meeting", "2028-02-16", "--schedule", schedule,
                     "--out", out, "--docx")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "letters").iterdir()) == ["2028-02-16_invitation_L1-ung.docx", "2028-02-16_invitation_L1-ung.pdf"]
    text = one_line(docx_text(out / "letters" / "2028-02-16_invitation_L1-ung.docx"))
    assert "Kære Lis Skudsen" in text and "29. februar 2028" in text and "Kl. 15.00 til 17.00" in text
    assert "Dato: 19. januar 2028" in text
    assert "{{" not in text and "{%" not in text
    assert [r["file"] for r in manifest(out)] == ["letters/2028-02-16_invitation_L1-ung.pdf", "letters/2028-02-16_invitation_L1-ung.docx"]


def test_bad_input_stops_with_a_clear_message_and_writes_nothing(run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("transition", "invite", "--register", REGISTER, "--meeting", "2027-02-11", "--out", out)
    assert result.exit_code == 2 and "no meeting on that date" in result.output and not out.exists()
    result = run_cli("transition", "invite", "--register", tmp_path / "missing.csv", "--meeting", MEETING, "--out", out)
    assert result.exit_code == 2 and "file not found" in result.output and not out.exists()


def test_overview_lists_15_and_a_half_and_16_and_a_half_within_three_months(run_cli, tmp_path):
    result = run_cli("transition", "overview", "--register", REGISTER, "--as-of", "2026-07-01", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "overgang_oversigt_2026-07-01.csv").read_text(encoding="utf-8"))))
    # From 1 July (inclusive) to 1 October (exclusive). A half-year from the 31st lands on a day
    # the month lacks and moves to the 1st: U1005 (born 31 December 2010) is 15½ on 1 July, in;
    # U1002 (born 31 March 2011) on 1 October, out, like U1004 (born 1 April 2011).
    assert [(r["person_id"], r["milestone"], r["reached_on"]) for r in rows] == [
        ("U1001", "15½", "2026-07-01"), ("U1005", "15½", "2026-07-01"), ("U1003", "15½", "2026-08-14"),
    ]
    later = run_cli("transition", "overview", "--register", REGISTER, "--as-of", "2027-06-15", "--out", tmp_path)
    assert later.exit_code == 0, later.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "overgang_oversigt_2027-06-15.csv").read_text(encoding="utf-8"))))
    assert [(r["person_id"], r["milestone"], r["reached_on"]) for r in rows] == [
        ("U1001", "16½", "2027-07-01"), ("U1005", "16½", "2027-07-01"), ("U1003", "16½", "2027-08-14"),
    ]
    html = (tmp_path / "overgang_oversigt_2027-06-15.html").read_text(encoding="utf-8")
    assert "Alma Eksempelsen" in html and "1. juli 2027" in html and '<html lang="da">' in html


def test_a_reader_that_stops_reading_does_not_undo_the_run(tmp_path, run):
    # `brevgen transition invite ... | head -1`: stdout is a pipe nobody reads. The summary comes
    # after the commit, so the letters are in place, and the message does not claim otherwise.
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout fails with EPIPE
    command = [str(BREVGEN), "transition", "invite", "--register", str(REGISTER), "--meeting", MEETING,
               "--out", str(tmp_path / "out")]
    try:
        result = subprocess.run(command, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert result.returncode == 2
    assert "standard output was closed" in result.stderr and "nothing was written" not in result.stderr
    assert "Traceback" not in result.stderr
    assert letter_files(tmp_path / "out") == letter_files(run[0])  # the same letters as a run read to the end
    assert len(manifest(tmp_path / "out")) == len(EXPECTED)
    assert not (tmp_path / "out" / ".brevgen-staging").exists()
