"""A leaflet source -> a Leaflet: its body as HTML parts with the embedded processes between them.

Markdown is converted with raw HTML switched off (staff write Markdown, not HTML: it keeps
every image going through the alt-text check and no script reaches the web page). Headings get
Danish-friendly anchors (æ, ø, å kept). Images become data URIs, so the web page is one file
and the PDF needs nothing from the network. Links to other leaflets (.md) point to their .html.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from ..processes import ResolvedProcess, find_process, process_files
from ..readability import Lix, lix
from .checks import EMBED, IMAGE_TYPES, Problem, embedded_process_ids, find_errors, find_warnings
from .source import FrontMatter, LeafletSource

_MARKER = re.compile(r"<!--brevgen-process:(\d+)-->")


@dataclass(frozen=True)
class Part:
    """A piece of the body: Markdown HTML, or an embedded process (drawn by the template)."""

    html: Markup = Markup("")
    process: ResolvedProcess | None = None
    level: int = 3  # the process title's heading level: one below the heading it sits under


@dataclass(frozen=True)
class Leaflet:
    source: LeafletSource
    parts: tuple[Part, ...]
    processes: tuple[ResolvedProcess, ...]
    lix: Lix
    warnings: tuple[Problem, ...]

    @property
    def front(self) -> FrontMatter:
        return self.source.front

    @property
    def stem(self) -> str:
        return self.source.stem


class _EmbedProcesses(Preprocessor):
    """Replace each `[[proces: id]]` line by a marker the body is split on afterwards."""

    def run(self, lines: list[str]) -> list[str]:
        out, count = [], 0
        for line in lines:
            if EMBED.match(line):
                marker = self.md.htmlStash.store(f"<!--brevgen-process:{count}-->")
                out += ["", marker, ""]
                count += 1
            else:
                out.append(line)
        return out


class _ResolveFiles(Treeprocessor):
    def __init__(self, md, folder: Path):
        super().__init__(md)
        self.folder = folder

    def run(self, root: etree.Element) -> None:
        for image in root.iter("img"):
            path = self.folder / image.get("src", "")
            mime = IMAGE_TYPES.get(path.suffix.lower())
            if mime and path.is_file():  # checks.py has reported anything else
                image.set("src", f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii"))
        for link in root.iter("a"):
            href = link.get("href", "")
            file_part, hash_, anchor = href.partition("#")
            if file_part.endswith(".md") and ":" not in file_part:
                link.set("href", file_part[:-3] + ".html" + hash_ + anchor)


class _LeafletExtension(Extension):
    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def extendMarkdown(self, md) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.preprocessors.register(_EmbedProcesses(md), "brevgen_processes", 25)
        md.treeprocessors.register(_ResolveFiles(md, self.folder), "brevgen_files", 5)


def markdown_to_html(source: LeafletSource) -> str:
    converter = markdown.Markdown(
        extensions=["toc", "tables", "attr_list", "sane_lists", _LeafletExtension(source.path.parent)],
        extension_configs={"toc": {"slugify": slugify_unicode}},
        output_format="html",
    )
    return converter.convert(source.body)


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, block ends kept as line breaks (for LIX)."""
    text = re.sub(r"</(p|h[1-6]|li|td|th|tr)>", "\n", fragment)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def build_leaflet(source: LeafletSource, today: dt.date) -> tuple[Leaflet | None, list[Problem]]:
    """The leaflet, or None and the errors that stop it (each naming file and line)."""
    body_html = markdown_to_html(source)
    anchors = set(re.findall(r'\sid="([^"]+)"', body_html))
    errors = find_errors(source, set(process_files()), anchors)
    if errors:
        return None, errors
    processes = tuple(find_process(process_id) for _, process_id in embedded_process_ids(source))
    parts: list[Part] = []
    pieces = _MARKER.split(body_html)
    level = 1  # the title (h1) is on the cover
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece.strip():
                parts.append(Part(html=Markup(piece)))
            level = int(([str(level)] + re.findall(r"<h([1-6])[\s>]", piece))[-1])
        else:
            parts.append(Part(process=processes[int(piece)], level=min(level + 1, 5)))
    text = "\n\n".join([plain_text(body_html), *(p.plain_text for p in processes)])
    score = lix(text)
    warnings = tuple(find_warnings(source, score.score, today))
    return Leaflet(source, tuple(parts), processes, score, warnings), []
