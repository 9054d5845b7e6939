"""The installable package: a wheel built from this checkout works from any folder (issue 15).

Builds the wheel, installs it into a fresh virtual environment outside the checkout (its
dependencies come from pip's cache), then runs `brevgen init`, `brevgen check` and `brevgen
letter` there and reads the PDF back. About a minute; most of it is pip installing WeasyPrint
and the other dependencies into the new environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import one_line, pdf_text

CHECKOUT = Path(__file__).resolve().parent.parent


def run(*command, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BREVGEN_", "VIRTUAL_ENV", "PYTHONPATH"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the fresh environment's brevgen, a working folder outside the checkout)."""
    where = tmp_path_factory.mktemp("wheel")
    dist = where / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, CHECKOUT, cwd=where)
    wheel = next(dist.glob("brevgen-*.whl"))
    env_dir = where / "env"
    venv.create(env_dir, with_pip=True)
    run(env_dir / "bin" / "pip", "install", "--quiet", "--no-compile", wheel, cwd=where)
    work = where / "work"
    work.mkdir()
    return env_dir / "bin" / "brevgen", work


def test_the_wheel_ships_the_example_content_and_works_from_any_folder(installed):
    brevgen, work = installed
    version = run(brevgen, "--version", cwd=work).stdout
    assert "(bundled)" in version and "sha256:" in version and str(CHECKOUT) not in version
    checked = run(brevgen, "check", cwd=work)
    assert checked.stdout.strip().endswith("ok")


def test_init_check_and_letter_in_a_new_content_root(installed):
    brevgen, work = installed
    run(brevgen, "init", "kommune", cwd=work)
    root = work / "kommune"
    assert {p.name for p in root.iterdir()} >= {"content", "phrases", "templates", "README.md"}
    # The municipality makes the root its own: a new name on every letter.
    profile = root / "content" / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("name: Eksempel Kommune", "name: Prøvested Kommune"),
                       encoding="utf-8")
    assert run(brevgen, "check", "--root", root, cwd=work).stdout.strip().endswith("ok")
    case = root / "content" / "examples" / "cases" / "sel-85-delvis-bevilling.yaml"
    run(brevgen, "letter", case, "--out", "out", "--format", "pdf", "--root", root, cwd=work)
    pdfs = sorted((work / "out").glob("*.pdf"))
    assert pdfs
    text = one_line(pdf_text(pdfs[0]))
    assert "Prøvested Kommune" in text and "Sådan klager du" in text
    # BREVGEN_ROOT selects the same root; a second init into it is refused (exit 2, nothing written).
    again = run(brevgen, "init", root, cwd=work, check=False)
    assert again.returncode == 2 and "already holds" in again.stderr


def test_the_wheel_holds_the_web_app_and_the_migrations(installed):
    brevgen, work = installed
    python = brevgen.parent / "python"
    found = run(python, "-c", "import generator, pathlib; p = pathlib.Path(generator.__file__).parent; "
                "print(*sorted(str(f.relative_to(p)) for f in p.rglob('*') if f.suffix in ('.js', '.html', '.mako') "
                "or f.name.startswith('00')))", cwd=work).stdout.split()
    assert "web/static/vendor/htmx/htmx.min.js" in found and "web/templates/base.html" in found
    assert "store/migrations/script.py.mako" in found
    assert any(name.endswith("0004_tokens.py") for name in found)
