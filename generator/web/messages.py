"""Danish wording for what the core reports in English: by finding code and field path, never by
matching the English text. Everything a caseworker reads on a page comes from here or a template."""

from __future__ import annotations

import datetime as dt
import re

from ..api import FieldProblem
from ..checks import Finding
from ..formatting import FILTERS

DECISIONS = {
    "granted": "Bevilling",
    "partly_granted": "Delvis bevilling",
    "rejected": "Afslag",
    "stopped": "Ophør",
    "changed": "Ændring",
}
ROLES = {
    "citizen": "Borger",
    "guardian": "Værge",
    "representative": "Partsrepræsentant",
    "custody": "Forældremyndighedsindehaver",
    "youth": "Den unge",
}
CHANNELS = {"digital": "Digital Post", "post": "Almindelig post", "quickpost": "Quickpost"}
USER_ROLES = {"caseworker": "sagsbehandler", "lawyer": "jurist", "admin": "administrator"}
PARAM_TYPES = {"text": "tekst", "number": "tal", "int": "helt tal", "money": "beløb i kroner", "date": "dato",
               "choice": "valg"}

# The form's labels, by the case-file field (list indices removed: `recipients[].name`).
LABELS = {
    "case_number": "Sagsnummer",
    "provision": "Bestemmelse",
    "decision": "Afgørelse",
    "department": "Afdeling",
    "dated": "Brevets dato",
    "caseworker": "Sagsbehandler",
    "party_name": "Afgørelsen handler om",
    "example": "Eksempeldata",
    "application": "Ansøgningen",
    "application.received": "Ansøgning modtaget",
    "application.applied_for": "Der er søgt om",
    "granted": "Det bevilgede",
    "granted.scope": "Det bevilgede (omfang)",
    "granted.start": "Startdato",
    "granted.provider": "Leverandør",
    "granted.follow_up": "Opfølgning",
    "stops_on": "Sidste dag med støtte",
    "facts": "Fakta",
    "facts[]": "Fakta",
    "considerations": "Hensyn",
    "considerations[]": "Hensyn",
    "references": "Kvalitetsstandard og principafgørelser",
    "references[]": "Henvisning",
    "documents": "Dokumenter",
    "documents[].title": "Dokumentets titel",
    "documents[].dated": "Dokumentets dato",
    "documents[].seen_by_party": "Parten har set dokumentet",
    "party_hearing": "Partshøring gennemført",
    "phone_call": "Borgeren er ringet op",
    "recipients": "Modtagere",
    "recipients[].role": "Modtagerens rolle",
    "recipients[].name": "Navn",
    "recipients[].address": "Adresse",
    "recipients[].postcode": "Postnummer",
    "recipients[].city": "By",
    "recipients[].channel": "Forsendelse",
    "phrases": "Tekstblokke",
    "kind": "Brevtype",
    "own_initiative": "På kommunens initiativ",
    "advance_notice": "Dato for varsel",
    "overall_assessment": "Helhedsvurdering",
    "overall_assessment.other_help[]": "Anden hjælp",
    "overall_assessment.note": "Bemærkning til helhedsvurderingen",
    "reconsideration": "Genvurdering",
    "reconsideration.complaint_received": "Klagen modtaget",
    "reconsideration.decision_dated": "Dato for afgørelsen, der klages over",
    "reconsideration.outcome": "Resultat",
    "reconsideration.forwarded_on": "Sendt til Ankestyrelsen",
    "follow_up": "Opfølgning",
    "follow_up.followed_up_on": "Fulgt op den",
    "follow_up.support": "Støtten, der er fulgt op på",
    "follow_up.what[]": "Fulgt op på",
    "follow_up.conclusion": "Konklusion",
    "follow_up.continues": "Støtten fortsætter",
    "follow_up.next_follow_up": "Næste opfølgning",
    "new_caseworker": "Ny sagsbehandler",
    "new_caseworker.name": "Ny sagsbehandlers navn",
    "new_caseworker.starts": "Starter den",
    "new_caseworker.phone": "Telefon",
    "new_caseworker.email": "E-mail",
}

_INDEX = re.compile(r"\[(\d+)\]")


def label(path: str) -> str:
    generic = _INDEX.sub("[]", path)
    name = LABELS.get(generic) or LABELS.get(generic.rstrip("[]")) or LABELS.get(generic.split(".")[0].rstrip("[]"), path)
    numbers = [int(n) + 1 for n in _INDEX.findall(path)]
    if path.startswith("recipients[") and numbers:
        return f"{name} (modtager {numbers[0]})"
    if path.startswith("documents[") and numbers:
        return f"{name} (dokument {numbers[0]})"
    if numbers and generic.endswith("[]"):
        return f"{name} {numbers[0]}"
    return name


def field_id(path: str) -> str:
    """The HTML id of the form control for a case-file field: a message links to it."""
    return "f-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def date_text(value) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return FILTERS["dato"](value) if "dato" in FILTERS else value.strftime("%d.%m.%Y")


# --- validation problems -------------------------------------------------------------------------

_BY_TYPE = {
    "missing": "Skal udfyldes.",
    "string_too_short": "Skal udfyldes.",
    "too_short": "Skal have mindst én.",
    "date_from_datetime_parsing": "Skriv en gyldig dato.",
    "date_parsing": "Skriv en gyldig dato.",
    "date_type": "Skriv en gyldig dato.",
    "enum": "Vælg en af mulighederne.",
    "literal_error": "Vælg en af mulighederne.",
    "bool_parsing": "Vælg ja eller nej.",
    "extra_forbidden": "Ukendt felt i sagsfilen (tjek stavningen).",
    "string_type": "Skal være tekst.",
    "int_parsing": "Skal være et helt tal.",
    "dict_type": "Mangler.",
    "model_type": "Mangler.",
}
_BY_FIELD = {  # problems whose wording depends on the field
    "recipients[].postcode": "Postnummeret skal være fire cifre.",
    "case_number": "Sagsnummeret må kun have bogstaver, tal, punktum, bindestreg og skråstreg.",
    "granted": "Udfyld det bevilgede: omfang, startdato og leverandør.",
    "party_name": "Skriv hvem afgørelsen handler om, når ingen modtager er borgeren selv.",
    "stops_on": "Skriv den sidste dag med støtte, når støtten ophører.",
    "decision": "Et varsel handler om ophør eller ændring: vælg en af dem.",
    "reconsideration.forwarded_on": "Skriv datoen, klagen blev sendt til Ankestyrelsen (ikke før klagen kom).",
    "facts": "Skriv de oplysninger, brevet bygger på.",
}


def problem_text(problem: FieldProblem) -> str:
    generic = _INDEX.sub("[]", problem.field)
    if problem.type in ("string_pattern_mismatch", "value_error") and generic in _BY_FIELD:
        return _BY_FIELD[generic]
    if problem.type == "value_error":  # a rule across fields (case.py): the field it names is missing
        return _BY_FIELD.get(problem.field, "Skal udfyldes.")
    return _BY_TYPE.get(problem.type, "Udfyld feltet korrekt.")


# --- check findings ------------------------------------------------------------------------------


def finding_text(finding: Finding) -> str:
    d = finding.data
    code = finding.code
    if code == "no-legal-basis":
        return "Afgørelsen skal forklare reglerne (forvaltningslovens § 24), men der er ingen tekst om denne bestemmelse. Kontakt juristen."
    if code == "no-facts":
        return "Skriv de faktiske oplysninger, afgørelsen bygger på (forvaltningslovens § 24)."
    if code == "no-considerations":
        return "Skriv de hovedhensyn, der har været afgørende (forvaltningslovens § 24)."
    if code == "no-complaint-guidance":
        return f"Brev {d.get('letter', '')} mangler klagevejledning (forvaltningslovens § 25)."
    if code == "unknown-reference":
        return f"Henvisningen {d.get('ref', '')} findes ikke i registret."
    if code == "historic-ruling":
        return f"Principafgørelsen {d.get('ref', '')} er historisk og må ikke bruges længere."
    if code == "reference-not-in-force":
        return f"Henvisningen {d.get('ref', '')} gælder ikke på brevets dato."
    if code == "sent-before-closing-day":
        letters = ", ".join(str(n) for n in d.get("letters", []))
        return (f"Brev {letters} når frem på en lukkedag eller lige før en, så modtageren ikke kan nå os dagen efter. "
                f"Overvej at datere brevet {date_text(d['suggested'])}.")
    if code == "no-phone-call":
        return "Ring til borgeren, før brevet sendes, og sæt kryds i \"Borgeren er ringet op\"."
    if code == "no-party-hearing":
        numbers = ", ".join(str(i + 1) for i in d.get("documents", []))
        return (f"Parten har ikke set dokument {numbers}, og der er ikke gennemført partshøring "
                "(forvaltningslovens § 19).")
    if code == "hard-to-read":
        return f"Brev {d.get('letter', '')} er svært at læse (LIX {d.get('score')}, over {d.get('limit')}). Brug kortere sætninger og ord."
    if code == "no-overall-assessment":
        return ("Skriv resultatet af helhedsvurderingen (retssikkerhedslovens § 5): hvilken anden hjælp borgeren kan få, "
                "eller sæt kryds i \"Helhedsvurderingen er foretaget\", hvis der ikke er anden hjælp.")
    if code == "no-advance-notice":
        return "Der er ikke registreret et varsel. Send et varsel, før støtten stopper eller nedsættes, og skriv datoen."
    if code == "deres-third-party":
        return (f"Brev {d.get('letter', '')}: en sætning begynder med \"Deres\" i afsnittet \"{d.get('section', '')}\". "
                "Skriv hvem det handler om.")
    if code == "du-ambiguous":
        return (f"Brev {d.get('letter', '')}: afsnittet \"{d.get('section', '')}\" handler om borgeren, men siger \"du\" "
                "til en anden læser. Vælg en anden tekstblok eller kontakt juristen.")
    if code == "forwarded-late":
        return (f"Klagen er sendt til Ankestyrelsen senere end {d.get('weeks', 4)} uger efter, at den kom "
                f"(retssikkerhedslovens § 66: senest {date_text(d['limit'])}).") if d.get("limit") else \
            "Klagen er sendt for sent til Ankestyrelsen (retssikkerhedslovens § 66)."
    if code == "processing-time-passed":
        return ("Den offentliggjorte sagsbehandlingstid er allerede overskredet på brevets dato. "
                "Fortæl borgeren, hvornår der kan forventes et svar.")
    if code == "phrase-param-missing":
        return "En valgt tekstblok mangler en oplysning. Udfyld felterne under tekstblokken."
    if code == "phrase-not-allowed":
        return "En valgt tekstblok passer ikke til bestemmelsen, afgørelsen eller datoen. Fravælg den."
    if code == "provision-not-in-force":
        return "Bestemmelsen gælder ikke på brevets dato. Tjek datoen eller bestemmelsen."
    if code == "unknown-department":
        return "Afdelingen findes ikke i kommunens opsætning."
    return "Brevet kan ikke dannes. Kontakt systemets administrator."

SLOTS = {
    "afgoerelse.beslutning.valgt": "Afgørelsen",
    "begrundelse.valgt": "Begrundelsen",
    "naeste.valgt": "Det sker nu",
}


def slot_label(slot: str) -> str:
    return SLOTS.get(slot, slot)
