"""The HTTP ceiling: the load's routes served with nothing behind them.

The same uvicorn (httptools, uvloop), FastAPI and request models as the gateway,
and the same closed loop driving it, but every command answers at once without
touching a store: what one machine's HTTP layer can carry before any command is
decided. Run by ``bench.suite`` as ``uvicorn bench.http_ceiling:create_noop_api
--factory``.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from schemas.api import LedgerIn, VehicleIn


def create_noop_api() -> FastAPI:
    """The load's routes with validated bodies and a fixed kind of answer."""
    api = FastAPI()

    def answer() -> dict[str, Any]:
        return {"id": str(uuid.uuid4()), "version": 1, "replayed": False}

    @api.post("/v1/ledgers", status_code=201)
    def file_ledger(body: LedgerIn) -> Any:
        return answer()

    @api.put("/v1/ledgers/{document_id}")
    def modify_ledger(document_id: uuid.UUID, body: LedgerIn) -> Any:
        return answer()

    @api.post("/v1/vehicles", status_code=201)
    def file_vehicle(body: VehicleIn) -> Any:
        return answer()

    @api.put("/v1/vehicles/{document_id}")
    def modify_vehicle(document_id: uuid.UUID, body: VehicleIn) -> Any:
        return answer()

    @api.post("/v1/{kind}/{document_id}/declare")
    def declare(kind: str, document_id: uuid.UUID) -> Any:
        return answer()

    return api
