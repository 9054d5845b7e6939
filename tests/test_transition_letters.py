"""The 16-year invitation's wording (issue 11, item 5): "din forælder"/"dine forældre" by the
register, no congratulation before the birthday, no person id as a case number, a date to reply
by, and the same age rules as the leaflets. Read back from the PDF."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from generator import paths
from generator.documents.transition import invitation_letter
from generator.register import RegisterRow
from generator.render import render_pdf
from generator.render.html import render_html_text
from generator.transition import Addressee, age_rules, letter_date, load_schedule

from conftest import one_line

MEETING = dt.date(2027, 2, 10)


def row(person_id: str, role: str, birth: str | None = None, youth_id: str | None = None) -> RegisterRow:
    return RegisterRow(row=2, person_id=person_id, role=role, youth_id=youth_id, name="Fiktiv Ung Eksempel" if role == "youth" else "Fiktiv Forælder Eksempel",
                       birth_date=dt.date.fromisoformat(birth) if birth else None, address="Eksempelvej 1",
                       postcode="9999", city="Eksempelby", channel="digital")


def invitation(birth: str, *, parent: bool = False, custody_count: int = 2) -> str:
    schedule = load_schedule()
    meeting = next(m for m in schedule.meetings if m.date == MEETING)
    youth = row("U77", "youth", birth)
    person = row("F77", "custody", youth_id="U77") if parent else youth
    letter = invitation_letter(Addressee(youth, person), meeting, schedule, letter_date(MEETING),
                               custody_count=custody_count)
    return letter, one_line(pdf_text_of(render_pdf(letter)))


def pdf_text_of(data: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_din_foraelder_or_dine_foraeldre_by_the_register():
    _, one = invitation("2011-01-01", custody_count=1)
    _, two = invitation("2011-01-01", custody_count=2)
    _, none = invitation("2011-01-01", custody_count=0)
    assert "Din forælder får også en invitation." in one and "forældre" not in one.split("Kære")[1].split("Tid og sted")[0]
    assert "Dine forældre får også en invitation." in two
    assert "får også en invitation" not in none


def test_no_congratulation_before_the_birthday():
    # Letters for the 10 February 2027 meeting are dated Wednesday 13 January 2027.
    _, before = invitation("2011-03-31")
    assert "Du fylder 16 år den 31. marts 2027." in before
    assert "tillykke" not in before.lower()
    _, after = invitation("2011-01-01")
    assert "Tillykke med de 16 år! Du fyldte 16 år den 1. januar 2027." in after
    _, parent_before = invitation("2011-03-31", parent=True)
    assert "tillykke" not in parent_before.lower()
    _, parent_after = invitation("2011-01-01", parent=True)
    assert "Tillykke til jer!" in parent_after


def test_no_person_id_labelled_as_a_case_number():
    letter, text = invitation("2011-01-01")
    assert "Sagsnr" not in text and "U77" not in text
    assert "Sagsnr" not in render_html_text(letter)


def test_a_date_to_reply_by():
    # 7 days (meetings.yaml) before Wednesday 10 February 2027: Wednesday 3 February.
    _, text = invitation("2011-01-01")
    assert "Sig til senest onsdag den 3. februar 2027, om I kommer." in text


def test_the_same_age_rules_as_the_leaflets():
    ages = age_rules()
    leaflet = one_line((paths.CONTENT / "leaflets" / "sagsforloeb-barn.md").read_text(encoding="utf-8"))
    assert f"Året før barnet bliver {ages.adult_age}, skifter sagen til en ny rådgiver" in leaflet
    assert f"når barnet er {ages.invite_age}" in leaflet
    assert ages.new_caseworker_age == ages.adult_age - 1  # "the year before 18"
    _, text = invitation("2011-01-01")
    assert f"Året før man bliver {ages.adult_age}, får sagen en ny sagsbehandler" in text
    info = one_line((paths.CONTENT / "transition" / "information.md").read_text(encoding="utf-8"))
    assert "Året før du bliver {{ ages.adult_age }}, får du en ny sagsbehandler" in info
    # No other age for the new caseworker anywhere in the invitation.
    assert not re.search(r"ny sagsbehandler[^.]*\b1[0-9]\b", text.replace(f"bliver {ages.adult_age}", ""))
