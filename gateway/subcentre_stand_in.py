"""A stand-in for the data sub-centre (数据分中心), for the tests and the demo.

It takes what ``gateway.subcentre.SubcentreClient`` posts, records the first
copy of each ``Idempotency-Key`` and counts the repeats, and can refuse its
first deliveries to show that they are tried again.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request


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
