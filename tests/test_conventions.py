"""CLI conventions (issue 15): --version, --root, exit codes, --json, streams, logging, provenance."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES
from generator import logs, paths
from generator.content_root import root_version

CASE = EXAMPLES / "cases" / "sel-85-delvis-bevilling.yaml"


@pytest.fixture
def root_copy(tmp_path) -> Path:
    root = tmp_path / "root"
    for name in paths.FOLDERS:
        shutil.copytree(paths.root() / name, root / name)
    return root


def test_version_names_the_tool_and_the_content_root(run_cli, root_copy):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("brevgen ") and "content root" in result.stdout
    as_json = json.loads(run_cli("--version", "--json").stdout)
    assert as_json["content_root_version"].startswith(("git:", "sha256:"))
    other = json.loads(run_cli("--root", root_copy, "--json", "--version").stdout)
    assert other["content_root"] == str(root_copy) and other["content_root_source"] == "--root"
    assert other["content_root_version"].startswith("sha256:")
    # A changed text is a new content version.
    phrase_file = next((root_copy / "phrases").glob("*.yaml"))
    phrase_file.write_text(phrase_file.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    root_version.cache_clear()
    assert json.loads(run_cli("--version", "--json", "--root", root_copy).stdout)["content_root_version"] != other["content_root_version"]


def test_root_option_anywhere_and_the_environment(run_cli, root_copy, monkeypatch):
    profile = root_copy / "content" / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("name: Eksempel Kommune", "name: Andet Sted Kommune"),
                       encoding="utf-8")
    for args in (["check", "--root", root_copy], ["--root", root_copy, "check"], [f"--root={root_copy}", "check"]):
        result = run_cli(*args, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["root"] == str(root_copy)
    monkeypatch.setenv("BREVGEN_ROOT", str(root_copy))
    assert json.loads(run_cli("check", "--json").stdout)["root"] == str(root_copy)
    monkeypatch.delenv("BREVGEN_ROOT")
    assert json.loads(run_cli("check", "--json").stdout)["root"] == str(paths.CHECKOUT)  # back to the default


def test_exit_codes_0_done_1_findings_2_bad_input(run_cli, root_copy, tmp_path):
    assert run_cli("check", "--root", root_copy).exit_code == 0
    # a finding: a phrase citing a reference that does not exist
    phrases = root_copy / "phrases" / "decisions.yaml"
    text = phrases.read_text(encoding="utf-8")
    phrases.write_text(text.replace("cites: [", "cites: [no-such-reference, ", 1), encoding="utf-8")
    found = run_cli("check", "--root", root_copy, "--json")
    assert found.exit_code == 1 and json.loads(found.stdout)["problems"]
    assert run_cli("refs", "--outdated", "--as-of", "2028-01-01").exit_code == 1
    # bad input
    bad = run_cli("check", "--root", tmp_path / "nothing-here", "--json")
    assert bad.exit_code == 2 and json.loads(bad.stdout)["error"].startswith("--root")
    assert run_cli("deadline", "--dated", "2026-02-30", "--channel", "post").exit_code == 2
    assert run_cli("--log-format", "xml", "check").exit_code == 2


def test_json_output_of_the_commands_that_report(run_cli, tmp_path):
    deadline = json.loads(run_cli("--json", "deadline", "--dated", "2026-05-11", "--channel", "post").stdout)
    assert deadline["deadline"] == "2026-06-17"
    letter = run_cli("letter", CASE, "--out", tmp_path, "--format", "pdf", "--json")
    assert letter.exit_code == 0, letter.output
    data = json.loads(letter.stdout)
    assert data["ok"] and data["command"] == "letter" and any("wrote" in m for m in data["messages"])
    refs = json.loads(run_cli("refs", "--json", "--as-of", "2026-11-23").stdout)
    assert refs["citations"] and {"phrase", "reference", "problem"} <= set(refs["citations"][0])


def test_record_carries_provenance_and_the_letter_bytes_do_not(run_cli, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("letter", CASE, "--out", first, "--operator", "sagsbehandler-17").exit_code == 0
    import time

    time.sleep(1.1)  # the record's time has one-second resolution
    assert run_cli("letter", CASE, "--out", second).exit_code == 0
    for path in first.iterdir():
        if path.suffix == ".json":
            one, two = json.loads(path.read_bytes()), json.loads((second / path.name).read_bytes())
            assert one["produced"]["operator"] == "sagsbehandler-17"
            assert one["produced"]["brevgen_version"] and one["produced"]["content_root_version"] == root_version(paths.root())
            assert one["produced"]["time"] != two["produced"]["time"]
        else:  # the letters themselves: identical bytes, and no trace of the provenance
            data = path.read_bytes()
            assert data == (second / path.name).read_bytes(), path.name
            assert b"sagsbehandler-17" not in data


def test_json_log_lines_without_personal_data(tmp_path, capsys):
    import io

    stream = io.StringIO()
    logs.configure("json", "INFO", stream=stream)
    try:
        logs.get("test").info("letter written", extra={"stem": "2026-0142_afgoerelse_1-borger"})
    finally:
        logs.configure("text", "WARNING")
    entry = json.loads(stream.getvalue().splitlines()[0])
    assert entry["level"] == "info" and entry["logger"] == "brevgen.test" and entry["stem"].startswith("2026-0142")
    assert logging.getLogger("brevgen").level == logging.WARNING


def test_a_command_logs_json_lines_on_stderr_without_personal_data(run_cli, tmp_path):
    result = run_cli("--log-format", "json", "--log-level", "INFO", "letter", CASE, "--out", tmp_path, "--format", "html")
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(e["logger"] == "brevgen.jobs" and e["letters"] == 2 for e in entries)
    assert not any(line.startswith("{") for line in result.stdout.splitlines())  # results only on stdout
    case_text = CASE.read_text(encoding="utf-8")
    assert "Fiktiv" in case_text and "Fiktiv" not in result.stderr  # no names in the log
