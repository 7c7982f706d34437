"""The Faust ceiling: an agent that only counts the messages of the worker's topics.

Run by ``bench.suite`` as its own process (``python -m bench.faust_ceiling``): a
Faust app configured as every worker's (``streams.app.faust_app``), a fresh
consumer group, one agent taking the same batches as the projection agent and
doing nothing with them, until it has seen ``--expected`` messages. What it
reaches is what one worker process could reach if projecting cost nothing.
Prints one JSON line: messages, seconds, per second.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import faust

from schemas.events import topic_names
from schemas.settings import Settings
from streams.app import faust_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--expected", type=int, required=True, help="messages")
    args = parser.parse_args()
    settings = Settings(
        kafka_bootstrap=args.bootstrap,
        topic_prefix=args.prefix,
        consumer_group=args.group,
    )
    names = list(topic_names(args.prefix))
    expected = args.expected
    app = faust_app(settings)
    started: list[float] = []
    seen = [0]

    async def count(stream: Any) -> None:
        async for events in stream.take_settled(
            settings.projection_batch,
            within=settings.projection_batch_wait,
            idle=settings.projection_batch_idle,
        ):
            if not started:
                started.append(time.perf_counter())
            seen[0] += len(events)
            if seen[0] >= expected:
                seconds = time.perf_counter() - started[0]
                print(
                    json.dumps(
                        {
                            "messages": seen[0],
                            "seconds": seconds,
                            "per_s": seen[0] / seconds,
                        }
                    ),
                    flush=True,
                )
                os._exit(0)

    app.agent(app.topic(*names), name="count", concurrency=1)(count)
    faust.Worker(
        app, loglevel="warning", quiet=True, redirect_stdouts=False
    ).execute_from_commandline()


if __name__ == "__main__":
    main()
