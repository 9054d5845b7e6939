"""Transition rules without rendering: ages, quarters, letter date, register rows, selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import BrevgenError
from generator.register import read_register
from generator.transition import (
    add_months, addressees, age_on, birthday, letter_date, load_schedule, quarter_of, turns_16_in_quarter_of,
)

from conftest import d

HEADER = "person_id,role,youth_id,name,birth_date,address,postcode,city,channel\n"


def register_file(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "register.csv"
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def youth(pid: str, born: str, channel: str = "digital") -> str:
    return f"{pid},youth,,Ung {pid} Fiktivsen,{born},Testvej 1,9999,Eksempelby,{channel}"


def holder(pid: str, youth_id: str, channel: str = "post") -> str:
    return f"{pid},custody,{youth_id},Forælder {pid} Fiktivsen,,Testvej 1,9999,Eksempelby,{channel}"


# --- ages and quarters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "meeting, first, last",
    [("2027-02-10", "2027-01-01", "2027-03-31"), ("2027-05-12", "2027-04-01", "2027-06-30"),
     ("2026-08-26", "2026-07-01", "2026-09-30"), ("2026-11-25", "2026-10-01", "2026-12-31"),
     ("2028-02-16", "2028-01-01", "2028-03-31")],
)
def test_quarter_of_the_meeting(meeting, first, last):
    assert quarter_of(d(meeting)) == (d(first), d(last))


@pytest.mark.parametrize(
    "born, invited",
    [("2011-01-01", True), ("2011-03-31", True), ("2011-02-14", True),  # first and last day of Q1
     ("2010-12-31", False), ("2011-04-01", False),  # one day outside either end
     ("2010-01-01", False), ("2012-02-01", False)],  # a year too early or too late
)
def test_who_turns_16_in_the_quarter_of_a_february_meeting(born, invited):
    assert turns_16_in_quarter_of(d(born), d("2027-02-10")) is invited


def test_leap_day_birthday():
    born = d("2012-02-29")
    assert birthday(born, 16) == d("2028-02-29")  # 16 years on, a leap year again
    assert age_on(born, d("2028-02-28")) == 15
    assert age_on(born, d("2028-02-29")) == 16
    # In a year without 29 February the birthday is 1 March.
    assert birthday(born, 15) == d("2027-03-01")
    assert age_on(born, d("2027-02-28")) == 14
    assert age_on(born, d("2027-03-01")) == 15
    assert turns_16_in_quarter_of(born, d("2028-02-16"))
    assert not turns_16_in_quarter_of(born, d("2027-11-24"))
    assert not turns_16_in_quarter_of(born, d("2028-05-10"))


def test_add_months_moves_a_missing_day_to_the_first_of_next_month():
    assert add_months(d("2011-08-31"), 186) == d("2027-03-01")  # 15½: there is no 31 February
    assert add_months(d("2011-08-30"), 6) == d("2012-03-01")
    assert add_months(d("2012-02-29"), 198) == d("2028-08-29")  # 16½
    assert add_months(d("2011-12-15"), 1) == d("2012-01-15")


# --- the letter date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "meeting, dated",
    [("2027-02-10", "2027-01-13"),  # four weeks before, an ordinary Wednesday
     ("2026-05-04", "2026-04-01"),  # 6 April 2026 is Easter Monday: back past Easter to Wednesday
     ("2026-11-21", "2026-10-23"),  # four weeks before a Saturday is a Saturday: the Friday before
     ("2027-01-28", "2026-12-30")],  # 31 December is a closing day
)
def test_letter_date(meeting, dated):
    assert letter_date(d(meeting)) == d(dated)


def test_bundled_schedule_loads_and_meetings_are_in_meeting_months():
    schedule = load_schedule()
    assert schedule.example
    assert {m.date.month for m in schedule.meetings} <= {2, 5, 8, 11}


def test_schedule_rejects_a_meeting_outside_the_meeting_months(tmp_path):
    path = tmp_path / "meetings.yaml"
    path.write_text(
        "source: test\nmeeting_months: [2, 5, 8, 11]\ndepartment: boern\nsender: Team\nmeetings:\n"
        "  - {date: 2027-03-10, start: '16:00', end: '18:00', place: P, address: A, room: R}\n",
        encoding="utf-8",
    )
    with pytest.raises(BrevgenError, match=r"meetings.yaml:\d+: .*2027-03-10 is not in a meeting month"):
        load_schedule(path)


def test_unknown_meeting_date_names_the_known_ones():
    with pytest.raises(BrevgenError, match="no meeting on that date.*2027-02-10"):
        load_schedule().meeting_on(d("2027-02-11"), Path("meetings.yaml"))


# --- the register -------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_row_field_and_problem_without_personal_values(tmp_path):
    path = register_file(
        tmp_path,
        youth("U1", "2011-02-14"),
        holder("F1", "U1"),
        "U2,youth,,Hemmelig Navnesen,2011-02-30,Hemmeligvej 9,9999,Eksempelby,digital",  # line 4
        holder("F2", "U2"),  # line 5: its young person's row is bad
        "U3,youth,,Anden Navnesen,2011-03-01,Vej 1,99x9,Eksempelby,digital",  # line 6
        "U4,youth,,Tredje Navnesen,2011-03-01,Vej 1,9999,Eksempelby,fax",  # line 7
        "U5,youth,,,2011-03-01,Vej 1,9999,Eksempelby,digital",  # line 8: no name
        "U6,youth,,Fjerde Navnesen,,Vej 1,9999,Eksempelby,digital",  # line 9: no birth date
        "F3,custody,,Femte Navnesen,,Vej 1,9999,Eksempelby,post",  # line 10: no youth_id
        holder("F4", "U404"),  # line 11: unknown young person
        "1402111234,youth,,Sjette Navnesen,2011-02-14,Vej 1,9999,Eksempelby,post",  # line 12: CPR
        youth("U1", "2011-01-05"),  # line 13: the same young person twice
        holder("F1", "U1"),  # line 14: the same custody holder twice
        "U7,parent,,Syvende Navnesen,2011-02-14,Vej 1,9999,Eksempelby,post",  # line 15: unknown role
    )
    register = read_register(path)
    problems = {(e.row, e.field): e.problem for e in register.errors}
    assert set(problems) == {
        (4, "birth_date"), (5, "youth_id"), (6, "postcode"), (7, "channel"), (8, "name"), (9, "birth_date"),
        (10, "youth_id"), (11, "youth_id"), (12, "person_id"), (13, "person_id"), (14, "person_id"), (15, "role"),
    }
    assert "ISO date" in problems[(4, "birth_date")]
    assert "row 4 could not be used" in problems[(5, "youth_id")]
    assert "four digits" in problems[(6, "postcode")]
    assert "'fax'" not in problems[(7, "channel")]  # never echoed: a name may have been typed there
    assert "'quickpost'" in problems[(7, "channel")]  # what was expected
    assert "required" in problems[(9, "birth_date")]
    assert "no youth row" in problems[(11, "youth_id")]
    assert "CPR" in problems[(12, "person_id")]
    assert "row 2" in problems[(13, "person_id")]
    assert "row 3" in problems[(14, "person_id")]
    everything = " ".join(problems.values())
    for personal in ("Hemmelig", "Navnesen", "Hemmeligvej", "2011-02-30", "99x9", "1402111234"):
        assert personal not in everything
    assert list(register.youths) == ["U1"]
    assert [h.person_id for h in register.custody["U1"]] == ["F1"]
    assert register.rows == 14


def test_semicolon_separated_export_with_byte_order_mark(tmp_path):
    path = tmp_path / "register.csv"
    text = HEADER.replace(",", ";") + youth("U1", "2011-02-14").replace(",", ";") + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    register = read_register(path)
    assert not register.errors and list(register.youths) == ["U1"]


def test_a_missing_column_stops_before_anything_is_read(tmp_path):
    path = register_file(tmp_path, header=HEADER.replace(",channel", ""))
    with pytest.raises(BrevgenError, match=r"register.csv:1: header: missing column\(s\) channel"):
        read_register(path)


def test_letters_per_young_person_the_youth_first_then_each_custody_holder(tmp_path):
    path = register_file(
        tmp_path,
        youth("U2", "2011-03-31"), youth("U1", "2011-01-01"), youth("U3", "2011-04-01"),
        holder("F1", "U1", "post"), holder("F2", "U1", "digital"), holder("F3", "U3"),
        youth("U4", "2011-02-02"),  # no custody holder in the register: only their own letter
        holder("F1", "U2", "post"),  # one parent of two young people (siblings): one letter each
    )
    out = list(addressees(read_register(path), d("2027-02-10")))
    assert [(a.youth.person_id, a.person.person_id, a.role.value, a.person.channel.value) for a in out] == [
        ("U1", "U1", "youth", "digital"), ("U1", "F1", "custody", "post"), ("U1", "F2", "custody", "digital"),
        ("U2", "U2", "youth", "digital"), ("U2", "F1", "custody", "post"),
        ("U4", "U4", "youth", "digital"),
    ]
    stems = [a.stem(d("2027-02-10")) for a in out]
    assert len(set(stems)) == len(stems)
    assert stems[1] == "2027-02-10_invitation_U1-foraelder-F1"


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise():
    from generator.batch import Reporter

    lines: list[str] = []
    with Reporter(2, lines.append, terminal=False) as reporter:
        reporter.advance("a")
        reporter.advance("b")
    assert lines == ["[1/2] a", "[2/2] b"]
    lines.clear()
    with Reporter(2, lines.append, terminal=True) as reporter:
        assert reporter._bar is not None
        reporter.advance("a")
        assert reporter._bar.tasks[0].completed == 1
    assert lines == []


def test_staff_texts_are_sandboxed_and_a_missing_parameter_is_an_error(tmp_path):
    from generator.documents.markdown_text import render_text

    good = tmp_path / "good.md"
    good.write_text("---\ntitle: Prøve\n---\n# Overskrift {{ n }}\n\nIntro.\n\n## Afsnit\n\n- et\n- to\n\nTekst.\n", encoding="utf-8")
    text = render_text(good, {"n": 1})
    assert text.title == "Prøve" and text.heading == "Overskrift 1"
    assert [s.heading for s in text.sections] == ["", "Afsnit"]
    assert [b.kind for b in text.sections[1].blocks] == ["list", "paragraph"]
    with pytest.raises(BrevgenError, match=r"good.md: parameter missing: 'n' is undefined"):
        render_text(good, {})
    evil = tmp_path / "evil.md"
    evil.write_text("---\ntitle: Ond\n---\n# {{ n.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    with pytest.raises(BrevgenError, match="evil.md"):
        render_text(evil, {"n": 1})
    untitled = tmp_path / "untitled.md"
    untitled.write_text("# Ingen front matter\n", encoding="utf-8")
    with pytest.raises(BrevgenError, match="untitled.md:1: expected front matter"):
        render_text(untitled, {})
