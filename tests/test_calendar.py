"""The public-holiday table (content/public_holidays.csv) against the `holidays` package."""

import datetime as dt
import subprocess
import sys

import pytest

from generator import paths
from generator.calendar import ClosingCalendar, read_holiday_table, table_differences
from generator.errors import BrevgenError
from generator.loading import calendar_config


def test_table_equals_the_package():
    # Fails when a new version of the package knows of a change in the law: regenerate the table.
    assert table_differences(calendar_config()) == []


def test_table_knows_the_2024_change_of_great_prayer_day():
    days = read_holiday_table(calendar_config().public_holidays)
    assert days[dt.date(2023, 5, 5)] == "Store bededag"
    assert dt.date(2024, 4, 26) not in days  # store bededag 2024 was abolished


def test_years_outside_the_table_ask_the_package():
    config = calendar_config()
    calendar = ClosingCalendar(config)
    after = config.public_holidays.last_year + 5
    assert calendar.public_holiday(dt.date(after, 12, 25)) == "Juledag"
    assert calendar.public_holiday(dt.date(after, 12, 23)) is None
    before = config.public_holidays.first_year - 1
    assert calendar.public_holiday(dt.date(before, 1, 1)) == "Nytårsdag"


def test_a_stale_table_is_reported(tmp_path, monkeypatch):
    config = calendar_config()
    table = (paths.CONTENT / config.public_holidays.file).read_text(encoding="utf-8")
    stale = table.replace("2026-12-25,Juledag\n", "")
    (tmp_path / config.public_holidays.file).write_text(stale, encoding="utf-8")
    monkeypatch.setattr(paths, "CONTENT", tmp_path)
    assert table_differences(config) == ["2026-12-25 Juledag: only in the package"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("day,name\n2026-12-25,Juledag\n", "public_holidays.csv:1: expected the header 'date,name'"),
        ("date,name\n2026-02-30,Juledag\n", "public_holidays.csv:2: expected 'YYYY-MM-DD,name'"),
        ("date,name\n1999-12-25,Juledag\n", "public_holidays.csv:2: date: 1999-12-25 is outside"),
    ],
)
def test_a_bad_table_names_file_and_line(tmp_path, monkeypatch, content, message):
    config = calendar_config()
    (tmp_path / config.public_holidays.file).write_text(content, encoding="utf-8")
    monkeypatch.setattr(paths, "CONTENT", tmp_path)
    with pytest.raises(BrevgenError, match=message):
        read_holiday_table(config.public_holidays)


def test_a_letter_does_not_import_the_holidays_package():
    # The point of the table: a cold start does not pay for importing the package.
    code = (
        "import sys, datetime as dt\n"
        "from generator.deadlines import compute_deadline\n"
        "from generator.models import Channel\n"
        "compute_deadline(dt.date(2026, 12, 22), Channel.post)\n"
        "print('holidays' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
