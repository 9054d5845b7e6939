"""The reference registry: dated consolidations, moving provisions, rulings; refs and check commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import paths
from generator.checks import library_problems
from generator.phrases import default_library
from generator.references import Registry, RegistryFile, default_registry, outdated

from conftest import d


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


@pytest.mark.parametrize(
    "dated, act, section, number, form",
    [
        ("2023-06-01", "serviceloven", "§ 41", "170", "lovbekendtgørelse"),
        ("2023-12-31", "serviceloven", "§ 41", "170", "lovbekendtgørelse"),
        ("2024-01-01", "barnets lov", "§ 86", "721", "lov"),
        ("2025-03-16", "barnets lov", "§ 86", "721", "lov"),
        ("2025-03-17", "barnets lov", "§ 86", "282", "lovbekendtgørelse"),
    ],
)
def test_a_moved_provision_resolves_to_the_act_in_force_on_the_letters_date(registry, dated, act, section, number, form):
    citation = registry.cite("bl-86", d(dated))
    assert citation.problem is None
    assert (citation.facts["act"], citation.facts["section"], citation.facts["number"], citation.facts["form"]) == (
        act, section, number, form)


def test_consolidated_act_changes_on_its_date(registry):
    assert registry.cite("sel-85", d("2024-01-21")).facts["number"] == "170"
    assert registry.cite("sel-85", d("2024-01-22")).facts["number"] == "67"
    assert "no text of serviceloven" in registry.cite("sel-85", d("2021-06-01")).problem


def test_quality_standard_sections_and_periods(registry):
    assert registry.cite("ks-sel-85#4", d("2026-05-11")).facts["section_title"] == "Omfang og opfølgning"
    assert "must name a section" in registry.cite("ks-sel-85", d("2026-05-11")).problem
    assert "not in force on 2028-01-01" in registry.cite("ks-sel-85#4", d("2028-01-01")).problem


def test_historic_rulings(registry):
    assert registry.cite("pa-e-05-19", d("2025-06-02")).problem.endswith("is historic and no longer guides practice")
    assert registry.cite("pa-e-05-19", d("2025-06-02")).kind == "ruling"
    assert registry.cite("pa-e-05-19", d("2025-01-01")).problem is None  # still guiding before it became historic
    assert registry.cite("pa-e-11-24", d("2026-05-11")).problem is None


def test_overlapping_consolidations_are_inconsistent(registry):
    data = registry.data
    first = next(c for c in data.consolidations if c.id == "sel-lbk-170-2022")
    broken = RegistryFile.model_validate(
        data.model_copy(update={"consolidations": (*data.consolidations, first.model_copy(update={"id": "x", "valid_to": None}))}).model_dump()
    )
    assert any("overlap" in p for p in Registry(broken).consistency_problems())


def test_every_reference_cited_by_the_library_exists_and_is_in_force_today(registry):
    assert library_problems(default_library(), registry, d("2026-11-23")) == []
    expired = library_problems(default_library(), registry, d("2028-01-01"))
    assert any("begrundelse.regel.sel-85" in p and "ks-sel-85#3" in p for p in expired)


def test_refs_outdated_as_of(run_cli):
    result = run_cli("refs", "--outdated", "--as-of", "2028-01-01")
    assert result.exit_code == 1  # outdated citations are findings
    rows = [line.split("\t")[:2] for line in result.stdout.splitlines() if "\t" in line]
    assert rows == [["begrundelse.regel.sel-85", "ks-sel-85#3"], ["begrundelse.valgt.timer", "ks-sel-85#4"]]
    assert "2 citation(s) outdated on 2028-01-01" in result.stdout
    now = run_cli("refs", "--outdated", "--as-of", "2026-11-23")
    assert now.exit_code == 0 and "0 citation(s) outdated" in now.stdout
    assert run_cli("refs", "--outdated", "--as-of", "2026-13-01").exit_code == 2


def test_outdated_lists_historic_rulings():
    from generator.phrases import Phrase, PhraseLibrary

    phrase = Phrase(id="x", version=1, title="x", text="Tekst.", cites=("pa-e-05-19", "sel-85"),
                    valid_from=d("2016-01-01"), owner="test", reviewed=d("2026-01-01"))
    library = PhraseLibrary({"x": phrase}, {}, {"x": "test"})
    assert outdated(library, default_registry(), d("2026-01-01")) == [
        ("x", "pa-e-05-19", "ruling E-05-19 ('pa-e-05-19') is historic and no longer guides practice")]


def test_check_on_bundled_data_and_later_dates(run_cli):
    assert run_cli("check", "--as-of", "2026-11-23").exit_code == 0
    late = run_cli("check", "--as-of", "2028-01-01")
    assert late.exit_code == 1 and "ks-sel-85#3" in late.stderr


def test_check_fails_on_a_broken_library(tmp_path):
    """A municipality's own copy (BREVGEN_ROOT) with a phrase citing an unknown reference."""
    root = tmp_path / "root"
    for folder in ("content", "phrases", "templates"):
        shutil.copytree(paths.ROOT / folder, root / folder)
    phrases = root / "phrases" / "decisions.yaml"
    phrases.write_text(phrases.read_text(encoding="utf-8").replace("cites: [sel-97, ks-sel-97#2]", "cites: [sel-97, ks-sel-97#7]"), encoding="utf-8")
    case = root / "content" / "examples" / "cases" / "sel-100-afslag.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("references: [pa-e-27-25]", "references: [pa-e-05-19]"), encoding="utf-8")
    env = {**os.environ, "BREVGEN_ROOT": str(root)}
    result = subprocess.run([str(Path(sys.executable).parent / "brevgen"), "check", "--as-of", "2026-11-23"],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "phrase 'begrundelse.regel.sel-97': reference 'ks-sel-97#7' must name a section" in result.stderr
    assert "sel-100-afslag.yaml: historic-ruling" in result.stderr
