"""Decision letters (afgørelser): one `Letter` per recipient from a case file.

Order of the letter (DOMAIN.md section 2): the decision first, what was applied for, the reason
(rule, facts, considerations, chosen phrases), the rules and practice cited (resolved on the
letter's date), what happens next, the documents relied on, complaint guidance for this
recipient's channel (unless the decision fully grants), contact, "Kopi til". Every word comes
from phrases; this module only chooses, orders and records. Legal checks live in checks.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .. import loading
from ..case import CaseFile
from ..errors import BrevgenError
from ..models import Role
from ..phrases import PhraseLibrary, RenderedPhrase, default_library
from ..readability import lix
from ..references import Citation, LawOnDate, Registry, default_registry
from .complaint_guidance import Guidance, guidance_section
from .model import Letter, Section

KIND = "afgoerelse"
BEFORE_REFERENCES = ("afgoerelse.beslutning", "afgoerelse.ansoegning", "afgoerelse.begrundelse")
REFERENCES = "afgoerelse.henvisninger"
AFTER_REFERENCES = ("afgoerelse.naeste", "afgoerelse.grundlag")
CLOSING = ("afgoerelse.kontakt",)
COMPOSITIONS = (*BEFORE_REFERENCES, REFERENCES, *AFTER_REFERENCES, CLOSING[0])


@dataclass(frozen=True)
class RecipientLetter:
    letter: Letter
    guidance: Guidance | None
    phrases: tuple[tuple[str, int], ...]
    slots: frozenset[str]  # slots filled by a phrase (for the legal checks)


@dataclass(frozen=True)
class DecisionLetters:
    """Everything built for one case, before checks and rendering."""

    case: CaseFile
    source: str
    hjemmel: Citation
    citations: tuple[Citation, ...]  # every reference cited by the letters, resolved on their date
    letters: tuple[RecipientLetter, ...]


def one_line(text: str) -> str:
    """Case text is printed as one paragraph or list item: line breaks in YAML are not structure."""
    return " ".join(text.split())


def normalised(case: CaseFile) -> CaseFile:
    return case.model_copy(update={
        "facts": tuple(one_line(f) for f in case.facts),
        "considerations": tuple(one_line(c) for c in case.considerations),
    })


def chosen_phrases(case: CaseFile, library: PhraseLibrary, source: str, context: dict[str, Any]) -> dict[str, list]:
    """Check the caseworker's chosen phrases (exist, fit, filled) and group them by slot."""
    chosen_slots = {ref.slot for cid in COMPOSITIONS for ref in library.compositions[cid].slots if ref.chosen}
    by_slot: dict[str, list] = {}
    for index, choice in enumerate(case.phrases):
        where = f"{source}: phrases[{index}]"
        if choice.id not in library.phrases:
            raise BrevgenError(f"{where}.id: unknown phrase id {choice.id!r}")
        phrase = library.phrases[choice.id]
        if phrase.slot not in chosen_slots:
            raise BrevgenError(f"{where}.id: phrase {choice.id!r} cannot be chosen (allowed slots: {', '.join(sorted(chosen_slots))})")
        if not library.fits(phrase, context):
            raise BrevgenError(
                f"{where}.id: phrase {choice.id!r} does not fit provision {case.provision!r} and decision {case.decision.value!r}"
            )
        if not phrase.valid_on(case.dated):
            raise BrevgenError(f"{where}.id: phrase {choice.id!r} is not valid on {case.dated}")
        try:
            params = library.typed_params(choice.id, {**context, **choice.params}, given=choice.params)
            library.render(choice.id, params)
        except BrevgenError as exc:
            raise BrevgenError(f"{where}.params: {exc}") from None
        by_slot.setdefault(phrase.slot, []).append((choice.id, {name: params[name] for name in choice.params}))
    return by_slot


def citation_lists(citations: list[Citation]) -> dict[str, list[dict]]:
    """The cited references, grouped the way the reference phrase lists them."""
    fine = [c for c in citations if not c.problem]
    rules = [c.facts for c in fine if c.kind == "rule"]
    # "§ 100" says less than "§ 100, stk. 2" of the same act: list only the exact subsection.
    exact = {(r["act"], r["section"]) for r in rules if r.get("stk")}
    rules = [r for r in rules if r.get("stk") or (r["act"], r.get("section")) not in exact]
    return {
        "rules": rules,
        "standards": [c.facts for c in fine if c.kind == "quality_standard"],
        "rulings": [c.facts for c in fine if c.kind == "ruling"],
        "documents": [c.facts for c in fine if c.kind == "document"],
    }


def cited(rendered: list[RenderedPhrase]) -> list[str]:
    return [ref for phrase in rendered for ref in phrase.cites]


def build_decision(
    case: CaseFile,
    *,
    source: str,
    input_sha256: str,
    library: PhraseLibrary | None = None,
    registry: Registry | None = None,
) -> DecisionLetters:
    library = library or default_library()
    registry = registry or default_registry()
    profile = loading.profile()
    department = profile.department_name(case.department)
    case = normalised(case)
    on = case.dated

    hjemmel = registry.cite(case.provision, on)
    if hjemmel.problem or hjemmel.kind != "rule":
        raise BrevgenError(f"{source}: provision: {hjemmel.problem or 'not a provision'}; the decision has no legal basis to cite (FVL § 24)")
    citizen = next((r for r in case.recipients if r.role is Role.citizen), None)
    base = {
        "case": case,
        "provision": case.provision,
        "decision": case.decision.value,
        "hjemmel": hjemmel.facts,
        "profile": profile,
        "caseworker": case.caseworker,
        "citizen_name": case.party_name or (citizen.name if citizen else ""),
        "satser": registry.rates_on(on),  # the rate table on the letter's date (content/rates.yaml)
        "lov": LawOnDate(registry, on),  # lov['sel-100-stk2'].paragraph: a provision as cited that day
        "dated": on,
    }
    chosen = chosen_phrases(case, library, source, {**base, "recipient": {"role": "citizen", "channel": "digital"}})

    letters = []
    all_refs: dict[str, Citation] = {}
    for index, recipient in enumerate(case.recipients):
        context = {**base, "recipient": {"role": recipient.role.value, "channel": recipient.channel.value}}
        sections: list[Section] = []
        used: list[RenderedPhrase] = []
        for cid in BEFORE_REFERENCES:
            section, rendered = library.compose(cid, context, on, chosen)
            sections.append(section)
            used.extend(rendered)
        later = []
        for cid in AFTER_REFERENCES:
            section, rendered = library.compose(cid, context, on, chosen)
            later.append(section)
            used.extend(rendered)
        refs = list(dict.fromkeys([case.provision, *cited(used), *case.references]))
        citations = [registry.cite(ref, on) for ref in refs]
        section, rendered = library.compose(REFERENCES, {**context, **citation_lists(citations)}, on)
        sections.append(section)
        used.extend(rendered)
        sections.extend(later)

        guidance = None
        if not case.decision.fully_grants:
            guidance = guidance_section(
                provision=case.provision, dated=on, recipient=recipient,
                other_parties=len(case.recipients) - 1, case_number=case.case_number, profile=profile, library=library,
            )
            sections.append(guidance.section)
            citations.extend(registry.cite(ref, on) for ref in guidance.cites if ref not in refs)
        for cid in CLOSING:
            section, rendered = library.compose(cid, context, on, chosen)
            sections.append(section)
            used.extend(rendered)
        for citation in citations:
            all_refs.setdefault(citation.id, citation)

        phrases = tuple(dict.fromkeys([(p.id, p.version) for p in used] + list(guidance.phrases if guidance else ())))
        copies = tuple(
            library.render("afgoerelse.kopi", {**context, "copy": {"name": other.name, "role": other.role.value}}).blocks[0].text
            for other in case.recipients if other is not recipient
        )
        letter = Letter(
            kind=KIND,
            title=_text(library, "afgoerelse.titel", context),
            heading=_text(library, "afgoerelse.overskrift", context),
            dated=on,
            case_number=case.case_number,
            department=department,
            caseworker=case.caseworker,
            recipient=recipient,
            sender=profile,
            sections=tuple(s for s in sections if s.blocks),
            copies_to=copies,
        )
        letter = dataclasses.replace(letter, record=_record(case, letter, index, input_sha256, hjemmel, citations, guidance, phrases))
        letters.append(RecipientLetter(letter, guidance, phrases, frozenset(_slots(library, used))))
    return DecisionLetters(case, source, hjemmel, tuple(all_refs.values()), tuple(letters))


def _text(library: PhraseLibrary, phrase_id: str, context: dict[str, Any]) -> str:
    return " ".join(block.text for block in library.render(phrase_id, context).blocks)


def _slots(library: PhraseLibrary, used: list[RenderedPhrase]) -> set[str]:
    return {library.phrases[p.id].slot for p in used if library.phrases[p.id].slot}


def _record(case, letter, index, input_sha256, hjemmel, citations, guidance, phrases) -> dict[str, Any]:
    readability = lix(letter.citizen_text)
    return {
        "kind": KIND,
        "input_sha256": input_sha256,
        "case_number": case.case_number,
        "provision": case.provision,
        "decision": case.decision.value,
        "dated": case.dated.isoformat(),
        "recipient": {"index": index + 1, "role": letter.recipient.role.value, "channel": letter.channel.value},
        "phrases": [{"id": pid, "version": version} for pid, version in phrases],
        "references": [c.as_record() for c in citations],
        "rules_applied": {
            "legal_basis": hjemmel.as_record(),
            "complaint_route": guidance.route.route.value if guidance else None,
            "deadline_rule": guidance.deadline.rule_set if guidance and guidance.deadline else None,
        },
        "deadlines": {"complaint": guidance.deadline.as_record() if guidance and guidance.deadline else None},
        "complaint": guidance.as_record() if guidance else None,
        "lix": {"score": readability.score, "band": readability.band},
        "warnings": [],
    }


def with_warnings(built: DecisionLetters, warnings: list[str]) -> list[Letter]:
    """The letters with the checks' warnings in their records (printed and kept, per the issue)."""
    return [dataclasses.replace(rl.letter, record={**rl.letter.record, "warnings": list(warnings)}) for rl in built.letters]
