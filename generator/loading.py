"""Read YAML/JSON files into models, with error messages that name file, line and field.

Messages never repeat the offending value: a mistyped CPR number or a name typed into the wrong
field must not end up in a terminal log. They say which field and what was expected.

This is the one place input text is read, so the bounds on hostile input live here
(docs/robustness.md): a size limit per file, a limit on nesting (libyaml's composer recurses
in C and crashes the process on ~100,000 nested brackets), a limit on the values an alias may
expand to (a 2 KB "billion laughs" document expands to gigabytes), aliases that refer to
themselves, and duplicate keys (an error, never "the last one wins").
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, Field, ValidationError

from . import paths
from .errors import BrevgenError
from .models import CalendarConfig, CaseLetterRules, ComplaintRoutes, DeadlineRules, Model, Profile
from .personal import clean_text

M = TypeVar("M", bound=BaseModel)

FieldPath = tuple[str | int, ...]

# Bounds on input (stated in docs/robustness.md). A case file is a few KB; a register of a
# large municipality's quarter is well under a megabyte per thousand rows.
MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_TEXT_BYTES = 50 * 1024 * 1024  # CSV registers
MAX_DEPTH = 64  # nested mappings/sequences
MAX_NODES = 50_000  # values in a document, counting each alias expansion in full


class SourceFloat(float):
    """A YAML float that remembers how it was written: `2.400` is 2.4 to YAML, but a Danish
    caseworker typing an amount means two thousand four hundred (generator/params.py)."""

    source_text: str


def _construct_float(loader, node):
    value = SourceFloat(yaml.SafeLoader.construct_yaml_float(loader, node))
    value.source_text = node.value
    return value


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, with floats that keep their text, and an impossible date (2026-02-30)
    reported as a YAML error with its line."""


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise yaml.constructor.ConstructorError(
            None, None, "a date that does not exist in the calendar (expected YYYY-MM-DD, e.g. 2026-06-08)",
            node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _too_big(path: Path | str, size: int, limit: int) -> BrevgenError:
    return BrevgenError(f"{path}: the file is {size:,} bytes; the limit is {limit:,} bytes "
                        "(split it, or check that it is the right file)")


def read_text(path: Path, limit: int = MAX_YAML_BYTES, encoding: str = "utf-8") -> str:
    """A UTF-8 text file of at most `limit` bytes, or a BrevgenError naming the file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise BrevgenError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise BrevgenError(f"{path}: is a folder; expected a file") from None
    except PermissionError:
        raise BrevgenError(f"{path}: no permission to read the file") from None
    except OSError as exc:
        raise BrevgenError(f"{path}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    if len(data) > limit:
        raise _too_big(path, path.stat().st_size, limit)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise BrevgenError(f"{path}: not UTF-8 text (save it as UTF-8)") from None
    if "\x00" in text:
        raise BrevgenError(f"{path}: contains NUL bytes; expected a text file")
    return text


def read_bytes(path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """A file's bytes (for fingerprints), with the same errors as read_text."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise BrevgenError(f"{path}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    if len(data) > limit:
        raise _too_big(path, path.stat().st_size, limit)
    return data


def input_files(sources: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    """Files named directly, and the files with one of `suffixes` in folders named (sorted)."""
    files: list[Path] = []
    for source in sources:
        try:
            if source.is_dir():
                found = sorted(p for p in source.iterdir() if p.is_file() and p.suffix in suffixes)
                if not found:
                    raise BrevgenError(f"{source}: no {', '.join(suffixes)} files in this folder")
                files.extend(found)
            elif source.is_file():
                files.append(source)
            else:
                raise BrevgenError(f"{source}: file not found")
        except OSError as exc:
            raise BrevgenError(f"{source}: cannot read ({exc.strerror or type(exc).__name__})") from None
    return files


def read_yaml(path: Path) -> tuple[Any, dict[FieldPath, int]]:
    """Parse a YAML (or JSON, which is YAML) file; return the data and a map field path -> line."""
    return read_yaml_text(read_text(path), str(path))


def read_yaml_text(text: str, source: str, first_line: int = 1) -> tuple[Any, dict[FieldPath, int]]:
    """Like read_yaml, for YAML embedded in another file (front matter) starting at `first_line`."""
    path, offset = source, first_line - 1
    if len(text) > MAX_YAML_BYTES:
        raise _too_big(path, len(text.encode("utf-8")), MAX_YAML_BYTES)
    _check_flow_depth(text, path)
    # Parsed once, with libyaml where present (several times faster): the node tree gives the
    # line numbers and is checked against the bounds; the data is constructed from the same tree.
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[FieldPath, int] = {}
        if node is not None:
            _check_tree(node, path, offset, lines)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1 + offset}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise BrevgenError(f"{path}: {where}{problem}") from None
    except RecursionError:
        raise BrevgenError(f"{path}: nested too deeply (at most {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    return data, {field: line + offset for field, line in lines.items()}


def _check_flow_depth(text: str, path: str) -> None:
    """Refuse deep [ { nesting before libyaml sees it (its composer would overflow the C stack).

    Counts brackets outside nothing but themselves: a quoted "[[[" counts too, which can only
    make a legitimate file with more than MAX_DEPTH unmatched brackets in strings fail."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    line = 1
    for char in text:
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BrevgenError(f"{path}: line {line}: nested too deeply (at most {MAX_DEPTH} levels of [ or {{)")
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "\n":
            line += 1


def _check_tree(root: yaml.Node, path: str, offset: int, lines: dict[FieldPath, int]) -> None:
    """Walk the node tree as the data will be (aliases expanded), iteratively and within bounds.

    Records the line of each field; refuses duplicate keys, aliases that contain themselves,
    nesting deeper than MAX_DEPTH and more than MAX_NODES values in all."""
    count = 0
    # (node, field path, ids of the collections above it)
    stack: list[tuple[yaml.Node, FieldPath, tuple[int, ...]]] = [(root, (), ())]
    while stack:
        node, prefix, above = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise BrevgenError(f"{path}: more than {MAX_NODES:,} values (with aliases expanded); "
                               "aliases (*name) may not multiply the document")
        line = node.start_mark.line + 1
        lines[prefix] = line  # a value's own line wins over its key's (as for a list under its key)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            continue
        if id(node) in above:
            raise BrevgenError(f"{path}: line {line + offset}: an alias refers to the value that contains it")
        if len(above) >= MAX_DEPTH:
            raise BrevgenError(f"{path}: line {line + offset}: nested too deeply (at most {MAX_DEPTH} levels)")
        inner = (*above, id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*prefix, index), inner) for index, item in enumerate(node.value))
            continue
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                key_line = key_node.start_mark.line + 1
                if key in seen and key != "<<":
                    raise BrevgenError(f"{path}: line {key_line + offset}: {format_field((*prefix, key))}: "
                                       f"the key appears twice (also on line {seen[key] + offset}); keep one")
                seen[key] = key_line
                lines.setdefault((*prefix, key), key_line)
                stack.append((value_node, (*prefix, key), inner))
            else:
                stack.append((key_node, prefix, inner))
                stack.append((value_node, prefix, inner))


_FIELD_NAME = re.compile(r"^[A-Za-z0-9_.#\-]{1,60}$")


def format_field(loc: FieldPath) -> str:
    """`recipients[0].channel`. A key that is not a plain name is shown as `<key>`: a key can be
    user data too (a value typed one line too high), and messages never repeat user data."""
    out = ""
    for part in loc:
        if isinstance(part, str) and not _FIELD_NAME.match(part):
            part = "<key>"
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
        expected = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing":
            expected = "this field is required"
        elif problem["type"] == "extra_forbidden":
            expected = "unknown field (check the spelling)"
        messages.append(f"{where}: {format_field(loc)}: {expected}")
    return "\n".join(messages)


def _nearest_line(loc: FieldPath, lines: dict[FieldPath, int]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def visible(data: Any) -> Any:
    """Every string without bidi overrides, zero-width and control characters (tab and newline
    kept): they can make text read differently on screen than in the file (personal.clean_text)."""
    if isinstance(data, str):
        return clean_text(data, keep_newlines=True)[0]
    if isinstance(data, list):
        return [visible(item) for item in data]
    if isinstance(data, dict):
        return {key: visible(value) for key, value in data.items()}
    return data


def parse_model(model: type[M], data: Any, source: str, lines: dict[FieldPath, int] | None = None) -> M:
    try:
        return model.model_validate(visible(data))
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
