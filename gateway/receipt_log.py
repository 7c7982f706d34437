"""Where every customs receipt is kept raw, with what became of it.

A receipt is stored once per message id (a repeat is a duplicate); its status says
whether it was applied to a document, parked until its document is known, or
ignored (and why). Parked receipts are found again by the keys that would name
their document: a customs number or a pre-entry number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from gateway.storage import schema_pool

DDL = """
CREATE TABLE IF NOT EXISTS customs_receipts (
    message_id text PRIMARY KEY,
    message_type text NOT NULL,
    raw bytea NOT NULL,
    received_at timestamptz NOT NULL,
    status text NOT NULL,
    detail text NOT NULL DEFAULT '',
    document_id uuid,
    keys text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS customs_receipts_parked
    ON customs_receipts USING gin (keys) WHERE status = 'parked';
-- What a start looks for (receipts kept but not handled): few rows, found
-- without reading years of receipts.
CREATE INDEX IF NOT EXISTS customs_receipts_unhandled
    ON customs_receipts (received_at) WHERE status = 'received';
CREATE TABLE IF NOT EXISTS customs_outbound (
    enterprise_doc_no text PRIMARY KEY,
    document_id uuid NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now()
);
"""


@dataclass
class LoggedReceipt:
    """A receipt as kept: raw bytes, status and the keys it waits for."""

    message_id: str
    message_type: str
    raw: bytes
    received_at: datetime
    status: str = "received"
    detail: str = ""
    document_id: UUID | None = None
    keys: tuple[str, ...] = field(default_factory=tuple)


class ReceiptLog(Protocol):
    """What the inbox needs of its storage."""

    def add(self, message_id: str, message_type: str, raw: bytes) -> bool:
        """Keep a receipt; False if this message id was kept before."""
        ...

    def get(self, message_id: str) -> LoggedReceipt | None:
        """The kept receipt, if any."""
        ...

    def mark(
        self,
        message_id: str,
        status: str,
        detail: str = "",
        document_id: UUID | None = None,
        keys: tuple[str, ...] = (),
    ) -> None:
        """Record what became of a receipt."""
        ...

    def parked(self, keys: tuple[str, ...]) -> list[LoggedReceipt]:
        """Receipts parked under any of these keys, oldest first."""
        ...

    def unhandled(self) -> list[LoggedReceipt]:
        """Receipts kept but never handled (a crash came between), oldest first."""
        ...

    def remember_outbound(self, enterprise_doc_no: str, document_id: UUID) -> None:
        """Record that a document left for customs under the enterprise's number."""
        ...

    def outbound(self, enterprise_doc_no: str) -> UUID | None:
        """The document that left under this enterprise number, if any."""
        ...


class MemoryReceiptLog:
    """A receipt log in memory, for unit tests."""

    def __init__(self) -> None:
        self.receipts: dict[str, LoggedReceipt] = {}
        self.sent: dict[str, UUID] = {}

    def remember_outbound(self, enterprise_doc_no: str, document_id: UUID) -> None:
        """Record that a document left for customs under the enterprise's number."""
        self.sent[enterprise_doc_no] = document_id

    def outbound(self, enterprise_doc_no: str) -> UUID | None:
        """The document that left under this enterprise number, if any."""
        return self.sent.get(enterprise_doc_no)

    def add(self, message_id: str, message_type: str, raw: bytes) -> bool:
        """Keep a receipt; False for a duplicate."""
        if message_id in self.receipts:
            return False
        self.receipts[message_id] = LoggedReceipt(
            message_id, message_type, raw, datetime.now(UTC)
        )
        return True

    def get(self, message_id: str) -> LoggedReceipt | None:
        """The kept receipt, if any."""
        return self.receipts.get(message_id)

    def mark(
        self,
        message_id: str,
        status: str,
        detail: str = "",
        document_id: UUID | None = None,
        keys: tuple[str, ...] = (),
    ) -> None:
        """Record what became of a receipt."""
        receipt = self.receipts[message_id]
        receipt.status, receipt.detail = status, detail
        receipt.document_id, receipt.keys = document_id, tuple(keys)

    def parked(self, keys: tuple[str, ...]) -> list[LoggedReceipt]:
        """Receipts parked under any of these keys, oldest first."""
        return sorted(
            (
                r
                for r in self.receipts.values()
                if r.status == "parked" and set(r.keys) & set(keys)
            ),
            key=lambda r: r.received_at,
        )

    def unhandled(self) -> list[LoggedReceipt]:
        """Receipts kept but never handled, oldest first."""
        return sorted(
            (r for r in self.receipts.values() if r.status == "received"),
            key=lambda r: r.received_at,
        )


class PostgresReceiptLog:
    """The receipt log in PostgreSQL, in the schema of the event store."""

    def __init__(self, database_url: str, *, schema: str = "") -> None:
        self.pool = schema_pool(database_url, schema, DDL, "bonded-receipts-ddl")

    def close(self) -> None:
        """Close the connections."""
        self.pool.close()

    def remember_outbound(self, enterprise_doc_no: str, document_id: UUID) -> None:
        """Record that a document left for customs under the enterprise's number."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO customs_outbound (enterprise_doc_no, document_id) "
                "VALUES (%s, %s) ON CONFLICT (enterprise_doc_no) DO UPDATE SET "
                "document_id = EXCLUDED.document_id, sent_at = now()",
                (enterprise_doc_no, document_id),
            )

    def outbound(self, enterprise_doc_no: str) -> UUID | None:
        """The document that left under this enterprise number, if any."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT document_id FROM customs_outbound WHERE enterprise_doc_no = %s",
                (enterprise_doc_no,),
            ).fetchone()
        return row[0] if row else None

    def add(self, message_id: str, message_type: str, raw: bytes) -> bool:
        """Keep a receipt; False for a duplicate."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO customs_receipts (message_id, message_type, raw, "
                "received_at, status) VALUES (%s, %s, %s, now(), 'received') "
                "ON CONFLICT DO NOTHING RETURNING message_id",
                (message_id, message_type, raw),
            ).fetchone()
        return row is not None

    def get(self, message_id: str) -> LoggedReceipt | None:
        """The kept receipt, if any."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT message_id, message_type, raw, received_at, status, detail, "
                "document_id, keys FROM customs_receipts WHERE message_id = %s",
                (message_id,),
            ).fetchone()
        return _logged(row) if row else None

    def mark(
        self,
        message_id: str,
        status: str,
        detail: str = "",
        document_id: UUID | None = None,
        keys: tuple[str, ...] = (),
    ) -> None:
        """Record what became of a receipt."""
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE customs_receipts SET status = %s, detail = %s, "
                "document_id = %s, keys = %s WHERE message_id = %s",
                (status, detail, document_id, list(keys), message_id),
            )

    def parked(self, keys: tuple[str, ...]) -> list[LoggedReceipt]:
        """Receipts parked under any of these keys, oldest first."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT message_id, message_type, raw, received_at, status, detail, "
                "document_id, keys FROM customs_receipts "
                "WHERE status = 'parked' AND keys && %s ORDER BY received_at",
                (list(keys),),
            ).fetchall()
        return [_logged(row) for row in rows]

    def unhandled(self) -> list[LoggedReceipt]:
        """Receipts kept but never handled, oldest first."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT message_id, message_type, raw, received_at, status, detail, "
                "document_id, keys FROM customs_receipts "
                "WHERE status = 'received' ORDER BY received_at"
            ).fetchall()
        return [_logged(row) for row in rows]


def _logged(row: tuple[object, ...]) -> LoggedReceipt:
    message_id, message_type, raw, received_at, status, detail, document_id, keys = row
    return LoggedReceipt(
        str(message_id),
        str(message_type),
        bytes(raw),  # type: ignore[arg-type]
        received_at,  # type: ignore[arg-type]
        str(status),
        str(detail),
        document_id,  # type: ignore[arg-type]
        tuple(keys),  # type: ignore[arg-type]
    )
