"""The receipt log on the real PostgreSQL: kept once, parked by key, outbound."""

from __future__ import annotations

import uuid

import pytest

from gateway.receipt_log import PostgresReceiptLog

pytestmark = pytest.mark.integration


def test_receipts_are_kept_once_and_found_by_their_parking_keys(
    pg_env: dict[str, str], database_url: str
) -> None:
    log = PostgresReceiptLog(database_url, schema=pg_env["POSTGRES_SCHEMA"])
    document = uuid.uuid4()
    try:
        first = log.add("M1", "INV202", b"<Package/>")
        again = log.add("M1", "INV202", b"<Package>other</Package>")
        log.add("M2", "SAS221", b"<Package/>")
        log.mark("M1", "parked", "document not known yet", keys=("checklist:QD1",))
        log.mark("M2", "applied", "approved", document)
        log.remember_outbound("TEST-C1", document)

        parked = log.parked(("checklist:QD1", "checklist:QD9"))
        kept = log.get("M1")
        sent = log.outbound("TEST-C1")
        unknown = log.outbound("TEST-C2")
    finally:
        log.close()

    assert (first, again) == (True, False)
    assert [r.message_id for r in parked] == ["M1"]
    assert kept is not None and kept.raw == b"<Package/>"
    assert kept.keys == ("checklist:QD1",)
    assert (sent, unknown) == (document, None)
