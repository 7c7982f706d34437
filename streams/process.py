"""The process manager: events of one document that lead to commands on another.

When a checklist's declaration is released, or goods it waits for cross the gate,
the checklist may have become postable (R-CHK-7): the manager then posts it. The
command's id derives from the event that caused it, so a redelivered event finds
its command already recorded and changes nothing; two events that both find the
checklist postable are harmless too, as the checklist takes one posting only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.utils import get_topic

from aggregates.checklist.model import Checklist
from aggregates.common.errors import DocumentNotFoundError, ValidationError
from aggregates.zone import Zone
from bonded.recorder import LockedAppendRecorder
from schemas.events import EventMessage

logger = logging.getLogger(__name__)

# Events after which a checklist may have nothing left between it and its posting.
POSTING_TRIGGERS = {
    "Checklist.Approved",
    "Checklist.DeclarationReleased",
    "Checklist.CarriageCrossed",
    "Checklist.StockSlipCrossed",
}


def command_id(action: str, message: EventMessage) -> str:
    """The id of the command an event causes: the same event, the same id."""
    return f"pm/{action}/{message.event_id}"


def triggers(messages: Sequence[EventMessage]) -> list[EventMessage]:
    """The messages of a batch worth reacting to: each checklist's last trigger.

    Whether a checklist may be posted is read from the checklist as stored, whole,
    so an earlier trigger of the same checklist in the batch would find the same
    answer and only cost a load. A redelivered batch cut differently may react to
    another event; the checklist still takes one posting only.
    """
    last = {m.aggregate_id: m for m in messages if m.event_type in POSTING_TRIGGERS}
    return [m for m in messages if last.get(m.aggregate_id) is m]


POSTED_TOPIC = get_topic(Checklist.Posted)


def posted_in_store(zone: Zone, checklist_ids: Sequence[UUID]) -> set[UUID]:
    """Those of the checklists whose posting is stored, in one query.

    A worker catching up meets a checklist's triggers long before its posting
    reaches the projections; this spares it loading each. The in-memory store
    answers none, and the checklists are loaded as before.
    """
    recorder = zone.recorder
    if not isinstance(recorder, LockedAppendRecorder):
        return set()
    return recorder.having(checklist_ids, POSTED_TOPIC)


def react(zone: Zone, message: EventMessage) -> str | None:
    """Issue the command an event calls for; return its id, or None."""
    if message.event_type not in POSTING_TRIGGERS:
        return None
    return post_if_ready(zone, message.aggregate_id, message)


def post_if_ready(zone: Zone, checklist_id: UUID, message: EventMessage) -> str | None:
    """Post the checklist to its ledger if nothing blocks it any more (R-CHK-7)."""
    try:
        checklist = zone.get_checklist(checklist_id)
    except DocumentNotFoundError:
        return None
    if checklist.posting_blockers():
        return None
    key = command_id("post-checklist", message)
    try:
        zone.post_checklist(checklist_id, message.occurred_at.date(), command_id=key)
    except ValidationError as refused:
        # Another event got there first; the checklist is posted once.
        logger.debug(
            "posting not needed",
            extra={"aggregate_id": str(checklist_id), "reason": str(refused)},
        )
        return None
    return key
