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

from . import safety
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
    """Runs on the finished tree, so it sees every image and link however it was written
    (inline, reference-style, set by an attribute list): the one place they are checked."""

    def __init__(self, md, folder: Path, problems: list[str]):
        super().__init__(md)
        self.folder = folder
        self.problems = problems

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            self.problems.extend(safety.attribute_problems(element.tag, element.attrib))
        for image in root.iter("img"):
            path, problem = safety.leaflet_image(self.folder, image.get("src", ""))
            if problem:
                self.problems.append(problem)
                image.set("src", "")
            elif path is not None:
                mime = IMAGE_TYPES[path.suffix.lower()]
                image.set("src", f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii"))
        for link in root.iter("a"):
            href = link.get("href", "")
            if problem := safety.link_problem(href):
                self.problems.append(problem)
                link.set("href", "")
                continue
            file_part, hash_, anchor = href.partition("#")
            if file_part.endswith(".md") and ":" not in file_part:
                link.set("href", file_part[:-3] + ".html" + hash_ + anchor)


class _LeafletExtension(Extension):
    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self.problems: list[str] = []

    def extendMarkdown(self, md) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.preprocessors.register(_EmbedProcesses(md), "brevgen_processes", 25)
        md.treeprocessors.register(_ResolveFiles(md, self.folder, self.problems), "brevgen_files", 5)


def markdown_to_html(source: LeafletSource, problems: list[Problem] | None = None) -> str:
    """The body as HTML; what the safety checks refused is added to `problems` (and left out)."""
    extension = _LeafletExtension(source.path.parent)
    converter = markdown.Markdown(
        extensions=["toc", "tables", "attr_list", "sane_lists", extension],
        extension_configs={"toc": {"slugify": slugify_unicode}},
        output_format="html",
    )
    body = converter.convert(source.body)
    if problems is not None:
        problems.extend(Problem(source.path, _line_of(source, message), message)
                        for message in dict.fromkeys(extension.problems))
    return body


def _line_of(source: LeafletSource, message: str) -> int | None:
    """The first body line holding the value a message quotes (for the file:line of the report)."""
    quoted = re.search(r"'([^']+)'", message)
    if quoted:
        for index, line in enumerate(source.body.split("\n")):
            if quoted.group(1) in line:
                return source.file_line(index)
    return None


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, block ends kept as line breaks (for LIX)."""
    text = re.sub(r"</(p|h[1-6]|li|td|th|tr)>", "\n", fragment)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def build_leaflet(source: LeafletSource, today: dt.date) -> tuple[Leaflet | None, list[Problem]]:
    """The leaflet, or None and the errors that stop it (each naming file and line)."""
    unsafe: list[Problem] = []
    body_html = markdown_to_html(source, unsafe)
    anchors = set(re.findall(r'\sid="([^"]+)"', body_html))
    errors = find_errors(source, set(process_files()), anchors)
    reported = {e.line for e in errors}  # checks.py has already reported inline images and links
    errors += [problem for problem in unsafe if problem.line is None or problem.line not in reported]
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
