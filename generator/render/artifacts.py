"""PDF/UA details WeasyPrint leaves open, fixed in its finisher hook (issue 14, point 4).

1. Running headers and footers are artifacts. WeasyPrint 70 marks the text of page margin boxes
   ("Side 1 af 3", the sender's name) as tagged content with an MCID, and builds structure
   elements for it that it never links into the structure tree (its comment: an Artifact in the
   tree is only allowed in PDF 2.0). A reader then finds content that belongs to no element. Here
   every marked-content sequence whose MCID maps to an element the tree does not reach becomes
   `/Artifact BMC ... EMC` (ISO 32000-1 14.8.2.2, pagination artifacts), its ParentTree entry is
   emptied and the orphan elements are dropped.
2. A list item's body is an LBody. With the marker inside the first line (letter.css and
   leaflet.css put it there, so that it is drawn in tag order), WeasyPrint gives the LI its Lbl
   and then the text directly; ISO 32000-1 14.8.4.3.3 wants Lbl and LBody as its children. The
   children after the Lbl are moved into a new LBody element.
3. Link annotations get the Print flag (ISO 14289-1 7.18.1 via ISO 32000-1 12.5.3): without it a
   printed letter and the screen differ, and checkers warn.

It changes the marking and structure of content, never what a page shows.
"""

from __future__ import annotations

import pydyf

from .page_content import pages_of, resolve

PRINT_FLAG = 4  # annotation flag bit 3: print the annotation


def finish(_document, pdf: pydyf.PDF) -> None:
    root = resolve(pdf, pdf.catalog.get("StructTreeRoot"))
    if isinstance(root, pydyf.Dictionary):
        # Walked once: freeing the orphans (unreachable by definition) leaves the set as it is.
        reachable = _reachable_elements(pdf, root)
        running_content_as_artifacts(pdf, root, reachable)
        list_bodies(pdf, reachable)
    for page in pages_of(pdf):
        for annotation in resolve(pdf, page.get("Annots")) or ():
            annotation = resolve(pdf, annotation)
            if isinstance(annotation, dict) and annotation.get("Subtype") == "/Link":
                annotation["F"] = PRINT_FLAG


def running_content_as_artifacts(pdf: pydyf.PDF, root: pydyf.Dictionary, reachable: set[int]) -> None:
    parent_tree = resolve(pdf, root.get("ParentTree"))
    nums = list(parent_tree.get("Nums", ())) if isinstance(parent_tree, dict) else []
    pages = pages_of(pdf)
    for key, value in zip(nums[0::2], nums[1::2]):
        if not isinstance(value, pydyf.Array) or not isinstance(key, int) or key >= len(pages):
            continue  # an annotation's entry (a single element), not a page's MCID array
        orphans = {mcid for mcid, number in enumerate(map(_number, value)) if number is not None and number not in reachable}
        if not orphans:
            continue
        contents = resolve(pdf, pages[key].get("Contents"))
        if isinstance(contents, pydyf.Stream):
            contents.stream[:] = _as_artifacts(contents.stream, orphans)
        for mcid in orphans:
            value[mcid] = b"null"
        while value and value[-1] == b"null":
            value.pop()
    for number, obj in enumerate(pdf.objects):
        if (isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"
                and number not in reachable and obj.free != "f"):
            obj.free = "f"


def list_bodies(pdf: pydyf.PDF, reachable: set[int]) -> None:
    """Every LI: its children other than Lbl (and LBody) go into one LBody."""
    for number in sorted(reachable):
        item = pdf.objects[number]
        if item.get("S") != "/LI":
            continue
        kids = _items(item.get("K"))
        kinds = [resolve(pdf, kid).get("S") if _number(kid) is not None else None for kid in kids]
        if "/LBody" in kinds:
            continue
        body_kids = [kid for kid, kind in zip(kids, kinds) if kind != "/Lbl"]
        if not body_kids or any(_number(kid) is None for kid in body_kids):
            continue  # nothing to wrap, or marked content straight in the LI (not made by WeasyPrint)
        # No /Pg: optional, and its children carry their own (a few bytes less per item).
        body = pydyf.Dictionary({"S": "/LBody", "K": pydyf.Array(body_kids), "P": item.reference})
        pdf.add_object(body)
        for kid in body_kids:
            resolve(pdf, kid)["P"] = body.reference
        item["K"] = pydyf.Array([kid for kid, kind in zip(kids, kinds) if kind == "/Lbl"] + [body.reference])


def _as_artifacts(operators: list, mcids: set[int]) -> list:
    """`/Tag <</MCID n>> BDC` -> `/Artifact BMC` for each n in `mcids` (WeasyPrint writes the tag,
    the property list and the operator as three items)."""
    out: list = []
    start = 0  # operators before this are in `out`
    while True:
        try:  # list.index compares in C: a page has about 500 operators and a few BDCs to look at
            i = operators.index(b"BDC", start)
        except ValueError:
            break
        if i - 2 >= start and isinstance(operators[i - 1], dict) and operators[i - 1].get("MCID") in mcids:
            out.extend(operators[start:i - 2])
            out.extend(["/Artifact", b"BMC"])
        else:
            out.extend(operators[start:i + 1])
        start = i + 1
    out.extend(operators[start:])
    return out


def _reachable_elements(pdf: pydyf.PDF, root: pydyf.Dictionary) -> set[int]:
    seen: set[int] = set()
    stack = list(_items(root.get("K")))
    while stack:
        ref = stack.pop()
        number = _number(ref)
        if number is None or number in seen:
            continue
        obj = pdf.objects[number]
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Type") != "/StructElem":
            continue
        seen.add(number)
        stack.extend(_items(obj.get("K")))
    return seen


def _items(value) -> list:
    if isinstance(value, (list, pydyf.Array)):
        return list(value)
    return [] if value is None else [value]


def _number(ref) -> int | None:
    """b'12 0 R' -> 12; anything else (an MCID, a dictionary) -> None."""
    if isinstance(ref, bytes) and ref.endswith(b" R"):
        return int(ref.split()[0])
    return None
