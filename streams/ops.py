"""What operators run by hand: a projection rebuild, and the lags of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from bonded.bootstrap import Applications
from projections.postgres import ProjectionStore
from schemas.events import topic_names
from schemas.settings import Settings
from streams.lag import Lag, dead_deliveries, pipeline_lags
from streams.rebuild import rebuild
from streams.worker import build_parts


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
    """Relay lag per application and position lag per projection (``pipeline_lags``)."""
    parts = build_parts(settings)
    try:
        return pipeline_lags(parts.applications, parts.store, parts.positions)
    finally:
        parts.store.close()
        parts.applications.close()


def _behind_sql(table: str) -> str:
    """Aggregates of an events table whose last version the history lacks:
    the id, the last version stored and the last applied (or NULL)."""
    return (
        f"SELECT s.originator_id, s.v, p.version FROM (SELECT originator_id, "
        f"max(originator_version) v FROM {table} GROUP BY originator_id) s "
        "LEFT JOIN projection_versions p "
        "ON p.projection = 'history' AND p.aggregate_id = s.originator_id "
        "WHERE p.version IS NULL OR p.version < s.v"
    )


def _events_tables(applications: Applications) -> list[str]:
    return [
        str(application.recorder.events_table_name)  # type: ignore[attr-defined]
        for application in applications.all()
    ]


def backlog(applications: Applications, store: ProjectionStore) -> int:
    """Aggregates whose last stored event the projections have not applied yet.

    Exact where the positions are a bound: the ``history`` projection takes every
    event, and its guard holds the last version applied per aggregate, so the
    pipeline has caught up when that version is each aggregate's last.
    """
    behind = 0
    for table in _events_tables(applications):
        [(count,)] = store.query(f"SELECT count(*) FROM ({_behind_sql(table)}) b")
        behind += int(str(count))
    return behind


def aggregates_behind(
    applications: Applications, store: ProjectionStore
) -> list[tuple[object, ...]]:
    """The aggregates ``backlog`` counts: id, last version stored, last applied."""
    return [
        tuple(row)
        for table in _events_tables(applications)
        for row in store.query(_behind_sql(table))
    ]


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
    found = {"sub-centre deliveries dead": dead_deliveries(store)}
    [(receipts,)] = store.query("SELECT to_regclass('customs_receipts') IS NOT NULL")
    if receipts:
        [(parked,)] = store.query(
            "SELECT count(*) FROM customs_receipts WHERE status = 'parked'"
        )
        found["customs receipts parked"] = int(str(parked))
    return found


# A claim younger than this may be a forward in progress.
UNDROPPED_AFTER_SECONDS = 60.0


def undropped_declarations(
    store: ProjectionStore, older_than: float = UNDROPPED_AFTER_SECONDS
) -> list[str]:
    """Files of declarations claimed for customs, not marked written since.

    Claimed more than ``older_than`` seconds ago: a forwarder stopped between
    the claim and the mark (``gateway.forwarder``); each file may or may not be
    in the client's folders.
    """
    # Absent, or as before claims were marked: the worker that forwards makes
    # and migrates it.
    [(marked,)] = store.query(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
        "to_regclass('customs_forwarded') AND attname = 'dropped_at')"
    )
    if not marked:
        return []
    rows = store.query(
        "SELECT file_name FROM customs_forwarded WHERE dropped_at IS NULL "
        "AND forwarded_at < now() - make_interval(secs => %s) "
        "ORDER BY forwarded_at",
        (older_than,),
    )
    return [str(row[0]) for row in rows]
