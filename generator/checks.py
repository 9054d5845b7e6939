"""Legal checks on a built decision, before anything is rendered or written.

Errors stop the letter: a decision that does not fully grant but lacks legal basis, facts,
considerations or complaint guidance (FVL §§ 22, 24, 25); a reference that does not exist, is
not in force on the letter's date, or is a historic ruling. (Unknown phrases and unfilled
parameters stop the build itself, in documents/decision_letter.py.)

Warnings are printed and kept in each letter's record; --strict makes them errors. Messages
name fields and reference ids, never personal values. Nothing here knows about rendering.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field as dataclass_field
from typing import Any, Literal

from .calendar import ClosingCalendar, default_calendar
from .documents.decision_letter import DecisionLetters
from .readability import lix

LIX_LIMIT = 45  # DOMAIN.md section 6: 45 and above is "hard"


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    code: str
    message: str
    # The case-file field to change (e.g. "facts", "documents[1]", "dated"), and the facts behind
    # the message (dates, ids, scores): the web app words its Danish message from these.
    field: str = ""
    data: dict[str, Any] = dataclass_field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def check_decision(built: DecisionLetters, calendar: ClosingCalendar | None = None) -> list[Finding]:
    return [*_legal_errors(built), *_reference_errors(built), *_warnings(built, calendar or default_calendar())]


def _legal_errors(built: DecisionLetters) -> list[Finding]:
    case = built.case
    if case.decision.fully_grants:
        return []  # FVL § 22: a full grant needs no reason
    found = []
    what = f"a decision that is {case.decision.value} (not fully granted)"
    for recipient_letter in built.letters[:1]:
        if "begrundelse.regel" not in recipient_letter.slots:
            found.append(Finding("error", "no-legal-basis",
                                 f"{what} must state its legal basis (FVL § 24), but no phrase explains provision "
                                 f"{case.provision!r}; add a `begrundelse.regel` phrase for it"))
    if not case.facts:
        found.append(Finding("error", "no-facts", f"{what} must state the facts it rests on (FVL § 24): `facts` is empty", "facts"))
    if not case.considerations:
        found.append(Finding("error", "no-considerations",
                             f"{what} must state the main considerations (FVL § 24): `considerations` is empty",
                             "considerations"))
    for index, recipient_letter in enumerate(built.letters, start=1):
        if recipient_letter.guidance is None or not recipient_letter.guidance.section.blocks:
            found.append(Finding("error", "no-complaint-guidance",
                                 f"{what} must carry complaint guidance (FVL § 25): letter {index} has none",
                                 f"recipients[{index - 1}]", {"letter": index}))
    return found


def _reference_errors(built: DecisionLetters) -> list[Finding]:
    found = []
    case_refs = list(built.case.references)
    for citation in built.citations:
        if citation.problem:
            code = {"unknown": "unknown-reference", "ruling": "historic-ruling"}.get(citation.kind, "reference-not-in-force")
            if citation.id in case_refs:
                where = f"references[{case_refs.index(citation.id)}]"
            else:  # cited by the provision itself or by a phrase
                where = "provision" if citation.id == built.case.provision else "phrases"
            found.append(Finding("error", code, citation.problem, where, {"ref": citation.id, "dated": built.case.dated}))
    return found


def _warnings(built: DecisionLetters, calendar: ClosingCalendar) -> list[Finding]:
    case = built.case
    found = []
    if case.decision.adverse:
        next_day = case.dated + dt.timedelta(days=1)
        reason = calendar.closing_reason(next_day)
        if reason:
            found.append(Finding("warning", "sent-before-closing-day",
                                 f"a {case.decision.value} decision dated {case.dated} ({case.dated:%A}) reaches the citizen "
                                 f"just before a closing day ({next_day}: {reason}); consider dating it "
                                 f"{suggest_date(case.dated, calendar)}", "dated",
                                 {"dated": case.dated, "next_day": next_day, "reason": reason,
                                  "suggested": suggest_date(case.dated, calendar)}))
        if not case.phone_call:
            found.append(Finding("warning", "no-phone-call",
                                 f"a {case.decision.value} decision with no phone call recorded (`phone_call`): "
                                 "tell the citizen by phone before the letter is sent", "phone_call"))
    unseen = [i for i, doc in enumerate(case.documents) if not doc.seen_by_party]
    if unseen and not case.party_hearing:
        fields = ", ".join(f"documents[{i}]" for i in unseen)
        found.append(Finding("warning", "no-party-hearing",
                             f"{fields} not seen by the party and no party hearing recorded (`party_hearing`, FVL § 19)",
                             "party_hearing", {"documents": unseen}))
    for index, recipient_letter in enumerate(built.letters, start=1):
        score = lix(recipient_letter.letter.citizen_text).score
        if score > LIX_LIMIT:
            found.append(Finding("warning", "hard-to-read", f"letter {index} has LIX {score}, above {LIX_LIMIT}", "",
                                 {"letter": index, "score": score, "limit": LIX_LIMIT}))
    return found


def suggest_date(dated: dt.date, calendar: ClosingCalendar) -> str:
    """The next open day that is not itself followed by a closing day."""
    day = dated + dt.timedelta(days=1)
    while calendar.is_closing_day(day) or calendar.is_closing_day(day + dt.timedelta(days=1)):
        day += dt.timedelta(days=1)
    return day.isoformat()


# --- `brevgen check`: the library against the registry, and every example case ------------------


def library_problems(library, registry, as_of: dt.date) -> list[str]:
    """Phrases in force on `as_of` must cite references that exist and are in force that day."""
    problems = []
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        if not phrase.valid_on(as_of):
            continue
        for ref in phrase.cites:
            problem = registry.cite(ref, as_of).problem
            if problem:
                problems.append(f"{library.origins.get(phrase.id, phrase.id)}: phrase {phrase.id!r}: {problem}")
    return problems


def provisions_without_rule(library, routes) -> list[str]:
    """Provisions with a complaint route but no phrase explaining the rule: no letter can be built
    for a decision that does not fully grant under them (a gap the task forces found)."""
    explained = {p for phrase in library.phrases.values() if phrase.slot == "begrundelse.regel" for p in phrase.provisions}
    return sorted(r.provision for r in routes.routes if r.provision not in explained and r.route.value != "not_appealable")


def example_case_problems(paths_: list, as_of: dt.date) -> tuple[list[str], int]:
    """Build and check every example case as `brevgen letter` would (without rendering PDFs)."""
    from . import loading
    from .case import CaseFile
    from .documents.decision_letter import build_decision
    from .errors import BrevgenError

    problems, letters = [], 0
    for path in paths_:
        try:
            case = loading.load_model(CaseFile, path)
            if not case.example:
                problems.append(f"{path}: example cases must say `example: true`")
            built = build_decision(case, source=str(path), input_sha256="")
        except BrevgenError as exc:
            problems.append(f"{path}: {exc}")
            continue
        letters += len(built.letters)
        problems.extend(f"{path}: {f}" for f in check_decision(built) if f.level == "error")
    return problems, letters
