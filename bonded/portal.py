"""An enterprise portal as a client of the HTTP API: what the zone-day plays with.

Every call is timed (the summary's command latencies); a refused call raises
``PortalError`` with the API's answer. ``submit`` declares a document and follows
it through customs: a rejection is met by modifying the draft and declaring
again, as an enterprise would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

# Customs answers at its own pace; a document that waits longer is reported.
WAIT_SECONDS = 120.0
POLL_SECONDS = 0.1
RETRY_SECONDS = 0.25
MAX_DECLARATIONS = 6

AWAITING = ("declared", "manual_review")


class PortalError(RuntimeError):
    """The API refused a call, or a document did not get where it should."""


@dataclass
class Tally:
    """What the day did, shared by every portal (thread-safe)."""

    latencies: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, seconds: float) -> None:
        """Record one call's round trip."""
        with self.lock:
            self.latencies.append(seconds)

    def count(self, what: str, n: int = 1) -> None:
        """Add to a named count (rejections, resubmissions, …)."""
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + n


class Portal:
    """One enterprise's client of the API, with its key."""

    def __init__(
        self,
        base_url: str,
        key: str,
        customs_code: str,
        tally: Tally,
        on_step: Callable[[], None] = lambda: None,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30.0,
        )
        self.customs_code = customs_code
        self.tally = tally
        self.on_step = on_step

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    # Calls.

    def call(
        self, method: str, path: str, body: Any = None, key: str = ""
    ) -> dict[str, Any]:
        """Send one request; return its JSON answer or raise ``PortalError``.

        A gateway that cannot be reached or answers 503 is asked again, with the
        same idempotency key, for up to ``WAIT_SECONDS``: every command is keyed,
        so a request that was carried out before the answer got lost is answered
        with its first outcome.
        """
        headers = {"Idempotency-Key": key} if key else {}
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            started = time.perf_counter()
            try:
                answer = self.http.request(method, path, json=body, headers=headers)
            except httpx.TransportError as error:
                if time.monotonic() > deadline:
                    raise PortalError(f"{method} {path}: {error}") from error
                self.tally.count("requests retried")
                time.sleep(RETRY_SECONDS)
                continue
            if answer.status_code == 503 and time.monotonic() < deadline:
                self.tally.count("requests retried")
                time.sleep(RETRY_SECONDS)
                continue
            break
        if method != "GET":
            self.tally.timed(time.perf_counter() - started)
        if answer.status_code >= 400:
            raise PortalError(
                f"{method} {path} answered {answer.status_code}: {answer.text[:400]}"
            )
        found: dict[str, Any] = answer.json()
        return found

    def create(self, path: str, body: dict[str, Any]) -> str:
        """Create a draft (keyed by its enterprise number); return its id."""
        created = self.call("POST", path, body)
        self.on_step()
        return str(created["id"])

    def read(self, kind: str, document_id: str) -> dict[str, Any]:
        """A document's current content (head, lines, state, status)."""
        return self.call("GET", f"/v1/{kind}/{document_id}")

    def wait(
        self,
        kind: str,
        document_id: str,
        done: Callable[[dict[str, Any]], bool],
        what: str,
    ) -> dict[str, Any]:
        """Poll a document until ``done`` holds; raise after ``WAIT_SECONDS``."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            document = self.read(kind, document_id)
            if done(document):
                return document
            if time.monotonic() > deadline:
                raise PortalError(
                    f"{kind} {document['enterprise_doc_no']} is not {what} after "
                    f"{WAIT_SECONDS:.0f} s (state {document['state']})"
                )
            time.sleep(POLL_SECONDS)

    # The customs round trip.

    def submit(
        self, kind: str, document_id: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Declare until customs approves: a returned draft is modified and sent again.

        ``body`` is the document as created; the resubmission sends it as the
        modification (``PUT``), as a portal's user would after fixing it.
        """
        for attempt in range(1, MAX_DECLARATIONS + 1):
            self.call(
                "POST",
                f"/v1/{kind}/{document_id}/declare",
                key=f"{document_id}/declare/{attempt}",
            )
            document = self.wait(
                kind,
                document_id,
                lambda d: d["state"] not in AWAITING,
                "answered by customs",
            )
            if document["state"] == "approved":
                self.on_step()
                return document
            self.tally.count(f"{document['state']} ({kind})")
            if body is not None:
                self.call(
                    "PUT",
                    f"/v1/{kind}/{document_id}",
                    body,
                    key=f"{document_id}/modify/{attempt}",
                )
            self.tally.count("resubmissions")
        raise PortalError(f"{kind} {document_id} refused {MAX_DECLARATIONS} times")

    def cross(self, gate_pass_id: str) -> dict[str, Any]:
        """Wait until the vehicle of an approved gate pass is through the gate."""
        document = self.wait(
            "gate-passes",
            gate_pass_id,
            lambda d: d["status"]["gate_status"] == "crossed",
            "through the gate",
        )
        self.on_step()
        return document

    def posted(self, checklist_id: str) -> dict[str, Any]:
        """Wait until a checklist is posted (or its posting refused)."""
        document = self.wait(
            "checklists",
            checklist_id,
            lambda d: bool(d["status"]["posted_on"] or d["status"]["posting_refusal"]),
            "posted",
        )
        if document["status"]["posting_refusal"]:
            self.tally.count("postings refused")
        self.on_step()
        return document
