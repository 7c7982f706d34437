"""Query endpoints, answered from the projection tables (``docs/projections.md``).

Each list has the required filters of its rule; an enterprise key may filter only
by its own customs codes. ``consistent_with=<id>:<version>`` makes a query wait
(up to ``wait_seconds``) until the projections have applied that version of that
document, so a client reads its own writes; if they have not in time, the answer
is 503 with ``Retry-After``.
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoints'
# annotations at runtime, and they name dependencies local to the factory.

import time
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Query
from fastapi.responses import JSONResponse

from aggregates.common.errors import ValidationError
from gateway.api.errors import AccessError
from gateway.keys import Caller, Role
from projections.postgres import ProjectionStore

# kind → (projection kind, required filters, rule)
LISTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "ledgers": ("ledger", ("state", "customs_code"), "R-DOC-10"),
    "business-forms": (
        "business_form",
        ("state", "customs_code", "entered"),
        "R-FORM-11",
    ),
    "stock-slips": ("stock_slip", ("state", "customs_code", "entered"), "R-SLIP-7"),
    "checklists": ("checklist", ("state", "customs_code"), "R-CHK-8"),
    "delivery-orders": ("delivery_order", ("state", "customs_code"), "R-DOC-10"),
    "gate-passes": ("gate_pass", ("state", "customs_code", "entered"), "R-GATE-13"),
    "vehicles": ("vehicle", ("state", "entered"), "R-VEH-3"),
}
COLUMNS = (
    "document_id",
    "kind",
    "customs_code",
    "enterprise_doc_no",
    "document_no",
    "business_type",
    "direction",
    "document_type",
    "state",
    "request",
    "entered_on",
    "declared_at",
    "approved_on",
    "receipt_result",
    "receipt_at",
)


def rows_as_dicts(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[Any]:
    """Rows as JSON objects, values as text where JSON has no type for them."""
    return [
        {
            name: (value if isinstance(value, int | bool | type(None)) else str(value))
            for name, value in zip(columns, row, strict=True)
        }
        for row in rows
    ]


def install_queries(
    api: FastAPI, store: ProjectionStore, anyone: Callable[..., Caller]
) -> None:
    """Add the query endpoints."""
    Anyone = Annotated[Caller, Depends(anyone)]

    def wait_for(
        consistent_with: list[str], wait_seconds: float
    ) -> JSONResponse | None:
        wanted = []
        for item in consistent_with:
            document, _, version = item.partition(":")
            try:
                wanted.append((UUID(document), int(version)))
            except ValueError:
                raise ValidationError(
                    f"consistent_with takes id:version, got {item!r}",
                    field="consistent_with",
                ) from None
        deadline = time.monotonic() + wait_seconds
        while True:
            behind = [
                (document, version)
                for document, version in wanted
                if _applied(store, document) < version
            ]
            if not behind:
                return None
            if time.monotonic() >= deadline:
                return JSONResponse(
                    {
                        "error": {
                            "type": "NotYetConsistent",
                            "message": f"the projections have not yet applied "
                            f"{behind[0][0]} version {behind[0][1]}",
                        }
                    },
                    status_code=503,
                    headers={"Retry-After": "1"},
                )
            time.sleep(0.05)

    @api.get("/v1/ledgers/{ledger_id}/findings", tags=["queries"])
    def findings(ledger_id: UUID, caller: Anyone) -> Any:
        """Where customs' stock figures (INV211) differ from this ledger's."""
        _owned(store, caller, ledger_id)
        columns = ("checklist_no", "part_no", "ours", "customs", "found_at")
        rows = store.query(
            f"SELECT {', '.join(columns)} FROM ledger_findings WHERE ledger_id = %s "
            "ORDER BY found_at, part_no",
            (ledger_id,),
        )
        return rows_as_dicts(columns, rows)

    @api.get("/v1/consolidation-candidates", tags=["queries"])
    def consolidation_candidates(
        caller: Anyone,
        customs_code: str,
        due_within_days: Annotated[int | None, Query(ge=0, le=366)] = None,
    ) -> Any:
        """Approved type A slips not yet consolidated (R-CONS-1, R-SLIP-5).

        With ``due_within_days``, only those that near their one-month limit.
        """
        _scope(caller, customs_code)
        columns = ("slip_id", "slip_no", "approved_on", "deadline")
        sql_text = (
            "SELECT c.slip_id, d.document_no, c.approved_on, c.deadline "
            "FROM slip_consolidation c JOIN documents d ON d.document_id = c.slip_id "
            "WHERE c.customs_code = %s AND c.business_type = 'A' "
            "AND d.state = 'approved' AND c.consolidated_into IS NULL"
        )
        params: list[Any] = [customs_code]
        if due_within_days is not None:
            sql_text += " AND c.deadline <= current_date + %s"
            params.append(due_within_days)
        rows = store.query(sql_text + " ORDER BY c.deadline", tuple(params))
        return rows_as_dicts(columns, rows)

    @api.get("/v1/{kind}", tags=["queries"])
    def list_documents(
        kind: str,
        caller: Anyone,
        state: str | None = None,
        customs_code: str | None = None,
        entered_from: date | None = None,
        entered_to: date | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
        consistent_with: Annotated[list[str] | None, Query()] = None,
        wait_seconds: Annotated[float, Query(ge=0, le=30)] = 5.0,
    ) -> Any:
        """Documents of a kind, by the required filters of its query."""
        if kind not in LISTS:
            raise ValidationError(f"no document kind {kind!r}", field="kind")
        stored_kind, required, rule = LISTS[kind]
        given = {
            "state": state,
            "customs_code": customs_code,
            "entered": entered_from and entered_to,
        }
        for name in required:
            if not given[name]:
                field = "entered_from, entered_to" if name == "entered" else name
                raise ValidationError(
                    f"the {kind} query requires {field}", rule=rule, field=field
                )
        codes = _scope(caller, customs_code)
        waited = wait_for(consistent_with or [], wait_seconds)
        if waited is not None:
            return waited
        clauses = ["kind = %s", "state = %s"]
        params: list[Any] = [stored_kind, state]
        if codes is not None:
            clauses.append("customs_code = ANY(%s)")
            params.append(list(codes))
        if entered_from and entered_to:
            clauses.append("entered_on BETWEEN %s AND %s")
            params += [entered_from, entered_to]
        rows = store.query(
            f"SELECT {', '.join(COLUMNS)} FROM documents WHERE "
            + " AND ".join(clauses)
            + " ORDER BY entered_on, enterprise_doc_no LIMIT %s OFFSET %s",
            (*params, limit, offset),
        )
        return {"items": rows_as_dicts(COLUMNS, rows), "limit": limit, "offset": offset}

    @api.get("/v1/business-forms/{form_id}/movements", tags=["queries"])
    def movements(form_id: UUID, caller: Anyone) -> Any:
        """Per form line, the stock slips drawn on it (R-FORM-10)."""
        _owned(store, caller, form_id)
        columns = ("form_line_no", "slip_id", "slip_no", "state", "quantity", "drawn")
        rows = store.query(
            "SELECT m.form_line_no, m.slip_id, d.document_no, d.state, m.quantity, "
            "m.drawn FROM form_line_movements m LEFT JOIN documents d "
            "ON d.document_id = m.slip_id WHERE m.form_id = %s "
            "ORDER BY m.form_line_no, d.enterprise_doc_no",
            (form_id,),
        )
        return rows_as_dicts(columns, rows)

    @api.get("/v1/ledgers/{ledger_id}/stock", tags=["queries"])
    def stock(ledger_id: UUID, caller: Anyone) -> Any:
        """Stock per part number with booked quantities and due dates (R-LEDGER-5)."""
        _owned(store, caller, ledger_id)
        columns = (
            "serial",
            "part_no",
            "hs_code",
            "name",
            "unit",
            "stock",
            "booked_in",
            "booked_out",
            "last_checklist_no",
            "last_posted_on",
            "storage_due",
        )
        rows = store.query(
            f"SELECT {', '.join(columns)} FROM ledger_stock WHERE ledger_id = %s "
            "ORDER BY serial",
            (ledger_id,),
        )
        return rows_as_dicts(columns, rows)


def _applied(store: ProjectionStore, document_id: UUID) -> int:
    rows = store.query(
        "SELECT version FROM projection_versions "
        "WHERE projection = 'documents' AND aggregate_id = %s",
        (document_id,),
    )
    return int(str(rows[0][0])) if rows else 0


def _scope(caller: Caller, customs_code: str | None) -> tuple[str, ...] | None:
    """The customs codes a query may cover; None for every enterprise."""
    if caller.role is not Role.ENTERPRISE:
        return (customs_code,) if customs_code else None
    if customs_code is None:
        return caller.customs_codes
    if customs_code not in caller.customs_codes:
        raise AccessError(f"this key does not act for enterprise {customs_code}", 403)
    return (customs_code,)


def _owned(store: ProjectionStore, caller: Caller, document_id: UUID) -> None:
    rows = store.query(
        "SELECT customs_code FROM documents WHERE document_id = %s", (document_id,)
    )
    if not rows or not caller.may_act_for(str(rows[0][0])):
        from aggregates.common.errors import DocumentNotFoundError

        raise DocumentNotFoundError("document", document_id)
