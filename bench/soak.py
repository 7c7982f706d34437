"""A bounded soak: rounds of mixed commands through HTTP, memory sampled after each.

A gateway and a worker run as processes (``bench.suite.Stack``); each round, 16
clients file, modify and declare drafts for ``--seconds``, then the worker
catches up; the resident memory of both processes is read after every round.
After a warm-up round memory must stay flat: ``make soak`` prints the samples
and the growth from the second round to the last; the suite runs a short one
(``tests/integration/test_soak.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from dataclasses import dataclass, field

from bench.load import Portal, closed_loop
from bench.suite import BENCH, Stack, rss_kib
from bonded.embedded import EmbeddedBroker, EmbeddedPostgres, ensure_database
from bonded.up import subcentre_stand_in
from tests.builders import ZONE_CODE


@dataclass
class SoakReport:
    """Commands per round and the memory of each process after each round."""

    commands: list[int] = field(default_factory=list)
    refused: int = 0
    memory_kib: dict[str, list[int]] = field(default_factory=dict)

    def growth_kib(self, process: str) -> int:
        """Memory added from the end of the warm-up round to the end of the last."""
        samples = self.memory_kib[process]
        return samples[-1] - samples[min(1, len(samples) - 1)]


def soak(url: str, bootstrap: str, rounds: int, seconds: float) -> SoakReport:
    """Run the rounds on a fresh stack; return what they did and the memory."""
    report = SoakReport(memory_kib={"gateway": [], "worker": []})
    with subcentre_stand_in() as (_, subcentre_url):
        stack = Stack(url, bootstrap, subcentre_url)
        stack.sampling = False
        try:
            for number in range(rounds):
                run = f"{uuid.uuid4().hex[:4]}{number}"

                async def load(run: str = run) -> tuple[int, int]:
                    portal = Portal(
                        stack.base_url, stack.enterprise_key, ZONE_CODE, run
                    )
                    try:
                        done = await closed_loop(portal, 16, seconds)
                    finally:
                        await portal.close()
                    return done.accepted, done.refused

                accepted, refused = asyncio.run(load())
                stack.drain()
                report.commands.append(accepted)
                report.refused += refused
                for name in report.memory_kib:
                    pid = stack.processes.running[name].pid
                    report.memory_kib[name].append(rss_kib(pid))
        finally:
            stack.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    server = EmbeddedPostgres(BENCH)
    broker = EmbeddedBroker(BENCH)
    url = ensure_database(server.start(), "bench")
    bootstrap = broker.start()
    try:
        report = soak(url, bootstrap, args.rounds, args.seconds)
    finally:
        broker.stop()
        server.stop()
    print(f"commands per round: {report.commands} ({report.refused} refused)")
    for name, samples in report.memory_kib.items():
        mib = [round(kib / 1024, 1) for kib in samples]
        print(
            f"{name} memory after each round (MiB): {mib}; growth after the "
            f"warm-up round {report.growth_kib(name) / 1024:.1f} MiB"
        )


if __name__ == "__main__":
    main()
