"""What operators run by hand: a projection rebuild, and the lags of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from bonded.bootstrap import Applications
from projections.postgres import ProjectionStore
from schemas.events import topic_names
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


def backlog(applications: Applications, store: ProjectionStore) -> int:
    """Aggregates whose last stored event the projections have not applied yet.

    Exact where the positions are a bound: the ``history`` projection takes every
    event, and its guard holds the last version applied per aggregate, so the
    pipeline has caught up when that version is each aggregate's last.
    """
    behind = 0
    for application in applications.all():
        table = application.recorder.events_table_name  # type: ignore[attr-defined]
        [(count,)] = store.query(
            f"SELECT count(*) FROM (SELECT originator_id, max(originator_version) v "
            f"FROM {table} GROUP BY originator_id) s LEFT JOIN projection_versions p "
            "ON p.projection = 'history' AND p.aggregate_id = s.originator_id "
            "WHERE p.version IS NULL OR p.version < s.v"
        )
        behind += int(str(count))
    return behind


@dataclass(frozen=True)
class PartitionOffsets:
    """Where the consumer group stands on one partition."""

    topic: str
    partition: int
    committed: int
    end: int


async def consumer_offsets(settings: Settings) -> list[PartitionOffsets]:
    """The workers' committed offset and the end of every event partition.

    Read from the broker; the embedded broker counts end offsets per batch, so
    there the two are not comparable (on Kafka their difference is the lag).
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition

    # A consumer of the group that never subscribes: it reads the committed
    # offsets without joining the group (the admin client's offset fetch does
    # not decode against the embedded broker).
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.consumer_group,
        enable_auto_commit=False,
    )
    try:
        await consumer.start()
        existing = await consumer.topics()
        partitions = [
            TopicPartition(topic, partition)
            for topic in topic_names(settings.topic_prefix)
            if topic in existing
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = await consumer.end_offsets(partitions) if partitions else {}
        found = []
        for tp in partitions:
            committed = await consumer.committed(tp)
            found.append(
                PartitionOffsets(tp.topic, tp.partition, committed or 0, ends[tp])
            )
        return found
    finally:
        await consumer.stop()


def dead_letters(store: ProjectionStore) -> dict[str, int]:
    """Sub-centre deliveries given up on, and receipts parked for want of a document."""
    [(dead,)] = store.query(
        "SELECT count(*) FROM subcentre_deliveries WHERE status = 'dead'"
    )
    found = {"sub-centre deliveries dead": int(str(dead))}
    [(receipts,)] = store.query("SELECT to_regclass('customs_receipts') IS NOT NULL")
    if receipts:
        [(parked,)] = store.query(
            "SELECT count(*) FROM customs_receipts WHERE status = 'parked'"
        )
        found["customs receipts parked"] = int(str(parked))
    return found
