"""Complaint guidance (klagevejledning) for one decision and one recipient.

Used two ways: as a section inside a decision letter (`guidance_section`) and as a standalone
attachment (`guidance_letters`, for `brevgen guidance`). Each recipient gets the deadline of
their own delivery channel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .. import loading
from ..deadlines import Deadline, compute_deadline
from ..errors import BrevgenError
from ..models import ComplaintRoute, GuidanceRequest, Profile, Recipient, RouteKind
from ..phrases import PhraseLibrary, default_library
from ..readability import lix
from .model import Letter, Section

COMPOSITION = "klagevejledning"


@dataclass(frozen=True)
class Guidance:
    section: Section
    route: ComplaintRoute
    deadline: Deadline | None  # None when the decision cannot be appealed
    phrases: tuple[tuple[str, int], ...]  # (id, version)
    cites: tuple[str, ...]

    def as_record(self) -> dict[str, Any]:
        return {
            "route": self.route.route.value,
            "route_source": self.route.source,
            "deadline": self.deadline.as_record() if self.deadline else None,
            "phrases": [{"id": pid, "version": version} for pid, version in self.phrases],
        }


def complaint_route(provision: str) -> ComplaintRoute:
    route = loading.complaint_routes().for_provision(provision)
    if route is None:
        known = ", ".join(r.provision for r in loading.complaint_routes().routes)
        raise BrevgenError(
            f"provision {provision!r} has no complaint route in content/complaint_routes.yaml (known: {known})"
        )
    return route


def guidance_section(
    *,
    provision: str,
    dated: dt.date,
    recipient: Recipient,
    other_parties: int,
    case_number: str,
    profile: Profile | None = None,
    library: PhraseLibrary | None = None,
) -> Guidance:
    profile = profile or loading.profile()
    library = library or default_library()
    route = complaint_route(provision)
    deadline = None
    if route.route is not RouteKind.not_appealable:
        weeks = route.weeks or loading.complaint_routes().default_weeks
        deadline = compute_deadline(dated, recipient.channel, weeks)
    context = {
        "channel": recipient.channel.value,
        "route": route.route.value,
        "route_source": route.source,
        "route_explanation": route.explanation,
        "deadline": deadline,
        "other_parties": other_parties,
        "case_number": case_number,
        "profile": profile,
    }
    section, used = library.compose(COMPOSITION, context, dated)
    return Guidance(
        section=section,
        route=route,
        deadline=deadline,
        phrases=tuple((p.id, p.version) for p in used),
        cites=tuple(dict.fromkeys(c for p in used for c in p.cites)),
    )


def guidance_letters(request: GuidanceRequest, *, input_sha256: str) -> list[Letter]:
    """One standalone complaint guidance per recipient of the decision."""
    from ..delivery.channels import recipient_record, resolved_recipient

    profile = loading.profile()
    department = profile.department_name(request.department)
    letters = []
    for index, recipient in enumerate(request.recipients):
        recipient, resolved = resolved_recipient(recipient, "case_file")
        guidance = guidance_section(
            provision=request.provision,
            dated=request.dated,
            recipient=recipient,
            other_parties=len(request.recipients) - 1,
            case_number=request.case_number,
            profile=profile,
        )
        readability = lix(guidance.section.plain_text)
        letters.append(
            Letter(
                kind="klagevejledning",
                title=f"Klagevejledning - {profile.name}",
                heading=f"Klagevejledning til afgørelse om {request.subject}",
                dated=request.dated,
                case_number=request.case_number,
                department=department,
                caseworker=request.caseworker,
                recipient=recipient,
                sender=profile,
                sections=(guidance.section,),
                record={
                    "kind": "klagevejledning",
                    "input_sha256": input_sha256,
                    "case_number": request.case_number,
                    "provision": request.provision,
                    "dated": request.dated.isoformat(),
                    "recipient": recipient_record(recipient, index, resolved),
                    "complaint": guidance.as_record(),
                    "references": list(guidance.cites),
                    "lix": {"score": readability.score, "band": readability.band},
                    "warnings": ([f"channel-contradicts-lookup: {resolved.warning(f'recipient {index + 1} ({recipient.role.value})')}"]
                                 if resolved.contradicts else []),
                },
            )
        )
    return letters
