"""Where the content root lives: the municipality's `content/`, `phrases/` and `templates/`.

One place decides, in this order:

1. `use_root(DIR)` (the CLI's `--root DIR`, the Python API's `load_root(DIR)`),
2. the environment variable BREVGEN_ROOT,
3. the checkout this package runs from, when it has the three folders (an editable install,
   the repository's own tests and `make example`),
4. the example content bundled inside the installed package (`generator/_bundled/`, copied there
   when the wheel is built; see setup.py).

Modules read `paths.CONTENT`, `paths.PHRASES`, `paths.TEMPLATES` and `paths.ROOT` as attributes
at the moment they need them (module `__getattr__` below), so a root chosen after import still
applies. Changing the root clears the per-process caches of loaded content.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FOLDERS = ("content", "phrases", "templates")
ROOT_ENV = "BREVGEN_ROOT"
PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
BUNDLED = PACKAGE / "_bundled"

_chosen: Path | None = None


def is_root(folder: Path) -> bool:
    return all((folder / name).is_dir() for name in FOLDERS)


def root() -> Path:
    """The content root in use now."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    if is_root(CHECKOUT) and (CHECKOUT / "pyproject.toml").is_file():
        return CHECKOUT
    return BUNDLED


def chosen() -> Path | None:
    """The root chosen with use_root(), if any."""
    return _chosen


def root_source() -> str:
    """How the root was chosen, for `brevgen --version` and the record."""
    if _chosen is not None:
        return "--root"
    if os.environ.get(ROOT_ENV):
        return ROOT_ENV
    return "checkout" if root() == CHECKOUT else "bundled"


def use_root(folder: Path | str | None) -> Path:
    """Choose the content root for this process (None: back to the default order) and forget
    everything loaded from the previous one."""
    global _chosen
    _chosen = Path(folder).resolve() if folder is not None else None
    clear_caches()
    return root()


def clear_caches() -> None:
    """Clear every functools cache in the loaded generator modules (profile, phrases, registry,
    templates, fonts...): they hold content read from the previous root."""
    for name, module in list(sys.modules.items()):
        if not (name == "generator" or name.startswith("generator.")) or module is None:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()


def __getattr__(name: str) -> Path:
    # PEP 562: `paths.CONTENT` is computed on each access, from the root in use.
    if name == "ROOT":
        return root()
    if name in ("CONTENT", "PHRASES", "TEMPLATES"):
        return root() / name.lower()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
