"""Issue 14, point 5 (letters): the HTML preview is one self-contained file with the letter's
font, and an address with floor and door stays on one line in the envelope window."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest

from generator.formatting import address_style
from generator.models import Recipient

from conftest import MM

WINDOW = (17, 25, 17 + 115, 25 + 89)  # left, top, right, bottom in mm (content/remote_print.yaml)


class References(HTMLParser):
    """Every URL an HTML file loads (src, <link href>, CSS url()) and every link it offers."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "srcset", "data", "poster"):
            if attrs.get(name):
                self.loads.append(attrs[name])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("style"):
            self.loads.extend(re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs["style"]))
        self._style = tag == "style"

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if self._style:
            self.loads.extend(re.findall(r"url\(\s*['\"]?([^'\")]+)", data))
            self.loads.extend(re.findall(r"@import\s+['\"]([^'\"]+)", data))


def references(path: Path) -> References:
    parser = References()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_html_previews_load_nothing_from_outside_the_file(example_output):
    """No `fonts/...` file, stylesheet or image beside it: the logo and the letter font are data
    URIs; links are only web, e-mail or in-page addresses."""
    previews = [*(example_output / "letters").glob("*.html"), *(example_output / "guidance").glob("*.html")]
    assert len(previews) >= 40
    for path in previews:
        found = references(path)
        assert found.loads and all(url.startswith("data:") for url in found.loads), (path.name, found.loads)
        assert all(url.startswith(("https://", "mailto:", "#")) for url in found.links), (path.name, found.links)
        text = path.read_text(encoding="utf-8")
        assert text.count("data:font/woff2;base64,") == 2  # Fira Sans Regular and Bold
        assert 'font-family: "Fira Sans"' in text


def test_the_check_sees_an_external_font(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<style>@font-face { src: url("fonts/FiraSans-Regular.ttf") }</style><img src="data:,">', encoding="utf-8")
    assert sorted(references(page).loads) == ["data:,", "fonts/FiraSans-Regular.ttf"]


def test_floor_and_door_stay_on_the_street_line_in_the_window(example_output):
    """The paper letter to Testgade 3, 1. tv.: the street line is one line of text inside the
    window, not broken after the comma."""
    path = example_output / "letters" / "2026-0317_genvurdering_1-borger.pdf"
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_words()
    street = [w for w in words if w["text"] in ("Testgade", "3,", "1.", "tv.") and w["top"] * MM < 80]
    assert [w["text"] for w in street] == ["Testgade", "3,", "1.", "tv."]
    assert len({round(w["top"]) for w in street}) == 1  # one line
    left, top, right, bottom = WINDOW
    for w in street:
        assert left <= w["x0"] * MM and w["x1"] * MM <= right and top <= w["top"] * MM and w["bottom"] * MM <= bottom


def test_a_yaml_flow_list_does_not_split_floor_and_door_from_the_street():
    """`address: [Eksempelvej 12, 2. th.]` in YAML is two list items; the address is one line."""
    recipient = Recipient(role="citizen", name="Fiktiv Borger", address=("Eksempelvej 12", "2. th."),
                          postcode="9999", city="Eksempelby", channel="post")
    assert recipient.address == ("Eksempelvej 12, 2. th.",)
    kept = Recipient(role="citizen", name="Fiktiv Borger", address=("c/o Fiktiv Familie", "Opgang B", "2. sal"),
                     postcode="9999", city="Eksempelby", channel="post")
    assert kept.address == ("c/o Fiktiv Familie", "Opgang B", "2. sal")  # no house number before it


@pytest.mark.parametrize("lines, size", [
    (("Fiktiv Borger Jensen", "Eksempelvej 12, 2. th.", "9999 Eksempelby"), "10pt"),
    (("Fiktiv Borger Med Et Meget Langt Navn Jensen", "Eksempelvejens Forlængelse 112B, 12. mf.", "9999 Eksempelby"), None),
])
def test_window_lines_are_unbroken_at_the_largest_size_that_fits(lines, size):
    style = address_style(lines)
    assert "white-space: nowrap" in style
    if size:
        assert f"font-size: {size}" in style
