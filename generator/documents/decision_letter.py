"""The letters of a case: one `Letter` per recipient from a case file, of the file's `kind`.

A decision (afgørelse) is the main kind; the others (acknowledgement, party hearing, advance
notice, reconsideration outcome, follow-up conclusion, change of caseworker) are built the same
way from their own compositions in phrases/case_letters.yaml (`KINDS`).

Order of the letter (forvaltningsloven §§ 22-25 and the national task force's checklist; docs/reference.md): the decision first, what was applied for, the reason
(rule, facts, considerations, chosen phrases), the rules and practice cited (resolved on the
letter's date), what happens next, the documents relied on, complaint guidance for this
recipient's channel (unless the decision fully grants), contact, "Kopi til". Every word comes
from phrases; this module only chooses, orders and records. Legal checks live in checks.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from .. import loading
from ..addressing import for_reader
from ..calendar import default_calendar
from ..case import CaseFile, LetterKind
from ..deadlines import compute_deadline
from ..delivery.channels import ResolvedChannel, recipient_record, resolved_recipient
from ..errors import BrevgenError
from ..models import Recipient, Role
from ..processes import processing_times
from ..phrases import PhraseLibrary, RenderedPhrase, default_library
from ..readability import lix
from ..references import Citation, LawOnDate, Registry, default_registry
from .complaint_guidance import Guidance, guidance_section
from .model import Letter, Section

KIND = "afgoerelse"
REFERENCES = "afgoerelse.henvisninger"
GUIDANCE = "@guidance"  # the complaint guidance for this reader's channel
OWN, ABOUT = "own", "about"  # whose "du": the reader's own, or about the citizen (see addressing.py)


@dataclass(frozen=True)
class KindSpec:
    """One kind of letter: its file/record name, title and heading phrases, and its compositions
    in reading order, each marked as the reader's own or about the citizen."""

    slug: str
    title: str
    heading: str
    parts: tuple[tuple[str, str], ...]


_DECISION_PARTS = (
    ("afgoerelse.beslutning", ABOUT), ("afgoerelse.ansoegning", ABOUT), ("afgoerelse.begrundelse", ABOUT),
    (REFERENCES, ABOUT), ("afgoerelse.naeste", ABOUT), ("afgoerelse.grundlag", ABOUT), (GUIDANCE, OWN),
    ("afgoerelse.kontakt", OWN),
)
_INTRO = (("afgoerelse.modtager", OWN),)
_CONTACT = (("afgoerelse.kontakt", OWN),)

KINDS: dict[str, KindSpec] = {
    "decision": KindSpec(KIND, "afgoerelse.titel", "afgoerelse.overskrift", _INTRO + _DECISION_PARTS),
    "reconsideration_changed": KindSpec(
        "genvurdering", "genvurdering.titel", "genvurdering.overskrift.aendret",
        _INTRO + (("genvurdering.aendret", ABOUT),) + _DECISION_PARTS,
    ),
    "reconsideration_kept": KindSpec(
        "genvurdering", "genvurdering.titel", "genvurdering.overskrift.fastholdt",
        _INTRO + (("genvurdering.fastholdt", ABOUT), ("genvurdering.videresendt", OWN)) + _CONTACT,
    ),
    "acknowledgement": KindSpec(
        "kvittering", "kvittering.titel", "kvittering.overskrift",
        _INTRO + (("kvittering.modtaget", ABOUT), ("kvittering.svar", ABOUT)) + _CONTACT,
    ),
    "hearing": KindSpec(
        "partshoering", "partshoering.titel", "partshoering.overskrift",
        _INTRO + (("partshoering.indledning", ABOUT), ("partshoering.oplysninger", ABOUT), ("partshoering.frist", OWN))
        + _CONTACT,
    ),
    "advance_notice": KindSpec(
        "varsel", "varsel.titel", "varsel.overskrift",
        _INTRO + (("varsel.indledning", ABOUT), ("varsel.begrundelse", ABOUT), ("varsel.frist", OWN),
                  ("varsel.naeste", ABOUT)) + _CONTACT,
    ),
    "follow_up": KindSpec(
        "opfoelgning", "opfoelgning.titel", "opfoelgning.overskrift",
        _INTRO + (("opfoelgning.indhold", ABOUT), ("opfoelgning.konklusion", ABOUT)) + _CONTACT,
    ),
    "caseworker_change": KindSpec(
        "sagsbehandlerskift", "skift.titel", "skift.overskrift",
        _INTRO + (("skift.besked", ABOUT), ("skift.kontakt", OWN)),
    ),
}


def kind_spec(case: CaseFile) -> KindSpec:
    if case.kind is LetterKind.reconsideration:
        return KINDS["reconsideration_changed" if case.is_decision else "reconsideration_kept"]
    return KINDS[case.kind.value]


@dataclass(frozen=True)
class RecipientLetter:
    letter: Letter
    guidance: Guidance | None
    phrases: tuple[tuple[str, int], ...]
    slots: frozenset[str]  # slots filled by a phrase (for the legal checks)
    channel: ResolvedChannel | None = None  # the recipient's channel and where it came from


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


def chosen_phrases(case: CaseFile, library: PhraseLibrary, source: str, context: dict[str, Any],
                   compositions: tuple[str, ...]) -> dict[str, list]:
    """Check the caseworker's chosen phrases (exist, fit, filled) and group them by slot."""
    chosen_slots = {ref.slot for cid in compositions for ref in library.compositions[cid].slots if ref.chosen}
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
                f"{where}.id: phrase {choice.id!r} does not fit provision {case.provision!r} and decision "
                f"{case.decision.value if case.decision else None!r}"
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
    """Every letter of a case file, whatever its `kind` (a decision by default), one per recipient."""
    library = library or default_library()
    registry = registry or default_registry()
    profile = loading.profile()
    department = profile.department_name(case.department)
    case = normalised(case)
    on = case.dated
    spec = kind_spec(case)
    compositions = tuple(cid for cid, _ in spec.parts if not cid.startswith("@"))

    hjemmel = registry.cite(case.provision, on)
    if hjemmel.problem or hjemmel.kind != "rule":
        raise BrevgenError(f"{source}: provision: {hjemmel.problem or 'not a provision'}; the letter has no legal basis to cite (FVL § 24)")
    citizen = next((r for r in case.recipients if r.role is Role.citizen), None)
    citizen_name = case.party_name or (citizen.name if citizen else "")
    base = {
        "case": case,
        "kind": case.kind.value,
        "provision": case.provision,
        "decision": case.decision.value if case.decision else None,
        "applied": case.applied,
        "support_ends": case.support_ends,
        "hjemmel": hjemmel.facts,
        "profile": profile,
        "caseworker": case.caseworker,
        "citizen_name": citizen_name,
        **case_facts(case, source),
        "satser": registry.rates_on(on),  # the rate table on the letter's date (content/rates.yaml)
        "lov": LawOnDate(registry, on),  # lov['sel-100-stk2'].paragraph: a provision as cited that day
        "dated": on,
    }
    chosen = chosen_phrases(case, library, source, {**base, "recipient": {"role": "citizen", "channel": "digital"}},
                            compositions)

    letters = []
    all_refs: dict[str, Citation] = {}
    for index, recipient in enumerate(case.recipients):
        # The real channel first: it decides the date of receipt and the deadline (delivery/channels.py).
        recipient, resolved = resolved_recipient(recipient, "case_file")
        context = {**base, "recipient": {"role": recipient.role.value, "channel": recipient.channel.value},
                   **reader_facts(case, recipient)}
        parts: list[tuple[str, str, Section | None]] = []  # (composition, audience, section)
        used: list[RenderedPhrase] = []
        for cid, audience in spec.parts:
            if cid.startswith("@") or cid == REFERENCES:
                parts.append((cid, audience, None))  # filled below, once every phrase is known
                continue
            section, rendered = library.compose(cid, context, on, chosen)
            parts.append((cid, audience, section))
            used.extend(rendered)
        refs = list(dict.fromkeys([case.provision, *cited(used), *case.references]))
        citations = [registry.cite(ref, on) for ref in refs]

        guidance = None
        sections: list[Section] = []
        for cid, audience, section in parts:
            if cid == REFERENCES:
                section, rendered = library.compose(REFERENCES, {**context, **citation_lists(citations)}, on)
                used.extend(rendered)
            elif cid == GUIDANCE:
                if case.decision is None or case.decision.fully_grants:
                    continue
                guidance = guidance_section(
                    provision=case.provision, dated=on, recipient=recipient,
                    other_parties=len(case.recipients) - 1, case_number=case.case_number, profile=profile, library=library,
                )
                section = guidance.section
                citations.extend(registry.cite(ref, on) for ref in guidance.cites if ref not in refs)
            if audience == ABOUT:
                section = for_reader(section, recipient, case.recipients, citizen_name)
            sections.append(section)
        for citation in citations:
            all_refs.setdefault(citation.id, citation)

        phrases = tuple(dict.fromkeys([(p.id, p.version) for p in used] + list(guidance.phrases if guidance else ())))
        copies = tuple(
            library.render("afgoerelse.kopi", {**context, "copy": {"name": other.name, "role": other.role.value}}).blocks[0].text
            for other_index, other in enumerate(case.recipients) if other_index != index
        )
        letter = Letter(
            kind=spec.slug,
            title=_text(library, spec.title, context),
            heading=_text(library, spec.heading, context),
            dated=on,
            case_number=case.case_number,
            department=department,
            caseworker=case.caseworker,
            recipient=recipient,
            sender=profile,
            sections=tuple(s for s in sections if s.blocks),
            copies_to=copies,
        )
        record = _record(case, spec, letter, index, input_sha256, hjemmel, citations, guidance, phrases, context, resolved)
        letter = dataclasses.replace(letter, record=record)
        letters.append(RecipientLetter(letter, guidance, phrases, frozenset(_slots(library, used)), resolved))
    return DecisionLetters(case, source, hjemmel, tuple(all_refs.values()), tuple(letters))


build_case = build_decision  # every kind of letter goes through the same builder


def case_facts(case: CaseFile, source: str) -> dict[str, Any]:
    """Dates the rules compute for the whole case (not per reader)."""
    facts: dict[str, Any] = {"answer_by": None, "processing_weeks": None, "forward_limit": None}
    if case.kind is LetterKind.acknowledgement:
        assert case.application is not None
        weeks = processing_times().weeks_for(case.provision)
        if weeks is None:
            raise BrevgenError(
                f"{source}: provision: {case.provision!r} has no published processing time (`id`) in "
                "content/processing_times.yaml; an acknowledgement must state it (RSL § 3, stk. 2)"
            )
        facts["processing_weeks"] = weeks
        facts["answer_by"] = default_calendar().next_open_day(case.application.received + dt.timedelta(weeks=weeks))
    if case.reconsideration is not None:
        weeks = loading.case_letter_rules().reconsideration.forward_within_weeks
        facts["forward_limit"] = case.reconsideration.complaint_received + dt.timedelta(weeks=weeks)
    return facts


def reader_facts(case: CaseFile, recipient: Recipient) -> dict[str, Any]:
    """Dates that follow this reader's channel: the day they can comment by (hearing, advance notice)."""
    rules = loading.case_letter_rules()
    period = {LetterKind.hearing: rules.hearing, LetterKind.advance_notice: rules.advance_notice}.get(case.kind)
    if period is None:
        return {"comment": None}
    return {"comment": compute_deadline(case.dated, recipient.channel, period.weeks)}


def _text(library: PhraseLibrary, phrase_id: str, context: dict[str, Any]) -> str:
    return " ".join(block.text for block in library.render(phrase_id, context).blocks)


def _slots(library: PhraseLibrary, used: list[RenderedPhrase]) -> set[str]:
    return {library.phrases[p.id].slot for p in used if library.phrases[p.id].slot}


def _record(case, spec, letter, index, input_sha256, hjemmel, citations, guidance, phrases, context, resolved) -> dict[str, Any]:
    readability = lix(letter.citizen_text)
    dates = {
        name: value.isoformat() for name, value in (
            ("answer_by", context["answer_by"]), ("support_ends", case.support_ends),
            ("advance_notice", case.advance_notice),
        ) if value is not None
    }
    if context["comment"] is not None:
        dates["comment_by"] = context["comment"].as_record()
    if case.reconsideration is not None:
        dates["reconsideration"] = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                    for k, v in case.reconsideration.model_dump(mode="json").items()}
    return {
        "kind": spec.slug,
        "case_kind": case.kind.value,
        "input_sha256": input_sha256,
        "case_number": case.case_number,
        "provision": case.provision,
        "decision": case.decision.value if case.decision else None,
        "dated": case.dated.isoformat(),
        "recipient": recipient_record(letter.recipient, index, resolved),
        "phrases": [{"id": pid, "version": version} for pid, version in phrases],
        "references": [c.as_record() for c in citations],
        "rules_applied": {
            "legal_basis": hjemmel.as_record(),
            "complaint_route": guidance.route.route.value if guidance else None,
            "deadline_rule": guidance.deadline.rule_set if guidance and guidance.deadline else None,
            **({"processing_weeks": context["processing_weeks"]} if context["processing_weeks"] else {}),
        },
        "deadlines": {"complaint": guidance.deadline.as_record() if guidance and guidance.deadline else None},
        "dates": dates,
        "complaint": guidance.as_record() if guidance else None,
        "lix": {"score": readability.score, "band": readability.band},
        "warnings": [],
    }


def with_warnings(built: DecisionLetters, warnings: list[str]) -> list[Letter]:
    """The letters with the checks' warnings in their records (printed and kept, per the issue)."""
    return [dataclasses.replace(rl.letter, record={**rl.letter.record, "warnings": list(warnings)}) for rl in built.letters]
