"""What every projection is: a pure projector from event messages to SQL.

A projector reads an ``EventMessage`` (``schemas.events``) and returns the
statements that change its tables; it touches no database itself, so it is tested
as a plain function. The storage (``projections.postgres``) runs the statements of
one message in one transaction, together with the projection's guard: the last
version of each aggregate it applied. A message whose version is not newer changes
nothing, which makes redelivery harmless (exactly-once effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from schemas.events import EventMessage


@dataclass(frozen=True)
class Statement:
    """One SQL statement with its parameters (psycopg ``%s`` placeholders)."""

    sql: str
    params: tuple[Any, ...] = ()


class Projector(Protocol):
    """A read model: its name, its tables and how an event changes them.

    A projector's statements read and write its own ``tables`` only: a batch is
    written projection by projection, in order within each, so statements of
    different projections may run in another order than their messages'.

    An ``append_only`` projector promises more: each of its statements only
    inserts a row, ``INSERT INTO t (...) VALUES (...) ON CONFLICT DO NOTHING``,
    statements of different texts go to different tables, and none of them
    reads what another wrote, so their order within a batch does not matter
    (the rows appear together when the batch commits) and the storage sends a
    batch's statements grouped by text, each text's rows in their order.
    """

    name: str
    tables: tuple[str, ...]
    ddl: str
    append_only: bool

    def project(self, message: EventMessage) -> list[Statement]:
        """The statements a message causes; none if the projection ignores it."""
        ...


def enterprise_code(head: dict[str, Any]) -> str:
    """The customs code of the enterprise a document belongs to."""
    for name in ("operating_enterprise", "zone_enterprise", "owner"):
        enterprise = head.get(name)
        if isinstance(enterprise, dict) and enterprise.get("customs_code"):
            return str(enterprise["customs_code"])
    return ""


def decimal(value: Any) -> Decimal:
    """A payload number (a string on the wire) as a decimal."""
    return Decimal(str(value))
