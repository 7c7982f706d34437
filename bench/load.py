"""HTTP load on a running gateway: closed-loop throughput, open-loop latency.

The commands are those a portal sends without waiting for customs (from the
zone-day's bodies): file a ledger or a vehicle as a draft, modify it, declare it.
Closed loop: ``concurrency`` clients each file, modify and declare as fast as the
gateway answers. Open loop: commands are sent at a fixed rate whatever the
answers, and each latency is counted from the moment its command was due, so a
slow gateway cannot hide its queue (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

import aiohttp

from bonded.zoneday import ledger_body, vehicle_body


@dataclass
class Load:
    """What a load run sent and how long each accepted command took."""

    latencies: list[float] = field(default_factory=list)
    refused: int = 0
    seconds: float = 0.0

    @property
    def accepted(self) -> int:
        """Commands answered 2xx."""
        return len(self.latencies)


class Portal:
    """One enterprise's asynchronous client, naming its documents uniquely.

    aiohttp rather than httpx: httpx's pool scans its queue of waiting requests
    for every request, so thousands of commands due at once stalled the client
    itself, not the gateway.
    """

    def __init__(self, base_url: str, key: str, code: str, run: str) -> None:
        self.http = aiohttp.ClientSession(
            base_url=base_url,
            headers={"Authorization": f"Bearer {key}"},
            connector=aiohttp.TCPConnector(limit=256),
            timeout=aiohttp.ClientTimeout(total=60.0),
        )
        self.code = code
        self.run = run
        self.serial = itertools.count(1)

    async def close(self) -> None:
        """Close the connections."""
        await self.http.close()

    def body(self) -> tuple[str, dict[str, object]]:
        """A new draft's path and body: ledgers and vehicles in turn."""
        n = next(self.serial)
        if n % 2:
            return "/v1/ledgers", ledger_body(self.code, f"BL-{self.run}-{n}", n)
        return "/v1/vehicles", vehicle_body(self.code, f"B{self.run[-5:]}{n:07d}")

    async def send(
        self, method: str, path: str, body: object = None, key: str = ""
    ) -> tuple[int, dict[str, object]]:
        """One request; its status and JSON answer."""
        headers = {"Idempotency-Key": key} if key else {}
        async with self.http.request(
            method, path, json=body, headers=headers
        ) as answer:
            return answer.status, await answer.json()

    async def draft(self) -> tuple[str, dict[str, object]]:
        """File a draft; return its URL and body."""
        path, body = self.body()
        status, answer = await self.send("POST", path, body)
        if status >= 300:
            raise RuntimeError(f"filing a draft answered {status}: {answer}")
        return f"{path}/{answer['id']}", body


async def closed_loop(portal: Portal, concurrency: int, seconds: float) -> Load:
    """Each client files, modifies and declares drafts until time is up."""
    load = Load()
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            path, body = portal.body()
            url = ""
            for method, target, content, key in (
                ("POST", path, body, ""),
                ("PUT", "", body, "m"),
                ("POST", "/declare", None, "d"),
            ):
                began = time.perf_counter()
                address = path if method == "POST" and not url else url + target
                status, answer = await portal.send(
                    method, address, content, f"{url}/{key}" if key else ""
                )
                if status >= 300:
                    load.refused += 1
                    break
                load.latencies.append(time.perf_counter() - began)
                if not url:
                    url = f"{path}/{answer['id']}"

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    load.seconds = time.perf_counter() - started
    return load


async def open_loop(portal: Portal, rate: float, seconds: float) -> Load:
    """Send commands at ``rate`` per second: half filings, a quarter each of
    modifications and declarations of drafts filed beforehand."""
    count = int(rate * seconds)
    # Separate drafts for modifications and declarations: their commands may
    # overtake each other under load.
    modified = [await portal.draft() for _ in range(count // 4 + 1)]
    declared = [await portal.draft() for _ in range(count // 4 + 1)]
    load = Load()
    started = time.perf_counter()

    async def command(k: int) -> None:
        due = started + k / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if k % 4 == 2:
            url, body = modified[k // 4]
            status, _ = await portal.send("PUT", url, body, f"{url}/m")
        elif k % 4 == 3:
            url, _ = declared[k // 4]
            status, _ = await portal.send("POST", f"{url}/declare", None, f"{url}/d")
        else:
            path, new = portal.body()
            status, _ = await portal.send("POST", path, new)
        if status >= 300:
            load.refused += 1
        else:
            load.latencies.append(time.perf_counter() - due)

    await asyncio.gather(*(command(k) for k in range(count)))
    load.seconds = time.perf_counter() - started
    return load
