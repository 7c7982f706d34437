"""The record of an executed command, saved with its events (idempotency)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

COMMAND_NAMESPACE = uuid5(NAMESPACE_URL, "urn:bonded-backbone:command")


@dataclass(frozen=True)
class Outcome:
    """What an accepted command did: the document it acted on and its new version.

    ``replayed`` is true when the command had already been executed under the same
    idempotency key and this is the first outcome returned again.
    """

    aggregate_id: UUID
    version: int
    replayed: bool = False


def fingerprint(command: str, **fields: Any) -> str:
    """Digest a command's name and fields, to tell a retry from a reused key.

    The result reads ``<command>:<digest>``, so the command's name travels with it.
    """
    text = json.dumps({"command": command, **fields}, sort_keys=True, default=str)
    return f"{command}:{hashlib.sha256(text.encode()).hexdigest()}"


class CommandRecord(Aggregate):
    """The idempotency key of an executed command and its first outcome.

    Its id derives from the key, so saving it together with the command's events
    makes a second execution under the same key fail as a whole, in the same
    transaction, on every backend.
    """

    @staticmethod
    def create_id(key: str, **_: Any) -> UUID:
        """Derive the record's id from the idempotency key."""
        return record_id(key)

    @event("Executed")
    def __init__(
        self,
        key: str,
        fingerprint: str,
        outcome: Outcome,
        effects: tuple[str, ...] = (),
    ) -> None:
        self.key = key
        self.fingerprint = fingerprint
        self.outcome = outcome
        # Which events the command caused, as "aggregate id:first:last version",
        # so that an audit trail can name the cause of every event.
        self.effects = tuple(effects)


def record_id(key: str) -> UUID:
    """Return the id of the command record of an idempotency key."""
    return uuid5(COMMAND_NAMESPACE, key)
