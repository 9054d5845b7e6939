"""Typed, immutable models of everything brevgen reads. No file access, no rendering here."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import BrevgenError


class Model(BaseModel):
    """Base: frozen, and unknown fields are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Channel(str, Enum):
    digital = "digital"
    post = "post"
    quickpost = "quickpost"

    @property
    def is_paper(self) -> bool:
        return self is not Channel.digital


# The case system's id for a person (never a CPR number: those live only in the identity adapter,
# generator/delivery/identity.py, and inside the message sent).
PERSON_ID = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"
# 10 digits, optionally ddmmyy-xxxx: a CPR number must never become an id in files and records.
CPR_LIKE = re.compile(r"^\d{6}-?\d{4}$")


def not_a_cpr_number(value: str | None) -> str | None:
    if value is not None and CPR_LIKE.match(value):
        raise ValueError("looks like a CPR number; use the case system's person id")
    return value


# --- municipality profile -------------------------------------------------------------------


class Department(Model):
    id: str
    name: str


class PostalAddress(Model):
    street: str
    postcode: str
    city: str

    @property
    def lines(self) -> tuple[str, ...]:
        return (self.street, f"{self.postcode} {self.city}")


class SF1601Settings(Model):
    """The service platform's SF1601 (KombiPostAfsend) with the municipality's certificate."""

    certificate: str = Field(min_length=1, description="PEM file: the certificate and its key (unified)")
    environment: Literal["production", "test"] = "production"
    # Overrides of the platform's addresses (a proxy, or the test double); default: the library's.
    service_url: str | None = None
    sts_url: str | None = None  # the security token service issuing the SAML token
    token_url: str | None = None  # the access token service
    attempts: int = Field(default=3, ge=1, le=10, description="calls per message before it is recorded failed")
    retry_wait_seconds: float = Field(default=5.0, ge=0, le=600)
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)


class DeliverySettings(Model):
    """How issued letters leave brevgen (docs/delivery.md). Paths to content files are relative to
    content/; the outbox is relative to the current folder unless absolute."""

    transport: Literal["outbox", "sf1601"] = "outbox"
    outbox: str = "output/outbox"
    sf1601: SF1601Settings | None = None
    # person id -> CPR number: a CSV file `person_id,cpr` (the example's is invented and marked)
    identities: str | None = None
    # Where each recipient's channel comes from before letters are dated:
    # none (typed in the case file/register), exempt_file (a list of person ids exempt from
    # Digital Post), platform (the service platform's registration look-up, needs sf1601).
    channel_lookup: Literal["none", "exempt_file", "platform"] = "none"
    exempt_file: str | None = None


class Profile(Model):
    example: bool = False
    name: str
    short_name: str
    departments: tuple[Department, ...]
    postal_address: PostalAddress
    phone: str
    phone_hours: str
    email: str
    web: str
    complaint_web: str
    logo: str
    # The municipality's CVR number: the sender of every Digital Post message (MeMo senderID).
    cvr: str | None = Field(default=None, pattern=r"^\d{8}$")
    # How letters are delivered (transport, identities, channel look-up): generator/delivery/settings.py
    delivery: DeliverySettings = Field(default_factory=lambda: DeliverySettings())

    def department_name(self, department_id: str, where: str = "") -> str:
        """The department's name; an unknown id is an error listing the known ones."""
        for department in self.departments:
            if department.id == department_id:
                return department.name
        known = ", ".join(d.id for d in self.departments)
        raise BrevgenError(f"{where}department {department_id!r} is not in content/profile.yaml (known: {known})")


# --- recipients -------------------------------------------------------------------------------


class Role(str, Enum):
    citizen = "citizen"
    guardian = "guardian"  # værge
    representative = "representative"  # partsrepræsentant
    custody = "custody"  # forældremyndighedsindehaver
    youth = "youth"


class Recipient(Model):
    role: Role
    name: str = Field(min_length=1)
    address: tuple[str, ...] = Field(min_length=1, description="street lines")
    postcode: str = Field(pattern=r"^\d{4}$")
    city: str = Field(min_length=1)
    channel: Channel
    # The case system's id for the recipient: the key for the CPR look-up (identity adapter) and
    # the channel look-up when a letter is sent. Optional: without it the typed channel is used.
    person_id: str | None = Field(default=None, pattern=PERSON_ID)

    @field_validator("person_id")
    @classmethod
    def _not_a_cpr_number(cls, value: str | None) -> str | None:
        return not_a_cpr_number(value)

    @property
    def address_lines(self) -> tuple[str, ...]:
        return (self.name, *self.address, f"{self.postcode} {self.city}")


# --- calendar and deadline rules ---------------------------------------------------------------

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)


class AnnualDay(Model):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    name: str


class DatedDay(Model):
    date: dt.date
    name: str
    source: str = ""


class PublicHolidayTable(Model):
    """The public holidays of the `holidays` package, written out for a span of years
    (scripts/make_holiday_table.py): reading a small CSV is 0.2 s faster than importing the package,
    which loads every country's module. Tests and `brevgen check` compare it with the package."""

    file: str  # CSV in content/: date,name
    first_year: int
    last_year: int
    source: str


class CalendarConfig(Model):
    source: str
    country: str
    public_holidays: PublicHolidayTable
    weekend: tuple[Weekday, ...]
    annual_closing_days: tuple[AnnualDay, ...] = ()
    extra_closing_days: tuple[DatedDay, ...] = ()


class ReceiptRule(Model):
    method: Literal["same_day", "delivery_days", "calendar_days", "weekday_table"]
    days: int | None = Field(default=None, ge=0)
    table: dict[Weekday, int] | None = None


class RuleSet(Model):
    id: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    source: str
    channels: dict[Channel, ReceiptRule]

    def applies_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class DeadlineRules(Model):
    rule_sets: tuple[RuleSet, ...] = Field(min_length=1)


# --- complaint routes ----------------------------------------------------------------------


class RouteKind(str, Enum):
    municipality_first = "municipality_first"
    direct_to_ankestyrelsen = "direct_to_ankestyrelsen"
    not_appealable = "not_appealable"


class ComplaintRoute(Model):
    provision: str
    route: RouteKind
    source: str  # the legal basis, for the lawyer
    explanation: str = ""  # plain Danish for the citizen, used by the phrases
    weeks: int | None = Field(default=None, ge=1)


class ComplaintRoutes(Model):
    default_weeks: int = Field(ge=1)
    routes: tuple[ComplaintRoute, ...]

    def for_provision(self, provision: str) -> ComplaintRoute | None:
        for route in self.routes:
            if route.provision == provision:
                return route
        return None


# --- standalone complaint guidance input --------------------------------------------------------


class GuidanceRequest(Model):
    """Input for `brevgen guidance`: one decision's complaint guidance for each of its recipients."""

    example: bool = False
    case_number: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-/]*$")
    provision: str
    department: str
    subject: str = Field(min_length=1, description="what the decision is about, e.g. 'støtte efter § 85'")
    dated: dt.date
    caseworker: str = Field(min_length=1)
    recipients: tuple[Recipient, ...] = Field(min_length=1)


# --- periods of the other letters of a case (content/case_letters.yaml) --------------------------


class CommentPeriod(Model):
    """How long a reader has to comment, counted like a complaint deadline from their date of receipt."""

    weeks: int = Field(ge=1)
    source: str = Field(min_length=1)
    verify: bool = False


class ForwardPeriod(Model):
    forward_within_weeks: int = Field(ge=1)
    source: str = Field(min_length=1)
    verify: bool = False


class CaseLetterRules(Model):
    example: bool = False
    hearing: CommentPeriod
    advance_notice: CommentPeriod
    reconsideration: ForwardPeriod
