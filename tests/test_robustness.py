"""Issue 16: hostile and careless input. One test (or a few) per class, planted with the inputs
that broke brevgen: nothing leaks, nothing hangs, nothing stale is sent, no traceback."""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pytest
import yaml
from click.testing import CliRunner

from generator import output, paths, scratch
from generator.cli import app
from generator.errors import BrevgenError
from generator.loading import read_yaml_text
from generator.personal import clean_text, csv_bytes, looks_like_cpr
from generator.phrases import PhraseLibrary

from conftest import EXAMPLES, MM, pdf_text

BREVGEN = Path(sys.executable).parent / "brevgen"
REGISTER = EXAMPLES / "transition" / "register.csv"
CASE = EXAMPLES / "cases" / "sel-85-delvis-bevilling.yaml"
MEETING = "2027-02-10"


def cli(*args):
    """In process; a traceback would surface as result.exception (not SystemExit)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback for {args}: {result.exception!r}")
    return result


def refused(result, *words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def case_with(tmp_path: Path, name: str = "case.yaml", **changes) -> Path:
    data = yaml.safe_load(CASE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if callable(value):
            value(data)
        else:
            data[key] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 1. a resumed batch trusts content, not existence -----------------------------------------


def invite(out: Path, register: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [str(BREVGEN), "transition", "invite", "--register", str(register), "--meeting", MEETING, "--out", str(out), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_resumed_batch_rewrites_stale_and_damaged_letters_and_withdraws_the_departed(tmp_path):
    register = tmp_path / "register.csv"
    shutil.copy(REGISTER, register)
    out = tmp_path / "out"
    assert invite(out, register).returncode == 1  # done, with findings: the example register has rejected rows
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8"))))
    post = next(r for r in rows if r["channel"] == "post" and r["role"] == "custody")
    other = next(r for r in rows if r["channel"] != "post" and r["role"] == "custody" and r["person_id"] != post["person_id"])
    assert all(r["input_fingerprint"] for r in rows)
    # The register is corrected (a new address for a paper recipient), a custody holder leaves it,
    # and a letter on disk is truncated.
    lines = register.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(line.split(",")[5], "Rettet Adresse 77") if line.startswith(post["person_id"] + ",") else line
             for line in lines if not line.startswith(other["person_id"] + ",")]
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a young person whose letter does not change (it names the custody holders, so not theirs)
    damaged = next(r for r in rows if r["role"] == "youth" and r["youth_id"] not in (post["youth_id"], other["youth_id"]))["file"]
    (out / damaged).write_bytes((out / damaged).read_bytes()[:100])
    again = invite(out, register)
    assert again.returncode == 1, again.stderr  # findings: rejected rows in the register
    assert "rewritten because stale: " in again.stdout
    assert "input changed" in again.stdout and "file damaged" in again.stdout
    assert f"rewritten damaged file: {damaged}" in again.stdout
    assert "moved to withdrawn/" in again.stdout
    assert (out / "withdrawn" / Path(other["file"]).name).is_file() and not (out / other["file"]).exists()
    assert "Rettet Adresse 77" in pdf_text(out / post["file"])
    bundle = "\n".join(pdf_text(path) for path in sorted(out.glob("print_bundle_*.pdf")))
    assert "Rettet Adresse 77" in bundle  # the bundle holds the corrected letter, never the stale one
    old_street = next(line for line in REGISTER.read_text(encoding="utf-8").splitlines()
                      if line.startswith(post["person_id"] + ",")).split(",")[5]
    assert old_street not in bundle.replace("Rettet Adresse 77", "")
    manifest = (out / "manifest.csv").read_text(encoding="utf-8")
    assert other["file"] not in manifest
    third = invite(out, register)
    assert "written now: 0" in third.stdout and "stale" not in third.stdout


# --- 2. YAML cannot exhaust memory or the stack ----------------------------------------------


def alias_bomb(depth: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, depth + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, words", [
    (alias_bomb(6), "aliases"),
    (alias_bomb(8), "aliases"),
    ("a: &a [*a]\n", "refers to the value that contains it"),
    ("a: &a {b: *a}\n", "refers to the value that contains it"),
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    ("a: " + "{b: " * 5_000 + "1" + "}" * 5_000 + "\n", "nested too deeply"),
    ("case_number: 1\ncase_number: 2\n", "appears twice"),
    ("dated: 2026-02-30\n", "does not exist"),
])
def test_yaml_bombs_and_ambiguities_are_refused_quickly(text, words):
    started = time.monotonic()
    with pytest.raises(BrevgenError, match=words):
        read_yaml_text(text, "x.yaml")
    assert time.monotonic() - started < 5


def test_yaml_attacks_through_the_cli_exit_2_and_oversized_files_are_refused(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(8), encoding="utf-8")
    refused(cli("letter", bomb, "--out", tmp_path / "o"), "bomb.yaml", "aliases")
    big = tmp_path / "big.yaml"
    big.write_text("facts:\n" + "  - x\n" * 600_000, encoding="utf-8")
    refused(cli("letter", big, "--out", tmp_path / "o"), "big.yaml", "limit")
    assert not (tmp_path / "o").exists()


# --- 3. leaflets fetch nothing and run nothing -----------------------------------------------

FRONT = "---\ntitle: Test\naudience: citizen\nversion: '1'\napproved_by: Team\napproved: 2026-01-01\nnext_review: 2099-01-01\n---\n\n"


def leaflet(tmp_path: Path, body: str, front: str = FRONT) -> Path:
    folder = tmp_path / "leaflets"
    folder.mkdir(exist_ok=True)
    (folder / "ok.png").write_bytes((paths.CONTENT / "assets" / "logo.png").read_bytes()
                                    if (paths.CONTENT / "assets" / "logo.png").exists() else b"\x89PNG\r\n\x1a\n")
    path = folder / "test.md"
    path.write_text(front + "## Afsnit\n\n" + body + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("body, words", [
    ("![Kort][k]\n\n[k]: /etc/hostname.png", "leaflet's folder"),
    ("![Kort](/etc/passwd.png)", "leaflet's folder"),
    ("![Kort][k]\n\n[k]: http://127.0.0.1:9/x.png", "not addresses"),
    ("[Klik](javascript:alert(1))", "javascript"),
    ("[Klik][r]\n\n[r]: JavaScript:alert(1)", "javascript"),
    ("[Klik](data:text/html,<b>x</b>)", "data"),
    ("[Klik](//evil.example/x)", "//evil.example"),
    ("Tekst\n{: onclick=\"alert(1)\" }", "onclick"),
    ("Tekst\n{: style=\"position:fixed\" }", "style"),
])
def test_leaflet_refuses_outside_images_unsafe_links_and_attributes(tmp_path, body, words):
    refused(cli("leaflet", leaflet(tmp_path, body), "--out", tmp_path / "o"), "test.md", words)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("svg, words", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', "own parts"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "event handlers"),
    ('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "DOCTYPE"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x.example/a)"/></svg>', "url()"),
])
def test_svg_images_cannot_reach_out_or_run_anything(tmp_path, svg, words):
    path = leaflet(tmp_path, "![Diagram](d.svg)")
    (path.parent / "d.svg").write_text(svg, encoding="utf-8")
    refused(cli("leaflet", path, "--out", tmp_path / "o"), "d.svg", words)


def test_the_renderer_fetches_nothing_from_the_network_or_outside_the_templates():
    import http.server
    import threading

    from generator.render.fetcher import safe_fetcher
    from generator.render.pdf import html_to_pdf

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    html = (f'<html><head><title>t</title><link rel="stylesheet" href="{base}/a.css"></head><body><p>hej</p>'
            f'<img src="{base}/x.png"><img src="file:///etc/hostname"><img src="/etc/hostname">'
            f'<svg><image href="{base}/s.png" width="10" height="10"/></svg>'
            f'<div style="background: url({base}/bg.png)">x</div></body></html>')
    assert html_to_pdf(html).startswith(b"%PDF")
    server.shutdown()
    assert hits == []
    fetcher = safe_fetcher()
    for url in (f"{base}/x", "file:///etc/hostname", f"file://{paths.TEMPLATES}/../README.md", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(f"file://{paths.TEMPLATES / 'letter.css'}")


def test_one_fetcher_per_thread_and_content_root(tmp_path):
    import shutil
    import threading

    from generator.render.fetcher import safe_fetcher

    assert safe_fetcher() is safe_fetcher()  # made once per thread, not once per letter
    other: list = []
    worker = threading.Thread(target=lambda: other.append(safe_fetcher()))
    worker.start()
    worker.join()
    assert other[0] is not safe_fetcher()
    # Pointed at another content root, the process gets a fetcher that allows that root's
    # templates and no longer the old ones.
    old_css = paths.TEMPLATES / "letter.css"
    root = tmp_path / "root"
    for name in paths.FOLDERS:
        shutil.copytree(paths.ROOT / name, root / name)
    try:
        paths.use_root(root)
        fetcher = safe_fetcher()
        assert fetcher.fetch(f"file://{root / 'templates' / 'letter.css'}")
        with pytest.raises(ValueError):
            fetcher.fetch(f"file://{old_css}")
    finally:
        paths.use_root(None)


# --- 4. personal data stays where it belongs --------------------------------------------------


@pytest.mark.parametrize("value", ["0101111234", "010111-1234", "0101111234X", "CPR0101111234", "010111_1234",
                                   "id-3112991234-x"])
def test_cpr_numbers_inside_ids_are_caught(value):
    assert looks_like_cpr(value)


@pytest.mark.parametrize("value", ["U1001", "2026-0142", "F-000123", "20260142", "1234567890123"])
def test_ordinary_ids_are_not_taken_for_cpr_numbers(value):
    assert not looks_like_cpr(value)


def write_register(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "register.csv"
    header = "person_id,role,youth_id,name,birth_date,address,postcode,city,channel"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_register_never_echoes_personal_values_and_refuses_cpr_ids(tmp_path):
    register = write_register(tmp_path, [
        "CPR0101111234,youth,,Alma Hemmelig,2011-01-01,Skjultvej 1,9999,By,digital",
        "U2,Bodil Hemmelig,,Carl,2011-01-01,Vej 1,9999,By,post",  # a name typed into role
        "U3,youth,,Dorte,2011-01-01,Vej 1,9999,By,Erik Hemmelig",  # a name typed into channel
        "U4,youth,,Frida,2011-01-01,Vej 1,Gurli Hemmelig,9999,By,post",  # shifted columns
    ])
    result = cli("transition", "invite", "--register", register, "--meeting", MEETING, "--out", tmp_path / "o", "--dry-run")
    assert result.exit_code == 1, result.output  # rows rejected: findings
    assert "Hemmelig" not in result.output and "0101111234" not in result.output
    assert "looks like a CPR number" in result.output
    assert "more values than" in result.output


def test_case_file_errors_never_echo_a_name_typed_into_role_or_channel(tmp_path):
    def misplace(data):
        data["recipients"][0]["role"] = "Hanne Hemmelig"
        data["recipients"][0]["channel"] = "Ib Hemmelig"
    result = cli("letter", case_with(tmp_path, recipients=misplace), "--out", tmp_path / "o")
    refused(result, "recipients[0].role", "recipients[0].channel", "citizen")
    assert "Hemmelig" not in result.output


def test_every_csv_cell_is_neutralised_against_formula_injection():
    data = csv_bytes([["=1+1", "+A1", "-2", "@SUM(A1)", "\tx", "\rx", "ok", 5]]).decode()
    assert next(csv.reader(io.StringIO(data, newline=""))) == ["'=1+1", "'+A1", "'-2", "'@SUM(A1)", "'\tx", "'\nx", "ok", "5"]


def test_overview_csv_neutralises_a_formula_in_a_name(tmp_path):
    register = write_register(tmp_path, ['U1,youth,,"=HYPERLINK(""http://x"")",2011-01-01,Vej 1,9999,By,post'])
    assert cli("transition", "overview", "--register", register, "--as-of", "2026-07-01", "--out", tmp_path / "o").exit_code == 0
    table = (tmp_path / "o" / "overgang_oversigt_2026-07-01.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in table


def test_letters_and_overviews_are_owner_only_and_respect_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        assert cli("letter", CASE, "--out", tmp_path / "l", "--format", "html").exit_code == 0
        assert cli("transition", "overview", "--register", REGISTER, "--as-of", "2026-07-01", "--out", tmp_path / "o").exit_code == 0
        os.umask(0o022)
        assert cli("leaflet", paths.CONTENT / "leaflets", "--out", tmp_path / "f").exit_code == 0
    finally:
        os.umask(old)
    for path in [*(tmp_path / "l").iterdir(), *(tmp_path / "o").iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "f").iterdir()} == {0o644}  # public, umask 022


# --- 6. phrase rendering is bounded -----------------------------------------------------------


@pytest.mark.parametrize("text, words", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "loops"),
    ("{{ 'x' * 1000000000 }}", "repetition"),
    ("{{ 10 ** 100000 }}", "power"),
    ("{% for i in range(9000) %}{{ big }}{% endfor %}", "longer than"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    ("{{ shared.append(1) }}", "not allowed"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
])
def test_phrase_rendering_is_bounded_and_errors_are_the_phrases(tmp_path, text, words):
    (tmp_path / "p.yaml").write_text(yaml.safe_dump({"phrases": [{
        "id": "test.bad", "version": 1, "title": "t", "text": text, "valid_from": "2020-01-01",
        "owner": "o", "reviewed": "2020-01-01"}]}), encoding="utf-8")
    library = PhraseLibrary.load(tmp_path)
    shared: list = []
    started = time.monotonic()
    with pytest.raises(BrevgenError, match=words) as caught:
        library.render("test.bad", {"shared": shared, "big": "x" * 200})
    assert time.monotonic() - started < 5
    assert "p.yaml" in str(caught.value) or "not allowed" in str(caught.value)
    assert shared == []


# --- 7. no traceback for any input ------------------------------------------------------------


def test_no_traceback_for_impossible_paths_dates_and_sizes(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    refused(cli("letter", CASE, "--out", afile), "afile", "is a file")
    refused(cli("transition", "invite", "--register", tmp_path, "--meeting", MEETING, "--out", tmp_path / "o"), "is a folder")
    refused(cli("transition", "overview", "--register", REGISTER, "--as-of", "9999-12-31", "--out", tmp_path / "o"), "--as-of")
    refused(cli("deadline", "--dated", "9999-12-31", "--channel", "post"), "--dated")
    refused(cli("deadline", "--dated", "2026-01-05", "--channel", "post", "--weeks", "99999999"), "--weeks")
    refused(cli("letter", case_with(tmp_path, dated="9999-12-31"), "--out", tmp_path / "o"), "dated", "1900")
    refused(cli("letter", case_with(tmp_path, case_number="2026-" + "1" * 300), "--out", tmp_path / "o"), "case_number")
    refused(cli("letter", case_with(tmp_path, case_number="0101111234"), "--out", tmp_path / "o"), "CPR")
    bad_front = FRONT.replace("2026-01-01", "2026-02-30")
    refused(cli("leaflet", leaflet(tmp_path, "Tekst", bad_front), "--out", tmp_path / "lf"), "test.md", "line 6")
    big = write_register(tmp_path, ["U1,youth,,Navn,2011-01-01," + "x" * 200_000 + ",9999,By,post"])
    result = cli("transition", "invite", "--register", big, "--meeting", MEETING, "--out", tmp_path / "o", "--dry-run")
    assert result.exit_code in (1, 2) and "1000 characters" in result.output
    result = cli("transition", "invite", "--register", write_register(tmp_path, ['U1,youth,,"unclosed,2011']),
                 "--meeting", MEETING, "--out", tmp_path / "o", "--dry-run")
    assert result.exit_code == 1 and "rows with problems: 1" in result.output
    assert not (tmp_path / "o").exists()


def test_read_only_out_is_refused_with_a_message(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(ro)], check=True)
    try:
        refused(cli("letter", CASE, "--out", ro, "--format", "html"), "read-only")
    finally:
        subprocess.run(["umount", str(ro)], check=True)


def test_leaflet_watch_survives_an_impossible_date(tmp_path):
    from generator.leaflets.watch import poll, snapshot

    path = leaflet(tmp_path, "Tekst")
    out = tmp_path / "o"
    state = snapshot([path], out)
    path.write_text(path.read_text(encoding="utf-8").replace("2099-01-01", "2099-02-31"), encoding="utf-8")
    os.utime(path, ns=(time.time_ns() + 10**9,) * 2)
    state, lines = poll([path], out, state)
    assert any("does not exist" in line for line in lines)


# --- 8. all or nothing per run ----------------------------------------------------------------


def test_a_full_disk_leaves_the_output_folder_as_it_was(tmp_path):
    out = tmp_path / "small"
    out.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(out)], check=True)
    try:
        (out / "earlier.txt").write_text("from an earlier run")
        before = snapshot(out)
        result = cli("letter", EXAMPLES / "cases", "--out", out, "--format", "pdf,docx,html")
        refused(result, "disk is full", "as it was")
        assert snapshot(out) == before
        assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_a_file_that_cannot_be_replaced_undoes_the_whole_run(tmp_path, monkeypatch):
    out = tmp_path / "o"
    assert cli("letter", CASE, "--out", out, "--format", "html").exit_code == 0  # an earlier run
    before = snapshot(out)
    real = os.replace
    calls = []

    def failing(src, dst, *args, **kwargs):
        if ".brevgen-staging" not in str(dst):
            calls.append(dst)
        if len(calls) == 4 and ".brevgen-staging" not in str(dst):
            raise OSError(errno.EPERM, "Operation not permitted", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(output.os, "replace", failing)
    refused(cli("guidance", EXAMPLES / "guidance", "--out", out, "--format", "html,pdf"), "as it was")
    assert snapshot(out) == before


def test_a_commit_journal_that_cannot_be_written_undoes_the_whole_run(tmp_path, monkeypatch):
    # The commit records each move in its scratch journal before making it: when the journal
    # cannot be written (a full temporary folder), no file is moved aside without a record,
    # so the undo puts every earlier run's file back.
    out = tmp_path / "o"
    # exit 1: written, with the example register's deliberate row errors reported
    assert cli("transition", "invite", "--register", REGISTER, "--meeting", MEETING, "--out", out).exit_code == 1
    before = snapshot(out)
    real = scratch._Connection.execute
    replaced = []

    def full(self, sql, *args):
        if sql.startswith("INSERT INTO done") and args[0][2] is not None:  # a move over an earlier file
            replaced.append(args[0][1])
            if len(replaced) == 2:
                problem = sqlite3.OperationalError("database or disk is full")
                problem.sqlite_errorname = "SQLITE_FULL"
                raise scratch.said(problem)
        return real(self, sql, *args)

    monkeypatch.setattr(scratch._Connection, "execute", full)
    result = cli("transition", "invite", "--register", REGISTER, "--meeting", MEETING, "--out", out, "--docx")
    refused(result, "temporary folder is full", "SQLITE_TMPDIR", "nothing was written")
    assert len(replaced) == 2
    assert snapshot(out) == before


def test_a_full_temporary_folder_is_said_as_such(tmp_path):
    # A batch keeps its bookkeeping in scratch databases in SQLite's temporary folder; when that
    # folder is full the run stops with a message naming it (not "internal error"), and the
    # output folder is not made. The page cache is made small so a small register spills.
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(tiny)], check=True)
    try:
        register = tmp_path / "register.csv"
        rows = [f"U{n},youth,,Fiktiv Ung {n},2011-01-{n % 28 + 1:02d},Eksempelvej {n},9999,Eksempelby,post"
                for n in range(400)]
        register.write_text("\n".join([REGISTER.read_text(encoding="utf-8").splitlines()[0], *rows]) + "\n",
                            encoding="utf-8")
        code = ("import generator.scratch as s; s.CACHE_KIB = 8; from generator.cli import app; app()")
        result = subprocess.run([sys.executable, "-c", code, "transition", "invite", "--register", str(register),
                                 "--meeting", MEETING, "--out", str(tmp_path / "o")],
                                capture_output=True, text=True, timeout=300, env={**os.environ, "SQLITE_TMPDIR": str(tiny)})
    finally:
        subprocess.run(["umount", str(tiny)], check=True)
    assert result.returncode == 2, result.stderr
    assert f"{tiny}: the temporary folder is full" in result.stderr and "SQLITE_TMPDIR" in result.stderr
    assert "Traceback" not in result.stderr and "Fiktiv" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_bad_case_found_late_writes_nothing(tmp_path):
    cases = tmp_path / "cases"
    shutil.copytree(EXAMPLES / "cases", cases)
    case_with(cases, "zz-last.yaml", decision="maybe")
    refused(cli("letter", cases, "--out", tmp_path / "o"), "zz-last.yaml")
    assert not (tmp_path / "o").exists()


# --- 9. processes ----------------------------------------------------------------------------


def test_a_second_run_into_a_locked_folder_is_refused(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        refused(cli("letter", CASE, "--out", out, "--format", "html"), "another brevgen run")
    finally:
        os.close(fd)
    assert cli("letter", CASE, "--out", out, "--format", "html").exit_code == 0


def test_workers_are_capped_at_the_cores_unless_forced():
    from generator.parallel import capped_workers, cores

    assert capped_workers(cores() + 5) == (cores(), capped_workers(cores() + 5)[1])
    assert "--force-workers" in capped_workers(cores() + 5)[1]
    assert capped_workers(cores() + 5, force=True) == (cores() + 5, None)


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_batch_is_killed(tmp_path, how):
    command = [str(BREVGEN), "transition", "invite", "--register", str(REGISTER), "--meeting", MEETING,
               "--out", str(tmp_path / "o"), "--workers", "2", "--force-workers"]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        workers = {p for p in children_of(parent.pid)
                   if "multiprocessing" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")}
        time.sleep(0.05)
    assert workers, "the workers did not start"
    parent.send_signal(how)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.1)
    alive = [p for p in workers if Path(f"/proc/{p}").exists()
             and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert not alive


# --- 10. the envelope window is never overrun --------------------------------------------------


def test_a_long_unbroken_name_stays_inside_the_window_block_and_bidi_is_removed(tmp_path):
    def long_name(data):
        data["recipients"][0].update(name="Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft\u202e" + "X" * 18,
                                     address=["Langgadevejstræde" * 4, "Bagbygning" * 7], channel="post")
    path = case_with(tmp_path, recipients=long_name)
    assert cli("letter", path, "--out", tmp_path / "o", "--format", "pdf").exit_code == 0
    pdf = next((tmp_path / "o").glob("*_1-*.pdf"))
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        words = page.extract_words()
    name_words = [w for w in words if "Wolfe" in w["text"] or "Langgade" in w["text"] or "Bagbygning" in w["text"]]
    assert name_words
    left = min(w["x0"] for w in name_words)
    top = min(w["top"] for w in name_words)
    block = [w for w in words if left - 1 <= w["x0"] < left + 59 / MM and top - 1 <= w["top"] <= top + 40 / MM]
    assert max(w["x1"] for w in block) - left <= 59 / MM + 0.5  # 59 mm wide
    recipient = [w for w in block if w["bottom"] - top <= 30 / MM]
    assert max(w["bottom"] for w in recipient) - top <= 21 / MM + 0.5  # 21 mm high
    assert "\u202e" not in pdf_text(pdf)


def test_bidi_and_control_characters_are_removed_from_register_names_with_a_warning(tmp_path):
    register = write_register(tmp_path, ["U1,youth,,Ann\u202ea Nav\u200bn,2011-01-01,Vej\x07 1,9999,By,post"])
    result = cli("transition", "invite", "--register", register, "--meeting", MEETING, "--out", tmp_path / "o", "--dry-run")
    assert result.exit_code == 0
    assert "warning: row 2: name: invisible or control characters removed" in result.output
    assert "warning: row 2: address" in result.output
    assert clean_text("A\u202eB\u2066C\x00D") == ("ABCD", True)


def test_bidi_and_control_characters_are_removed_from_case_files_with_a_warning(tmp_path):
    def hidden(data):
        data["recipients"][0]["name"] = "Ann\u202ea\u2066 Eksempel\u0007sen"
    result = cli("letter", case_with(tmp_path, recipients=hidden), "--out", tmp_path / "o", "--format", "html")
    assert result.exit_code == 0, result.output
    assert "invisible or control characters removed" in result.output
    page = next((tmp_path / "o").glob("*_1-*.html")).read_text(encoding="utf-8")
    assert "Anna EksempelSen".replace("S", "s") in page and "\u202e" not in page and "\u2066" not in page


def test_two_concurrent_batches_into_one_folder_lose_nothing(tmp_path):
    out = tmp_path / "o"
    command = [str(BREVGEN), "transition", "invite", "--register", str(REGISTER), "--meeting", MEETING, "--out", str(out)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [(p.wait(timeout=300), p.stderr.read()) for p in (first, second)]
    # 1: done with findings (the example register has rejected rows); 2: refused by the lock
    assert sorted(code for code, _ in results) in ([1, 1], [1, 2])
    assert all("another brevgen run" in err for code, err in results if code == 2)
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8"))))
    assert all((out / r["file"]).is_file() for r in rows) and len(rows) == 8
    assert not (out / ".brevgen-staging").exists()


def test_output_folder_removes_and_retires_files_only_when_the_run_succeeds(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "old.pdf").write_bytes(b"old")
    (out / "gone.pdf").write_bytes(b"gone")
    with pytest.raises(RuntimeError):
        with output.OutputFolder(out) as folder:
            folder.put("new.pdf", b"new")
            folder.remove("old.pdf")
            folder.retire("gone.pdf", "withdrawn/gone.pdf")
            raise RuntimeError("a bad case found late")
    assert snapshot(out) == {"old.pdf": b"old", "gone.pdf": b"gone"}
    with output.OutputFolder(out) as folder:
        folder.put("new.pdf", b"new")
        folder.remove("old.pdf")
        folder.retire("gone.pdf", "withdrawn/gone.pdf")
    assert snapshot(out) == {"new.pdf": b"new", "withdrawn/gone.pdf": b"gone"}


def test_name_and_address_that_cannot_fit_the_window_even_small_are_refused_at_input(tmp_path):
    register = write_register(tmp_path, ["U1,youth,,Navn,2011-01-01," + "Vej" * 200 + ",9999,By,post"])
    result = cli("transition", "invite", "--register", register, "--meeting", MEETING, "--out", tmp_path / "o", "--dry-run")
    assert "skipped: row 2: address: name and address are too long for the envelope window" in result.output

    def too_long(data):
        data["recipients"][0].update(address=["Vej" * 60] * 5)
    refused(cli("letter", case_with(tmp_path, recipients=too_long), "--out", tmp_path / "l"), "envelope window")
