"""The case file: a caseworker's structured decision, input to `brevgen letter`.

Schema (YAML or JSON; every field below, unknown fields are errors):

    example: true                      # invented data says so
    kind: decision                     # which letter (default decision); see LetterKind below
    case_number: 2026-0142
    provision: sel-85                  # a provision id in the registry (content/references/)
    decision: partly_granted           # granted | partly_granted | rejected | stopped | changed
    department: voksen                 # a department id in content/profile.yaml
    dated: 2026-05-11                  # the letter's date
    caseworker: Sagsbehandler Eksempel
    party_name: Fiktivt Barn           # whom the decision is about, if not among the recipients
    application: {received: 2026-03-02, applied_for: "socialpædagogisk støtte 6 timer om ugen"}
    granted:                           # what is granted (granted, partly granted, changed)
      {scope: "3 timer om ugen", start: 2026-06-01, provider: "...", follow_up: 2026-12-01}
    stops_on: 2026-06-30               # for a decision that stops or changes support
    own_initiative: true               # stopped/changed without an application (default for those)
    advance_notice: 2026-05-20         # the date of the advance notice (varsel) before a stop or reduction
    overall_assessment:                # RSL § 5: its RESULT (required unless the decision fully grants)
      other_help: ["..."]              # help under other rules the citizen can get; [] for none
      note: "..."                      # optional: anything else the caseworker wants to say
    facts: ["...", ...]                # the essential facts (FVL § 24)
    considerations: ["...", ...]       # the main considerations (FVL § 24)
    references: [ks-sel-85#3, pa-e-11-24]  # quality-standard sections and rulings the caseworker cites
    documents:                         # what the decision builds on
      - {title: "...", dated: 2026-03-20, seen_by_party: true}
    party_hearing: true                # partshøring held (FVL § 19)
    phone_call: true                   # the citizen was told by phone before a rejection
    recipients: [...]                  # citizen, guardian, representative: address and channel
    phrases:                           # phrases chosen by the caseworker, with their parameters
      - {id: begrundelse.valgt.timer, params: {timer: 3}}

The other letters of a case (`kind`) use the same file with their own block:

    kind: acknowledgement              # kvittering: needs `application`; the answer date comes from
                                       # content/processing_times.yaml (RSL § 3, stk. 2)
    kind: hearing                      # partshøring (FVL § 19): `facts` = the information the decision
                                       # will rest on, `documents`; optional `decision` = what we consider
    kind: advance_notice               # varsel before a stop or reduction: `decision` stopped|changed,
                                       # `application` (the support now), `stops_on` or `granted`, `facts`
    kind: reconsideration              # genvurdering (RSL § 66):
    reconsideration: {complaint_received: 2026-10-01, decision_dated: 2026-09-15,
                      outcome: kept, forwarded_on: 2026-10-20}   # or outcome: changed + a full decision
    kind: follow_up                    # opfølgning (SEL § 148):
    follow_up: {followed_up_on: 2026-11-02, support: "...", what: ["..."], conclusion: "...", continues: true}
    kind: caseworker_change            # ny sagsbehandler:
    new_caseworker: {name: "...", phone: "...", email: "...", starts: 2026-12-01}
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from pydantic import Field, model_validator

from .models import Model, Recipient


class LetterKind(str, Enum):
    """Which letter of a case the file asks for. The caseworker never picks a template file."""

    decision = "decision"
    acknowledgement = "acknowledgement"
    hearing = "hearing"
    advance_notice = "advance_notice"
    reconsideration = "reconsideration"
    follow_up = "follow_up"
    caseworker_change = "caseworker_change"


class DecisionType(str, Enum):
    granted = "granted"
    partly_granted = "partly_granted"
    rejected = "rejected"
    stopped = "stopped"
    changed = "changed"

    @property
    def fully_grants(self) -> bool:
        """FVL § 22: only a decision that gives the party all that was asked needs no reason."""
        return self is DecisionType.granted

    @property
    def adverse(self) -> bool:
        """A decision that takes away or refuses help: told by phone first, not sent before a weekend."""
        return self in (DecisionType.rejected, DecisionType.partly_granted, DecisionType.stopped)


class Application(Model):
    received: dt.date
    applied_for: str = Field(min_length=1)


class Grant(Model):
    scope: str = Field(min_length=1)
    start: dt.date
    provider: str = Field(min_length=1)
    follow_up: dt.date | None = None


class CaseDocument(Model):
    title: str = Field(min_length=1)
    dated: dt.date
    seen_by_party: bool = True  # False: information the party has not seen (FVL § 19)


class OverallAssessment(Model):
    """RSL § 5: the result of looking at the whole situation and at help under other rules."""

    other_help: tuple[str, ...] = ()  # help the citizen can get under other rules; empty: none
    note: str | None = None


class ReconsiderationOutcome(str, Enum):
    changed = "changed"  # the municipality changes its decision: the letter is a new decision
    kept = "kept"  # it keeps the decision and forwards the complaint to Ankestyrelsen


class Reconsideration(Model):
    complaint_received: dt.date
    decision_dated: dt.date  # the date of the decision complained about
    outcome: ReconsiderationOutcome
    forwarded_on: dt.date | None = None  # when the complaint went to Ankestyrelsen (outcome kept)

    @model_validator(mode="after")
    def _kept_is_forwarded(self) -> "Reconsideration":
        if self.outcome is ReconsiderationOutcome.kept and self.forwarded_on is None:
            raise ValueError("`forwarded_on` (the date the complaint was sent to Ankestyrelsen) is required when outcome is kept")
        if self.forwarded_on and self.forwarded_on < self.complaint_received:
            raise ValueError("`forwarded_on` is before `complaint_received`")
        return self


class FollowUp(Model):
    followed_up_on: dt.date
    support: str = Field(min_length=1)  # the support followed up on
    what: tuple[str, ...] = Field(min_length=1)  # what was followed up
    conclusion: str = Field(min_length=1)
    continues: bool
    next_follow_up: dt.date | None = None


class NewCaseworker(Model):
    name: str = Field(min_length=1)
    starts: dt.date
    phone: str | None = None  # default: the municipality's number
    email: str | None = None


class ChosenPhrase(Model):
    id: str
    params: dict[str, Any] = {}


class CaseFile(Model):
    example: bool = False
    kind: LetterKind = LetterKind.decision
    case_number: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-/]*$")
    provision: str
    decision: DecisionType | None = None  # required for a decision; for a hearing: what is considered
    department: str
    dated: dt.date
    caseworker: str = Field(min_length=1)
    party_name: str | None = None  # whom the decision is about, when not a recipient (a child)
    application: Application | None = None
    granted: Grant | None = None
    stops_on: dt.date | None = None
    own_initiative: bool | None = None  # default: true for stopped and changed, false otherwise
    advance_notice: dt.date | None = None
    overall_assessment: OverallAssessment | None = None
    reconsideration: Reconsideration | None = None
    follow_up: FollowUp | None = None
    new_caseworker: NewCaseworker | None = None
    facts: tuple[str, ...] = ()
    considerations: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    documents: tuple[CaseDocument, ...] = ()
    party_hearing: bool = False
    phone_call: bool = False
    recipients: tuple[Recipient, ...] = Field(min_length=1)
    phrases: tuple[ChosenPhrase, ...] = ()

    @property
    def applied(self) -> bool:
        """Was the decision applied for? A stop or a change is, by default, the municipality's own."""
        if self.own_initiative is not None:
            return not self.own_initiative
        return self.decision not in (DecisionType.stopped, DecisionType.changed)

    @property
    def is_decision(self) -> bool:
        """Does this letter carry a decision (with reason and complaint guidance)?"""
        return self.kind is LetterKind.decision or (
            self.kind is LetterKind.reconsideration and self.reconsideration is not None
            and self.reconsideration.outcome is ReconsiderationOutcome.changed
        )

    @property
    def support_ends(self) -> dt.date | None:
        """The last day of the support as it is now, for a stop or a change."""
        if self.decision is DecisionType.stopped:
            return self.stops_on
        if self.decision is DecisionType.changed and self.granted is not None:
            return self.granted.start - dt.timedelta(days=1)
        return None

    @model_validator(mode="after")
    def _kind_needs_its_block(self) -> "CaseFile":
        needs = {
            LetterKind.decision: ("decision", "application"),
            LetterKind.acknowledgement: ("application",),
            LetterKind.hearing: (),
            LetterKind.advance_notice: ("decision", "application"),
            LetterKind.reconsideration: ("reconsideration",),
            LetterKind.follow_up: ("follow_up",),
            LetterKind.caseworker_change: ("new_caseworker",),
        }[self.kind]
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"`{name}` is required when kind is {self.kind.value}")
        if self.is_decision and self.kind is LetterKind.reconsideration:
            for name in ("decision", "application"):
                if getattr(self, name) is None:
                    raise ValueError(f"`{name}` is required for a reconsideration that changes the decision (a new decision)")
        if self.kind is LetterKind.advance_notice and self.decision not in (DecisionType.stopped, DecisionType.changed):
            raise ValueError("an advance notice is about a stop or a change: `decision` must be stopped or changed")
        if self.kind is LetterKind.hearing and not self.facts:
            raise ValueError("`facts` (the information the decision will rest on) is required when kind is hearing")
        return self

    @model_validator(mode="after")
    def _decision_needs_its_facts(self) -> "CaseFile":
        if self.decision in (DecisionType.granted, DecisionType.partly_granted, DecisionType.changed) and self.granted is None:
            raise ValueError(f"`granted` (scope, start, provider) is required when decision is {self.decision.value}")
        if self.party_name is None and not any(r.role.value == "citizen" for r in self.recipients):
            raise ValueError("`party_name` (whom the decision is about) is required when no recipient has role citizen")
        if self.decision is DecisionType.stopped and self.stops_on is None:
            raise ValueError("`stops_on` (the last day of support) is required when decision is stopped")
        return self
