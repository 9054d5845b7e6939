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

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def linkify(text: str) -> Markup:
    """Escape `text` and turn bare http(s) addresses into links (digital letters only)."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(escape(text[last:match.start()]))
        url = match.group()
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
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
