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


@lru_cache(maxsize=None)
def docx_environment() -> SandboxedEnvironment:
    """For docxtpl: the same sandbox and filters, no loader (the template is the .docx)."""
    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    return env
