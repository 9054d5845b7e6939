"""Build step: ship the example content root inside the wheel.

The repository keeps `content/`, `phrases/` and `templates/` at the top level (the source of
truth that staff edit and review). A wheel must work from any folder, so building it copies the
three folders into the package as `generator/_bundled/`, the last place generator/paths.py looks.
An editable install (`make setup`) reads the checkout's folders directly and copies nothing.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

FOLDERS = ("content", "phrases", "templates")
HERE = Path(__file__).resolve().parent


class build_py_with_content(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "generator" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)
        for name in FOLDERS:
            shutil.copytree(HERE / name, target / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": build_py_with_content})
