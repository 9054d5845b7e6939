"""Typed, immutable models of everything brevgen reads. No file access, no rendering here."""

from __future__ import annotations

import re

import datetime as dt
from enum import Enum
from typing import Literal

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import BrevgenError
from .formatting import fits_window
from .personal import clean_text, looks_like_cpr

WINDOW_PROBLEM = ("name and address are too long for the envelope window (59 x 21 mm, even in small type); "
                  "shorten them, e.g. abbreviate or leave out a line")


# Dates brevgen computes with: deadlines, ages and holidays are known for these years; a date
# outside them is a typing error (9999-12-31 overflowed the date arithmetic).
FIRST_YEAR, LAST_YEAR = 1900, 2199


def check_year(day: dt.date, what: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{what}: expected a date between {FIRST_YEAR} and {LAST_YEAR} (check the year)")


class Model(BaseModel):
    """Base: frozen, unknown fields are errors (a typo must not be silently ignored), and every
    date is within the years brevgen can compute with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="after")
    def _dates_in_calendar(self):
        for name, value in self.__dict__.items():
            if isinstance(value, dt.date):
                check_year(value, name)
        return self


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


def not_a_cpr_number(value: str | None) -> str | None:
    """Ids and case numbers end up in file names and records: a CPR number, also one hidden in
    an id (ten digits with a prefix or suffix, or DDMMYY-NNNN with any separator), must not (personal.looks_like_cpr)."""
    if value is not None and looks_like_cpr(value):
        raise ValueError("looks like a CPR number; use the case system's id")
    return value


# The case number names the output files: short (checked before anything is written), and never
# a CPR number.
CaseNumber = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-/]*$", max_length=40), AfterValidator(not_a_cpr_number)
]


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


# A line that is only a floor and door ("2. th.", "st. tv.", "1. sal", "kl."): in a Danish address
# it belongs on the street line ("Eksempelvej 12, 2. th."). YAML's flow list `[Eksempelvej 12,
# 2. th.]` splits it at the comma into two lines, and the window would show it on two lines.
_FLOOR_DOOR = re.compile(r"^(?:st|kl|kld|\d{1,2})\.?(?:\s*(?:th|tv|mf|sal|\d{1,4}[a-z]?))?\.?$", re.IGNORECASE)
_HOUSE_NUMBER = re.compile(r"\D\s\d{1,4}\s?[A-Za-z]?$")


def join_floor_and_door(lines: tuple) -> tuple:
    """Put a floor-and-door line back on the street line before it (when that ends in a house
    number): ("Eksempelvej 12", "2. th.") -> ("Eksempelvej 12, 2. th.",)."""
    out: list = []
    for line in lines:
        if (out and isinstance(line, str) and isinstance(out[-1], str)
                and _FLOOR_DOOR.match(line.strip()) and _HOUSE_NUMBER.search(out[-1].strip())):
            out[-1] = f"{out[-1].strip()}, {line.strip()}"
        else:
            out.append(line)
    return tuple(out)


class Recipient(Model):
    # Lengths bound what the envelope window must hold (59 x 21 mm; formatting.address_style).
    role: Role
    name: str = Field(min_length=1, max_length=200)
    address: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = Field(
        min_length=1, max_length=8, description="street lines")
    postcode: str = Field(pattern=r"^\d{4}$")
    city: str = Field(min_length=1, max_length=100)
    channel: Channel
    # The case system's id for the recipient: the key for the CPR look-up (identity adapter) and
    # the channel look-up when a letter is sent. Optional: without it the typed channel is used.
    person_id: str | None = Field(default=None, pattern=PERSON_ID)

    @field_validator("person_id")
    @classmethod
    def _not_a_cpr_number(cls, value: str | None) -> str | None:
        return not_a_cpr_number(value)

    @field_validator("name", "city", mode="before")
    @classmethod
    def _visible_text(cls, value):
        # bidi overrides and control characters never reach the envelope (the loaders warn)
        return clean_text(value)[0] if isinstance(value, str) else value

    @field_validator("address", mode="before")
    @classmethod
    def _visible_lines(cls, value):
        if isinstance(value, (list, tuple)):
            return join_floor_and_door(tuple(clean_text(v)[0] if isinstance(v, str) else v for v in value))
        return value

    @model_validator(mode="after")
    def _fits_the_window(self):
        if not fits_window(self.address_lines):
            raise ValueError(WINDOW_PROBLEM)
        return self

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
    case_number: CaseNumber
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
