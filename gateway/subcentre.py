"""The data sub-centre (数据分中心): the client that delivers to it.

Each delivery is one JSON event message posted with its event id as
``Idempotency-Key``; a 2xx answer means received. The stand-in server that the
tests and the demo post to is in ``gateway.subcentre_stand_in``, apart, so that
a worker, which delivers, does not import FastAPI (a tenth of a second of its
start).
"""

from __future__ import annotations

import logging
import time

import httpx

from bonded.errors import UpstreamError

logger = logging.getLogger(__name__)


class SubcentreClient:
    """Deliver messages to the sub-centre's endpoint."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.http = httpx.Client(timeout=timeout)

    def deliver(self, key: str, payload: str) -> None:
        """Post one message; raise ``UpstreamError`` unless it was received."""
        started = time.perf_counter()
        try:
            answer = self.http.post(
                self.url,
                content=payload,
                headers={"Idempotency-Key": key, "Content-Type": "application/json"},
            )
        except httpx.HTTPError as error:
            logger.debug(
                "sub-centre unreachable", extra={"event_id": key, "error": str(error)}
            )
            raise UpstreamError(f"sub-centre unreachable: {error}") from error
        logger.debug(
            "sub-centre delivery",
            extra={
                "event_id": key,
                "status": answer.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        if not answer.is_success:
            raise UpstreamError(
                f"sub-centre answered {answer.status_code}: {answer.text[:200]}"
            )

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()
