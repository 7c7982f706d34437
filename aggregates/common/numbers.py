"""The index from a customs-assigned number to the document that carries it.

Customs assigns a number when it approves a filing (账册号, QD… checklist number,
Z… gate pass number); receipts and enterprises name documents by it afterwards.
The entry is saved with the approval that assigns the number, so a number names
one document of its kind, and finding a document by number needs no projection.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

NUMBER_NAMESPACE = uuid5(NAMESPACE_URL, "urn:bonded-backbone:document-number")


def number_id(kind: str, number: str) -> UUID:
    """The id of the index entry for a document kind and customs number."""
    return uuid5(NUMBER_NAMESPACE, f"{kind}/{number}")


class DocumentNumber(Aggregate):
    """A customs number of a document kind, pointing at the document's id."""

    @staticmethod
    def create_id(kind: str, number: str, document_id: UUID) -> UUID:
        """Key the entry by kind and number."""
        return number_id(kind, number)

    @event("Assigned")
    def __init__(self, kind: str, number: str, document_id: UUID) -> None:
        self.kind = kind
        self.number = number
        self.document_id = document_id
