"""A leaflet file: YAML front matter between `---` lines, then the Markdown body."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..errors import BrevgenError
from ..loading import parse_model, profile, read_text, read_yaml_text
from ..models import Model


class FrontMatter(Model):
    example: bool = False
    title: str = Field(min_length=1, max_length=120)
    subtitle: str = ""
    audience: Literal["citizen", "staff"]
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    approved_by: str = Field(min_length=1, description="a role or team, not a private person")
    approved: dt.date
    next_review: dt.date
    paper: Literal["A4", "A5"] = "A5"
    area: str = Field(default="", description="a department id from the profile, or empty")


@dataclass(frozen=True)
class LeafletSource:
    path: Path
    front: FrontMatter
    body: str
    body_first_line: int  # the file's line number of the body's first line

    def file_line(self, body_index: int) -> int:
        return self.body_first_line + body_index

    @property
    def stem(self) -> str:
        return self.path.stem


def read_leaflet(path: Path) -> LeafletSource:
    return parse_leaflet(read_text(path), path)


def parse_leaflet(text: str, path: Path) -> LeafletSource:
    """A leaflet from its text; `path` names it in messages and resolves its images and links
    (the web app's preview parses the text being edited, not the file)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise BrevgenError(f"{path}:1: expected front matter: a line '---', the fields, and '---' again")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise BrevgenError(f"{path}:1: the front matter has no closing '---' line") from None
    data, field_lines = read_yaml_text("\n".join(lines[1:end]), str(path), first_line=2)
    if not isinstance(data, dict):
        raise BrevgenError(f"{path}:2: front matter: expected fields such as title, audience, version")
    front = parse_model(FrontMatter, data, str(path), field_lines)
    departments = [d.id for d in profile().departments]
    if front.area and front.area not in departments:
        raise BrevgenError(f"{path}:{field_lines[('area',)]}: area: expected a department id from "
                           f"content/profile.yaml ({', '.join(departments)}), got {front.area!r}")
    return LeafletSource(path, front, "\n".join(lines[end + 1:]), body_first_line=end + 2)
