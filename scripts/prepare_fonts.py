"""(Re)create templates/fonts/: Atkinson Hyperlegible, cut down to what Danish letters need.

Why: a font cut to the characters letters use keeps the letter font small and fixed; WeasyPrint
then subsets it per letter with HarfBuzz (fast, issue 18), and the print bundle stores this whole
file once in place of every letter's subset (generator/printing.py, bench/RESULTS.md).

Atkinson Hyperlegible (Braille Institute, SIL Open Font License 1.1, no reserved font name) is
designed for readers with low vision. The original TTFs come from the npm package
@expo-google-fonts/atkinson-hyperlegible (Google Fonts' build). Run:

    .venv/bin/python scripts/prepare_fonts.py            # fetches the package with `npm pack`
    .venv/bin/python scripts/prepare_fonts.py DIR        # or use an unpacked package in DIR

Kept: Basic Latin, Latin-1 (æ ø å é ü § « » ½ ...), typographic quotes, dashes, ellipsis, bullet,
euro sign, minus; the `kern` feature (used by Pango when laying out). Dropped: hinting (not used
in PDF), other OpenType features, other scripts. A character outside this set still prints: Pango
falls back to a system font for it (slower, and that font is embedded too).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

PACKAGE = "@expo-google-fonts/atkinson-hyperlegible@0.4.1"
OUT = Path(__file__).resolve().parent.parent / "templates" / "fonts"
FACES = {  # file in the package -> file we ship
    "400Regular/AtkinsonHyperlegible_400Regular.ttf": "AtkinsonHyperlegible-Regular.ttf",
    "700Bold/AtkinsonHyperlegible_700Bold.ttf": "AtkinsonHyperlegible-Bold.ttf",
}
UNICODES = [
    *range(0x20, 0x7F),  # Basic Latin
    *range(0xA0, 0x100),  # Latin-1 Supplement: æ ø å Æ Ø Å § « » ° ½ é ü ...
    0x2010, 0x2011, 0x2012, 0x2013, 0x2014,  # hyphens and dashes
    0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E,  # typographic quotes
    0x2022, 0x2026, 0x2030, 0x2039, 0x203A,  # bullet, ellipsis, per mille, single guillemets
    0x20AC, 0x2122, 0x2212,  # euro, trade mark, minus
]


def prepare(source: Path, target: Path) -> None:
    options = subset.Options()
    options.layout_features = ["kern"]
    options.hinting = False
    options.name_IDs = ["*"]  # keep copyright, licence and family names
    options.notdef_outline = True
    options.glyph_names = True  # PDF writers read names from the font instead of deriving them
    options.recalc_timestamp = False  # same input, same bytes
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    font.save(target)


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        if len(sys.argv) > 1:
            package = Path(sys.argv[1])
        else:
            subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", temporary], check=True)
            archive = next(Path(temporary).glob("*.tgz"))
            shutil.unpack_archive(archive, temporary)
            package = Path(temporary) / "package"
        OUT.mkdir(parents=True, exist_ok=True)
        for name, shipped in FACES.items():
            prepare(package / name, OUT / shipped)
            print(f"{OUT / shipped}: {(OUT / shipped).stat().st_size} bytes")
        shutil.copy(package / "LICENSE_FONT", OUT / "OFL.txt")


if __name__ == "__main__":
    main()
