"""The forwarder: declared documents leave for customs in the import dialect (R-FLOW-1).

When a document is declared, its message (INV101, SAS121, SAS101, SAS111,
BWS101, SAS131) is dropped into the single window client's ``OutBox`` and the
enterprise number it travels under is remembered, so that the client's
acknowledgement finds its document. Delivery orders have no customs message.
Each declaration is forwarded once: the document id and the version of its
declaration are claimed before the file is written, so a redelivered event does
not send the declaration twice (customs would refuse the repeat, and its refusal
must not touch the document). A written file marks its claim dropped; a
claim whose file was not reached (the store failed first) is given back, so the
batch, handled again, tries again.

TODO: a file the folder refused (a full disk) and a process killed between the
claim and the mark leave the claim unmarked, its file not written or perhaps
written: forwarding is at most once, never twice. ``bonded status`` lists such
claims by file name (``undropped_declarations``) for an operator to look for the
file in the client's folders and drop it again; a command to drop them again
matters before the forwarder runs unattended.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from aggregates.business_form.model import BusinessForm
from aggregates.checklist.model import Checklist
from aggregates.common.lifecycle import Document, Request, State
from aggregates.gate_pass.model import GatePass
from aggregates.ledger.model import Ledger
from aggregates.stock_slip.model import StockSlip
from aggregates.vehicle.model import Vehicle
from aggregates.zone import Zone
from gateway.customs.declarations import (
    write_bws101,
    write_inv101,
    write_sas101,
    write_sas111,
    write_sas121,
    write_sas131,
)
from gateway.customs.filedrop import FileDrop
from gateway.imports import (
    business_form_declaration,
    checklist_declaration,
    gate_pass_declaration,
    ledger_declaration,
    stock_slip_declaration,
    vehicle_declaration,
)
from gateway.receipt_log import ReceiptLog
from gateway.storage import schema_pool

DDL = """
CREATE TABLE IF NOT EXISTS customs_forwarded (
    document_id uuid NOT NULL,
    version integer NOT NULL,
    file_name text NOT NULL,
    forwarded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, version)
);
DO $$
BEGIN
    -- Claims made before files were marked: they were written, or lost unseen.
    IF NOT EXISTS (
        SELECT 1 FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'customs_forwarded'
        AND column_name = 'dropped_at'
    ) THEN
        ALTER TABLE customs_forwarded ADD COLUMN dropped_at timestamptz;
        UPDATE customs_forwarded SET dropped_at = forwarded_at;
    END IF;
END
$$;
"""

logger = logging.getLogger(__name__)


class ForwardedLog(Protocol):
    """Which declarations were forwarded."""

    def claim(self, document_id: UUID, version: int, file_name: str) -> bool:
        """Claim a declaration for forwarding; False if it was forwarded before."""
        ...

    def release(self, document_id: UUID, version: int) -> None:
        """Give up a claim whose file was not written."""
        ...

    def dropped(self, document_id: UUID, version: int) -> None:
        """Mark a claim's file written."""
        ...


class MemoryForwardedLog:
    """Forwarded declarations in memory, for tests."""

    def __init__(self) -> None:
        self.forwarded: dict[tuple[UUID, int], str] = {}
        self.written: set[tuple[UUID, int]] = set()

    def claim(self, document_id: UUID, version: int, file_name: str) -> bool:
        """Claim a declaration for forwarding; False if it was forwarded before."""
        if (document_id, version) in self.forwarded:
            return False
        self.forwarded[(document_id, version)] = file_name
        return True

    def release(self, document_id: UUID, version: int) -> None:
        """Give up a claim whose file was not written."""
        if (document_id, version) not in self.written:
            self.forwarded.pop((document_id, version), None)

    def dropped(self, document_id: UUID, version: int) -> None:
        """Mark a claim's file written."""
        self.written.add((document_id, version))


class PostgresForwardedLog:
    """Forwarded declarations in PostgreSQL."""

    def __init__(self, database_url: str, *, schema: str = "") -> None:
        self.pool = schema_pool(database_url, schema, DDL, "bonded-forwarded-ddl")

    def claim(self, document_id: UUID, version: int, file_name: str) -> bool:
        """Claim a declaration for forwarding; False if it was forwarded before."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO customs_forwarded (document_id, version, file_name) "
                "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING version",
                (document_id, version, file_name),
            ).fetchone()
        return row is not None

    def release(self, document_id: UUID, version: int) -> None:
        """Give up a claim whose file was not written."""
        with self.pool.connection() as conn:
            conn.execute(
                "DELETE FROM customs_forwarded WHERE document_id = %s "
                "AND version = %s AND dropped_at IS NULL",
                (document_id, version),
            )

    def dropped(self, document_id: UUID, version: int) -> None:
        """Mark a claim's file written."""
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE customs_forwarded SET dropped_at = now() "
                "WHERE document_id = %s AND version = %s",
                (document_id, version),
            )

    def close(self) -> None:
        """Close the connections."""
        self.pool.close()


def outbound_message(document: Document, sender_id: str) -> tuple[str, bytes] | None:
    """The message type and import-dialect bytes of a declared document."""
    writers: list[tuple[type[Any], str, Callable[..., Any], Callable[[Any], bytes]]] = [
        (Checklist, "INV101", checklist_declaration, write_inv101),
        (GatePass, "SAS121", gate_pass_declaration, write_sas121),
        (BusinessForm, "SAS101", business_form_declaration, write_sas101),
        (StockSlip, "SAS111", stock_slip_declaration, write_sas111),
        (Ledger, "BWS101", ledger_declaration, write_bws101),
        (Vehicle, "SAS131", vehicle_declaration, write_sas131),
    ]
    for cls, message_type, translate, write in writers:
        if isinstance(document, cls):
            return message_type, write(translate(document, sender_id=sender_id))
    return None


class Forwarder:
    """Drop declared checklists and gate passes into the single window's OutBox."""

    def __init__(
        self,
        zone: Zone,
        drop: FileDrop,
        receipts: ReceiptLog,
        forwarded: ForwardedLog,
        *,
        sender_id: str = "DXPENT0000000000",
    ) -> None:
        self.zone = zone
        self.drop = drop
        self.receipts = receipts
        self.forwarded = forwarded
        self.sender_id = sender_id

    def forward(self, document_id: UUID, declared_version: int) -> Path | None:
        """Forward the declaration made at ``declared_version``, once."""
        document = self.zone.get_document(document_id)
        if (
            document.state is not State.DECLARED
            or document.request is not Request.FILING
        ):
            return None
        found = outbound_message(document, self.sender_id)
        if found is None:
            return None
        message_type, content = found
        own_no = document.enterprise_doc_no
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", own_no)
        name = f"{message_type}_{safe}_{declared_version}.xml"
        if not self.forwarded.claim(document.id, declared_version, name):
            return None
        try:
            self.receipts.remember_outbound(own_no, document.id)
        except Exception:
            # Nothing written: the batch, tried again, may claim it again.
            self._release(document.id, declared_version)
            raise
        try:
            path = self.drop.drop(name, content)
        except OSError:
            # The single window's folder refuses the file (a full disk, its
            # rights). The claim stays unmarked, for ``bonded status`` to name;
            # the worker goes on: the gate's postings must not wait for it.
            logger.exception(
                "declaration not written to the single window",
                extra={"aggregate_id": str(document.id), "file": name},
            )
            return None
        self.forwarded.dropped(document.id, declared_version)
        logger.info(
            "declaration forwarded to the single window",
            extra={
                "message_type": message_type,
                "enterprise_doc_no": own_no,
                "aggregate_id": str(document.id),
                "file": name,
            },
        )
        return path

    def _release(self, document_id: UUID, version: int) -> None:
        """Give a claim back; if that fails too, it stays, for ``bonded status``."""
        try:
            self.forwarded.release(document_id, version)
        except Exception:
            logger.exception(
                "claim of a declaration not given back",
                extra={"aggregate_id": str(document_id), "version": version},
            )
