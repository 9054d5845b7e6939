"""Import WeasyPrint without its slow library search: about 0.3 s of every cold start.

WeasyPrint opens Pango, GObject, HarfBuzz and fontconfig by trying each library's names for
every platform in turn ("libgobject-2.0-0", "gobject-2.0-0", ... "libgobject-2.0.so.0"). cffi
answers each name that does not load with `ctypes.util.find_library`, which on Linux runs
`ldconfig -p` and then gcc or ld as subprocesses. With 26 misses per import (more where the
optional HarfBuzz libraries are missing) that was 0.3-0.4 s of a 1.5 s cold `brevgen letter`
(bench/RESULTS.md).

The Linux sonames at the end of each of WeasyPrint's lists load directly, without a search, so
during the import a miss is answered "not found" at once. Should that not find a library (an
unusual system that only a search finds), the import is simply retried with the normal search.
"""

from __future__ import annotations

import ctypes.util
import io
import sys
from contextlib import contextmanager, redirect_stdout


@contextmanager
def _no_library_search():
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


def _forget_partial_import() -> None:
    for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
        del sys.modules[name]


def load_weasyprint():
    """The weasyprint module, imported once per process."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    try:
        # WeasyPrint prints installation advice when a library is missing; not for this attempt.
        with _no_library_search(), redirect_stdout(io.StringIO()):
            import weasyprint
    except OSError:  # a library only the normal search finds: import the ordinary way
        _forget_partial_import()
        import weasyprint
    return weasyprint
