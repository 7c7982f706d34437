"""Receipts split into pockets (分包): put the parts of one receipt back together.

Customs may send one receipt as several messages sharing a ``pocket_id``, each
with its number (``cur_pocket_no``) of ``total_pocket_qty``; typically the first
holds the head and some lines, the others further lines. Once every part is
there, the parts become one receipt: the first pocket, with the elements of the
others that it does not already hold (their lines; a head repeated word for
word is kept once) appended in pocket order, and the pocket info saying one of
one.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from gateway.customs.safe_xml import child, parse, path


def assemble(parts: list[bytes]) -> bytes:
    """One receipt from its pockets, given in pocket order."""
    base = parse(parts[0])
    body = _body(base)
    held = {_canonical(element) for element in body}
    for raw in parts[1:]:
        for element in list(_body(parse(raw))):
            # A head or result repeated in every pocket is kept once; the
            # lines, each different, are carried over in order.
            canonical = _canonical(element)
            if canonical in held:
                continue
            held.add(canonical)
            body.append(element)
    pocket = path(base, "DataInfo", "PocketInfo")
    if pocket is not None:
        for tag, value in (("total_pocket_qty", "1"), ("cur_pocket_no", "1")):
            found = child(pocket, tag)
            if found is not None:
                found.text = value
    result: bytes = etree.tostring(base, xml_declaration=True, encoding="UTF-8")
    return result


def _canonical(element: Any) -> bytes:
    text: bytes = etree.tostring(element, method="c14n")
    return text


def _body(root: Any) -> Any:
    business = path(root, "DataInfo", "BussinessData")
    if business is None or len(business) == 0:
        raise ValueError("a pocket without BussinessData")
    return business[0]
