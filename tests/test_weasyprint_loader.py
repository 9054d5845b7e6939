"""generator/render/weasyprint_loader.py: WeasyPrint is imported without a library search, and
still imported when only the search finds a library. Each runs in a fresh interpreter, because
an import happens once per process."""

import subprocess
import sys

COUNT_SEARCHES = (
    "import ctypes.util\n"
    "searched = []\n"
    "search = ctypes.util.find_library\n"
    "ctypes.util.find_library = lambda name: searched.append(name) or search(name)\n"
)


def run(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_import_runs_no_library_search():
    code = COUNT_SEARCHES + (
        "from generator.render.weasyprint_loader import load_weasyprint\n"
        "weasyprint = load_weasyprint()\n"
        "assert weasyprint.HTML(string='<p>x</p>').write_pdf().startswith(b'%PDF')\n"
        "print(len(searched))\n"
    )
    assert run(code) == ["0"]


def test_a_library_only_the_search_finds_falls_back_to_the_ordinary_import():
    # The direct soname of GObject fails once, as on a system that names it differently.
    code = COUNT_SEARCHES + (
        "import cffi\n"
        "dlopen = cffi.FFI.dlopen\n"
        "failed = []\n"
        "def flaky(self, name, flags=0):\n"
        "    if name == 'libgobject-2.0.so.0' and not failed:\n"
        "        failed.append(name)\n"
        "        raise OSError('simulated')\n"
        "    return dlopen(self, name, flags)\n"
        "cffi.FFI.dlopen = flaky\n"
        "from generator.render.weasyprint_loader import load_weasyprint\n"
        "weasyprint = load_weasyprint()\n"
        "assert weasyprint.HTML(string='<p>x</p>').write_pdf().startswith(b'%PDF')\n"
        "print(len(failed), len(searched) > 0)\n"
    )
    assert run(code) == ["1", "True"]
