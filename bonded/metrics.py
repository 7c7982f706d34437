"""Metrics every process exports (prometheus-client): commands and appended events.

The applications do not measure themselves (the domain neither logs nor
measures); ``instrument`` installs an observer on them that counts each command by
name and outcome, times it, and counts the events it appended. ``serve_metrics``
exposes the process's registry on a port of its own; the gateway serves it at
``/metrics`` on its API port instead.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram, start_http_server

from aggregates.common.application import BackboneApplication

logger = logging.getLogger(__name__)

COMMANDS = Counter(
    "bonded_commands_total",
    "Commands executed, by command, outcome (accepted, replayed, refused, failed) "
    "and, when not accepted, the error's class.",
    ["command", "outcome", "error"],
)
COMMAND_SECONDS = Histogram(
    "bonded_command_duration_seconds",
    "Time from a command's start to its saved (or refused) end.",
    ["command"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
EVENTS_APPENDED = Counter(
    "bonded_events_appended_total",
    "Events appended to the event store by this process, by application.",
    ["application"],
)


def instrument(*applications: BackboneApplication) -> None:
    """Count and time every command the applications execute."""
    for application in applications:
        name = application.name

        def observe(
            command: str,
            outcome: str,
            error: str,
            seconds: float,
            appended: int,
            name: str = name,
        ) -> None:
            COMMANDS.labels(command, outcome, error).inc()
            COMMAND_SECONDS.labels(command).observe(seconds)
            if appended:
                EVENTS_APPENDED.labels(name).inc(appended)

        application.observer = observe


def serve_metrics(port: int, host: str = "0.0.0.0") -> None:
    """Serve ``/metrics`` on a port of its own (0 serves nothing)."""
    if port:
        start_http_server(port, addr=host)
        logger.info("metrics served", extra={"port": port})
