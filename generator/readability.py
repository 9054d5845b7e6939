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


def count_sentences(text: str) -> int:
    sentences = 0
    pending = False  # words seen since the last sentence end
    for match in re.finditer(r"\S+", text):
        token = match.group()
        if _WORD.search(token):
            pending = True
        end = _END.search(token.rstrip(")»”\"'"))
        if not end or end.end() != len(token.rstrip(")»”\"'")):
            continue
        if token.rstrip(")»”\"'").endswith(".") and not _is_sentence_full_stop(token, text, match.end()):
            continue
        if pending:
            sentences += 1
            pending = False
    return sentences + (1 if pending else 0)


def _is_sentence_full_stop(token: str, text: str, after: int) -> bool:
    stem = token.rstrip(")»”\"'").rstrip(".").lstrip("(«„\"'").lower()
    if stem in ABBREVIATIONS:
        return False
    rest = text[after:].lstrip()
    # An ordinal or numbered item: "8. juni", "stk. 1", "1. januar"; a capital after it ends the sentence.
    if stem.isdigit() and rest[:1] and (rest[0].islower() or rest[0].isdigit()):
        return False
    return True


def lix(text: str) -> Lix:
    words = [w for w in _WORD.findall(text)]
    word_count = len(words)
    if word_count == 0:
        return Lix(0.0, 0, 0, 0)
    long_words = sum(1 for w in words if len(_LETTERS.findall(w)) > 6)
    sentences = max(count_sentences(text), 1)
    score = word_count / sentences + 100 * long_words / word_count
    return Lix(round(score, 1), word_count, sentences, long_words)
