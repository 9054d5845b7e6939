"""The case file: a caseworker's structured decision, input to `brevgen letter`.

Schema (YAML or JSON; every field below, unknown fields are errors):

    example: true                      # invented data says so
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
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from pydantic import Field, model_validator

from .models import Model, Recipient


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


class ChosenPhrase(Model):
    id: str
    params: dict[str, Any] = {}


class CaseFile(Model):
    example: bool = False
    case_number: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-/]*$")
    provision: str
    decision: DecisionType
    department: str
    dated: dt.date
    caseworker: str = Field(min_length=1)
    party_name: str | None = None  # whom the decision is about, when not a recipient (a child)
    application: Application
    granted: Grant | None = None
    stops_on: dt.date | None = None
    facts: tuple[str, ...] = ()
    considerations: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    documents: tuple[CaseDocument, ...] = ()
    party_hearing: bool = False
    phone_call: bool = False
    recipients: tuple[Recipient, ...] = Field(min_length=1)
    phrases: tuple[ChosenPhrase, ...] = ()

    @model_validator(mode="after")
    def _decision_needs_its_facts(self) -> "CaseFile":
        if self.decision in (DecisionType.granted, DecisionType.partly_granted, DecisionType.changed) and self.granted is None:
            raise ValueError(f"`granted` (scope, start, provider) is required when decision is {self.decision.value}")
        if self.party_name is None and not any(r.role.value == "citizen" for r in self.recipients):
            raise ValueError("`party_name` (whom the decision is about) is required when no recipient has role citizen")
        if self.decision is DecisionType.stopped and self.stops_on is None:
            raise ValueError("`stops_on` (the last day of support) is required when decision is stopped")
        return self
