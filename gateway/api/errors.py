"""Errors as HTTP answers: which rule, which field, what was expected.

Every refusal is answered with ``{"error": {...}}``: its type, a message, the rule
number of ``domain/rules.md`` when one applies, the field at fault and, for a
state that forbids a command, the states that allow it. The status follows what
HTTP means: 400 unreadable input, 401 no valid key, 403 not allowed, 404 no such
document (or one the caller may not see), 409 the document's state or another
document forbids it, 422 a field breaks a rule.
"""

from __future__ import annotations

import logging
from typing import Any

import eventsourcing.persistence as es_persistence
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from aggregates.common.errors import (
    DocumentNotFoundError,
    ExcessCarriageError,
    IdempotencyKeyConflictError,
    InsufficientDepositError,
    InsufficientQuantityError,
    InsufficientStockError,
    InvalidTransitionError,
    NoReceiptError,
    ValidationError,
    VehicleBusyError,
)
from bonded.errors import ConcurrencyError, DomainError, MessageError

CONFLICTS = (
    InvalidTransitionError,
    InsufficientStockError,
    InsufficientQuantityError,
    InsufficientDepositError,
    ExcessCarriageError,
    VehicleBusyError,
    IdempotencyKeyConflictError,
)

logger = logging.getLogger(__name__)


# What the store's clients raise when PostgreSQL cannot be reached: the event
# store through eventsourcing's own classes, the projections and keys through
# psycopg and its pool.
STORE_UNAVAILABLE: tuple[type[Exception], ...] = (
    es_persistence.OperationalError,
    es_persistence.InterfaceError,
    es_persistence.ConnectionUnavailableError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    PoolTimeout,
)
RETRY_AFTER_SECONDS = 2


class AccessError(Exception):
    """The caller is not authenticated (401) or not allowed (403)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def status_of(error: Exception) -> int:
    """The HTTP status of a refusal."""
    if isinstance(error, DocumentNotFoundError | NoReceiptError):
        return 404
    if isinstance(error, (*CONFLICTS, ConcurrencyError)):
        return 409
    if isinstance(error, ValidationError | DomainError):
        return 422
    if isinstance(error, MessageError):
        return 400
    return 500


def body_of(error: Exception) -> dict[str, Any]:
    """The machine-readable body of a refusal."""
    detail: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    for name in ("rule", "field"):
        value = getattr(error, name, "")
        if value:
            detail[name] = value
    if isinstance(error, InvalidTransitionError) and error.allowed:
        detail["expected"] = {"state": list(error.allowed)}
        detail["state"] = str(error.state)
    return {"error": detail}


def install(app: FastAPI) -> None:
    """Answer every refusal as this module says."""

    async def on_refusal(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse(body_of(error), status_code=status_of(error))

    async def on_access(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, AccessError)
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return JSONResponse(
            {"error": {"type": "AccessError", "message": str(error)}},
            status_code=error.status,
            headers=headers,
        )

    async def on_invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problems = [
            {
                "field": ".".join(str(p) for p in problem["loc"] if p != "body"),
                "message": problem["msg"],
            }
            for problem in error.errors()
        ]
        first = problems[0] if problems else {"field": "", "message": "invalid"}
        return JSONResponse(
            {
                "error": {
                    "type": "RequestValidationError",
                    "message": f"{first['field']}: {first['message']}",
                    "field": first["field"],
                    "problems": problems,
                }
            },
            status_code=422,
        )

    async def on_unavailable(request: Request, error: Exception) -> JSONResponse:
        # The store is away (restarting, failing over). A command is one
        # transaction, so it was written whole or not at all (its answer may
        # have been lost after the commit): the caller tries again, same key.
        logger.warning(
            "store unavailable",
            extra={"path": request.url.path, "error": type(error).__name__},
        )
        return JSONResponse(
            {
                "error": {
                    "type": "StoreUnavailableError",
                    "message": "the store cannot be reached; the request was "
                    "carried out whole or not at all: try again with the same "
                    "idempotency key",
                }
            },
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for unavailable in STORE_UNAVAILABLE:
        app.add_exception_handler(unavailable, on_unavailable)
    app.add_exception_handler(DomainError, on_refusal)
    app.add_exception_handler(MessageError, on_refusal)
    app.add_exception_handler(ConcurrencyError, on_refusal)
    app.add_exception_handler(AccessError, on_access)
    app.add_exception_handler(RequestValidationError, on_invalid)
