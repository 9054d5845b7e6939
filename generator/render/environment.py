"""The Jinja environment for templates/: sandboxed and autoescaping, built once per process.

Sandboxed because templates are edited by municipal staff (docxtpl RCE advisories); escaping
because case data may contain `<` or `&` (which corrupts DOCX XML and HTML alike).
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .. import paths
from ..formatting import FILTERS

# Web and e-mail addresses in running text. A trailing full stop, comma etc. ends the sentence,
# not the address.
_ADDRESS = re.compile(
    r"(?P<web>(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)])"
    r"|(?P<mail>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)


def linkify(text: str) -> Markup:
    """Escape `text` and make its web and e-mail addresses links (https://..., www...., name@host):
    in the PDF they become link annotations inside Link elements (PDF/UA), in the preview links.
    Done here, for every letter and attachment, not per phrase (issue 14)."""
    if "@" not in text and "www." not in text and "http" not in text:  # nothing _ADDRESS can match
        return escape(text)
    out, last = [], 0
    for match in _ADDRESS.finditer(text):
        out.append(escape(text[last:match.start()]))
        address = match.group()
        if match.group("mail"):
            target = "mailto:" + address
        else:
            target = address if address.startswith("http") else "https://" + address
        out.append(Markup('<a href="{0}">{1}</a>').format(target, address))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@lru_cache(maxsize=None)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.filters["linkify"] = linkify
    return env


class CompiledOnceEnvironment(SandboxedEnvironment):
    """docxtpl compiles the Word template's XML with `from_string` on every render; this
    compiles each distinct source once per process (a letter's body, footer, properties)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's name
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) > 64:  # a few template parts in practice; never grow without bound
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


@lru_cache(maxsize=None)
def docx_environment() -> SandboxedEnvironment:
    """For docxtpl: the same sandbox and filters, no loader (the template is the .docx)."""
    env = CompiledOnceEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    return env
