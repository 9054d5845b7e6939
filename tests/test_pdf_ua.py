"""Issue 14, point 4: PDF/UA. Every PDF a reader gets from the bundled examples (letters,
guidance, invitations, the information letter, leaflets; rendered once in conftest's
`example_output`) is checked with outloud (PyPI; PDF/UA-1 rules mapped to Matterhorn
checkpoints): zero errors. Running footers are artifacts, the tag order is the drawing order, and
web and e-mail addresses are links.

Not checked: the print bundles (transition/print_bundle_*.pdf). They are the remote-print
provider's input, pages of many letters joined for a printing machine, not a document anyone
reads; each letter in them is checked on its own here (docs/pdf-size.md, "PDF/UA")."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from outloud import check

# outloud's warnings about what issue 14 fixed: tag order differs from drawing order (ORD-001),
# links not printable (LNK-004), addresses in text without a link (LNK-010), list items without
# an LBody (LST-002, after the markers moved inside the first line).
FIXED_WARNINGS = {"ORD-001", "LNK-004", "LNK-010", "LST-002"}


def reader_pdfs(out: Path) -> list[Path]:
    found = [*(out / "letters").glob("*.pdf"), *(out / "guidance").glob("*.pdf"),
             *(out / "transition" / "letters").glob("*.pdf"), *(out / "transition").glob("*_information.pdf"),
             *(out / "leaflets").glob("*.pdf")]
    return sorted(found)


def letters_only(out: Path) -> list[Path]:
    return [p for p in reader_pdfs(out) if p.parent.name != "leaflets"]


@pytest.fixture(scope="module")
def checked(example_output) -> dict[Path, object]:
    return {path: check(str(path)) for path in reader_pdfs(example_output)}


def test_every_example_pdf_has_no_pdf_ua_errors(checked):
    assert len(checked) >= 45
    problems = [f"{path.name}: {f.rule} {f.message} {f.evidence or ''}" for path, result in checked.items()
                for f in result.findings if f.severity == "error"]
    problems += [f"{path.name}: unreadable: {result.error}" for path, result in checked.items() if result.error]
    assert problems == []


def test_no_example_pdf_has_a_warning_either(checked):
    """Warnings are not PDF/UA failures, but the examples have none; the ones issue 14 was about
    (FIXED_WARNINGS) are among them."""
    warnings = [f"{path.name}: {f.rule} p.{f.page} {f.message} {f.evidence or ''}" for path, result in checked.items()
                for f in result.findings if f.severity == "warning"]
    assert warnings == []
    assert FIXED_WARNINGS <= {run.rule for result in checked.values() for run in result.runs if run.status == "ran"}


def test_no_example_pdf_leaves_an_address_without_a_link(checked):
    """Leaflets too: a bare web or e-mail address in print is a link in the PDF."""
    assert [f"{p.name}: {f.evidence}" for p, r in checked.items() for f in r.findings if f.rule == "LNK-010"] == []


def marked_sequences(page: pikepdf.Page):
    """(tag or "Artifact", MCID or None, text shown inside, y of the text in CSS px from the top)
    for each text-showing operator of the page."""
    stack: list[tuple[str, int | None]] = []
    y = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC":
            props = operands[1]
            stack.append((str(operands[0]).lstrip("/"), int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None))
        elif op == "BMC":
            stack.append((str(operands[0]).lstrip("/"), None))
        elif op == "EMC":
            stack.pop()
        elif op == "Tm":
            y = float(operands[5])  # WeasyPrint's text matrix is flipped: y grows downwards
        elif op in ("Tj", "TJ"):
            tag, mcid = next(((t, m) for t, m in reversed(stack) if t == "Artifact" or m is not None), ("none", None))
            yield tag, mcid, y


def reachable_mcids(pdf: pikepdf.Pdf, page: pikepdf.Page) -> list[int]:
    """The page's MCIDs in the order of the structure tree (depth first)."""
    found: list[int] = []

    def walk(node, page_of):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, page_of)
        elif isinstance(node, int):
            if page_of is not None and page_of.objgen == page.obj.objgen:
                found.append(int(node))
        elif isinstance(node, pikepdf.Dictionary):
            if "/MCID" in node:
                owner = node.get("/Pg", page_of)
                if owner is not None and owner.objgen == page.obj.objgen:
                    found.append(int(node.MCID))
            elif "/S" in node and "/K" in node:
                walk(node.K, node.get("/Pg", page_of))

    walk(pdf.Root.StructTreeRoot.K, None)
    return found


def test_running_footer_is_an_artifact_and_tag_order_is_drawing_order(example_output):
    """"Side 1 af 3" (a CSS page margin box) is drawn inside /Artifact, never as tagged content;
    every tagged sequence belongs to an element of the tree; and the tree lists each page's
    content in the order it is drawn (page one: logo, sender, return address, recipient, text)."""
    for path in letters_only(example_output):
        with pikepdf.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                sequences = list(marked_sequences(page))
                height = float(page.mediabox[3]) / 0.75  # CSS px
                footer = [s for s in sequences if s[2] is not None and s[2] > height - 15 * 96 / 25.4]
                assert footer and all(tag == "Artifact" for tag, _, _ in footer), f"{path.name} p.{number}"
                drawn = list(dict.fromkeys(m for tag, m, _ in sequences if m is not None))
                tree = reachable_mcids(pdf, page)
                assert [m for m in tree if m in drawn] == drawn, f"{path.name} p.{number}: drawing order is not tag order"
                assert set(drawn) <= set(tree), f"{path.name} p.{number}: content outside the tree"


def test_addresses_are_links_in_paper_and_digital_letters(example_output):
    """E-mail and web addresses in the letters' text are link annotations (mailto:, https:),
    printable, inside Link elements; in paper letters too."""
    letters = example_output / "letters"
    expected = {
        "2026-0142_afgoerelse_1-borger": {"https://www.eksempel-kommune.example/klage", "mailto:socialafdeling@eksempel-kommune.example"},
        "2026-0402_sagsbehandlerskift_2-foraelder": {"mailto:ny.sagsbehandler@eksempel-kommune.example"},  # paper
    }
    for stem, uris in expected.items():
        with pikepdf.open(letters / f"{stem}.pdf") as pdf:
            links = [a for page in pdf.pages for a in page.get("/Annots", []) if a.Subtype == "/Link"]
            assert {str(a.A.URI) for a in links} == uris, stem
            assert all(int(a.F) & 4 for a in links)  # printable
            assert all("/StructParent" in a for a in links)  # in a Link element of the tree
        html = (letters / f"{stem}.html").read_text(encoding="utf-8")
        assert all(f'<a href="{uri}">' in html for uri in uris)


def test_list_items_have_a_label_and_a_body(example_output):
    """L > LI > (Lbl, LBody): the bullet is inside the first line (drawn in tag order), and
    render/artifacts.py puts the item's text into an LBody."""
    items = 0
    for path in letters_only(example_output):
        with pikepdf.open(path) as pdf:
            stack = [pdf.Root.StructTreeRoot.K]
            while stack:
                node = stack.pop()
                if isinstance(node, pikepdf.Array):
                    stack.extend(node)
                elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                    if node.S == "/LI":
                        kids = node.K if isinstance(node.K, pikepdf.Array) else [node.K]
                        assert [str(k.S) for k in kids] == ["/Lbl", "/LBody"], path.name
                        items += 1
                    if "/K" in node:
                        stack.append(node.K)
    assert items > 100
