"""The letter form <-> a case dict in the case-file schema (generator/case.py).

Form controls are named by their case-file path (`recipients[1].channel`, `facts[0]`,
`follow_up.what[2]`), so a problem the core reports for a field points straight at its control,
and one generic parser turns any of them back into the nested case dict. Chosen phrases are
`phrase` checkboxes (value: the phrase id, in the order shown) with their parameters in
`param.<phrase id>.<name>`; cited references are `references` checkboxes. Empty fields are left
out, as a hand-written case file would.
"""

from __future__ import annotations

import re
from typing import Any

from ..api import Param, parse_param

CHECKBOXES = frozenset({"example", "party_hearing", "phone_call", "documents[].seen_by_party"})  # absent = false
YES_NO = frozenset({"own_initiative", "follow_up.continues"})  # a select: "" (not set), "true", "false"
LINES = frozenset({"recipients[].address"})  # a textarea, one list item per line
PRESENT = "overall_assessment.done"  # a checkbox: the block exists even when its list is empty
SPECIAL = frozenset({"csrf_token", "phrase", "references", PRESENT})

_TOKEN = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def _parse_path(path: str) -> list[str | int] | None:
    parts: list[str | int] = []
    for piece in path.split("."):
        match = _TOKEN.fullmatch(piece)
        if not match:
            return None
        parts.append(match.group(1))
        if match.group(2) is not None:
            parts.append(int(match.group(2)))
    return parts


def _put(tree: dict, parts: list[str | int], value: Any) -> None:
    node: Any = tree
    for part, following in zip(parts, parts[1:]):
        child = {} if isinstance(following, str) else {}  # lists are dicts keyed by index until compacted
        node = node.setdefault(part, child)
    node[parts[-1]] = value


def _compact(node: Any) -> Any:
    """Index-keyed dicts -> lists in index order; empty strings, dicts and lists dropped."""
    if isinstance(node, dict):
        items = {k: _compact(v) for k, v in node.items()}
        items = {k: v for k, v in items.items() if v not in ("", None, {}, [])}
        if items and all(isinstance(k, int) for k in items):
            return [items[k] for k in sorted(items)]
        return items
    return node


def form_to_data(form, params_of: dict[str, tuple[Param, ...]]) -> dict[str, Any]:
    """Form fields (a multi-dict: name -> values) -> a case dict. `params_of` maps each phrase id
    offered on the form to its parameters (for their types)."""
    tree: dict[str, Any] = {}
    for key in dict.fromkeys(form.keys()):
        if key in SPECIAL or key.startswith("param."):
            continue
        parts = _parse_path(key)
        if parts is None:
            continue
        kind = generic(key)
        value = form.get(key) or ""
        if kind in CHECKBOXES:
            _put(tree, parts, True)
        elif kind in YES_NO:
            if value in ("true", "false"):
                _put(tree, parts, value == "true")
        elif kind in LINES:
            _put(tree, parts, {i: line.strip() for i, line in enumerate(value.splitlines()) if line.strip()})
        else:
            text = value.strip()
            if kind.endswith("[]") or kind in ("facts[]", "considerations[]"):
                text = " ".join(text.split())  # list items are one paragraph each
            _put(tree, parts, text)
    data = _compact(tree)
    for document in data.get("documents", []):  # a row that exists says yes or no
        document.setdefault("seen_by_party", False)
    for row in list(data.get("documents", [])):
        if set(row) == {"seen_by_party"}:
            data["documents"].remove(row)  # only the checkbox of an empty row
    if not data.get("documents"):
        data.pop("documents", None)
    recipients = [r for r in data.get("recipients", []) if set(r) - {"role", "channel"}]  # not an empty row
    if recipients:
        data["recipients"] = recipients
    else:
        data.pop("recipients", None)
    if form.get(PRESENT) or data.get("overall_assessment"):
        block = data.setdefault("overall_assessment", {})
        block.setdefault("other_help", [])
    references = [r for r in form.getlist("references") if r.strip()]
    if references:
        data["references"] = list(dict.fromkeys(references))
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


def missing_params(data: dict[str, Any], params_of: dict[str, tuple[Param, ...]]) -> list[tuple[str, str]]:
    """(phrase id, parameter) for each chosen phrase's parameter left empty: marked at its field."""
    missing = []
    for choice in data.get("phrases", []):
        if not isinstance(choice, dict):
            continue
        given = choice.get("params") or {}
        for param in params_of.get(choice.get("id"), ()):
            if given.get(param.name) in (None, "") and not param.optional:
                missing.append((choice["id"], param.name))
    return missing


def data_to_form(data: dict[str, Any]) -> list[tuple[str, str]]:
    """A case dict -> the fields the form posts for it (the inverse of form_to_data); used by
    the benchmark and the tests to post a case as the browser would."""
    fields: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        kind = generic(path)
        if path in ("phrases", "references"):
            return
        if kind in LINES:
            fields.append((path, "\n".join(map(str, value))))
        elif isinstance(value, dict):
            if path == "overall_assessment":
                fields.append((PRESENT, "true"))
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
            if kind == "documents[]" and value.get("seen_by_party", True) and "seen_by_party" not in value:
                fields.append((f"{path}.seen_by_party", "true"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        elif kind in CHECKBOXES:
            if value:
                fields.append((path, "true"))
        elif isinstance(value, bool):
            fields.append((path, "true" if value else "false"))
        elif value is not None:
            fields.append((path, str(value)))

    walk(data, "")
    fields += [("references", str(r)) for r in data.get("references") or []]
    for choice in data.get("phrases") or []:
        fields.append(("phrase", choice["id"]))
        fields += [(f"param.{choice['id']}.{k}", str(v)) for k, v in (choice.get("params") or {}).items()]
    return fields
