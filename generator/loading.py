"""Read YAML/JSON files into models, with error messages that name file, line and field.

Messages never repeat the offending value unless the field is known to hold no personal data
(a channel, a date of a letter, a provision): a mistyped CPR number or name must not end up in
a terminal log.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, Field, ValidationError

from . import paths
from .errors import BrevgenError
from .models import CalendarConfig, CaseLetterRules, ComplaintRoutes, DeadlineRules, Model, Profile

M = TypeVar("M", bound=BaseModel)

# Field names whose values may be quoted back in error messages.
SAFE_TO_ECHO = frozenset(
    {"channel", "role", "provision", "route", "dated", "method", "decision", "decision_type",
     "meeting", "department", "id", "phrase", "ref", "valid_from", "valid_to", "format"}
)

FieldPath = tuple[str | int, ...]
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SourceFloat(float):
    """A YAML float that remembers how it was written: `2.400` is 2.4 to YAML, but a Danish
    caseworker typing an amount means two thousand four hundred (generator/params.py)."""

    source_text: str


def _construct_float(loader, node):
    value = SourceFloat(yaml.SafeLoader.construct_yaml_float(loader, node))
    value.source_text = node.value
    return value


class _SafeLoader(_BaseLoader):  # the safe loader, with floats that keep their text
    pass


_SafeLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def read_text(path: Path) -> str:
    """A UTF-8 text file, or a BrevgenError naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BrevgenError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise BrevgenError(f"{path}: not UTF-8 text") from None


def input_files(sources: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    """Files named directly, and the files with one of `suffixes` in folders named (sorted)."""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in source.iterdir() if p.is_file() and p.suffix in suffixes)
            if not found:
                raise BrevgenError(f"{source}: no {', '.join(suffixes)} files in this folder")
            files.extend(found)
        elif source.is_file():
            files.append(source)
        else:
            raise BrevgenError(f"{source}: file not found")
    return files


def read_yaml(path: Path) -> tuple[Any, dict[FieldPath, int]]:
    """Parse a YAML (or JSON, which is YAML) file; return the data and a map field path -> line."""
    return read_yaml_text(read_text(path), str(path))


def read_yaml_text(text: str, source: str, first_line: int = 1) -> tuple[Any, dict[FieldPath, int]]:
    """Like read_yaml, for YAML embedded in another file (front matter) starting at `first_line`."""
    path, offset = source, first_line - 1
    # Parsed once, with libyaml where present (several times faster): the node tree gives the
    # line numbers, and the data is constructed from the same tree.
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1 + offset}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise BrevgenError(f"{path}: {where}{problem}") from None
    finally:
        loader.dispose()
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return data, {field: line + offset for field, line in lines.items()}


def _collect_lines(node: yaml.Node, prefix: FieldPath, lines: dict[FieldPath, int]) -> None:
    lines[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*prefix, key)] = key_node.start_mark.line + 1
            _collect_lines(value_node, (*prefix, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*prefix, index), lines)


def format_field(loc: FieldPath) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe_validation_error(
    source: str, error: ValidationError, lines: dict[FieldPath, int] | None = None
) -> str:
    """One line per problem: `file:line: field: what was expected`."""
    messages = []
    for problem in error.errors(include_url=False):
        loc = tuple(p for p in problem["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        line = _nearest_line(loc, lines or {})
        where = f"{source}:{line}" if line else source
        expected = problem["msg"]
        if problem["type"] == "missing":
            expected = "this field is required"
        elif problem["type"] == "extra_forbidden":
            expected = "unknown field (check the spelling)"
        named = [p for p in loc if isinstance(p, str)]
        if named and named[-1] in SAFE_TO_ECHO and problem["type"] not in ("missing", "extra_forbidden"):
            expected += f" (got {problem.get('input')!r})"
        messages.append(f"{where}: {format_field(loc)}: {expected}")
    return "\n".join(messages)


def _nearest_line(loc: FieldPath, lines: dict[FieldPath, int]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def parse_model(model: type[M], data: Any, source: str, lines: dict[FieldPath, int] | None = None) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BrevgenError(describe_validation_error(source, exc, lines)) from None


def load_model(model: type[M], path: Path) -> M:
    data, lines = read_yaml(path)
    if data is None:
        raise BrevgenError(f"{path}: the file is empty")
    return parse_model(model, data, str(path), lines)


def dump_json(data: Any) -> str:
    """Stable JSON for records: sorted keys, ISO dates, so the same input gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"


# --- the bundled content, loaded once per process ---------------------------------------------


@lru_cache(maxsize=None)
def profile() -> Profile:
    return load_model(Profile, paths.CONTENT / "profile.yaml")


@lru_cache(maxsize=None)
def calendar_config() -> CalendarConfig:
    return load_model(CalendarConfig, paths.CONTENT / "calendar.yaml")


@lru_cache(maxsize=None)
def deadline_rules() -> DeadlineRules:
    return load_model(DeadlineRules, paths.CONTENT / "deadline_rules.yaml")


@lru_cache(maxsize=None)
def complaint_routes() -> ComplaintRoutes:
    return load_model(ComplaintRoutes, paths.CONTENT / "complaint_routes.yaml")


@lru_cache(maxsize=None)
def case_letter_rules() -> CaseLetterRules:
    return load_model(CaseLetterRules, paths.CONTENT / "case_letters.yaml")


class DevelopmentPlan(Model):
    """content/development_plan.yaml: the provisions every letter must be possible for."""

    example: bool = False
    provisions: tuple[str, ...] = Field(min_length=1)


def development_plan(path: Path | None = None) -> list[str]:
    return list(load_model(DevelopmentPlan, path or paths.CONTENT / "development_plan.yaml").provisions)
