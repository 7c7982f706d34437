"""The base of every application: idempotent command execution and loading."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording

from aggregates.common.attachments import Attachment
from aggregates.common.errors import DocumentNotFoundError, IdempotencyKeyConflictError
from aggregates.common.idempotency import CommandRecord, Outcome, record_id
from aggregates.common.lifecycle import Receipt
from aggregates.common.transcoding import register_value_objects
from aggregates.common.values import Enterprise
from bonded.errors import ConcurrencyError, DomainError

A = TypeVar("A", bound=Aggregate)

Decision = tuple[tuple[Aggregate, ...], Aggregate]
"""The aggregates a command changed (saved together) and the one it acted on."""

CommandObserver = Callable[[str, str, str, float, int], None]
"""Told of every command: its name, outcome (accepted, replayed, refused, failed),
the error's class name (or ""), its seconds and the events it appended. The
process that runs the application installs one to export metrics; the domain
itself neither logs nor measures."""


def project_events(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """Apply each event to the aggregate in turn, as eventsourcing's projector does.

    Without its check of every event against a runtime-checkable protocol: on
    Python 3.11 that ``isinstance`` walks the protocol's attributes each time,
    about 30 µs an event, a sixth of an in-process crossing and posting.
    """
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class CollectedEvents(ProcessingEvent[UUID]):
    """What one save collects, as eventsourcing's ``ProcessingEvent`` does.

    An aggregate's pending events are taken without checking the aggregate
    against two runtime-checkable protocols first (see ``project_events``);
    anything else is collected as eventsourcing does, in the order given.
    """

    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        """Collect the pending events of aggregates, and anything else given."""
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


def project_unsnapshotted(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """``project_events``, telling the repository to read no snapshot first."""
    return project_events(aggregate, domain_events)


class ProjectingRepository(Repository[UUID]):
    """The repository of eventsourcing, reconstructing with ``project_events``.

    A load that says its aggregate is of a class never snapshotted
    (``snapshots=False``) reads only its events: eventsourcing looks in the
    snapshot store first for every aggregate of an application that snapshots
    some, a query that finds nothing for the others (five of the six loads of
    a crossing and its posting). Should one have a snapshot after all, it is
    rebuilt from all its events, the same aggregate.
    """

    def get(
        self,
        aggregate_id: UUID,
        *,
        projector_func: Any = project_events,
        snapshots: bool = True,
        **options: Any,
    ) -> Any:
        """Load an aggregate as eventsourcing does, by default with our projector."""
        if not snapshots and projector_func is project_events:
            projector_func = project_unsnapshotted
        return super().get(aggregate_id, projector_func=projector_func, **options)

    def _reconstruct_aggregate(
        self, aggregate_id: UUID, version: int | None, projector_func: Any
    ) -> Any:
        # eventsourcing calls this on a cache miss (or without a cache).
        if projector_func is not project_unsnapshotted or self.snapshot_store is None:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        events = self.event_store.get(originator_id=aggregate_id, lte=version)
        aggregate = projector_func(None, events)
        if aggregate is None:
            raise AggregateNotFoundError(
                f"Aggregate {aggregate_id!r} version {version!r} not found."
            )
        return aggregate


class BackboneApplication(Application[UUID]):
    """An eventsourcing application whose commands are idempotent.

    Every command runs through ``_execute`` with an idempotency key: the enterprise's
    own document number (企业内部编号) or a command id. The key is recorded by a
    ``CommandRecord`` saved in the same transaction as the command's events, so a
    repeated command returns its first outcome and changes nothing. A save that
    loses an optimistic-lock race is decided again on fresh state.
    """

    value_objects: ClassVar[tuple[type[Any], ...]] = ()
    command_retries: int = 5
    observer: CommandObserver | None = None

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        retries = self.env.get("COMMAND_RETRIES")
        if retries:
            self.command_retries = int(retries)
        self._local = threading.local()

    @contextmanager
    def handing_over(self, aggregate: Aggregate) -> Iterator[None]:
        """Let the next load of this aggregate, in this thread, take it as it is.

        For a caller that loaded an aggregate (to check who may act on it) and
        then runs a command on it: the command's first decision takes that copy
        instead of reading the store again. Only the first: a command that loses
        a race decides again on state loaded afresh, and one that finds a newer
        version saved meanwhile loses that race when it saves. The aggregate
        must be the caller's own copy (a load gives one) and unused after.
        """
        handed: dict[UUID, Aggregate] = self._local.__dict__.setdefault("handed", {})
        handed[aggregate.id] = aggregate
        try:
            yield
        finally:
            handed.pop(aggregate.id, None)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save as eventsourcing does, collecting with ``CollectedEvents``."""
        processing_event = CollectedEvents()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # eventsourcing still calls it
        return recordings

    def construct_repository(self) -> Repository[UUID]:
        """The repository eventsourcing's settings make, with our ``get``."""
        repository = super().construct_repository()
        # Only ``get`` differs and the subclass keeps no state of its own, so the
        # configured instance changes class rather than being built twice.
        repository.__class__ = ProjectingRepository
        return repository

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Register the value objects that events of this application carry."""
        super().register_transcodings(transcoder)
        register_value_objects(
            transcoder, Outcome, Attachment, Enterprise, Receipt, *self.value_objects
        )

    def _execute(
        self, key: str, fingerprint: str, decide: Callable[[], Decision]
    ) -> Outcome:
        """Decide a command and save its events with its key, exactly once."""
        if self.observer is None:
            return self._decide_and_save(key, fingerprint, decide)[0]
        command = fingerprint.partition(":")[0]
        started = time.perf_counter()
        try:
            outcome, appended = self._decide_and_save(key, fingerprint, decide)
        except Exception as error:
            verdict = "refused" if isinstance(error, DomainError) else "failed"
            self.observer(command, verdict, type(error).__name__, _since(started), 0)
            raise
        verdict = "replayed" if outcome.replayed else "accepted"
        self.observer(command, verdict, "", _since(started), appended)
        return outcome

    def _decide_and_save(
        self, key: str, fingerprint: str, decide: Callable[[], Decision]
    ) -> tuple[Outcome, int]:
        # The key is looked up only when the command fails: a repeated command is
        # refused by its aggregates or clashes with its own record on saving, so
        # the usual first execution saves a round trip to the store.
        for _ in range(self.command_retries):
            # Decide on freshly loaded state; refusals raise and save nothing.
            try:
                changed, primary = decide()
            except DomainError:
                earlier = self._recorded_outcome(key, fingerprint)
                if earlier is not None:
                    return earlier, 0
                raise
            outcome = Outcome(aggregate_id=primary.id, version=primary.version)
            effects = tuple(
                f"{a.id}:{a.pending_events[0].originator_version}:{a.version}"
                for a in changed
                if a.pending_events
            )
            record = CommandRecord(key, fingerprint, outcome, effects)
            appended = 1 + sum(len(a.pending_events) for a in changed)

            # Save everything in one transaction: a clash is either this key,
            # executed before (answer with its first outcome), or someone who
            # was quicker (decide again).
            try:
                self.save(*changed, record)
            except IntegrityError:
                earlier = self._recorded_outcome(key, fingerprint)
                if earlier is not None:
                    return earlier, 0
                continue
            return outcome, appended
        raise ConcurrencyError(f"command {key!r} lost {self.command_retries} races")

    def _recorded_outcome(self, key: str, fingerprint: str) -> Outcome | None:
        try:
            record: object = self._get_unsnapshotted(record_id(key))
        except AggregateNotFoundError:
            return None
        assert isinstance(record, CommandRecord)
        # Compare digests: records kept before the command's name was prefixed
        # to the fingerprint hold the bare digest.
        if record.fingerprint.rpartition(":")[2] != fingerprint.rpartition(":")[2]:
            raise IdempotencyKeyConflictError(key)
        first: Outcome = record.outcome
        return Outcome(first.aggregate_id, first.version, replayed=True)

    @property
    def _projecting(self) -> ProjectingRepository:
        return cast(ProjectingRepository, self.repository)

    def _get_unsnapshotted(self, aggregate_id: UUID) -> object:
        """Load an aggregate of a class that is never snapshotted."""
        return self._projecting.get(aggregate_id, snapshots=False)

    def _may_be_snapshotted(self, cls: type[Any]) -> bool:
        """Whether an aggregate loaded as ``cls`` may have snapshots."""
        intervals = self.snapshotting_intervals or {}
        return any(issubclass(t, cls) or issubclass(cls, t) for t in intervals)

    def _load(
        self, cls: type[A], aggregate_id: UUID, *, expected: type[Any] | None = None
    ) -> A:
        """Load an aggregate of the given class, or raise a not-found error.

        ``expected``: a narrower class the caller expects (and checks itself),
        which spares the snapshot read when that class is never snapshotted.
        """
        handed = self._local.__dict__.get("handed")
        if handed:
            given = handed.pop(aggregate_id, None)
            if isinstance(given, cls):
                return given
        try:
            aggregate: object = self._projecting.get(
                aggregate_id, snapshots=self._may_be_snapshotted(expected or cls)
            )
        except AggregateNotFoundError:
            raise DocumentNotFoundError(cls.__name__, aggregate_id) from None
        if not isinstance(aggregate, cls):
            raise DocumentNotFoundError(cls.__name__, aggregate_id)
        return aggregate


def _since(started: float) -> float:
    return time.perf_counter() - started
