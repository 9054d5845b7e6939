"""Date of receipt and complaint deadline per delivery channel, by the rule set in force.

Pure computation on dated rules (content/deadline_rules.yaml) and the closing calendar:
no text, no rendering. The citizen-facing explanation is written by phrases from the facts
in `Deadline`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import loading
from .calendar import ClosingCalendar, default_calendar
from .errors import BrevgenError
from .models import WEEKDAYS, Channel, DeadlineRules, ReceiptRule, RuleSet


@dataclass(frozen=True)
class Deadline:
    dated: dt.date  # the letter's date (= the day it is sent)
    channel: Channel
    weeks: int
    received: dt.date  # the date the letter counts as received
    method: str  # how `received` was found (see deadline_rules.yaml)
    method_days: int | None  # the number of days the method added, if any
    unmoved: dt.date  # received + weeks, before moving off a closing day
    deadline: dt.date  # the last day a complaint is in time
    moved_because: str | None  # Danish name of the closing day `unmoved` fell on, if moved
    rule_set: str
    source: str

    @property
    def moved(self) -> bool:
        return self.deadline != self.unmoved

    def as_record(self) -> dict:
        return {
            "dated": self.dated.isoformat(),
            "channel": self.channel.value,
            "weeks": self.weeks,
            "received": self.received.isoformat(),
            "method": self.method,
            "unmoved": self.unmoved.isoformat(),
            "deadline": self.deadline.isoformat(),
            "moved_because": self.moved_because,
            "rule": self.rule_set,
            "source": self.source,
        }


def rule_set_for(dated: dt.date, rules: DeadlineRules | None = None) -> RuleSet:
    rules = rules or loading.deadline_rules()
    matching = [rs for rs in rules.rule_sets if rs.applies_on(dated)]
    if not matching:
        periods = ", ".join(
            f"{rs.id}: {rs.valid_from} to {rs.valid_to or 'now'}" for rs in rules.rule_sets
        )
        raise BrevgenError(f"no deadline rule set covers a letter dated {dated}; rule sets: {periods}")
    if len(matching) > 1:
        ids = ", ".join(rs.id for rs in matching)
        raise BrevgenError(f"deadline rule sets overlap on {dated}: {ids}")
    return matching[0]


def date_of_receipt(dated: dt.date, rule: ReceiptRule, calendar: ClosingCalendar) -> tuple[dt.date, int | None]:
    if rule.method == "same_day":
        return dated, None
    if rule.method == "delivery_days":
        return calendar.add_delivery_days(dated, rule.days or 0), rule.days
    if rule.method == "calendar_days":
        return dated + dt.timedelta(days=rule.days or 0), rule.days
    if rule.method == "weekday_table":
        days = (rule.table or {})[WEEKDAYS[dated.weekday()]]
        return dated + dt.timedelta(days=days), days
    raise AssertionError(f"unhandled method {rule.method}")  # models.ReceiptRule forbids others


def receipt_date(dated: dt.date, channel: Channel, *, rules: DeadlineRules | None = None,
                 calendar: ClosingCalendar | None = None) -> dt.date:
    """The day a letter dated `dated` counts as received on `channel`, by the rule set in force."""
    calendar = calendar or default_calendar()
    rule_set = rule_set_for(dated, rules)
    rule = rule_set.channels.get(channel)
    if rule is None:
        raise BrevgenError(f"deadline rule set {rule_set.id} has no rule for channel {channel.value!r}")
    return date_of_receipt(dated, rule, calendar)[0]


def compute_deadline(
    dated: dt.date,
    channel: Channel,
    weeks: int = 4,
    *,
    rules: DeadlineRules | None = None,
    calendar: ClosingCalendar | None = None,
) -> Deadline:
    """The complaint deadline for a letter dated `dated` and sent by `channel`.

    A deadline of N weeks ends N*7 days after the day of receipt (the day of receipt itself
    is not counted), then moves forward off closing days.
    """
    calendar = calendar or default_calendar()
    rule_set = rule_set_for(dated, rules)
    rule = rule_set.channels.get(channel)
    if rule is None:
        raise BrevgenError(f"deadline rule set {rule_set.id} has no rule for channel {channel.value!r}")
    received, method_days = date_of_receipt(dated, rule, calendar)
    unmoved = received + dt.timedelta(weeks=weeks)
    deadline = calendar.next_open_day(unmoved)
    return Deadline(
        dated=dated,
        channel=channel,
        weeks=weeks,
        received=received,
        method=rule.method,
        method_days=method_days,
        unmoved=unmoved,
        deadline=deadline,
        moved_because=calendar.closing_reason(unmoved) if deadline != unmoved else None,
        rule_set=rule_set.id,
        source=" ".join(rule_set.source.split()),
    )
