"""The zone application: every enterprise document of the bonded zone, one store.

Decision 2 of the design keeps invariants that span documents by saving the
aggregates involved in one transaction, and eventsourcing saves in one transaction
only within one application. The invariants chain every enterprise document
together: a stock slip is saved with its business form (quantity, deposit), a
consolidated checklist with its slips (a slip in at most one), a posting with its
checklist and ledger (exactly once, no negative stock), a gate pass with the
documents it carries (never more than they hold) and the vehicle it takes (one
gate pass per vehicle). So the bounded context is the zone's documents, and they
share one application; only the enterprise register stands apart.

TODO: writes to one application are serialised by the events table's lock; when
one zone outgrows it, shard this application by zone enterprise (every invariant
above stays within one enterprise), one events table per shard.
"""

from __future__ import annotations

from collections.abc import Mapping

from aggregates.business_form.application import FormCommands
from aggregates.business_form.model import BusinessForm
from aggregates.checklist.application import ChecklistCommands
from aggregates.gate_pass.application import GatePassCommands
from aggregates.ledger.application import LedgerCommands
from aggregates.ledger.model import Ledger
from aggregates.register.application import EnterpriseLookup


class Zone(GatePassCommands):
    """The documents of the zone's enterprises and every command on them.

    Snapshots keep long-lived aggregates quick to load: a ledger gathers an event
    per posted line, a busy form one per slip declaration and approval.
    """

    name = "Zone"
    is_snapshotting_enabled = True

    def __init__(
        self, env: Mapping[str, str] | None = None, *, register: EnterpriseLookup
    ) -> None:
        super().__init__(env, register=register)
        interval = int(self.env.get("LEDGER_SNAPSHOT_INTERVAL") or 100)
        # eventsourcing reads the intervals from the instance, so a setting can
        # override the default per process.
        self.snapshotting_intervals = {  # type: ignore[misc]
            Ledger: interval,
            BusinessForm: 50,
        }


__all__ = [
    "ChecklistCommands",
    "FormCommands",
    "GatePassCommands",
    "LedgerCommands",
    "Zone",
]
