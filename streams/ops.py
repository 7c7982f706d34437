"""What operators run by hand: a projection rebuild, and the lags of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from projections.postgres import ProjectionStore
from schemas.settings import Settings
from streams.rebuild import rebuild
from streams.relay import PositionStore
from streams.worker import build_parts


@dataclass(frozen=True)
class Lag:
    """How far one part of the pipeline is behind the store."""

    part: str
    position: int
    head: int

    @property
    def behind(self) -> int:
        """Notifications stored after the position."""
        return max(0, self.head - self.position)


def rebuild_projections(settings: Settings, names: list[str]) -> int:
    """Empty the named projections (all when none are named) and replay the store."""
    parts = build_parts(settings)
    try:
        chosen = names or [p.name for p in parts.store.projectors]
        for name in chosen:
            parts.store.projector(name)
        return rebuild(parts.store, parts.applications.all(), chosen)
    finally:
        parts.store.close()
        parts.applications.close()


def lags(settings: Settings) -> list[Lag]:
    """Relay lag per application and position lag per projection.

    A relay's lag is the events stored and not yet published. A projection's
    position is the highest notification it applied; the events of other
    aggregates may still be in flight below it, so it is a bound, zero when the
    workers have caught up with the last event that concerns it.
    """
    parts = build_parts(settings)
    try:
        positions = PositionStore(settings.database_url, settings.database_schema)
        found = []
        heads = {}
        for app in parts.applications.all():
            head = app.recorder.max_notification_id() or 0
            heads[app.name] = head
            published = positions.load(app.name).notification_id
            found.append(Lag(f"relay {app.name}", published, head))
        zone_head = heads.get("Zone", 0)
        found += projection_lags(parts.store, zone_head)
        return found
    finally:
        parts.store.close()
        parts.applications.close()


def projection_lags(store: ProjectionStore, head: int) -> list[Lag]:
    """The position of each projection against the zone's last notification."""
    rows = dict(
        store.query("SELECT projection, last_notification_id FROM projection_positions")
    )
    return [
        Lag(f"projection {p.name}", int(str(rows.get(p.name, 0))), head)
        for p in store.projectors
    ]
