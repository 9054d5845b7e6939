"""The letter form <-> a case dict in the case-file schema (generator/case.py).

Form controls are named by their case-file path (`recipients[1].channel`, `facts[0]`), so a
problem the core reports for a field points straight at its control. Chosen phrases are
`phrase` checkboxes (value: the phrase id, in the order shown) with their parameters in
`param.<phrase id>.<name>`. Empty fields are left out, as a hand-written case file would.
"""

from __future__ import annotations

import re
from typing import Any

from ..api import Param, parse_param

_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?$")
BOOLEANS = ("example", "party_hearing", "phone_call")
TEXT_FIELDS = ("case_number", "provision", "decision", "department", "dated", "caseworker", "party_name", "stops_on")


def form_to_data(form, params_of: dict[str, tuple[Param, ...]]) -> dict[str, Any]:
    """Form fields (a multi-dict: name -> values) -> a case dict. `params_of` maps each phrase id
    offered on the form to its parameters (for their types)."""
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
    for name in BOOLEANS:
        if form.get(name):
            data[name] = True
    for group, fields in (("application", ("received", "applied_for")),
                          ("granted", ("scope", "start", "provider", "follow_up"))):
        values = {f: form.get(f"{group}.{f}", "").strip() for f in fields}
        values = {k: v for k, v in values.items() if v}
        if values:
            data[group] = values
    for group in ("facts", "considerations"):
        items = [" ".join(v.split()) for _, v in _indexed(form, group) if v.strip()]
        if items:
            data[group] = items
    references = [r for r in form.getlist("references") if r.strip()]
    if references:
        data["references"] = list(dict.fromkeys(references))
    documents = []
    for _, row in _rows(form, "documents"):
        document = {k: v.strip() for k, v in row.items() if k in ("title", "dated") and v.strip()}
        if not document:
            continue
        document["seen_by_party"] = bool(row.get("seen_by_party"))
        documents.append(document)
    if documents:
        data["documents"] = documents
    recipients = []
    for _, row in _rows(form, "recipients"):
        recipient = {k: row.get(k, "").strip() for k in ("role", "name", "postcode", "city", "channel")}
        recipient["address"] = [line.strip() for line in row.get("address", "").splitlines() if line.strip()]
        if not any(recipient[k] for k in ("name", "postcode", "city")) and not recipient["address"]:
            continue  # an empty row
        recipients.append({k: v for k, v in recipient.items() if v})
    if recipients:
        data["recipients"] = recipients
    phrases = []
    for phrase_id in dict.fromkeys(form.getlist("phrase")):
        params = {}
        for param in params_of.get(phrase_id, ()):
            value = form.get(f"param.{phrase_id}.{param.name}", "")
            if value.strip():
                params[param.name] = parse_param(value, param.type)
        phrases.append({"id": phrase_id, "params": params} if params else {"id": phrase_id})
    if phrases:
        data["phrases"] = phrases
    return data


def _indexed(form, group: str) -> list[tuple[int, str]]:
    found = []
    for key in form.keys():
        match = _PATH.match(key)
        if match and match.group(1) == group and match.group(2) is not None and match.group(3) is None:
            found.append((int(match.group(2)), form.get(key)))
    return sorted(found)


def _rows(form, group: str) -> list[tuple[int, dict[str, str]]]:
    rows: dict[int, dict[str, str]] = {}
    for key in form.keys():
        match = _PATH.match(key)
        if match and match.group(1) == group and match.group(2) is not None and match.group(3):
            rows.setdefault(int(match.group(2)), {})[match.group(3)] = form.get(key)
    return sorted(rows.items())


def missing_params(data: dict[str, Any], params_of: dict[str, tuple[Param, ...]]) -> list[tuple[str, str]]:
    """(phrase id, parameter) for each chosen phrase's parameter left empty: marked at its field."""
    missing = []
    for choice in data.get("phrases", []):
        given = choice.get("params") or {}
        for param in params_of.get(choice["id"], ()):
            if given.get(param.name) in (None, ""):
                missing.append((choice["id"], param.name))
    return missing


def data_to_form(data: dict[str, Any]) -> list[tuple[str, str]]:
    """A case dict -> the fields the form posts for it (the inverse of form_to_data); used by
    the benchmark and the tests to post a case as the browser would."""
    fields: list[tuple[str, str]] = [(k, str(data[k])) for k in TEXT_FIELDS if data.get(k) not in (None, "")]
    fields += [(k, "true") for k in BOOLEANS if data.get(k)]
    for group in ("application", "granted"):
        fields += [(f"{group}.{k}", str(v)) for k, v in (data.get(group) or {}).items() if v is not None]
    for group in ("facts", "considerations"):
        fields += [(f"{group}[{i}]", str(v)) for i, v in enumerate(data.get(group) or [])]
    fields += [("references", str(r)) for r in data.get("references") or []]
    for i, doc in enumerate(data.get("documents") or []):
        fields += [(f"documents[{i}].title", str(doc.get("title", ""))), (f"documents[{i}].dated", str(doc.get("dated", "")))]
        if doc.get("seen_by_party", True):
            fields.append((f"documents[{i}].seen_by_party", "true"))
    for i, r in enumerate(data.get("recipients") or []):
        for key, value in r.items():
            fields.append((f"recipients[{i}].{key}", "\n".join(value) if key == "address" else str(value)))
    for choice in data.get("phrases") or []:
        fields.append(("phrase", choice["id"]))
        fields += [(f"param.{choice['id']}.{k}", str(v)) for k, v in (choice.get("params") or {}).items()]
    return fields
