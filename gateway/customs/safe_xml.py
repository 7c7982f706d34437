"""XML from outside, parsed so that it cannot hurt: no DTD, no entity, bounded.

Customs messages never carry a document type declaration, so any ``<!DOCTYPE``
or ``<!ENTITY`` is refused before parsing (this stops entity expansion bombs and
external entities alike); lxml then parses with entity resolution, DTD loading
and network access off. The size and the nesting depth are bounded. Tag names
are compared without their namespace and case-insensitively, as real receipts
drift in both.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from bonded.errors import MessageError

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)


def parse(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> Any:
    """Parse a message, or refuse it with the reason."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise MessageError(
            f"message of {len(raw)} bytes exceeds the limit of {max_bytes}",
            field="message",
        )
    if DECLARATION.search(raw):
        raise MessageError(
            "a document type or entity declaration is not allowed in a message",
            field="message",
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        raise MessageError(f"not well-formed XML: {error}", field="message") from None
    if root is None:
        raise MessageError("empty message", field="message")
    for element in root.iter():
        depth = sum(1 for _ in element.iterancestors())
        if depth > MAX_DEPTH:
            raise MessageError(
                f"message nests deeper than {MAX_DEPTH} levels", field="message"
            )
    return root


def name_of(element: Any) -> str:
    """The tag without namespace, lower-cased."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def child(element: Any, name: str) -> Any | None:
    """The first child of that name (any namespace, any case), if any."""
    wanted = name.lower()
    for item in element:
        if name_of(item) == wanted:
            return item
    return None


def children(element: Any, name: str) -> list[Any]:
    """Every child of that name."""
    wanted = name.lower()
    return [item for item in element if name_of(item) == wanted]


def path(element: Any, *names: str) -> Any | None:
    """The element at a path of child names, if every step exists."""
    current = element
    for name in names:
        current = child(current, name)
        if current is None:
            return None
    return current


def texts(element: Any | None) -> dict[str, str | None]:
    """The text of each child element by lower-case name; empty text is None."""
    if element is None:
        return {}
    found: dict[str, str | None] = {}
    for item in element:
        key = name_of(item)
        if key and key not in found:
            text = (item.text or "").strip()
            found[key] = text or None
    return found
