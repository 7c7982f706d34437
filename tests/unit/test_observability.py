"""What operators see: command metrics, facts counted once, JSON logs, the summary."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from prometheus_client import REGISTRY

from aggregates.common.errors import DomainError
from bonded.bootstrap import Applications
from bonded.logs import JsonFormatter, TextFormatter
from bonded.summary import Summary, check_received, percentiles
from schemas.events import EventMessage
from streams.observe import count_facts
from tests.builders import a_ledger


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_commands_are_counted_by_outcome_with_the_events_they_appended(
    apps: Applications,
) -> None:
    accepted = sample(
        "bonded_commands_total", command="declare", outcome="accepted", error=""
    )
    replayed = sample(
        "bonded_commands_total", command="declare", outcome="replayed", error=""
    )
    refused = sample(
        "bonded_commands_total",
        command="declare",
        outcome="refused",
        error="InvalidTransitionError",
    )
    appended = sample("bonded_events_appended_total", application="Zone")
    timed = sample("bonded_command_duration_seconds_count", command="declare")
    ledger_id = a_ledger(apps, "TEST-OBS-1")
    after_filing = sample("bonded_events_appended_total", application="Zone")

    apps.zone.declare(ledger_id, command_id="obs/declare")
    apps.zone.declare(ledger_id, command_id="obs/declare")
    with pytest.raises(DomainError):
        apps.zone.declare(ledger_id, command_id="obs/declare-again")

    assert after_filing > appended
    assert (
        sample("bonded_commands_total", command="declare", outcome="accepted", error="")
        == accepted + 1
    )
    assert (
        sample("bonded_commands_total", command="declare", outcome="replayed", error="")
        == replayed + 1
    )
    assert (
        sample(
            "bonded_commands_total",
            command="declare",
            outcome="refused",
            error="InvalidTransitionError",
        )
        == refused + 1
    )
    # The declaration appended its event and its command record; nothing else did.
    assert sample("bonded_events_appended_total", application="Zone") == (
        after_filing + 2
    )
    assert (
        sample("bonded_command_duration_seconds_count", command="declare") == timed + 3
    )


def a_message(event_type: str, **payload: object) -> EventMessage:
    return EventMessage(
        event_id=uuid4(),
        event_type=event_type,
        application="Zone",
        aggregate_id=uuid4(),
        aggregate_version=2,
        notification_id=7,
        occurred_at=datetime.now(UTC),
        payload=dict(payload),
    )


def test_gate_crossings_and_postings_are_counted_from_their_events() -> None:
    first = sample("bonded_gate_crossings_total", stage="first")
    through = sample("bonded_gate_crossings_total", stage="through")
    posted = sample("bonded_postings_total")
    refused = sample("bonded_posting_refusals_total")

    count_facts(a_message("GatePass.GateCrossed", status="first_gate_crossed"))
    count_facts(a_message("GatePass.GateCrossed", status="crossed"))
    count_facts(a_message("GatePass.GateCrossed", status="crossed"))
    count_facts(a_message("Checklist.Posted", posted_on="2026-12-03"))
    count_facts(a_message("Checklist.PostingRefused", reason="TEST"))
    count_facts(a_message("Ledger.Declared"))

    assert sample("bonded_gate_crossings_total", stage="first") == first + 1
    assert sample("bonded_gate_crossings_total", stage="through") == through + 2
    assert sample("bonded_postings_total") == posted + 1
    assert sample("bonded_posting_refusals_total") == refused + 1


def a_record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("streams.relay", logging.INFO, "", 0, message, (), None)
    record.__dict__.update(extra)
    return record


def test_a_log_line_is_one_json_object_with_the_glossary_keys() -> None:
    record = a_record("checklist approved", checklist_no="QDTEST1", offset=3)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert json.loads(line) == {
        "time": json.loads(line)["time"],
        "level": "info",
        "logger": "streams.relay",
        "message": "checklist approved",
        "checklist_no": "QDTEST1",
        "offset": 3,
    }
    assert TextFormatter().format(record).endswith("checklist_no=QDTEST1 offset=3")


def test_a_failure_is_logged_with_its_traceback_on_one_line() -> None:
    try:
        raise ValueError("TEST broken")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, "", 0, "failed", (), sys.exc_info()
        )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert "ValueError: TEST broken" in json.loads(line)["exception"]


def test_the_summary_reports_what_the_sub_centre_missed_or_got_twice() -> None:
    whole = Summary(deliveries={"delivered": 2})
    check_received(whole, {"a", "b"}, {"a", "b"}, 0)
    missing = Summary(deliveries={"delivered": 2, "dead": 1})
    check_received(missing, {"a", "b"}, {"a"}, 1)

    assert whole.problems == []
    assert whole.lines()[-1] == "everything reconciles"
    assert len(missing.problems) == 2
    assert "1 missing" in missing.problems[0] and "1 repeats" in missing.problems[0]
    assert "1 sub-centre deliveries not delivered" in missing.problems[1]
    assert "DOES NOT RECONCILE:" in missing.lines()


def test_percentiles_of_a_sample() -> None:
    samples = [float(n) for n in range(1, 101)]

    p50, p99, n = percentiles(samples)

    assert (p50, n) == (50.5, 100)
    assert 99.0 <= p99 <= 100.0
    assert percentiles([]) == (0.0, 0.0, 0)
    assert Decimal(str(percentiles([0.25])[1])) == Decimal("0.25")
