"""The letters of a case (issue 11): every kind read back from the PDF, "du" always the reader,
RSL §§ 5 and 72, no "Deres", and the closing-day warning on each reader's own channel."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from generator.addressing import SECOND_PERSON
from generator.calendar import default_calendar
from generator.case import CaseFile
from generator.checks import check_decision, receipt_problem
from generator.documents.decision_letter import ABOUT, build_decision, kind_spec
from generator.models import Channel
from generator.phrases import default_library

from conftest import EXAMPLES, one_line, pdf_text, run_ok

CASES = EXAMPLES / "cases"
KINDS = {
    "kvittering-sel-85.yaml": "2026-0511_kvittering",
    "partshoering-sel-100.yaml": "2026-0517_partshoering",
    "varsel-sel-97.yaml": "2026-0288_varsel",
    "genvurdering-sel-100.yaml": "2026-0317_genvurdering",
    "genvurdering-aendret-sel-85.yaml": "2026-0530_genvurdering",
    "opfoelgning-sel-85.yaml": "2026-0201_opfoelgning",
    "sagsbehandlerskift-bl-86.yaml": "2026-0402_sagsbehandlerskift",
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kinds")
    run_ok("letter", *[CASES / name for name in KINDS], "--out", folder, "--format", "pdf")
    return folder


def text(out: Path, stem: str) -> str:
    return one_line(pdf_text(out / f"{stem}.pdf"))


def record(out: Path, stem: str) -> dict:
    return json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))


def in_order(body: str, parts: list[str]) -> None:
    positions = [body.find(part) for part in parts]
    assert -1 not in positions, [p for p, pos in zip(parts, positions) if pos == -1]
    assert positions == sorted(positions)


# --- each kind, read back from the PDF ------------------------------------------------------------


def test_acknowledgement_states_the_published_time_and_the_date_of_an_answer(out):
    stem = "2026-0511_kvittering_1-borger"
    body = text(out, stem)
    # Received Thursday 5 November 2026 + 8 weeks (content/processing_times.yaml) = Thursday
    # 31 December, New Year's Eve; 1 January is a holiday, then a weekend: Monday 4 January 2027.
    in_order(body, [
        "Kvittering for ansøgning om socialpædagogisk støtte efter serviceloven § 85",
        "Vi fik din ansøgning om socialpædagogisk støtte til at klare økonomi og aftaler den 5. november 2026",
        "Du kan regne med at få svar senest den 4. januar 2027.",
        "inden for 8 uger",
        "Kan vi ikke nå at svare inden da, skriver vi til dig",
    ])
    assert "klage" not in body.lower()  # not a decision: no complaint guidance
    rec = record(out, stem)
    assert rec["kind"] == "kvittering" and rec["dates"]["answer_by"] == "2027-01-04"
    assert rec["rules_applied"]["processing_weeks"] == 8


def test_party_hearing_has_the_information_and_a_date_per_channel(out):
    citizen, representative = (text(out, f"2026-0517_partshoering_{n}") for n in ("1-borger", "2-repraesentant"))
    in_order(citizen, [
        "Partshøring i sagen om kompensationsydelse til voksne efter serviceloven § 100",
        "Det kaldes partshøring.",
        "overvejer vi at give dig afslag",
        "De oplysninger, vi vil bygge afgørelsen på",
        "Lægen skriver, at medicinen kan fås med tilskud fra regionen.",
        "Udtalelse fra egen læge fra den 20. oktober 2026",
        # Digital Post, Tuesday 10 November 2026 + 2 weeks.
        "Vi skal have dit svar senest den 24. november 2026.",
        "træffer vi afgørelsen ud fra de oplysninger, vi har nu",
    ])
    # Paper post: 6 delivery days -> Wednesday 18 November, + 2 weeks = 2 December.
    assert "Vi skal have dit svar senest den 2. december 2026." in representative
    assert "du har fået det den 18. november 2026" in representative
    assert "Fiktiv Borger Olsens udgifter til transport" in representative  # the citizen, by name
    assert record(out, "2026-0517_partshoering_2-repraesentant")["dates"]["comment_by"]["deadline"] == "2026-12-02"


def test_advance_notice_before_a_stop(out):
    body = text(out, "2026-0288_varsel_1-borger")
    in_order(body, [
        "Varsel om ophør af ledsageordning efter serviceloven § 97",
        "Vi overvejer at stoppe støtten.",
        "den sidste dag med støtte den 31. oktober 2026",
        "Dette brev er ikke en afgørelse.",
        "Derfor overvejer vi det",
        "Vi skal have dit svar senest den 14. september 2026.",  # Monday 31 August + 2 weeks
        "Du får afgørelsen i et brev",
    ])
    assert "Vi skal have dit svar senest den 22. september 2026." in text(out, "2026-0288_varsel_2-repraesentant")


def test_reconsideration_kept_and_forwarded_on_a_date(out):
    body = text(out, "2026-0317_genvurdering_1-borger")
    in_order(body, [
        "Klagen over afgørelsen om kompensationsydelse til voksne er sendt til Ankestyrelsen",
        "Du klagede den 20. november 2026 over vores afgørelse fra den 10. november 2026.",
        "Vi holder fast i afgørelsen.",
        "Dine udgifter er stadig under mindstebeløbet for kompensationsydelse.",
        "Vi sendte klagen til Ankestyrelsen den 7. december 2026.",
    ])
    assert "Sådan klager du" not in body


def test_reconsideration_changed_is_a_new_decision(out):
    body = text(out, "2026-0530_genvurdering_1-borger")
    in_order(body, [
        "Ny afgørelse om socialpædagogisk støtte efter serviceloven § 85",
        "vi ændrer afgørelsen. Her er den nye afgørelse.",
        "Afgørelse",
        "Du får socialpædagogisk støtte 4 timer om ugen.",
        "Begrundelse",
        "Retssikkerhedsloven § 66",
        "Støtten starter den 14. december 2026.",
    ])


def test_reconsideration_forwarded_late_warns():
    found = findings(CASES / "genvurdering-sel-100.yaml",
                     lambda c: c["reconsideration"].update(forwarded_on="2026-12-21"))
    assert "forwarded-late" in found


def test_follow_up_conclusion(out):
    body = text(out, "2026-0201_opfoelgning_1-borger")
    in_order(body, [
        "Opfølgning på socialpædagogisk støtte efter serviceloven § 85",
        "Vi har den 26. november 2026 fulgt op på din socialpædagogiske støtte 4 timer om ugen.",
        "hvordan det går med at holde styr på økonomi og aftaler",
        "Det er vores konklusion",
        "Du betaler nu selv dine regninger til tiden.",
        "Du får fortsat din socialpædagogiske støtte 4 timer om ugen.",
        "Vi følger op igen senest den 1. juni 2027.",
    ])


def test_follow_up_that_does_not_continue_announces_an_advance_notice():
    built = build(CASES / "opfoelgning-sel-85.yaml", lambda c: c["follow_up"].update(continues=False))
    body = built.letters[0].letter.citizen_text
    assert "skal ændres eller stoppe" in body and "varsel" in body and "Du får fortsat" not in body


def test_change_of_caseworker(out):
    body = text(out, "2026-0402_sagsbehandlerskift_2-foraelder")
    in_order(body, [
        "Ny sagsbehandler i sagen om kompensationsydelse til børn og unge",
        "forældremyndigheden over Fiktivt Barn Nielsen",
        "Fra den 1. december 2026 får du en ny sagsbehandler.",
        "Den nye hedder Ny Sagsbehandler Eksempel.",
        "på telefon 99 99 99 98",
    ])


def test_each_kind_has_its_own_record_and_title(out):
    for name, stem in KINDS.items():
        files = sorted(out.glob(f"{stem}_*.json"))
        assert files, name
        rec = json.loads(files[0].read_text(encoding="utf-8"))
        assert stem.split("_")[1] == rec["kind"]
        assert rec["case_kind"] == yaml.safe_load((CASES / name).read_text(encoding="utf-8"))["kind"]


# --- the kind comes from the case file -------------------------------------------------------------


def test_unknown_kind_or_missing_block_is_bad_input(tmp_path, run_cli):
    case = yaml.safe_load((CASES / "opfoelgning-sel-85.yaml").read_text(encoding="utf-8"))
    for change, expected in (
        (lambda c: c.update(kind="template.docx"), "kind"),
        (lambda c: c.pop("follow_up"), "`follow_up` is required when kind is follow_up"),
    ):
        bad = copy.deepcopy(case)
        change(bad)
        path = tmp_path / "case.yaml"
        path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
        result = run_cli("letter", path, "--out", tmp_path / "out")
        assert result.exit_code == 2
        assert expected in result.output
        assert not (tmp_path / "out").exists()


# --- item 2: the legal points, on every example and every reader role -------------------------------


def data(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build(path: Path, change=None, case: dict | None = None):
    case = case or data(path)
    if change:
        change(case)
    return build_decision(CaseFile.model_validate(case), source="case.yaml", input_sha256="")


def findings(path: Path, change=None) -> dict[str, str]:
    return {f.code: f.message for f in check_decision(build(path, change))}


CITIZEN = {"role": "citizen", "name": "Fiktiv Person Aagesen", "address": ["Eksempelvej 1"], "postcode": "9999",
           "city": "Eksempelby", "channel": "digital"}


def with_reader(case: dict, role: str, channel: str) -> dict:
    """The case sent to the citizen and to one more reader of `role` on `channel`."""
    case = copy.deepcopy(case)
    reader = {"role": role, "name": "Fiktiv Læser Bruun", "address": ["Prøvevej 2"], "postcode": "9998",
              "city": "Prøveby", "channel": channel}
    case["recipients"] = [CITIZEN, reader]
    case.pop("party_name", None)
    return case


ALL_CASES = sorted(CASES.glob("*.yaml"))


@pytest.mark.parametrize("path", ALL_CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("role", ["guardian", "representative", "custody"])
def test_du_is_the_reader_in_every_letter_to_someone_else(path, role):
    """In the guardian's, representative's or parent's letter, nothing about the citizen says "du":
    the citizen is named; "du", the receipt date, deadline and mailbox are the reader's own."""
    library = default_library()
    built = build(path, case=with_reader(data(path), role, "digital"))
    spec = kind_spec(built.case)
    about_slots = {ref.slot for cid, audience in spec.parts if audience == ABOUT and cid in library.compositions
                   for ref in library.compositions[cid].slots}
    letter = built.letters[1].letter
    about_text = [s.heading + "\n" + s.plain_text for s in letter.sections
                  if any(library.phrases[p].slot in about_slots for p in s.phrase_ids)]
    assert about_text
    for part in about_text:
        assert not SECOND_PERSON.search(part), part
    assert CITIZEN["name"] in letter.citizen_text
    assert not [f for f in check_decision(built) if f.code == "du-ambiguous"]
    guidance = [s for s in letter.sections if s.phrase_ids and s.phrase_ids[0].startswith("klage.")]
    if guidance:  # the reader's own deadline and mailbox
        assert "din digitale postkasse" in guidance[0].plain_text
        assert "Vi skal have din klage senest" in guidance[0].plain_text


@pytest.mark.parametrize("path", ALL_CASES, ids=lambda p: p.stem)
def test_no_sentence_begins_with_deres(path):
    for role in ("guardian", "representative"):
        for channel in ("digital", "post"):
            for rl in build(path, case=with_reader(data(path), role, channel)).letters:
                assert not re.search(r"(^|[.!?:]\s+)Deres\b", rl.letter.citizen_text, re.M)


def test_deres_in_a_phrase_is_an_error():
    found = findings(CASES / "sel-85-delvis-bevilling.yaml",
                     lambda c: c["facts"].append("Din værge var med. Deres bemærkninger er noteret."))
    assert "deres-third-party" in found


def test_heading_det_har_du_soegt_om_only_where_something_was_applied_for():
    stopped = build(CASES / "sel-97-ophoer.yaml").letters[0].letter
    headings = [s.heading for s in stopped.sections]
    assert "Det har du søgt om" not in headings and "Baggrund for afgørelsen" in headings
    rejected = build(CASES / "sel-100-afslag.yaml").letters[0].letter
    assert "Det har du søgt om" in [s.heading for s in rejected.sections]
    applied_change = build(CASES / "sel-97-ophoer.yaml", lambda c: c.update(own_initiative=False))
    assert "Det har du søgt om" in [s.heading for s in applied_change.letters[0].letter.sections]


def test_a_stop_states_its_date_and_that_a_complaint_does_not_postpone_it():
    text = build(CASES / "sel-97-ophoer.yaml").letters[0].letter.citizen_text
    assert "Den sidste dag med støtte er den 31. oktober 2026." in text
    assert "også hvis du klager. En klage udsætter ikke afgørelsen." in text
    assert "Vi skrev til dig den 31. august 2026" in text  # the advance notice


def test_a_change_states_when_the_old_support_ends_and_rsl_72():
    def change(c):
        c.update(decision="changed", stops_on=None, phrases=[],
                 granted={"scope": "ledsagelse 8 timer om måneden", "start": "2026-11-01", "provider": "Ledsageordningen"})
    text = build(CASES / "sel-97-ophoer.yaml", change).letters[0].letter.citizen_text
    assert "gælder til og med den 31. oktober 2026" in text
    assert "Ændringen gælder fra den 1. november 2026, også hvis du klager." in text


def test_a_stop_without_advance_notice_warns():
    assert "no-advance-notice" in findings(CASES / "sel-97-ophoer.yaml", lambda c: c.pop("advance_notice"))


@pytest.mark.parametrize("path", [p for p in ALL_CASES if data(p).get("kind", "decision") == "decision"
                                  and data(p)["decision"] != "granted"], ids=lambda p: p.stem)
def test_overall_assessment_states_its_result(path):
    text = build(path).letters[0].letter.citizen_text
    assert re.search(r"Vores vurdering er, at (du|I) (ikke )?kan få", text) or "Vores vurdering er, at" in text
    assert "no-overall-assessment" in findings(path, lambda c: c.pop("overall_assessment"))


# --- item 4: the closing-day warning on each reader's channel ---------------------------------------


def sel_83_rejection() -> dict:
    """§ 83 rejection dated Friday 18 December 2026: citizen by post, guardian on Digital Post,
    representative by Quickbrev (issue 11, done-when)."""
    def reader(role, name, channel):
        return {"role": role, "name": name, "address": ["Eksempelvej 1"], "postcode": "9999", "city": "Eksempelby",
                "channel": channel}
    return {
        "example": True, "case_number": "2026-0833", "provision": "sel-83", "decision": "rejected",
        "department": "voksen", "dated": "2026-12-18", "caseworker": "Sagsbehandler Eksempel",
        "application": {"received": "2026-10-01", "applied_for": "praktisk hjælp til rengøring hver uge"},
        "facts": ["Du kan selv gøre rent, hvis du får et hjælpemiddel."],
        "considerations": ["Du kan klare rengøringen selv med et hjælpemiddel."],
        "overall_assessment": {"other_help": []}, "phone_call": True,
        "recipients": [reader("citizen", "Fiktiv Borger Post", "post"),
                       reader("guardian", "Fiktiv Værge Digital", "digital"),
                       reader("representative", "Fiktiv Repræsentant Quick", "quickpost")],
    }


def test_sel_83_rejection_before_christmas_three_channels():
    from generator.render import render_pdf

    built = build(None, case=sel_83_rejection())
    # Worked by hand from content/deadline_rules.yaml and its sources:
    # post: 6 delivery days after Fri 18 Dec (21, 22, 23, 24, [25 holiday, weekend], 28, 29) = Tue 29 Dec;
    #       + 4 weeks = Tue 26 Jan 2027.
    # Digital Post: received Fri 18 Dec; + 4 weeks = Fri 15 Jan 2027.
    # Quickbrev: + 2 days = Sun 20 Dec; + 4 weeks = Sun 17 Jan 2027 -> Mon 18 Jan 2027.
    expected = {"citizen": ("2026-12-29", "2027-01-26", "26. januar 2027"),
                "guardian": ("2026-12-18", "2027-01-15", "15. januar 2027"),
                "representative": ("2026-12-20", "2027-01-18", "18. januar 2027")}
    assert len(built.letters) == 3
    for rl in built.letters:
        role = rl.letter.recipient.role.value
        received, deadline, spoken = expected[role]
        complaint = rl.letter.record["deadlines"]["complaint"]
        assert (complaint["received"], complaint["deadline"]) == (received, deadline), role
        body = one_line(pdf_text_of(render_pdf(rl.letter)))
        assert f"Vi skal have din klage senest den {spoken}." in body, role
    warning = [f for f in check_decision(built) if f.code == "sent-before-closing-day"]
    assert len(warning) == 1 and warning[0].level == "warning"
    message = warning[0].message
    assert "letter 2 (guardian, digital) is received on 2026-12-18, just before a closing day (2026-12-19: lørdag)" in message
    assert "letter 3 (representative, quickpost) is received on 2026-12-20, a closing day (søndag)" in message
    # Mon 21 Dec: the paper letter arrives Wed 30 Dec, just before New Year's Eve; Quickbrev on
    # Wed 23, before Christmas Eve. The first date that suits all three is Monday 4 January 2027
    # (post: Tue 12 Jan; Digital Post: Mon 4 Jan; Quickbrev: Wed 6 Jan).
    assert message.endswith("consider dating it 2027-01-04")
    calendar = default_calendar()
    suggested = dt.date(2027, 1, 4)
    for channel in Channel:
        assert receipt_problem(suggested, channel, calendar) is None
    assert receipt_problem(dt.date(2026, 12, 21), Channel.post, calendar) is not None  # arrives after Christmas


def test_no_warning_when_every_reader_receives_it_well():
    case = sel_83_rejection()
    case["dated"] = "2027-01-04"
    assert not [f for f in check_decision(build(None, case=case)) if f.code == "sent-before-closing-day"]


def pdf_text_of(data: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)
