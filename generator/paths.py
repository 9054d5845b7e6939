"""Where the project's data lives. One place, so tests and other municipalities can point elsewhere.

The default root is the repository checkout (the package is installed in editable mode);
BREVGEN_ROOT overrides it for a municipality keeping its own content, phrases and templates.
"""

import os
from pathlib import Path

ROOT = Path(os.environ.get("BREVGEN_ROOT", Path(__file__).resolve().parent.parent))
CONTENT = ROOT / "content"
PHRASES = ROOT / "phrases"
TEMPLATES = ROOT / "templates"
