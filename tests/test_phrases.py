"""The phrase engine: safe conditions, strict parameters, exclusive slots, validity by date."""

import datetime as dt

import pytest

from generator.errors import BrevgenError
from generator.phrases import Phrase, PhraseLibrary, default_library, text_to_blocks

TODAY = dt.date(2026, 6, 1)


def phrase(pid, text="Tekst.", **extra):
    return Phrase(id=pid, version=1, title=pid, text=text, valid_from=dt.date(2016, 1, 1), owner="test",
                  reviewed=dt.date(2026, 1, 1), **extra)


def library(*phrases):
    origins = {p.id: f"test:{p.id}" for p in phrases}
    return PhraseLibrary({p.id: p for p in phrases}, {}, origins)


def test_missing_parameter_is_an_error_never_a_blank():
    lib = library(phrase("a", "Fristen er {{ frist }}."))
    with pytest.raises(BrevgenError, match="parameter missing.*frist"):
        lib.render("a", {})


def test_conditions_cannot_run_code():
    lib = library(phrase("a", when="().__class__.__bases__[0].__subclasses__()"))
    with pytest.raises(BrevgenError, match="not allowed"):
        lib.applies(lib.get("a"), {}, TODAY)


def test_texts_cannot_run_code():
    lib = library(phrase("a", "{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    with pytest.raises(BrevgenError, match="not allowed"):
        lib.render("a", {})


def test_parameter_values_are_not_evaluated():
    lib = library(phrase("a", "Hej {{ navn }}."))
    rendered = lib.render("a", {"navn": "{{ 7*7 }}"})
    assert rendered.blocks[0].text == "Hej {{ 7*7 }}."


def test_unknown_name_in_condition_is_reported():
    lib = library(phrase("a", when="chanel == 'post'"))
    with pytest.raises(BrevgenError, match="chanel"):
        lib.applies(lib.get("a"), {"channel": "post"}, TODAY)


def test_slot_alternatives_must_be_exclusive():
    lib = library(phrase("a", slot="s", when="x > 0"), phrase("b", slot="s", when="x > 1"))
    assert lib.select("s", {"x": 1}, TODAY).id == "a"
    with pytest.raises(BrevgenError, match="more than one phrase applies"):
        lib.select("s", {"x": 2}, TODAY)
    with pytest.raises(BrevgenError, match="no phrase applies"):
        lib.select("s", {"x": 0}, TODAY)


def test_validity_period():
    old = phrase("a", slot="s", valid_to=dt.date(2020, 12, 31))
    lib = library(old)
    assert lib.select("s", {}, dt.date(2020, 6, 1)).id == "a"
    assert lib.select("s", {}, TODAY, required=False) is None


def test_composite_phrase_bundles_parts_and_their_citations():
    lib = library(phrase("a", "Først.", cites=("fvl-22",)), phrase("b", "Så.", cites=("fvl-24",)),
                  Phrase(id="ab", version=1, title="ab", parts=("a", "b"), valid_from=dt.date(2016, 1, 1),
                         owner="t", reviewed=dt.date(2026, 1, 1)))
    rendered = lib.render("ab", {})
    assert [b.text for b in rendered.blocks] == ["Først.", "Så."]
    assert rendered.cites == ("fvl-22", "fvl-24")


def test_blocks_from_text():
    blocks = text_to_blocks("Et afsnit\nover to linjer.\n\n- punkt et\n- punkt to")
    assert blocks[0].text == "Et afsnit over to linjer."
    assert blocks[1].kind == "list" and blocks[1].items == ("punkt et", "punkt to")


def test_bundled_library_loads():
    assert "klagevejledning" in default_library().compositions


@pytest.mark.parametrize("broken", [{"text": "Hej {{ navn }."}, {"when": "channel =="}])
def test_a_syntax_error_is_found_on_use_and_by_compile_all(broken):
    lib = library(phrase("ok", "Fint."), phrase("broken", **broken))
    assert lib.render("ok", {}).blocks[0].text == "Fint."  # compiled on first use: the rest still work
    with pytest.raises(BrevgenError, match="test:broken: phrase 'broken'"):
        lib.compile_all()
    with pytest.raises(BrevgenError, match="test:broken: phrase 'broken'"):
        if "text" in broken:
            lib.render("broken", {"navn": "x"})
        else:
            lib.applies(lib.get("broken"), {"channel": "post"}, TODAY)


def test_brevgen_check_reports_a_syntax_error_in_an_unused_phrase(tmp_path, monkeypatch):
    from generator import paths, phrases
    from generator.selfcheck import run_checks

    for source in paths.PHRASES.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "decisions.yaml"  # its phrase list is last: append a phrase no case uses
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\n  - {id: ubrugt, version: 1, title: Ubrugt, text: 'Hej {{ navn }.', valid_from: 2016-01-01,\n"
        + "     owner: test, reviewed: 2026-11-01}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "PHRASES", tmp_path)
    phrases.default_library.cache_clear()
    try:
        problems, _ = run_checks(dt.date(2026, 11, 23))
    finally:
        phrases.default_library.cache_clear()
    assert any("decisions.yaml" in p and "phrase 'ubrugt'" in p for p in problems), problems


def test_a_text_without_template_syntax_is_rendered_once_and_a_template_every_time():
    lib = library(phrase("fast", "Du kan klage.\n\n- Skriv til os\n- Ring til os"), phrase("skabelon", "Fristen er {{ frist }}."))
    first = lib.render("fast", {"frist": "1. juni"})
    assert lib.render("fast", {}) is first  # the same rendering, whatever the context
    assert [b.items for b in first.blocks] == [(), ("Skriv til os", "Ring til os")]
    assert lib.render("skabelon", {"frist": "1. juni"}).blocks[0].text == "Fristen er 1. juni."
    assert lib.render("skabelon", {"frist": "2. juli"}).blocks[0].text == "Fristen er 2. juli."


def test_select_finds_each_slot_among_many_phrases():
    lib = library(*(phrase(f"p{i}", slot=f"slot{i % 3}", when=f"nummer == {i}") for i in range(9)))
    assert lib.select("slot1", {"nummer": 7}, TODAY).id == "p7"
    assert lib.select("slot2", {"nummer": 7}, TODAY, required=False) is None
    assert lib.select("ukendt", {"nummer": 7}, TODAY, required=False) is None
