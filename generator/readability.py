"""LIX readability for Danish text (Björnsson's formula).

LIX = words per sentence + percentage of words longer than six letters.
A sentence ends at . ! ? or : (Björnsson counts the colon), but not at the full stop of a
known abbreviation ("f.eks.", "jf.", "stk.") or of an ordinal or number ("8. juni",
"§ 85, stk. 1"). Unlike textstat's lix(), short sentences are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations whose full stop does not end a sentence (lower case, without the final dot).
ABBREVIATIONS = frozenset(
    {"f.eks", "bl.a", "jf", "stk", "nr", "kr", "ca", "evt", "mv", "m.v", "m.m", "mm", "osv",
     "pga", "p.g.a", "iht", "i.h.t", "inkl", "ekskl", "kl", "tlf", "dvs", "d.v.s", "hhv", "pkt",
     "vedr", "ift", "i.f.t", "jr", "tidl", "ang", "s", "fx", "el", "ifm", "dagl", "st", "pct"}
)

_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+(?:[-'’.][0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*")
_LETTERS = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_END = re.compile(r"[.!?:]+")


@dataclass(frozen=True)
class Lix:
    score: float
    words: int
    sentences: int
    long_words: int

    @property
    def band(self) -> str:
        """The conventional Danish band name."""
        if self.score < 25:
            return "meget let"
        if self.score < 35:
            return "let"
        if self.score < 45:
            return "middel"
        if self.score < 55:
            return "svær"
        return "meget svær"


# Closing brackets and quotes after a sentence's mark. Danish quotes »like this« (and some
# «like this»), so both guillemets close, and both open (_OPENERS).
_CLOSERS = ")»«”\"'"
_OPENERS = "(«»„\"'"
# A token (a run of non-space) that may end a sentence: it ends in . ! ? or :, closing quotes
# and brackets aside. Only these are looked at one by one; the words between them are found by
# one search per sentence.
_NEXT_CHARACTER = re.compile(r"\s*(\S)")
_CANDIDATE = re.compile(r"(?<!\S)\S*?[.!?:][" + re.escape(_CLOSERS) + r"]*(?!\S)")


def count_sentences(text: str) -> int:
    sentences = 0
    start = 0  # where the current sentence's text begins
    for match in _CANDIDATE.finditer(text):
        token = match.group()
        bare = token.rstrip(_CLOSERS)
        # It ends a sentence only if its one and only run of . ! ? : is at its end ("slut." and
        # "nu?!" end one; "f.eks." and "3.5." do not), and a full stop is not an abbreviation's
        # or an ordinal's.
        if _END.search(bare).end() != len(bare):
            continue
        if bare.endswith(".") and not _is_sentence_full_stop(token, text, match.end()):
            continue
        if _WORD.search(text, start, match.end()):  # a sentence needs a word: "... !" adds none
            sentences += 1
            start = match.end()
    return sentences + (1 if _WORD.search(text, start) else 0)


def _is_sentence_full_stop(token: str, text: str, after: int) -> bool:
    stem = token.rstrip(_CLOSERS).rstrip(".").lstrip(_OPENERS).lower()
    if stem in ABBREVIATIONS:
        return False
    # An ordinal or numbered item: "8. juni", "stk. 1", "1. januar"; a capital after it ends the sentence.
    if stem.isdigit():
        following = _NEXT_CHARACTER.match(text, after)
        if following and (following.group(1).islower() or following.group(1).isdigit()):
            return False
    return True


def lix(text: str) -> Lix:
    words = _WORD.findall(text)
    word_count = len(words)
    if word_count == 0:
        return Lix(0.0, 0, 0, 0)
    # Only a word of more than six characters can have more than six letters.
    long_words = sum(1 for w in words if len(w) > 6 and len(_LETTERS.findall(w)) > 6)
    sentences = max(count_sentences(text), 1)
    score = word_count / sentences + 100 * long_words / word_count
    return Lix(round(score, 1), word_count, sentences, long_words)
