"""The letters brevgen has written, found on disk, as messages to send.

`brevgen letter` and `brevgen guidance` write a JSON record beside each letter (its key,
version, title, recipient's person id and channel, files); `brevgen transition invite` writes
`manifest.csv` (one row per file) and the information letter every invitation carries; its paper
letters are printed from the run's print bundles, so only its digital ones are sent. Only these
files are read: a send never re-renders or changes a letter.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import BrevgenError
from ..loading import read_text
from .memo import Document


@dataclass(frozen=True)
class Outgoing:
    key: str  # the letter's file stem without version: case number, kind, recipient, role
    version: int
    kind: str
    label: str  # the letter's title: the message's label in the mailbox
    case_number: str | None  # None for a letter that is not about a case (an invitation)
    person_id: str | None
    channel: str
    main: Document
    additional: tuple[Document, ...] = ()
    decision: bool = False  # notifies a decision, or carries its complaint guidance: a legal notification


def notifies_decision(record: dict) -> bool:
    """A decision letter (also a full grant, which has no complaint guidance), a reconsideration
    that changes the decision, standalone complaint guidance, or any letter carrying guidance.
    A hearing or an advance notice names the decision planned, but decides nothing."""
    kind = record.get("kind")
    return (kind in ("afgoerelse", "klagevejledning") or bool(record.get("complaint"))
            or (kind == "genvurdering" and record.get("decision") is not None))


def find_letters(sources: list[Path]) -> list[Outgoing]:
    """Every letter in the folders (or record/manifest files) named, in a stable order."""
    found: list[Outgoing] = []
    for source in sources:
        if source.is_dir():
            if (source / "manifest.csv").is_file():
                found.extend(from_manifest(source / "manifest.csv"))
            for record in sorted(source.glob("*.json")):
                letter = from_record(record)
                if letter is not None:
                    found.append(letter)
        elif source.is_file() and source.name == "manifest.csv":
            found.extend(from_manifest(source))
        elif source.is_file() and source.suffix == ".json":
            letter = from_record(source)
            if letter is None:
                raise BrevgenError(f"{source}: not a letter record written by brevgen letter or brevgen guidance")
            found.append(letter)
        else:
            raise BrevgenError(f"{source}: expected a folder of letters, a letter record (.json) or a manifest.csv")
    keys = [(o.key, o.version) for o in found]
    if len(set(keys)) != len(keys):
        raise BrevgenError("the same letter is named twice (a folder and a file in it?); nothing sent")
    return found


def from_record(path: Path) -> Outgoing | None:
    try:
        record = json.loads(read_text(path))
    except json.JSONDecodeError:
        return None
    if not isinstance(record, dict) or "pdf" not in (record.get("files") or {}) or "recipient" not in record:
        return None  # a leaflet report or another JSON file: not a letter
    delivery = record.get("delivery") or {}
    pdf = path.parent / record["files"]["pdf"]["name"]
    if not pdf.is_file():
        raise BrevgenError(f"{path}: files.pdf: {pdf.name} is missing beside the record")
    recipient = record["recipient"]
    return Outgoing(
        key=delivery.get("letter_key") or pdf.stem,
        version=int(delivery.get("version") or 1),
        kind=record.get("kind", "brev"),
        label=record.get("title") or record.get("kind", "Brev"),
        case_number=record.get("case_number"),
        person_id=recipient.get("person_id"),
        channel=recipient.get("channel", "digital"),
        main=Document(record.get("title") or pdf.stem, pdf),
        decision=notifies_decision(record),
    )


def from_manifest(path: Path) -> list[Outgoing]:
    rows = list(csv.DictReader(io.StringIO(read_text(path))))
    out = []
    for row in rows:
        name = row.get("file") or ""
        if not name.endswith(".pdf"):
            continue  # the DOCX copies are for the caseworker; the PDF is what is sent
        if row.get("channel") != "digital":
            continue  # a paper invitation is in the run's print bundle, printed by the municipality
        pdf = path.parent / name
        attachment = path.parent / (row.get("attachment") or "")
        if not pdf.is_file() or not attachment.is_file():
            raise BrevgenError(f"{path}: {name}: the letter or its attachment is missing")
        title = row.get("title") or "Invitation"
        out.append(Outgoing(
            key=pdf.stem, version=1, kind="invitation", label=title, case_number=None,
            person_id=row.get("person_id") or None, channel=row.get("channel", "digital"),
            main=Document(title, pdf),
            additional=(Document(row.get("attachment_title") or "Information", attachment),),
        ))
    return out
