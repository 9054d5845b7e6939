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

from .addressing import SECOND_PERSON, speaks_for_self, starts_with_deres
from .calendar import ClosingCalendar, default_calendar
from .case import LetterKind
from .deadlines import receipt_date
from .documents.decision_letter import ABOUT, DecisionLetters, kind_spec
from .case import DecisionType

LIX_LIMIT = 45  # LIX 45 and above is "hard" (svær) in the Danish bands (readability.Lix.band)


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning", "note"]  # note: cites something not confirmed (--strict: an error)
    code: str
    message: str
    # The case-file field to change (e.g. "facts", "documents[1]", "dated"), and the facts behind
    # the message (dates, ids, scores): the web app words its Danish message from these.
    field: str = ""
    data: dict[str, Any] = dataclass_field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def check_decision(built: DecisionLetters, calendar: ClosingCalendar | None = None) -> list[Finding]:
    calendar = calendar or default_calendar()
    return [*_legal_errors(built), *_wording_errors(built), *_reference_errors(built), *_warnings(built, calendar),
            *_kind_findings(built, calendar)]


check_case = check_decision  # every kind of letter


def _legal_errors(built: DecisionLetters) -> list[Finding]:
    case = built.case
    if not case.is_decision or case.decision.fully_grants:
        return []  # FVL § 22: a full grant needs no reason; the other letters are not decisions
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
    if case.overall_assessment is None:
        found.append(Finding("error", "no-overall-assessment",
                             f"{what} must state the result of the overall assessment (RSL § 5): "
                             "`overall_assessment` is missing (`other_help: []` when there is no other help)",
                             "overall_assessment"))
    for index, recipient_letter in enumerate(built.letters, start=1):
        if recipient_letter.guidance is None or not recipient_letter.guidance.section.blocks:
            found.append(Finding("error", "no-complaint-guidance",
                                 f"{what} must carry complaint guidance (FVL § 25): letter {index} has none",
                                 f"recipients[{index - 1}]", {"letter": index}))
    return found


def _wording_errors(built: DecisionLetters) -> list[Finding]:
    """Who "du" is, and no "Deres" (issue 11): checked on the finished text of every letter."""
    found = []
    spec = kind_spec(built.case)
    about = [cid for cid, audience in spec.parts if audience == ABOUT]
    for index, rl in enumerate(built.letters, start=1):
        letter = rl.letter
        for section in letter.sections:
            text = "\n".join([section.heading, section.plain_text])
            if starts_with_deres(text):
                found.append(Finding("error", "deres-third-party",
                                     f"letter {index}: a sentence begins with \"Deres\" (section {section.heading!r}); "
                                     "it reads as the polite \"your\": name whom it is about", "phrases",
                                     {"letter": index, "section": section.heading}))
        if speaks_for_self(letter.recipient, built.case.recipients):
            continue
        for section in letter.sections:
            if not set(section.phrase_ids) & _about_phrases(built, about):
                continue
            if SECOND_PERSON.search(section.heading + "\n" + section.plain_text):
                found.append(Finding("error", "du-ambiguous",
                                     f"letter {index} ({letter.recipient.role.value}): section {section.heading!r} is about "
                                     "the citizen but says \"du\"; in this letter \"du\" is the reader", "phrases",
                                     {"letter": index, "section": section.heading}))
    return found


def _about_phrases(built: DecisionLetters, about: list[str]) -> set[str]:
    from .phrases import default_library

    library = default_library()
    slots = {ref.slot for cid in about if cid in library.compositions for ref in library.compositions[cid].slots}
    return {pid for pid, phrase in library.phrases.items() if phrase.slot in slots}


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


def unconfirmed_findings(built: DecisionLetters) -> list[Finding]:
    """A cited law, rate or document nobody could confirm at a public source (`confirmed: false`
    in the registry). Not a fault of the letter, so a note (printed; each cited reference's record
    says `unconfirmed`), but `--strict` refuses the letter until the lawyer has confirmed it."""
    return [Finding("note", "unconfirmed-reference", f"{c.id}: {c.unconfirmed} (see `brevgen check`)")
            for c in built.citations if c.unconfirmed and not c.problem]


def _warnings(built: DecisionLetters, calendar: ClosingCalendar) -> list[Finding]:
    case = built.case
    found = []
    if case.is_decision and case.decision.adverse:
        channels = [r.channel for r in case.recipients]
        late, late_letters = [], []
        for index, recipient in enumerate(case.recipients, start=1):
            problem = receipt_problem(case.dated, recipient.channel, calendar)
            if problem:
                late.append(f"letter {index} ({recipient.role.value}, {recipient.channel.value}) {problem}")
                late_letters.append(index)
        if late:
            found.append(Finding("warning", "sent-before-closing-day",
                                 f"a {case.decision.value} decision dated {case.dated} ({case.dated:%A}) reaches its reader "
                                 f"just before a closing day: {'; '.join(late)}; consider dating it "
                                 f"{suggest_date(case.dated, calendar, channels)}", "dated",
                                 {"dated": case.dated, "letters": late_letters,
                                  "suggested": suggest_date(case.dated, calendar, channels)}))
    if case.is_decision and case.decision in (DecisionType.stopped, DecisionType.changed) and not case.applied \
            and case.advance_notice is None:
        found.append(Finding("warning", "no-advance-notice",
                             f"a {case.decision.value} decision with no advance notice recorded (`advance_notice`): "
                             "send an advance notice (kind: advance_notice) before support is stopped or reduced",
                             "advance_notice"))
    if case.is_decision and case.decision.adverse:
        if not case.phone_call:
            found.append(Finding("warning", "no-phone-call",
                                 f"a {case.decision.value} decision with no phone call recorded (`phone_call`): "
                                 "tell the citizen by phone before the letter is sent", "phone_call"))
    unseen = [i for i, doc in enumerate(case.documents) if not doc.seen_by_party]
    if unseen and not case.party_hearing and case.is_decision:
        fields = ", ".join(f"documents[{i}]" for i in unseen)
        found.append(Finding("warning", "no-party-hearing",
                             f"{fields} not seen by the party and no party hearing recorded (`party_hearing`, FVL § 19)",
                             "party_hearing", {"documents": unseen}))
    for index, recipient_letter in enumerate(built.letters, start=1):
        resolved = recipient_letter.channel
        if resolved is not None and resolved.contradicts:
            role = recipient_letter.letter.recipient.role.value
            found.append(Finding("warning", "channel-contradicts-lookup", resolved.warning(f"letter {index} ({role})")))
    for index, recipient_letter in enumerate(built.letters, start=1):
        score = recipient_letter.letter.record["lix"]["score"]  # measured once, when the record was built
        if score > LIX_LIMIT:
            found.append(Finding("warning", "hard-to-read", f"letter {index} has LIX {score}, above {LIX_LIMIT}", "",
                                 {"letter": index, "score": score, "limit": LIX_LIMIT}))
    return found


def _kind_findings(built: DecisionLetters, calendar: ClosingCalendar) -> list[Finding]:
    """Checks of the other letters of a case."""
    case, found = built.case, []
    if case.reconsideration is not None and case.reconsideration.forwarded_on is not None:
        from . import loading

        weeks = loading.case_letter_rules().reconsideration.forward_within_weeks
        limit = calendar.next_open_day(case.reconsideration.complaint_received + dt.timedelta(weeks=weeks))
        if case.reconsideration.forwarded_on > limit:
            found.append(Finding("warning", "forwarded-late",
                                 f"reconsideration.forwarded_on {case.reconsideration.forwarded_on} is more than {weeks} weeks "
                                 f"after the complaint was received (RSL § 66: by {limit})", "reconsideration.forwarded_on",
                                 {"weeks": weeks, "limit": limit}))
    if case.kind is LetterKind.acknowledgement:
        answer_by = built.letters[0].letter.record.get("dates", {}).get("answer_by")
        if answer_by and answer_by < case.dated.isoformat():
            found.append(Finding("warning", "processing-time-passed",
                                 f"the published processing time ended {answer_by}, before the letter's date {case.dated}: "
                                 "tell the citizen when an answer can be expected instead (RSL § 3, stk. 2)", "dated",
                                 {"answer_by": answer_by}))
    return found


def receipt_problem(dated: dt.date, channel, calendar: ClosingCalendar) -> str | None:
    """Why a letter dated `dated` reaches its reader badly: received on a closing day, or the day
    before one (they cannot call us the next day). None if it arrives well."""
    received = receipt_date(dated, channel, calendar=calendar)
    reason = calendar.closing_reason(received)
    if reason:
        return f"is received on {received}, a closing day ({reason})"
    next_day = received + dt.timedelta(days=1)
    reason = calendar.closing_reason(next_day)
    if reason:
        return f"is received on {received}, just before a closing day ({next_day}: {reason})"
    return None


def suggest_date(dated: dt.date, calendar: ClosingCalendar, channels=None) -> str:
    """The first open day after `dated` on which a letter reaches every reader, on their own
    channel, on an open day that is not followed by a closing day."""
    from .models import Channel

    channels = list(channels or [Channel.digital])
    day = dated + dt.timedelta(days=1)
    for _ in range(366):
        if not calendar.is_closing_day(day) and not any(receipt_problem(day, c, calendar) for c in channels):
            return day.isoformat()
        day += dt.timedelta(days=1)
    raise AssertionError("no date within a year reaches every reader on an open day")  # closing days are rare


# --- `brevgen check`: the library against the registry, and every example case ------------------


def library_problems(library, registry, as_of: dt.date) -> list[str]:
    """Phrases in force on `as_of` must cite references that exist and are in force that day,
    cite every rate their text uses, tie rate parameters to rates that exist, and never write a
    consolidated act's number into their text (the registry supplies it, by date)."""
    from .references import hardcoded_citations, laws_used, rates_used

    problems = []
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        where = f"{library.origins.get(phrase.id, phrase.id)}: phrase {phrase.id!r}"
        for rate in sorted(rates_used(phrase.text or "") - set(phrase.cites)):
            problems.append(f"{where}: uses satser.{rate} but does not cite {rate!r} (add it to `cites`)")
        for ref in sorted(laws_used(phrase.text or "") - set(phrase.cites)):
            problems.append(f"{where}: uses lov[{ref!r}] but does not cite {ref!r} (add it to `cites`)")
        for name, spec in phrase.params.items():
            if spec.rate and spec.rate not in registry.rates:
                problems.append(f"{where}: parameter {name!r} takes its amount from unknown rate {spec.rate!r}")
        for found in hardcoded_citations(phrase.text or ""):
            problems.append(f"{where}: the text cites {found!r} itself; cite the act through the registry instead")
        if not phrase.valid_on(as_of):
            continue
        if phrase.text and starts_with_deres(phrase.text):
            problems.append(f"{library.origins.get(phrase.id, phrase.id)}: phrase {phrase.id!r}: a sentence begins with "
                            "\"Deres\", which reads as the polite \"your\"; name whom it is about")
        for ref in phrase.cites:
            problem = registry.cite(ref, as_of).problem
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


def provisions_without_rule(library, routes, registry=None) -> list[str]:
    """Provisions with a complaint route but no phrase explaining the rule: no letter can be built
    for a decision that does not fully grant under them (a gap the task forces found). A route for
    something that is not a provision in the registry (e.g. the children and young people's
    committee) serves standalone complaint guidance only and is not listed."""
    explained = {p for phrase in library.phrases.values() if phrase.slot == "begrundelse.regel" for p in phrase.provisions}
    return sorted(
        r.provision for r in routes.routes
        if r.provision not in explained and r.route.value != "not_appealable"
        and (registry is None or r.provision in registry.provisions)
    )


def development_plan_problems(plan: list[str], library, routes, registry, case_provisions: set[str]) -> list[str]:
    """Every provision the municipality decides under (content/development_plan.yaml) must be in
    the registry and have a complaint route, a phrase explaining its rule and an example case."""
    explained = {p for phrase in library.phrases.values() if phrase.slot == "begrundelse.regel" for p in phrase.provisions}
    routed = {r.provision for r in routes.routes}
    problems = []
    for provision in plan:
        where = f"content/development_plan.yaml: provision {provision!r}"
        if provision not in registry.provisions:
            problems.append(f"{where} is not in the reference registry (content/references/)")
        if provision not in routed:
            problems.append(f"{where} has no complaint route (content/complaint_routes.yaml)")
        if provision not in explained:
            problems.append(f"{where} has no phrase explaining its rule (slot begrundelse.regel in phrases/)")
        if provision not in case_provisions:
            problems.append(f"{where} has no example case (content/examples/cases/)")
    return problems


# Names every phrase text may use without declaring them: the case context the letter builders pass.
CONTEXT_NAMES = frozenset({
    "case", "provision", "decision", "hjemmel", "profile", "caseworker", "citizen_name", "recipient", "copy",
    "rules", "documents", "standards", "rulings", "satser",
})


def phrase_parameter_problems(library) -> tuple[list[str], list[str]]:
    """Typed parameters (params.py): a phrase that declares `params` must declare every
    other name its text uses. Returns (problems, chosen phrases that still take untyped values)."""
    import jinja2
    from jinja2 import meta

    from .phrases import text_environment

    env = text_environment()  # knows the phrase filters (dato, kroner, ...)
    chosen_slots = {ref.slot for c in library.compositions.values() for ref in c.slots if ref.chosen}
    problems, untyped = [], []
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        if phrase.text is None:
            continue
        try:
            names = meta.find_undeclared_variables(env.parse(phrase.text)) - CONTEXT_NAMES
        except jinja2.TemplateSyntaxError:
            continue  # reported by PhraseLibrary.compile_all

        undeclared = sorted(names - set(phrase.params))
        if phrase.params and undeclared:
            problems.append(f"{library.origins.get(phrase.id, phrase.id)}: phrase {phrase.id!r} uses "
                            f"{', '.join(undeclared)} but does not declare {'it' if len(undeclared) == 1 else 'them'} under `params`")
        elif phrase.slot in chosen_slots and undeclared:
            untyped.append(phrase.id)
    return problems, untyped


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
