"""How far each part of the pipeline is behind the event store.

Read by ``bonded status`` (``streams.ops``) and by the workers' gauges
(``streams.observe``) alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from bonded.bootstrap import Applications
from projections.postgres import ProjectionStore
from streams.relay import PositionStore


@dataclass(frozen=True)
class Lag:
    """How far one relay or projection is behind the store."""

    kind: str
    name: str
    position: int
    head: int

    @property
    def part(self) -> str:
        """What is behind, as operators read it: ``relay Zone``."""
        return f"{self.kind} {self.name}"

    @property
    def behind(self) -> int:
        """Notifications stored after the position."""
        return max(0, self.head - self.position)


def pipeline_lags(
    applications: Applications, store: ProjectionStore, positions: PositionStore
) -> list[Lag]:
    """Relay lag per application and position lag per projection.

    A relay's lag is the events stored and not yet published. A projection's
    position is the highest notification it applied; the events of other
    aggregates may still be in flight below it, so it is a bound, zero when the
    workers have caught up with the last event that concerns it.
    """
    found = []
    heads = {}
    for application in applications.all():
        head = application.recorder.max_notification_id() or 0
        heads[application.name] = head
        published = positions.load(application.name).notification_id
        found.append(Lag("relay", application.name, published, head))
    applied = dict(
        store.query("SELECT projection, last_notification_id FROM projection_positions")
    )
    zone_head = heads.get("Zone", 0)
    found += [
        Lag("projection", p.name, int(str(applied.get(p.name, 0))), zone_head)
        for p in store.projectors
    ]
    return found


# Read every few seconds by each worker: answered from a partial index
# (``projections.outbox``), not a scan of every delivery ever made.
DEAD_DELIVERIES = "SELECT count(*) FROM subcentre_deliveries WHERE status = 'dead'"


def dead_deliveries(store: ProjectionStore) -> int:
    """Sub-centre deliveries that exhausted their attempts."""
    [(dead,)] = store.query(DEAD_DELIVERIES)
    return int(str(dead))
