"""What a long-running process keeps from its start, out of the collector's way.

A gateway or worker process imports and builds for a second or two (FastAPI's
routes and models, pydantic's validators, eventsourcing's and Faust's classes,
the applications) and keeps all of it until it stops. CPython's full collection
walks every object it tracks, those included, every time: at 300 commands/s
each full collection of a gateway's server process took 40–64 ms, a pause of
every request the process was serving, and a worker's 33–35 ms. ``keep_what_started``
moves what exists at the end of the start into the permanent generation, which
no collection walks; what the process makes afterwards is collected as before.
"""

from __future__ import annotations

import gc


def keep_what_started() -> None:
    """Collect once, then leave every object alive now out of later collections."""
    gc.collect()
    gc.freeze()
