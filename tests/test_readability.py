"""LIX counted right for Danish (Björnsson's formula, colon as a sentence end)."""

import pytest

from generator.readability import count_sentences, lix


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("Du kan klage. Fristen er kort.", 2),
        ("Fristen er den 8. juni 2026.", 1),  # ordinal date
        ("Du får støtte efter § 85, stk. 1, jf. serviceloven.", 1),  # abbreviations
        ("Det koster 1.500 kr. om måneden.", 1),
        ("Du kan f.eks. ringe. Eller skrive!", 2),
        ("Husk dette: Du kan klage", 2),  # Björnsson counts the colon
        ("Ja. Nej? Måske!", 3),  # short sentences are kept (unlike textstat)
        ("Ingen punktum til sidst", 1),
        ("Hvad nu?! Vi ved det.", 2),  # a run of marks ends one sentence
        ("Han sagde: »Kom.« Så gik han.", 3),  # closing quotes after the mark
        ("Se side 3.5. Den er kort.", 1),  # a mark inside the token: not an end
        ("Slut. ... ! Ny sætning", 2),  # marks without a word add no sentence
        ("Første\xa0linje.\tAnden\nlinje.", 2),  # any white space separates
    ],
)
def test_sentences(text, sentences):
    assert count_sentences(text) == sentences


def test_lix_by_hand():
    # 8 words, 2 sentences, long words (>6 letters): "afgørelsen", "kommunen" -> 8/2 + 100*2/8 = 29.0
    result = lix("Du kan klage over afgørelsen. Skriv til kommunen.")
    assert (result.words, result.sentences, result.long_words) == (8, 2, 2)
    assert result.score == 29.0
    assert result.band == "let"


def test_danish_letters_count_as_letters():
    # "særlige" has 7 letters including æ: a long word.
    assert lix("særlige").long_words == 1
    assert lix("større").long_words == 0
    # Letters, not characters: "2026-03" has 7 characters and no letters; "A635stk" 4 letters.
    assert lix("2026-03 A635stk").long_words == 0


def test_empty_text():
    assert lix("").score == 0


def test_references_do_not_break_after_the_section_sign():
    from generator.formatting import nobreak

    assert nobreak("serviceloven § 85, stk. 1, nr. 2") == "serviceloven §\u00a085, stk.\u00a01, nr.\u00a02"
