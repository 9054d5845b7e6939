"""(Re)create templates/fonts/: Fira Sans, cut down to what Danish letters need.

Why: a font cut to the characters letters use keeps the letter font small and fixed; WeasyPrint
then subsets it per letter with HarfBuzz (fast, issue 18), and the print bundle stores this whole
file once in place of every letter's subset (generator/printing.py, bench/RESULTS.md).

Fira Sans (Mozilla Foundation and Telefonica S.A., designed by Carrois and Edenspiekermann; SIL
Open Font License 1.1, no reserved font name in this build's licence) is a humanist sans made
for reading on screens, legible at 10-11 pt. Its zero is plain (an oval without slash or dot), so "2026" and "§ 100" cannot be read
as "2Ø26" next to Danish words with Ø (issue 14: Atkinson Hyperlegible, the font before, has a
slashed zero). Letters use no italics, so only Regular and Bold are prepared. The original TTFs
come from the npm package @expo-google-fonts/fira-sans (Google Fonts' build). Run:

    .venv/bin/python scripts/prepare_fonts.py            # fetches the package with `npm pack`
    .venv/bin/python scripts/prepare_fonts.py DIR        # or use an unpacked package in DIR

It writes the two faces, OFL.txt (the licence from the package) and SOURCE.txt (package, version
and the SHA-256 of each original TTF, so the cut can be traced and repeated).

Kept: Basic Latin, Latin-1 (æ ø å é ü § « » ½ ...), typographic quotes, dashes, ellipsis, bullet,
euro sign, minus; the `kern` feature (used by Pango when laying out). Dropped: hinting (not used
in PDF), other OpenType features, other scripts. A character outside this set still prints: Pango
falls back to a system font for it (slower, and that font is embedded too).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.reorderGlyphs import reorderGlyphs

PACKAGE = "@expo-google-fonts/fira-sans@0.4.1"
OUT = Path(__file__).resolve().parent.parent / "templates" / "fonts"
FACES = {  # file in the package -> file we ship
    "400Regular/FiraSans_400Regular.ttf": "FiraSans-Regular.ttf",
    "700Bold/FiraSans_700Bold.ttf": "FiraSans-Bold.ttf",
}
UNICODES = [
    *range(0x20, 0x7F),  # Basic Latin
    *range(0xA0, 0x100),  # Latin-1 Supplement: æ ø å Æ Ø Å § « » ° ½ é ü ...
    0x2010, 0x2011, 0x2012, 0x2013, 0x2014,  # hyphens and dashes
    0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E,  # typographic quotes
    0x2022, 0x2026, 0x2030, 0x2039, 0x203A,  # bullet, ellipsis, per mille, single guillemets
    0x20AC, 0x2122, 0x2212,  # euro, trade mark, minus
]

# Glyphs of these characters come first in the prepared font (in this order), the rest after.
# WeasyPrint keeps glyph ids when it subsets (RETAIN_GIDS) and cuts the font after the last glyph
# a letter uses, so a letter whose glyphs are all near the start carries shorter glyph-location
# and width tables: about 0.5 KB less per 3-page letter (issue 18's size bound).
FIRST = (
    " abcdefghijklmnopqrstuvwxyzæøå"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ"
    "0123456789.,:;-–§()/\"„“”'’?!%&+*=@_«»é\u00a0•"  # no-break space: between "§" and its number
)


def prepare(source: Path, target: Path) -> None:
    options = subset.Options()
    options.layout_features = ["kern"]
    options.hinting = False
    # Copyright, family and style, unique id, full name, version, PostScript name, licence and its
    # address; not trademark, manufacturer, designer and their URLs (they would travel in every
    # letter's embedded subset).
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.drop_tables += ["GDEF"]  # glyph classes: no use without marks, and not in a PDF
    options.notdef_outline = True
    options.glyph_names = True  # PDF writers read names from the font instead of deriving them
    options.recalc_timestamp = False  # same input, same bytes
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    cmap = font.getBestCmap()
    order = font.getGlyphOrder()
    first = [".notdef"] + [cmap[ord(c)] for c in FIRST]
    assert len(set(first)) == len(first), "FIRST lists a character twice"
    glyf = font["glyf"]
    for name in list(first):  # then the parts of accented letters among them (å = a + ring)
        if glyf[name].isComposite():
            first += [part for part in dict.fromkeys(glyf[name].getComponentNames(glyf)) if part not in first]
    reorderGlyphs(font, first + [name for name in order if name not in first])
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
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
        source = [
            "The letter font in this folder is cut by scripts/prepare_fonts.py from:",
            f"npm package {meta['name']}@{meta['version']} (Google Fonts' build of Fira Sans)",
            "licence: SIL Open Font License 1.1 (OFL.txt)",
            "",
        ]
        for name, shipped in FACES.items():
            prepare(package / name, OUT / shipped)
            digest = hashlib.sha256((package / name).read_bytes()).hexdigest()
            source.append(f"{shipped} <- {name} (sha256 {digest})")
            print(f"{OUT / shipped}: {(OUT / shipped).stat().st_size} bytes")
        shutil.copy(package / "LICENSE_FONT", OUT / "OFL.txt")
        (OUT / "SOURCE.txt").write_text("\n".join(source) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
