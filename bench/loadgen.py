"""A small closed-loop HTTP load generator in pure Python, so a fresh machine needs nothing.

Each of N processes holds one keep-alive connection (``http.client`` reconnects by itself when
the server closes it) and sends the next request as soon as the previous answer is read. A run
stops after a fixed time or a fixed number of requests, whichever comes first. Only loopback
addresses are allowed: this is for measuring our own server, nothing else.
"""

import http.client
import math
import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_ERRORS_PER_CONNECTION = 50


@dataclass
class Request:
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]  # seconds, sorted
    statuses: Counter
    cache: Counter  # X-Page-Cache header values; "none" when absent
    bytes: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def combine(cls, results: list["LoadResult"]) -> "LoadResult":
        """One result from runs made one after the other."""
        return cls(
            requests=sum(r.requests for r in results),
            errors=sum(r.errors for r in results),
            seconds=sum(r.seconds for r in results),
            latencies=sorted(latency for r in results for latency in r.latencies),
            statuses=sum((r.statuses for r in results), Counter()),
            cache=sum((r.cache for r in results), Counter()),
            bytes=sum(r.bytes for r in results),
        )

    def percentile(self, p: float) -> float:
        """A percentile of the latencies, in seconds."""
        return percentile(self.latencies, p)


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values; NaN when there are none."""
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered), math.ceil(p / 100 * len(ordered))) - 1)]


def _connection(host, port, requests, start_at, stop_at, max_requests):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    latencies, statuses, cache, errors, size = [], Counter(), Counter(), 0, 0
    time.sleep(max(0.0, start_at - time.monotonic()))
    sent = 0
    while len(latencies) < max_requests and time.monotonic() < stop_at:
        request = requests[sent % len(requests)]
        sent += 1
        started = time.perf_counter()
        try:
            conn.request(request.method, request.path, body=request.body, headers=request.headers)
            response = conn.getresponse()
            size += len(response.read())
        except (OSError, http.client.HTTPException):
            conn.close()
            errors += 1
            if errors >= MAX_ERRORS_PER_CONNECTION:
                break
            continue
        latencies.append(time.perf_counter() - started)
        statuses[response.status] += 1
        cache[response.getheader("X-Page-Cache", "none")] += 1
    finished = time.monotonic()
    conn.close()
    return latencies, statuses, cache, errors, size, finished


def run_load(
    host: str,
    port: int,
    request: Request | list[Request],
    *,
    connections: int,
    seconds: float,
    max_requests: int,
) -> LoadResult:
    """Send `request` over `connections` parallel connections for at most `seconds` seconds
    and at most `max_requests` requests in total.

    Given a list of requests, the connections take turns over it: connection i sends
    requests i, i + connections, i + 2 × connections, … (wrapping around), so that, for
    instance, reservations spread over many groups and API keys.
    """
    requests = request if isinstance(request, list) else [request]
    if host not in LOOPBACK:
        raise ValueError(f"the load generator only talks to this machine, not to {host!r}")
    per_connection = max(1, max_requests // connections)
    context = multiprocessing.get_context("fork")
    with context.Pool(connections) as pool:
        start_at = time.monotonic() + 0.2  # let every process get ready before the clock starts
        stop_at = start_at + seconds
        jobs = [
            (host, port, requests[i::connections] or requests, start_at, stop_at, per_connection)
            for i in range(connections)
        ]
        parts = pool.starmap(_connection, jobs)
    latencies = sorted(latency for part in parts for latency in part[0])
    return LoadResult(
        requests=len(latencies),
        errors=sum(part[3] for part in parts),
        seconds=max(part[5] for part in parts) - start_at,
        latencies=latencies,
        statuses=sum((part[1] for part in parts), Counter()),
        cache=sum((part[2] for part in parts), Counter()),
        bytes=sum(part[4] for part in parts),
    )
