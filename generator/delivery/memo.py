"""The MeMo message for one letter, built with python-serviceplatformen's data classes.

MeMo (namespace https://DigitalPost.dk/MeMo-1) is what Digital Post carries (docs/delivery.md):
a MessageHeader (sender CVR, recipient CPR, label, message UUID, flags) and a MessageBody (the
letter's PDF as the main document, the transition information letter as an additional document).
The library serialises; nothing here writes XML by hand.

The message UUID is derived from the letter, not drawn at random: the municipality's CVR, the
letter's key (its file stem: case number, kind, recipient, role) and its version. Sending the
same letter again gives the same UUID, which is what lets a resumed send, the outbox's reader and
the platform recognise a repeat; a new version of a letter is a new message with a new UUID.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from python_serviceplatformen.models import message as memo
from python_serviceplatformen.models.xml_util import dataclass_to_xml

NAMESPACE = memo.NAME_SPACES["memo"]
# A fixed namespace for brevgen's message UUIDs (uuid5): the same letter always gets the same UUID.
BREVGEN_UUIDS = uuid.UUID("6f1c8e0a-5b7d-4c53-9a57-0d2f6b1e4a90")


def message_uuid(cvr: str, letter_key: str, version: int) -> str:
    return str(uuid.uuid5(BREVGEN_UUIDS, f"{cvr}/{letter_key}/v{version}"))


@dataclass(frozen=True)
class Document:
    label: str
    path: Path

    def file(self) -> memo.File:
        return memo.File(encodingFormat="application/pdf", filename=self.path.name, language="da",
                         content=base64.b64encode(self.path.read_bytes()).decode("ascii"))


@dataclass(frozen=True)
class Sender:
    cvr: str
    name: str  # the municipality, as the citizen sees it in the mailbox


def build_message(*, uuid_: str, letter_key: str, decision: bool, label: str, case_number: str | None, cpr: str,
                  sender: Sender, main: Document, additional: tuple[Document, ...], created: dt.datetime) -> memo.Message:
    """The MeMo message. `created` is when the letter was queued, so a resumed send rebuilds the same
    bytes. `decision`: the letter notifies a decision (or carries its complaint guidance)."""
    content = memo.ContentData(caseID=memo.CaseID(caseID=case_number, caseSystem="brevgen")) if case_number else None
    header = memo.MessageHeader(
        messageType="DIGITALPOST",
        messageUUID=uuid_,
        messageID=letter_key[:36] if len(letter_key) <= 36 else None,
        label=label,
        # A decision must reach the citizen and is a legal notification (FVL § 22-25 letters);
        # other letters (an invitation) are ordinary messages. See docs/delivery.md (to confirm
        # with the platform's MeMo guide: not verified against it).
        mandatory=decision,
        legalNotification=decision,
        postType="MYNDIGHEDSPOST",
        sender=memo.Sender(senderID=sender.cvr, idType="CVR", label=sender.name),
        recipient=memo.Recipient(recipientID=cpr, idType="CPR"),
        contentData=content,
    )
    body = memo.MessageBody(
        createdDateTime=created,
        mainDocument=memo.MainDocument(mainDocumentID=letter_key[:36], label=main.label, files=(main.file(),)),
        additionalDocuments=tuple(
            memo.AdditionalDocument(additionalDocumentID=f"bilag-{n}", label=doc.label, files=(doc.file(),))
            for n, doc in enumerate(additional, start=1)
        ) or None,
    )
    return memo.Message(messageHeader=header, messageBody=body)


def to_xml(message: memo.Message) -> bytes:
    """UTF-8 XML with a declaration; the same message gives the same bytes."""
    return ElementTree.tostring(dataclass_to_xml(message), encoding="utf-8", xml_declaration=True)
