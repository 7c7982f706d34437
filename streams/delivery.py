"""Deliver the sub-centre outbox: pending rows, retries with backoff, dead letters."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bonded.errors import UpstreamError
from gateway.subcentre import SubcentreClient
from projections.postgres import ProjectionStore
from streams.metrics import SUBCENTRE_DELIVERIES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How often and how patiently to deliver."""

    max_attempts: int = 8
    backoff_seconds: float = 1.0
    batch: int = 100


def deliver_pending(
    store: ProjectionStore, client: SubcentreClient, policy: DeliveryPolicy
) -> tuple[int, int]:
    """Deliver the due pending rows; return (delivered, failed attempts).

    A failed attempt waits ``backoff_seconds * 2**attempts`` before the next one;
    after ``max_attempts`` the row is dead until ``redeliver`` revives it.
    Rows are claimed with ``FOR UPDATE SKIP LOCKED``, so two workers never send
    the same row at once.
    """
    delivered = failed = 0
    received: list[Any] = []
    with store.pool.connection() as conn, conn.transaction():
        rows = conn.execute(
            "SELECT event_id, payload::text, attempts FROM subcentre_deliveries "
            "WHERE status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= now()) "
            "ORDER BY notification_id LIMIT %s FOR UPDATE SKIP LOCKED",
            (policy.batch,),
        ).fetchall()
        for event_id, payload, attempts in rows:
            try:
                client.deliver(str(event_id), payload)
            except UpstreamError as error:
                failed += 1
                tries = attempts + 1
                status = "dead" if tries >= policy.max_attempts else "pending"
                conn.execute(
                    "UPDATE subcentre_deliveries SET attempts = %s, status = %s, "
                    "last_error = %s, next_attempt_at = now() + make_interval("
                    "secs => %s) WHERE event_id = %s",
                    (
                        tries,
                        status,
                        str(error)[:500],
                        policy.backoff_seconds * 2**attempts,
                        event_id,
                    ),
                )
                SUBCENTRE_DELIVERIES.labels(
                    "dead" if status == "dead" else "failed"
                ).inc()
                if status == "dead":
                    logger.warning(
                        "sub-centre delivery dead",
                        extra={"event_id": str(event_id), "error": str(error)},
                    )
                continue
            received.append(event_id)
        if received:
            # One statement for the rows received, in the claim's transaction
            # like each failure's: nothing is marked before the commit either way.
            conn.execute(
                "UPDATE subcentre_deliveries SET status = 'delivered', "
                "attempts = attempts + 1, delivered_at = now(), last_error = NULL "
                "WHERE event_id = ANY(%s)",
                (received,),
            )
            delivered = len(received)
            SUBCENTRE_DELIVERIES.labels("delivered").inc(delivered)
    if delivered or failed:
        # One line per batch of calls: a line per message would drown the log.
        logger.info(
            "sub-centre deliveries",
            extra={"delivered": delivered, "failed": failed},
        )
    return delivered, failed


def redeliver(store: ProjectionStore) -> int:
    """Send dead deliveries again; return how many were revived."""
    with store.pool.connection() as conn:
        cursor = conn.execute(
            "UPDATE subcentre_deliveries SET status = 'pending', attempts = 0, "
            "next_attempt_at = NULL WHERE status = 'dead'"
        )
        return cursor.rowcount
