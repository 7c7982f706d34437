"""The HTTP API: one resource per document kind under ``/v1``, Bearer API keys.

Commands are decided synchronously by the zone application (a refusal writes
nothing and names the rule); endpoints are plain functions, which FastAPI runs in
its thread pool, so the synchronous store never blocks the event loop. Creation
is keyed by the enterprise's own number; every other command needs an
``Idempotency-Key`` header, so a retried request returns the first outcome.

An enterprise key sees and references only the documents of its customs codes; a
document of another enterprise answers 404, as if it did not exist (R-DOC-12).
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoints'
# annotations at runtime, and they name dependencies local to the factory.

import contextlib
import html
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from starlette.concurrency import run_in_threadpool

from aggregates.business_form.model import BusinessForm
from aggregates.checklist.model import Checklist
from aggregates.common.carriage import CarriedDocument
from aggregates.common.errors import DocumentNotFoundError, ValidationError
from aggregates.common.lifecycle import Document
from aggregates.delivery_order.model import DeliveryOrder
from aggregates.gate_pass.model import GatePass
from aggregates.ledger.model import Ledger
from aggregates.stock_slip.model import StockSlip
from aggregates.vehicle.model import Vehicle
from aggregates.zone import Zone
from bonded.bootstrap import Applications
from gateway.api import errors
from gateway.api.commands import answered, install_commands
from gateway.api.errors import AccessError
from gateway.api.queries import install_queries
from gateway.inbox import ReceiptInbox
from gateway.keys import Caller, KeyCache, KeyStore, Role
from projections.postgres import ProjectionStore

KINDS: dict[str, type[Document]] = {
    "ledgers": Ledger,
    "business-forms": BusinessForm,
    "stock-slips": StockSlip,
    "checklists": Checklist,
    "delivery-orders": DeliveryOrder,
    "gate-passes": GatePass,
    "vehicles": Vehicle,
}
ENTERPRISE_ROLES = (Role.ENTERPRISE, Role.ADMIN)
CUSTOMS_ROLES = (Role.CUSTOMS, Role.ADMIN)


@dataclass
class ApiServices:
    """What the API works with."""

    applications: Applications
    keys: KeyStore
    inbox: ReceiptInbox | None = None
    store: ProjectionStore | None = None
    key_cache_seconds: float = 0.0
    threads: int = 0


def enterprise_of(document: Document) -> str:
    """The customs code of the enterprise a document belongs to."""
    head: Any = getattr(document, "head", None)
    for name in ("operating_enterprise", "zone_enterprise", "owner"):
        enterprise = getattr(head, name, None)
        if enterprise is not None:
            return str(enterprise.customs_code)
    return ""


class Access:
    """Authentication and scope, as dependencies of the endpoints."""

    def __init__(self, keys: KeyCache, zone: Zone) -> None:
        self.keys = keys
        self.zone = zone
        self.bearer = HTTPBearer(auto_error=False)

    def caller(self) -> Callable[..., Awaitable[Caller]]:
        """A dependency giving the authenticated caller, or answering 401.

        It runs on the event loop and goes to the thread pool only to query the
        key store, when the key was not checked recently: every hop to the pool
        costs the gateway a thread switch under the GIL.
        """
        bearer = self.bearer
        keys = self.keys

        async def dependency(
            credentials: Annotated[
                HTTPAuthorizationCredentials | None, Depends(bearer)
            ],
        ) -> Caller:
            if credentials is None:
                raise AccessError("an API key is required (Authorization: Bearer)", 401)
            presented = credentials.credentials
            found = keys.known(presented) or await run_in_threadpool(
                keys.authenticate, presented
            )
            if found is None:
                raise AccessError("the API key is not valid", 401)
            return found

        return dependency

    def role(self, *roles: Role) -> Callable[..., Awaitable[Caller]]:
        """A dependency that also requires one of the roles (else 403)."""
        base = self.caller()

        async def dependency(caller: Annotated[Caller, Depends(base)]) -> Caller:
            if caller.role not in roles:
                allowed = ", ".join(str(r) for r in roles)
                raise AccessError(f"this needs a key with role {allowed}", 403)
            return caller

        return dependency

    def document(self, kind: str, document_id: UUID, caller: Caller) -> Document:
        """A document of the kind that the caller may see, or 404."""
        _known(kind)
        cls = KINDS[kind]
        try:
            document = self.zone.get_document(document_id)
        except DocumentNotFoundError:
            raise DocumentNotFoundError(cls.__name__, document_id) from None
        if not isinstance(document, cls) or not caller.may_act_for(
            enterprise_of(document)
        ):
            raise DocumentNotFoundError(cls.__name__, document_id)
        return document

    @contextlib.contextmanager
    def acting_on(
        self, kind: str, document_id: UUID, caller: Caller
    ) -> Iterator[Document]:
        """``document``, for a command on it run inside the block.

        The command's first decision takes the document loaded here
        (``handing_over``) rather than reading the store a second time.
        """
        document = self.document(kind, document_id, caller)
        with self.zone.handing_over(document):
            yield document

    def enterprise(self, caller: Caller, customs_code: str, field: str) -> None:
        """Refuse a command naming an enterprise the caller does not act for."""
        if not caller.may_act_for(customs_code):
            raise AccessError(
                f"this key does not act for enterprise {customs_code} ({field})", 403
            )


def create_api(services: ApiServices) -> FastAPI:
    """The FastAPI application of the gateway."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if services.threads:
            # The endpoints run in anyio's thread pool (40 threads unless told).
            # Fewer threads contend less for the GIL: each command holds it for
            # most of its time, and a thread woken only to wait costs a switch.
            limiter = anyio.to_thread.current_default_thread_limiter()
            limiter.total_tokens = services.threads
        yield

    api = FastAPI(
        lifespan=lifespan,
        title="Bonded-logistics backbone",
        version="1",
        description="Documents of the bonded zone, customs receipts and queries.",
    )
    errors.install(api)

    @api.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """The gateway's metrics in Prometheus' text format (no redirect).

        This process's, or those of all its server processes when they share a
        folder (``gateway.serve.shared_metrics_folder``).
        """
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    zone = services.applications.zone
    access = Access(KeyCache(services.keys, services.key_cache_seconds), zone)
    anyone = access.caller()
    customs = access.role(*CUSTOMS_ROLES)
    enterprise = access.role(*ENTERPRISE_ROLES)
    IdempotencyKey = Annotated[str, Header(min_length=1, max_length=128)]

    @api.get("/v1/declarations/{checklist_id}", tags=["declarations"])
    def read_declaration(
        checklist_id: UUID, caller: Annotated[Caller, Depends(anyone)]
    ) -> Any:
        """The customs declaration (报关单) of a checklist (R-CHK-5, R-CHK-6)."""
        access.document("checklists", checklist_id, caller)
        declaration = zone.get_declaration(checklist_id)
        if declaration is None:
            raise DocumentNotFoundError("CustomsDeclaration", checklist_id)
        return {
            "checklist_id": str(checklist_id),
            "checklist_no": declaration.checklist_no,
            "declaration_no": declaration.declaration_no,
            "released_on": (
                declaration.released_on.isoformat() if declaration.released_on else None
            ),
            "under_inspection": declaration.under_inspection,
        }

    @api.get("/v1/{kind}/{document_id}", tags=["documents"])
    def read_document(
        kind: str, document_id: UUID, caller: Annotated[Caller, Depends(anyone)]
    ) -> dict[str, Any]:
        """A document's current content: head, lines, state, latest receipt."""
        return access.document(kind, document_id, caller).print_view()

    @api.get("/v1/{kind}/{document_id}/receipt", tags=["documents"])
    def view_receipt(
        kind: str, document_id: UUID, caller: Annotated[Caller, Depends(anyone)]
    ) -> dict[str, Any]:
        """The latest customs receipt; 404 before one arrived (R-DOC-10)."""
        receipt = access.document(kind, document_id, caller).view_receipt()
        return receipt.__dict__

    @api.get("/v1/{kind}/{document_id}/lines", tags=["documents"])
    def search_lines(
        kind: str,
        document_id: UUID,
        q: str,
        caller: Annotated[Caller, Depends(anyone)],
    ) -> list[Any]:
        """Lines matching serial, number, part number, HS code or name (R-DOC-11)."""
        document = access.document(kind, document_id, caller)
        found = document.search_lines(q)
        return [line.__dict__ for line in found]

    @api.get("/v1/{kind}/{document_id}/gate-passes", tags=["documents"])
    def gate_passes_of(
        kind: str, document_id: UUID, caller: Annotated[Caller, Depends(anyone)]
    ) -> list[dict[str, Any]]:
        """Per line, the gate passes generated for it (R-SLIP-6, R-GATE-12)."""
        document = access.document(kind, document_id, caller)
        if not isinstance(document, CarriedDocument):
            raise DocumentNotFoundError(kind, document_id)
        return [
            {
                "line_no": line.line_no,
                "quantity": str(line.quantity),
                "gate_passes": [
                    {"gate_pass": ref, "quantity": str(quantity)}
                    for ref, quantity in line.carried
                ],
            }
            for line in document.gate_pass_view()
        ]

    @api.get(
        "/v1/{kind}/{document_id}/print",
        tags=["documents"],
        response_class=HTMLResponse,
    )
    def print_document(
        kind: str, document_id: UUID, caller: Annotated[Caller, Depends(anyone)]
    ) -> str:
        """A print-ready page of the document's current content (R-DOC-9)."""
        return render(access.document(kind, document_id, caller).print_view())

    @api.post("/v1/{kind}/{document_id}/declare", tags=["documents"])
    def declare(
        kind: str,
        document_id: UUID,
        idempotency_key: IdempotencyKey,
        caller: Annotated[Caller, Depends(enterprise)],
    ) -> Any:
        """Declare a draft to customs after its validation rules (R-DOC-5)."""
        with access.acting_on(kind, document_id, caller):
            return answered(zone.declare(document_id, command_id=idempotency_key))

    @api.post("/v1/{kind}/{document_id}/void", tags=["documents"])
    def void(
        kind: str,
        document_id: UUID,
        idempotency_key: IdempotencyKey,
        caller: Annotated[Caller, Depends(enterprise)],
    ) -> Any:
        """Ask customs to void an approved stock slip or gate pass."""
        with access.acting_on(kind, document_id, caller):
            return answered(zone.declare_void(document_id, command_id=idempotency_key))

    @api.delete("/v1/{kind}/{document_id}", tags=["documents"])
    def delete(
        kind: str,
        document_id: UUID,
        idempotency_key: IdempotencyKey,
        caller: Annotated[Caller, Depends(enterprise)],
        confirm: bool = False,
    ) -> Any:
        """Delete a draft or returned document; ``confirm=true`` is required."""
        with access.acting_on(kind, document_id, caller):
            return answered(
                zone.delete(document_id, confirmed=confirm, command_id=idempotency_key)
            )

    @api.put("/v1/{kind}/{document_id}/attachments", tags=["attachments"])
    async def add_attachment(
        kind: str,
        document_id: UUID,
        request: Request,
        file_name: str,
        idempotency_key: IdempotencyKey,
        caller: Annotated[Caller, Depends(enterprise)],
        attachment_kind: str = "unstructured",
    ) -> Any:
        """Attach a file (the body); an unstructured one must be a PDF (R-DOC-8)."""
        _known(kind)
        content = await request.body()

        def act() -> Any:
            with access.acting_on(kind, document_id, caller):
                return answered(
                    zone.add_attachment(
                        document_id,
                        file_name=file_name,
                        kind=attachment_kind,
                        content=content,
                        command_id=idempotency_key,
                    )
                )

        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(act)

    @api.get("/v1/{kind}/{document_id}/attachments/{number}", tags=["attachments"])
    def download_attachment(
        kind: str,
        document_id: UUID,
        number: int,
        caller: Annotated[Caller, Depends(anyone)],
    ) -> Response:
        """Download an attachment."""
        attachment = access.document(kind, document_id, caller).attachment(number)
        media = (
            "application/pdf"
            if attachment.file_name.lower().endswith(".pdf")
            else ("application/octet-stream")
        )
        return Response(
            attachment.content,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{attachment.file_name}"'
            },
        )

    @api.delete("/v1/{kind}/{document_id}/attachments/{number}", tags=["attachments"])
    def remove_attachment(
        kind: str,
        document_id: UUID,
        number: int,
        idempotency_key: IdempotencyKey,
        caller: Annotated[Caller, Depends(enterprise)],
    ) -> Any:
        """Delete an attachment of a modifiable document (R-DOC-8)."""
        with access.acting_on(kind, document_id, caller):
            return answered(
                zone.remove_attachment(document_id, number, command_id=idempotency_key)
            )

    install_commands(api, zone, access, enterprise, customs, services.inbox)
    if services.store is not None:
        install_queries(api, services.store, anyone)
    return api


def exposition() -> bytes:
    """The metrics in Prometheus' text format.

    Gathered from every process that writes them to ``PROMETHEUS_MULTIPROC_DIR``
    when it is set; else this process's own.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def _known(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(
            f"no document kind {kind!r}; there are {', '.join(KINDS)}", field="kind"
        )


def render(view: dict[str, Any]) -> str:
    """A print-ready HTML page of a document's print view (R-DOC-9)."""

    def cell(value: Any) -> str:
        if isinstance(value, dict):
            return "; ".join(f"{k}: {cell(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(cell(v) for v in value)
        return html.escape("" if value is None else str(value))

    head = view.get("head") or {}
    lines = view.get("lines") or []
    columns = sorted({key for line in lines for key in line})
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(line.get(c))}</td>" for c in columns) + "</tr>"
        for line in lines
    )
    receipt = view.get("latest_receipt")
    title = f"{view['kind']} {view.get('document_no') or view.get('enterprise_doc_no')}"
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>State: {cell(view['state'])} · version {view['version']}</p>"
        "<h2>Head</h2><table>"
        + "".join(
            f"<tr><th>{cell(k)}</th><td>{cell(v)}</td></tr>" for k, v in head.items()
        )
        + "</table><h2>Lines</h2><table><tr>"
        + "".join(f"<th>{cell(c)}</th>" for c in columns)
        + f"</tr>{rows}</table>"
        + (f"<h2>Latest receipt</h2><p>{cell(receipt)}</p>" if receipt else "")
        + "</body></html>"
    )
