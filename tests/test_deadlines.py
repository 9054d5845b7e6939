"""Complaint deadlines: a table of worked examples, and properties that hold for every date."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.calendar import default_calendar
from generator.deadlines import compute_deadline, rule_set_for
from generator.errors import BrevgenError
from generator.models import Channel

from conftest import d

# Worked by hand from content/deadline_rules.yaml (and its sources) and a 2017/2023-2027 calendar.
# (letter dated, channel, expected receipt, expected deadline, why)
WORKED = [
    ("2026-05-11", "digital", "2026-05-11", "2026-06-08", "plain: receipt + 28 days, a Monday"),
    ("2026-05-16", "digital", "2026-05-16", "2026-06-15", "Saturday letter; deadline Sat 13 June -> Monday"),
    ("2026-03-05", "digital", "2026-03-05", "2026-04-07", "Maundy Thursday, Good Friday, weekend, Easter Monday"),
    ("2026-04-27", "digital", "2026-04-27", "2026-05-26", "Whit Monday 25 May 2026"),
    ("2026-04-16", "digital", "2026-04-16", "2026-05-15", "Ascension Day 14 May 2026; Friday after is open"),
    ("2026-11-27", "digital", "2026-11-27", "2026-12-28", "Christmas Day, Boxing Day, Sunday"),
    ("2026-11-26", "digital", "2026-11-26", "2026-12-28", "24 December, then Christmas"),
    ("2025-05-08", "digital", "2025-05-08", "2025-06-06", "Constitution Day, Thursday 5 June 2025"),
    ("2026-12-03", "digital", "2026-12-03", "2027-01-04", "31 December, New Year's Day, weekend"),
    ("2023-04-07", "digital", "2023-04-07", "2023-05-08", "Great Prayer Day 5 May 2023 still a holiday"),
    ("2024-03-29", "digital", "2024-03-29", "2024-04-26", "Great Prayer Day abolished: 26 April 2024 is open"),
    ("2026-05-11", "post", "2026-05-20", "2026-06-17", "6 delivery days, Ascension Day skipped"),
    ("2026-12-21", "post", "2026-12-30", "2027-01-27", "delivery days across Christmas"),
    ("2026-05-08", "quickpost", "2026-05-10", "2026-06-08", "quick letter: +2 days; deadline Sunday -> Monday"),
    ("2017-03-08", "post", "2017-03-15", "2017-04-12", "2017 paper letter, Wednesday: +7 days"),
    ("2017-03-13", "post", "2017-03-18", "2017-04-18", "2017 Monday: +5; deadline Easter Saturday -> Tuesday"),
    ("2018-06-25", "post", "2018-06-30", "2018-07-30", "last day of the weekday table (Monday +5)"),
    ("2018-06-26", "post", "2018-07-04", "2018-08-01", "first day of the 2018 guidance: 6 delivery days"),
]


@pytest.mark.parametrize("dated, channel, received, deadline, why", WORKED, ids=[w[4] for w in WORKED])
def test_worked_examples(dated, channel, received, deadline, why):
    result = compute_deadline(d(dated), Channel(channel), 4)
    assert (result.received, result.deadline) == (d(received), d(deadline))


def test_moved_deadline_names_the_closing_day():
    result = compute_deadline(d("2026-12-03"), Channel.digital)
    assert result.unmoved == d("2026-12-31") and result.moved
    assert result.moved_because == "Nytårsaftensdag"


def test_rule_set_follows_the_letter_date():
    assert rule_set_for(d("2017-03-08")).id == "post-weekday-table-2016"
    assert rule_set_for(d("2026-05-11")).id == "jm-vejledning-9533-2018"
    with pytest.raises(BrevgenError, match="no deadline rule set covers a letter dated 2015-01-05"):
        rule_set_for(d("2015-01-05"))


def test_weeks_other_than_four():
    assert compute_deadline(d("2026-05-11"), Channel.digital, 2).deadline == d("2026-05-26")


dates = st.dates(min_value=dt.date(2016, 7, 1), max_value=dt.date(2035, 12, 31))
channels = st.sampled_from(list(Channel))


@settings(max_examples=400, deadline=None)
@given(dated=dates, channel=channels, weeks=st.integers(min_value=1, max_value=12))
def test_deadline_properties(dated, channel, weeks):
    calendar = default_calendar()
    result = compute_deadline(dated, channel, weeks)
    assert not calendar.is_closing_day(result.deadline)
    assert result.deadline >= result.received + dt.timedelta(weeks=weeks)
    assert result.deadline - (result.received + dt.timedelta(weeks=weeks)) < dt.timedelta(days=7)
    assert result.received >= dated
    if channel is Channel.digital:
        assert result.received == dated
    if channel is Channel.post and result.method == "delivery_days":
        assert calendar.is_delivery_day(result.received)


def test_a_municipal_closing_day_moves_the_deadline():
    """A municipality adds its own closing day as data; deadlines ending on it move."""
    from generator.calendar import ClosingCalendar
    from generator.loading import calendar_config
    from generator.models import DatedDay

    config = calendar_config()
    own = config.model_copy(update={"extra_closing_days": (DatedDay(date=d("2026-06-08"), name="Lukkedag"),)})
    result = compute_deadline(d("2026-05-11"), Channel.digital, calendar=ClosingCalendar(own))
    assert result.deadline == d("2026-06-09")
    assert result.moved_because == "Lukkedag"
    # The bundled calendar is unchanged.
    assert compute_deadline(d("2026-05-11"), Channel.digital).deadline == d("2026-06-08")
