"""The root of every error the backbone raises, and its first-level branches.

Each branch stands for one handling decision, so an ``except`` clause reads as a
retry policy. This module imports nothing of the project, so every layer may use it::

    BackboneError
    ├── DomainError          an aggregate refused the command; never retried
    │                        (aggregates/common/errors.py holds the subclasses)
    ├── MessageError         inbound message unusable; sent to dead-letter
    ├── ConcurrencyError     version clash on save; retried with fresh state
    ├── UpstreamError        customs system or network; retried with backoff
    └── InfrastructureError  an embedded service failed to start or stop
"""

from __future__ import annotations


class BackboneError(Exception):
    """Root of every error raised by the backbone."""


class DomainError(BackboneError):
    """An aggregate refused a command: a business rule or a state forbids it.

    Attributes:
        rule: The number of the rule in ``domain/rules.md`` that refused it,
            e.g. ``"R-SLIP-2"``, or ``""`` when no single rule applies.
        field: The command field at fault, when one is.
    """

    def __init__(self, message: str, *, rule: str = "", field: str = "") -> None:
        prefix = f"{rule}: " if rule else ""
        super().__init__(prefix + message)
        self.rule = rule
        self.field = field
        self.reason = message


class MessageError(BackboneError):
    """An inbound message is unusable and goes to dead-letter.

    Attributes:
        field: The element or field at fault, when one is.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.reason = message


class ConcurrencyError(BackboneError):
    """A command lost the race for an aggregate version too many times."""


class UpstreamError(BackboneError):
    """Customs, the data sub-centre or the network failed; retry with backoff."""


class InfrastructureError(BackboneError):
    """An embedded service (PostgreSQL, the broker) failed to start or stop."""
