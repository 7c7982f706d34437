"""How value objects are written into stored events and read back."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    """A calendar date as ``YYYY-MM-DD``."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """Write the date."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Read the date."""
        return date.fromisoformat(data)


class DataclassTranscoding(Transcoding):
    """A frozen dataclass as a mapping of its fields.

    JSON has no enumerations and no tuples, so reading back turns enumeration fields
    into their enumeration and list fields into tuples, as the dataclass declares them.
    """

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__qualname__
        hints = typing.get_type_hints(cls)
        self._fields = tuple(field.name for field in dataclasses.fields(cls))
        self._enums = {
            name: hint
            for name, hint in hints.items()
            if isinstance(hint, type) and issubclass(hint, Enum)
        }
        self._tuples = {
            name
            for name, hint in hints.items()
            if typing.get_origin(hint) is tuple or hint is tuple
        }

    @property
    def type_fields(self) -> tuple[str, ...]:
        """The names of the dataclass's fields, in the order they are written."""
        return self._fields

    def encode(self, obj: Any) -> dict[str, Any]:
        """Write the fields."""
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        """Read the fields back into the dataclass."""
        values = dict(data)
        for name, enum in self._enums.items():
            if values.get(name) is not None:
                values[name] = enum(values[name])
        for name in self._tuples:
            if isinstance(values.get(name), list):
                values[name] = tuple(values[name])
        return self.type(**values)


def register_value_objects(transcoder: JSONTranscoder, *classes: type[Any]) -> None:
    """Register dates and the given dataclasses on an application's transcoder."""
    transcoder.register(DateAsISO())
    for cls in classes:
        transcoder.register(DataclassTranscoding(cls))
