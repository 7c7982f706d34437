"""The data sub-centre (数据分中心): the client that delivers to it, and a stand-in.

Each delivery is one JSON event message posted with its event id as
``Idempotency-Key``; a 2xx answer means received. The stand-in server records what
it received, once per key, and counts repeats, for the tests and the demo.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import httpx
from fastapi import FastAPI, Header, Request

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


class SubcentreStandIn:
    """What a sub-centre stand-in received: first copy per key, and repeats."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: dict[str, dict[str, Any]] = {}
        self.repeats = 0
        self.fail_first = fail_first
        self.lock = threading.Lock()

    def app(self) -> FastAPI:
        """The stand-in's HTTP app: POST /messages, GET /messages."""
        api = FastAPI(title="Data sub-centre stand-in")

        @api.post("/messages", status_code=202)
        async def receive(
            request: Request, idempotency_key: str = Header()
        ) -> dict[str, Any]:
            body = json.loads(await request.body())
            with self.lock:
                if self.fail_first > 0:
                    self.fail_first -= 1
                    from fastapi import HTTPException

                    raise HTTPException(503, "TEST: not now")
                if idempotency_key in self.received:
                    self.repeats += 1
                else:
                    self.received[idempotency_key] = body
            return {"received": idempotency_key}

        @api.get("/messages")
        def received() -> dict[str, Any]:
            with self.lock:
                return {"count": len(self.received), "repeats": self.repeats}

        return api
