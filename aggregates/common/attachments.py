"""Attachments (随附单据) of a document, and the PDF check of R-DOC-8."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from aggregates.common.errors import AttachmentError

MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024
PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
# The PDF specification lets readers find the header within the first 1,024 bytes
# and the end-of-file marker within the last 1,024.
PDF_WINDOW = 1024
SAFE_FILE_NAME = re.compile(r"[^/\\\x00-\x1f]{1,255}")


class AttachmentKind(StrEnum):
    """Structured data (结构化) or a scanned, unstructured document (非结构化)."""

    STRUCTURED = "structured"
    UNSTRUCTURED = "unstructured"


@dataclass(frozen=True)
class Attachment:
    """One attachment: its metadata and its bytes, base64-encoded."""

    attachment_no: int
    file_name: str
    kind: AttachmentKind
    sha256: str
    size: int
    content_base64: str

    @property
    def content(self) -> bytes:
        """The attachment's bytes."""
        return base64.b64decode(self.content_base64)


def is_pdf(content: bytes) -> bool:
    """Tell whether the bytes are a PDF file: header at the start, EOF at the end."""
    head = content[:PDF_WINDOW]
    tail = content[-PDF_WINDOW:]
    match = PDF_HEADER.search(head)
    return (
        match is not None and head[: match.start()].strip() == b"" and b"%%EOF" in tail
    )


def make_attachment(
    attachment_no: int, file_name: str, kind: AttachmentKind, content: bytes
) -> Attachment:
    """Build an attachment, refusing what R-DOC-8 forbids.

    An unstructured attachment must really be a PDF: its bytes are checked, never
    its name. File names may not carry a path.
    """
    if not SAFE_FILE_NAME.fullmatch(file_name) or file_name in {".", ".."}:
        raise AttachmentError(
            f"file name {file_name!r} must be a plain name without a path",
            rule="R-DOC-8",
            field="file_name",
        )
    if not content:
        raise AttachmentError("attachment is empty", rule="R-DOC-8", field="content")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentError(
            f"attachment has {len(content)} bytes, the limit is {MAX_ATTACHMENT_BYTES}",
            rule="R-DOC-8",
            field="content",
        )
    if kind is AttachmentKind.UNSTRUCTURED and not is_pdf(content):
        raise AttachmentError(
            f"unstructured attachment {file_name!r} is not a PDF file",
            rule="R-DOC-8",
            field="content",
        )
    return Attachment(
        attachment_no=attachment_no,
        file_name=file_name,
        kind=kind,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_base64=base64.b64encode(content).decode("ascii"),
    )
