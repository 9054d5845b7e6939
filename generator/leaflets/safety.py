"""What a leaflet may embed and link to: the leaflet fetches nothing and runs nothing.

- Images: files inside the leaflet's own folder only (resolved, so `../`, absolute paths and
  symbolic links out are refused), of the image types allowed, however the Markdown refers to
  them. An SVG must not reach out or run anything: no scripts, no event handlers, no
  foreignObject, no DOCTYPE/entities, no href or url() but to its own #fragments.
- Links: http, https, mailto and tel, relative links to other leaflets and #anchors; every other
  scheme (javascript:, data:, file:, vbscript:, ...) and scheme-relative `//host` are refused.
  Browsers ignore tabs, line breaks and control characters inside a scheme, so the check does too.
- Attribute lists (`{: ...}`) may set id, class and lang: event handlers (onclick), style and
  anything else are refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from pathlib import Path

from .checks import IMAGE_TYPES

WEB_SCHEMES = ("http", "https", "mailto", "tel")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f\u200b-\u200f\u2060\ufeff]")

# Attributes Markdown itself produces, and what attribute lists may add (id, class, lang).
_COMMON = {"id", "class", "lang", "title"}
_PER_TAG = {"a": {"href"}, "img": {"src", "alt"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}
_TABLE_STYLE = re.compile(r"^text-align:\s*(left|right|center);?$")
_CLASS = re.compile(r"^[\w\-. ]{0,200}$")


def attribute_problems(tag: str, attributes: dict[str, str]) -> list[str]:
    problems = []
    for name, value in attributes.items():
        if tag in ("td", "th") and name == "style" and _TABLE_STYLE.match(value):
            continue  # table column alignment, set by the tables extension
        if name not in _COMMON and name not in _PER_TAG.get(str(tag), set()):
            problems.append(f"attribute '{name}' is not allowed (attribute lists may set id, class and lang)")
        elif name in ("class", "id", "lang") and not _CLASS.match(value):
            problems.append(f"attribute '{name}' may hold letters, digits, - and _ only")
    return problems


def link_problem(href: str) -> str | None:
    target = _INVISIBLE.sub("", href)
    if target.startswith(("//", "\\\\", "/\\", "\\/")):
        return f"link '{href}': write the full address with https://"
    scheme = _SCHEME.match(target)
    if scheme and scheme.group(1).lower() not in WEB_SCHEMES:
        return f"link '{href}': the scheme {scheme.group(1).lower()}: is not allowed (only {', '.join(WEB_SCHEMES)})"
    return None


def leaflet_image(folder: Path, src: str) -> tuple[Path | None, str | None]:
    """The image file to embed, or the problem that refuses it."""
    if not src:
        return None, None
    if _SCHEME.match(_INVISIBLE.sub("", src)) or src.startswith("//"):
        return None, f"image '{src}': images must be files next to the leaflet, not addresses"
    root = folder.resolve()
    try:
        path = (folder / src).resolve()
    except (OSError, ValueError):
        return None, f"image '{src}': not a file name"
    if not path.is_relative_to(root):
        return None, f"image '{src}': images must be in the leaflet's folder or below it"
    if path.suffix.lower() not in IMAGE_TYPES:
        return None, f"image '{src}': expected a {', '.join(IMAGE_TYPES)} file"
    if not path.is_file():
        return None, f"image '{src}' not found (looked in {folder})"
    if path.stat().st_size > MAX_IMAGE_BYTES:
        return None, f"image '{src}': larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB"
    if path.suffix.lower() == ".svg" and (problem := svg_problem(path.read_bytes())):
        return None, f"image '{src}': {problem}"
    return path, None


_SVG_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "use", "animate", "set", "handler"}
_URL_IN_CSS = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def svg_problem(data: bytes) -> str | None:
    """Why an SVG may not be embedded, or None."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return "an SVG with a DOCTYPE or entities is not allowed"
    try:
        root = etree.fromstring(data)
    except etree.ParseError:
        return "not a readable SVG file"
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _SVG_FORBIDDEN:
            return f"an SVG may not contain <{tag}>"
        if tag == "style" and (_URL_IN_CSS.search(element.text or "") or "@import" in (element.text or "")):
            return "an SVG's style may not load anything (url(), @import)"
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return f"an SVG may not have event handlers ({local})"
            if local == "href" and not value.strip().startswith("#"):
                return "an SVG may link only to its own parts (href=\"#...\")"
            if _URL_IN_CSS.search(value):
                return "an SVG may not load anything (url())"
    return None
