"""The URL fetcher every WeasyPrint document gets: nothing from the network, no file outside.

Letters, leaflets, phrases and transition texts are rendered from staff-edited and case data.
Whatever ends up in their HTML (an <img> in a leaflet, an SVG's <image href>, a CSS url(),
a link) must not make the renderer read /etc/passwd or call a web address. WeasyPrint's own
fetcher follows http:, https:, ftp: and file: anywhere; this one allows only `data:` URIs and
`file:` URLs of files inside the allowed folders (templates/: fonts and stylesheets), and
refuses everything else (WeasyPrint then leaves the resource out and logs a warning).
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import paths
from .weasyprint_loader import load_weasyprint

weasyprint = load_weasyprint()


class RefusedURL(ValueError):
    pass


def allowed(url: str, roots: tuple[Path, ...]) -> bool:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    try:
        target = Path(unquote(parts.path)).resolve()
    except (OSError, ValueError):
        return False
    return any(target.is_relative_to(root) for root in roots) and target.is_file()


class SafeFetcher(weasyprint.urls.URLFetcher):
    """Refuses every URL but data: and files inside `roots` (resolved: no ../ or links out)."""

    def __init__(self, roots: tuple[Path, ...] = (), **kwargs):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1, **kwargs)
        self.roots = tuple(Path(root).resolve() for root in (paths.TEMPLATES, *roots))

    def fetch(self, url, headers=None):
        if not allowed(url, self.roots):
            raise RefusedURL("brevgen fetches nothing outside its templates")
        return super().fetch(url, headers)


# The fetcher for the templates alone, one per thread and content root: building one (urllib's
# nine handlers, the folders resolved) costs about 1 ms, which every letter paid. Per thread
# because WeasyPrint's fetcher keeps a request between `open` and `fetch`; per content root
# because a process may be pointed at another one (`--root`, BREVGEN_ROOT).
_per_thread = threading.local()


def safe_fetcher(*roots: Path) -> SafeFetcher:
    if roots:
        return SafeFetcher(tuple(roots))
    templates = paths.TEMPLATES
    made = getattr(_per_thread, "made", None)
    if made is None or made[0] != templates:
        made = _per_thread.made = (templates, SafeFetcher())
    return made[1]
