"""Staff-edited letter texts in content/: Markdown with parameters -> heading and sections.

A text file starts with YAML front matter between `---` lines (`title`: the PDF title, never
personal data; not templated). The body is rendered with the phrase library's sandboxed Jinja
environment (StrictUndefined: a missing parameter is an error), then split: `# ` is the
heading, `## ` starts a section, blank lines separate paragraphs, `- ` lines make a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .. import sandbox
from ..errors import BrevgenError
from ..loading import read_text, read_yaml_text
from ..phrases import text_environment, text_to_blocks
from .model import Section


@dataclass(frozen=True)
class TextTemplate:
    path: Path
    title: str
    template: jinja2.Template


@dataclass(frozen=True)
class RenderedText:
    title: str
    heading: str
    sections: tuple[Section, ...]


@lru_cache(maxsize=None)
def load_text(path: Path) -> TextTemplate:
    raw = read_text(path)
    if not raw.startswith("---\n") or "\n---\n" not in raw[4:]:
        raise BrevgenError(f"{path}:1: expected front matter between '---' lines with a `title`")
    front, body = raw[4:].split("\n---\n", 1)
    meta = read_yaml_text(front, str(path), first_line=2)[0] or {}
    if not isinstance(meta, dict) or not isinstance(meta.get("title"), str) or not meta["title"].strip():
        raise BrevgenError(f"{path}:1: front matter: `title` is required (the PDF title, no personal data)")
    body_line = front.count("\n") + 3
    try:
        template = text_environment().from_string(body)
    except jinja2.TemplateSyntaxError as exc:
        raise BrevgenError(f"{path}:{body_line + (exc.lineno or 1) - 1}: {exc.message}") from None
    return TextTemplate(path, meta["title"].strip(), template)


def render_text(path: Path, params: dict[str, Any]) -> RenderedText:
    text = load_text(path)
    try:
        body = sandbox.render(text.template, params)
    except sandbox.TextError as exc:
        raise BrevgenError(f"{path}: {exc}") from None
    except jinja2.UndefinedError as exc:
        raise BrevgenError(f"{path}: parameter missing: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise BrevgenError(f"{path}: not allowed: {exc}") from None
    heading, sections = _split(body)
    if not heading:
        raise BrevgenError(f"{path}: the text needs a heading line starting with '# '")
    return RenderedText(text.title, heading, sections)


def _split(body: str) -> tuple[str, tuple[Section, ...]]:
    heading = ""
    parts: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith("# ") and not heading:
            heading = stripped[2:].strip()
        elif stripped.startswith("## "):
            parts.append((stripped[3:].strip(), []))
        else:
            parts[-1][1].append(line)
    sections = []
    for title, lines in parts:
        blocks = text_to_blocks("\n".join(lines))
        if blocks or title:
            sections.append(Section(title, blocks))
    return heading, tuple(sections)
