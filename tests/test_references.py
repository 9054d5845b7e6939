"""The reference registry: dated consolidations, stk./nr., moving and changing provisions,
sources and the unconfirmed marker, rates; the refs and check commands."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import paths
from generator.checks import library_problems
from generator.errors import BrevgenError
from generator.phrases import Phrase, PhraseLibrary, default_library
from generator.references import Registry, RegistryFile, default_registry, load_registry, outdated, registry_files

from conftest import d


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


def copy_root(tmp_path: Path) -> Path:
    """A municipality's own copy of the data (BREVGEN_ROOT), to change without touching the repo."""
    root = tmp_path / "root"
    for folder in ("content", "phrases", "templates"):
        shutil.copytree(paths.ROOT / folder, root / folder)
    return root


def brevgen(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BREVGEN_ROOT": str(root)}
    return subprocess.run([str(Path(sys.executable).parent / "brevgen"), *args],
                          capture_output=True, text=True, env=env, cwd=root)


# --- the registry covers every date from 2024-01-01 to today ------------------------------------


def test_every_act_has_exactly_one_text_in_force_on_every_day_since_2024(registry):
    day = d("2024-01-01")
    while day <= d("2026-11-23"):
        for act in ("fvl", "rsl", "sel", "bl"):
            assert registry.consolidation_on(act, day) is not None, (act, day)
        day += dt.timedelta(days=1)


def test_every_entry_records_a_source_and_a_checked_date_or_says_it_is_unconfirmed(registry):
    data = registry.data
    entries = [*data.acts, *data.consolidations, *data.documents,
               *(p for provision in data.provisions for p in provision.periods),
               *(p for rate in data.rates for p in rate.periods if not p.example)]
    for entry in entries:
        assert (entry.source and entry.source.startswith("https://") and entry.checked) or not entry.confirmed, entry
        if not entry.confirmed:
            assert entry.note, entry  # what was found, for the lawyer


def test_a_confirmed_entry_without_a_source_is_refused(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("acts:\n  - {id: fvl, name: forvaltningsloven, title: Forvaltningsloven}\n", encoding="utf-8")
    with pytest.raises(BrevgenError, match=r"x.yaml:2: acts\[0\].*needs `source`"):
        load_registry(bad)


@pytest.mark.parametrize(
    "dated, number",
    [
        ("2024-01-21", "170"), ("2024-01-22", "67"), ("2024-07-02", "67"), ("2024-07-03", "909"),
        ("2025-02-10", "909"), ("2025-02-11", "155"), ("2025-09-21", "155"), ("2025-09-22", "1129"),
        ("2026-11-23", "1129"),
    ],
)
def test_serviceloven_consolidation_in_force_on_each_side_of_each_change(registry, dated, number):
    citation = registry.cite("sel-85-stk1", d(dated))
    assert citation.problem is None and citation.facts["number"] == number and citation.facts["form"] == "lovbekendtgørelse"


@pytest.mark.parametrize(
    "dated, act, section, number, form",
    [
        ("2023-06-01", "serviceloven", "§ 41", "170", "lovbekendtgørelse"),
        ("2023-12-31", "serviceloven", "§ 41", "170", "lovbekendtgørelse"),
        ("2024-01-01", "barnets lov", "§ 86", "721", "lov"),
        ("2024-06-18", "barnets lov", "§ 86", "721", "lov"),
        ("2024-06-19", "barnets lov", "§ 86", "890", "lovbekendtgørelse"),  # bill L 87 (2024-25) § 1
        ("2025-03-16", "barnets lov", "§ 86", "890", "lovbekendtgørelse"),
        ("2025-03-17", "barnets lov", "§ 86", "282", "lovbekendtgørelse"),
    ],
)
def test_a_moved_provision_resolves_to_the_act_in_force_on_the_letters_date(registry, dated, act, section, number, form):
    citation = registry.cite("bl-86", d(dated))
    assert citation.problem is None
    assert (citation.facts["act"], citation.facts["section"], citation.facts["number"], citation.facts["form"]) == (
        act, section, number, form)


def test_stk_and_nr_are_cited(registry):
    facts = registry.cite("sel-83-stk1-nr1", d("2026-11-23")).facts
    assert (facts["section"], facts["stk"], facts["nr"], facts["paragraph"]) == ("§ 83", "1", "1", "§ 83, stk. 1, nr. 1")


def test_the_2025_reform_changes_the_text_of_section_100_on_1_september(registry):
    before, after = registry.cite("sel-100-stk2", d("2025-08-31")), registry.cite("sel-100-stk2", d("2025-09-01"))
    assert before.facts["title"] == "merudgiften skal overstige et beløb pr. år"
    assert "gruppe 1" in after.facts["title"]
    assert registry.cite("sel-100", d("2025-08-31")).facts["title"] == "dækning af nødvendige merudgifter for voksne"
    assert registry.cite("sel-100", d("2025-09-01")).facts["title"] == "kompensationsydelse til voksne"
    # A pinned period is an error outside its dates.
    assert registry.cite("sel-100-stk2-merudgift", d("2025-08-31")).problem is None
    assert "not in force on 2025-09-01" in registry.cite("sel-100-stk2-merudgift", d("2025-09-01")).problem


def test_unconfirmed_entries_are_marked_on_their_citations(registry):
    assert registry.cite("sel-85-stk1", d("2026-11-23")).unconfirmed is None
    # The rsl text in force: its citation says "unconfirmed" exactly when the registry marks it so
    # (read from the data, so confirming or adding a consolidation does not break this test).
    rsl_text = registry.consolidation_on("rsl", d("2026-11-23"))
    marked = registry.cite("rsl-5", d("2026-11-23")).unconfirmed or ""
    assert (rsl_text.id in marked) == (not rsl_text.confirmed)
    assert "kompensation_minimum" in registry.cite("kompensation_minimum", d("2026-11-23")).unconfirmed
    assert registry.cite("kompensation_minimum", d("2025-10-01")).unconfirmed is None  # 2025 level, from the bill


def test_rates_by_date(registry):
    assert registry.rates_on(d("2025-08-31")).get("kompensation_minimum") is None  # before the reform
    assert str(registry.rates_on(d("2025-09-01"))["kompensation_minimum"]) == "6660"
    assert str(registry.rates_on(d("2025-12-31"))["kompensation_standard_gruppe1"]) == "1105"
    assert str(registry.rates_on(d("2025-12-31"))["kompensation_graense_gruppe2"]) == "24000"
    assert str(registry.rates_on(d("2026-01-01"))["kompensation_graense_gruppe2"]) == "25080"  # 2026 level
    assert "no amount in force on 2027-01-01" in registry.cite("kompensation_minimum", d("2027-01-01")).problem


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
    broken = RegistryFile.model_construct(**{**dict(data), "consolidations": (*data.consolidations, first.model_copy(
        update={"id": "x", "valid_to": None}))})
    assert any("overlap" in p for p in Registry(broken).consistency_problems())


def test_the_registry_is_read_from_several_files_and_an_id_may_be_defined_once(tmp_path):
    files = registry_files()
    assert len(files) > 3 and any(f.name == "rates.yaml" for f in files)
    twice = tmp_path / "more.yaml"
    twice.write_text("provisions:\n  - {id: sel-85, title: x, confirmed: false, note: x, periods: [{act: sel, section: '§ 85'}]}\n",
                     encoding="utf-8")
    with pytest.raises(BrevgenError, match=r"more.yaml: provisions: id 'sel-85' is also defined in .*serviceloven.yaml"):
        load_registry([*files, twice])


# --- the library against the registry -------------------------------------------------------------


def test_every_reference_cited_by_the_library_exists_and_is_in_force_today(registry):
    assert library_problems(default_library(), registry, d("2026-11-23")) == []
    expired = library_problems(default_library(), registry, d("2028-01-01"))
    assert any("begrundelse.regel.sel-85" in p and "ks-sel-85#3" in p for p in expired)


def test_refs_outdated_tells_the_truth(run_cli):
    now = run_cli("refs", "--outdated", "--as-of", "2026-11-23")
    assert now.exit_code == 0 and "0 citation(s) outdated on 2026-11-23" in now.stdout
    # On 1 January 2027 the 2026 amounts of kompensationsydelse end: every phrase stating one is
    # listed until next year's amounts are in the rate table.
    new_year = run_cli("refs", "--outdated", "--as-of", "2027-01-01")
    assert new_year.exit_code == 1
    rows = {tuple(line.split("\t")[:2]) for line in new_year.stdout.splitlines() if "\t" in line}
    assert ("begrundelse.regel.sel-100.kompensation", "kompensation_minimum") in rows
    assert ("begrundelse.valgt.kompensation.gruppe1-under-minimum", "kompensation_minimum") in rows
    late = run_cli("refs", "--outdated", "--as-of", "2028-01-01")
    assert late.exit_code == 1 and "begrundelse.regel.sel-85\tks-sel-85#3" in late.stdout
    assert run_cli("refs", "--outdated", "--as-of", "2026-13-01").exit_code == 2


def test_outdated_lists_every_kind_of_stale_citation(registry):
    def library(*cites, text="Tekst.", reviewed="2026-01-01"):
        phrase = Phrase(id="x", version=1, title="x", text=text, cites=cites, valid_from=d("2016-01-01"),
                        owner="test", reviewed=d(reviewed))
        return PhraseLibrary({"x": phrase}, {}, {"x": "test"})

    on = d("2026-11-23")
    assert outdated(library("sel-85-stk1"), registry, on) == []
    assert outdated(library("pa-e-05-19"), registry, on) == [
        ("x", "pa-e-05-19", "ruling E-05-19 ('pa-e-05-19') is historic and no longer guides practice")]
    rows = outdated(library("sel-lbk-67-2024", "sel-100-stk2-merudgift", "ks-sel-85#3", "kompensation_minimum",
                            "jm-klagefrister-2018"), registry, d("2028-01-01"))
    assert [r[1] for r in rows] == ["sel-lbk-67-2024", "sel-100-stk2-merudgift", "ks-sel-85#3", "kompensation_minimum"]
    assert "replaced by 'sel-lbk-909-2024'" in rows[0][2]
    # A consolidation written into the text by hand is listed too: it cannot follow the next one.
    typed = outdated(library(text="Se lovbekendtgørelse nr. 67 af 22. januar 2024."), registry, on)
    assert typed == [("x", "lovbekendtgørelse nr. 67 af 22. januar 2024",
                      "written into the phrase text by hand, and not in force on 2026-11-23 (replaced by 'sel-lbk-909-2024')")]
    # A provision whose text changed after the phrase was last reviewed.
    changed = outdated(library("sel-100-stk2", reviewed="2025-06-01"), registry, on)
    assert changed and "new text from 2025-09-01" in changed[0][2]


def test_planted_outdated_entries_make_refs_exit_1(tmp_path):
    root = copy_root(tmp_path)
    assert brevgen(root, "refs", "--outdated", "--as-of", "2026-11-23").returncode == 0
    acts = root / "content" / "references" / "acts.yaml"
    # The lawyer ends the newest serviceloven text but forgets to add the next one.
    acts.write_text(acts.read_text(encoding="utf-8").replace(
        "    valid_from: 2025-09-22\n", "    valid_from: 2025-09-22\n    valid_to: 2026-10-31\n"), encoding="utf-8")
    result = brevgen(root, "refs", "--outdated", "--as-of", "2026-11-23")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "begrundelse.regel.sel-85\tsel-85-stk1\tno text of serviceloven" in result.stdout


def test_a_new_consolidation_changes_every_letter_that_cites_the_act_with_no_phrase_edited(tmp_path):
    from generator.case import CaseFile
    from generator.documents.decision_letter import build_decision
    from generator.loading import load_model

    root = copy_root(tmp_path)
    phrases_before = {p.name: p.read_bytes() for p in (root / "phrases").glob("*.yaml")}
    acts = root / "content" / "references" / "acts.yaml"
    text = acts.read_text(encoding="utf-8").replace(
        "    valid_from: 2025-09-22\n", "    valid_from: 2025-09-22\n    valid_to: 2026-04-30\n    replaced_by: sel-lbk-555-2026\n")
    acts.write_text(text + """  - id: sel-lbk-555-2026
    act: sel
    form: lovbekendtgørelse
    number: "555"
    date: 2026-05-01
    valid_from: 2026-05-01
    confirmed: false
    note: invented for this test
""", encoding="utf-8")
    registry = load_registry(registry_files(root / "content"))
    cases = paths.CONTENT / "examples" / "cases"
    seen = 0
    for name in ("sel-85-delvis-bevilling.yaml", "sel-85-bevilling.yaml", "sel-100-afslag.yaml", "sel-97-ophoer.yaml",
                 "sel-108-bevilling.yaml"):
        case = load_model(CaseFile, cases / name)
        built = build_decision(case, source=name, input_sha256="", registry=registry)
        body = built.letters[0].letter.citizen_text
        assert "jf. lovbekendtgørelse nr. 555 af 1. maj 2026" in body, name
        assert "nr. 1129" not in body, name
        seen += 1
    assert seen == 5
    # Letters dated before the change still cite the text in force on their date.
    old = load_model(CaseFile, cases / "sel-85-delvis-bevilling.yaml").model_copy(update={"dated": d("2026-04-30")})
    body = build_decision(old, source="x", input_sha256="", registry=registry).letters[0].letter.citizen_text
    assert "jf. lovbekendtgørelse nr. 1129 af 22. september 2025" in body and "nr. 555" not in body
    assert {p.name: p.read_bytes() for p in (root / "phrases").glob("*.yaml")} == phrases_before


# --- brevgen check ----------------------------------------------------------------------------------


def test_check_on_bundled_data_lists_unconfirmed_entries(run_cli):
    result = run_cli("check", "--as-of", "2026-11-23")
    assert result.exit_code == 0
    assert "unconfirmed legal facts (confirmed: false):" in result.stdout
    rows = default_registry().unconfirmed_entries()
    assert f"unconfirmed legal facts (confirmed: false): {len(rows)}" in result.stdout
    assert all(f"  unconfirmed: {row}" in result.stdout for row in rows)
    late = run_cli("check", "--as-of", "2028-01-01")
    assert late.exit_code == 1 and "ks-sel-85#3" in late.stderr


def test_check_fails_on_a_broken_library(tmp_path):
    root = copy_root(tmp_path)
    phrases = root / "phrases" / "decisions.yaml"
    text = phrases.read_text(encoding="utf-8")
    assert "cites: [sel-97-stk1, ks-sel-97#2]" in text
    text = text.replace("cites: [sel-97-stk1, ks-sel-97#2]", "cites: [sel-97-stk1, ks-sel-97#7]")
    phrases.write_text(text, encoding="utf-8")
    # A rate used in a text but not cited, and an act's number written in by hand.
    extra = root / "phrases" / "zz-test.yaml"
    extra.write_text("""phrases:
  - id: test.haandskrevet
    version: 1
    title: test
    slot: test.slot
    text: "Se lov nr. 721 af 13. juni 2023. {{ satser.kompensation_minimum }}"
    valid_from: 2016-01-01
    owner: test
    reviewed: 2026-11-01
""", encoding="utf-8")
    case = root / "content" / "examples" / "cases" / "sel-100-afslag.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("references: [pa-e-27-25]", "references: [pa-e-05-19]"), encoding="utf-8")
    result = brevgen(root, "check", "--as-of", "2026-11-23")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "phrase 'begrundelse.regel.sel-97': reference 'ks-sel-97#7' must name a section" in result.stderr
    assert "sel-100-afslag.yaml: historic-ruling" in result.stderr
    assert "phrase 'test.haandskrevet': uses satser.kompensation_minimum but does not cite" in result.stderr
    assert "phrase 'test.haandskrevet': the text cites 'lov nr. 721 af 13. juni 2023' itself" in result.stderr


def test_an_old_single_file_registry_still_loads_with_its_entries_unconfirmed(tmp_path):
    import subprocess as sp

    old = sp.run(["git", "show", "fc6e66f:content/references.yaml"], capture_output=True, text=True, cwd=paths.ROOT)
    if old.returncode != 0:  # a checkout without that history (e.g. an exported tarball)
        old_text = "acts:\n  - {id: sel, name: serviceloven, title: Lov om social service, verify: true}\n"
    else:
        old_text = old.stdout
    path = tmp_path / "references.yaml"
    path.write_text(old_text, encoding="utf-8")
    registry = load_registry(path)
    assert registry.data.acts and all(not act.confirmed for act in registry.data.acts)


def test_a_planted_unconfirmed_consolidation_is_listed_by_check_and_refused_by_strict(tmp_path):
    root = copy_root(tmp_path)
    case = root / "content" / "examples" / "cases" / "sel-85-bevilling.yaml"  # a full grant
    assert brevgen(root, "letter", str(case), "--out", str(tmp_path / "before"), "--format", "html", "--strict").returncode == 0
    acts = root / "content" / "references" / "acts.yaml"
    text = acts.read_text(encoding="utf-8")
    # The older marker `verify: true` works as well as `confirmed: false`.
    text = text.replace('    number: "1129"\n', '    number: "1129"\n    verify: true\n')
    acts.write_text(text, encoding="utf-8")
    check = brevgen(root, "check", "--as-of", "2026-11-23")
    assert check.returncode == 0 and "unconfirmed: sel-lbk-1129-2025:" in check.stdout
    plain = brevgen(root, "letter", str(case), "--out", str(tmp_path / "plain"), "--format", "html")
    assert plain.returncode == 0 and "note: sel-85-bevilling.yaml: unconfirmed-reference" in plain.stdout
    strict = brevgen(root, "letter", str(case), "--out", str(tmp_path / "strict"), "--strict")
    assert strict.returncode == 2 and "consolidation 'sel-lbk-1129-2025' is not confirmed" in strict.stderr
    assert not (tmp_path / "strict").exists()
