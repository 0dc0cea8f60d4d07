"""The report of a benchmark run: a padded Markdown table, the machine, docs/performance.md."""

import os
import platform
import re
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from edits import edits_summary

COLUMNS = {  # heading: alignment
    "Scenario": "<",
    "URL": "<",
    "req/s": ">",
    "p50 ms": ">",
    "p99 ms": ">",
    "server p50 ms": ">",
    "alone: p50 ms": ">",
    "alone: server p50 ms": ">",
}


RESERVATION_COLUMNS = {
    "Clients": "<",
    "reservations/s": ">",
    "p50 ms": ">",
    "p95 ms": ">",
    "p99 ms": ">",
    "lock p50 ms": ">",
    "lock p99 ms": ">",
    "e-mail queued p50 ms": ">",
    "try again": ">",
}


def table(rows: list[dict]) -> str:
    """A Markdown table of the page scenarios."""
    return padded(
        COLUMNS,
        [
            [
                row["label"] + (" (!)" if row["problems"] else ""),
                f"`{row['path']}`",
                f"{row['rps']:.0f}",
                f"{row['latency_ms'][50]:.1f}",
                f"{row['latency_ms'][99]:.1f}",
                f"{row['server_ms'][50]:.1f}",
                f"{row['alone']['latency_ms'][50]:.1f}",
                f"{row['alone']['server_ms'][50]:.1f}",
            ]
            for row in rows
        ],
    )


def padded(columns: dict[str, str], rows: list[list[str]]) -> str:
    """A Markdown table, padded so that it reads as well in a terminal."""
    lines = [list(columns), *rows]
    widths = [max(map(len, column)) for column in zip(*lines, strict=True)]
    aligns = list(columns.values())

    def render(cells):
        padded = (f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    rule = (
        "-" * (w + 1) + ":" if a == ">" else "-" * (w + 2)
        for a, w in zip(aligns, widths, strict=True)
    )
    return "\n".join([render(lines[0]), f"|{'|'.join(rule)}|", *map(render, lines[1:])])


def reservation_summary(result: dict) -> str:
    """The reservation figures as a table, or why they were not measured."""
    if "skipped" in result:
        return f"Reservations not measured: {result['skipped']}."
    lines = []
    labels = {"alone": "one client alone", "load": "{workers} processes × {threads} threads"}
    for name, label in labels.items():
        phase = result[name]
        lines.append(
            [
                label.format(**phase) + (" (!)" if name == "load" and result["problems"] else ""),
                f"{phase['per_second']:.0f}",
                *(f"{phase['latency_ms'][p]:.1f}" for p in (50, 95, 99)),
                *(f"{phase['lock_ms'][p]:.1f}" for p in (50, 99)),
                f"{phase['mail_ms'][50]:.1f}",
                str(phase["busy"]),
            ]
        )
    outcome = (
        f"{result['groups']} groups of {result['capacity']} seats, {result.get('held', 0)} seats "
        f"held for one company at the start: {result['confirmed']} seats confirmed, "
        f"{result['waitlisted']} waitlisted, {result['over_capacity']} groups over capacity."
    )
    notes = "".join(f"\n- (!) {problem}" for problem in result["problems"])
    return f"{padded(RESERVATION_COLUMNS, lines)}\n\n{outcome}{notes}"


API_COLUMNS = {
    "Connections": "<",
    "reservations/s": ">",
    "p50 ms": ">",
    "p95 ms": ">",
    "p99 ms": ">",
}


def api_summary(result: dict) -> str:
    """The API reservation figures as a table, or why they were not measured."""
    if "skipped" in result:
        return f"API reservations not measured: {result['skipped']}."
    lines = [
        [
            label + (" (!)" if name == "load" and result["problems"] else ""),
            f"{result[name]['per_second']:.0f}",
            *(f"{result[name]['latency_ms'][p]:.1f}" for p in (50, 95, 99)),
        ]
        for name, label in (
            ("alone", "one connection alone"),
            ("load", f"{result['load']['connections']} connections"),
        )
    ]
    outcome = (
        f"{result['groups']} groups of {result['capacity']} seats, {result['keys']} API keys: "
        f"{result['confirmed']} seats confirmed, {result['waitlisted']} waitlisted, "
        f"{result['over_capacity']} groups over capacity."
    )
    notes = "".join(f"\n- (!) {problem}" for problem in result["problems"])
    return f"{padded(API_COLUMNS, lines)}\n\n{outcome}{notes}"


def problems(rows: list[dict]) -> str:
    return "\n".join(f"- (!) {row['label']}: {p}" for row in rows for p in row["problems"])


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    cpu_model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {
        "cpus": len(os.sched_getaffinity(0)),  # what `nproc` says
        "cpu_model": cpu_model.group(1).strip() if cpu_model else platform.machine(),
        "memory_gib": round(int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 2**20, 1),
        "load_average": os.getloadavg()[0],
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        **{package: version(package) for package in ("django", "wagtail", "gunicorn")},
    }


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(parts.password, "***", 1)))


def markdown(report: dict) -> str:
    m, s = report["machine"], report["setup"]
    targets = "\n".join(
        f"- **{'PASS' if t['passed'] else 'FAIL'}** {t['target']}: {t['figure']}."
        for t in report["targets"]
    )
    notes = f"\n\n{report['problems']}" if report["problems"] else ""
    cold = "\n".join(f"- `{url}`: {ms} ms" for url, ms in report.get("cold", {}).items())
    reservations = report.get("reservations", {"skipped": "not run"})
    if "skipped" in reservations:
        booking_setup = "Not measured in this run."
    else:
        load, alone = reservations["load"], reservations["alone"]
        booking_setup = (
            f"Database: {reservations['database']}. {reservations['groups']} open groups of "
            f"{reservations['capacity']} seats, {reservations['companies']} SW companies. "
            f"One client alone for {alone['seconds']:g} s, then {load['workers']} processes × "
            f"{load['threads']} client threads for {load['seconds']:g} s "
            f"({load['reservations']} reservations)."
        )

    return f"""# Performance

Written by `make bench` (`bench/run.py`) on {report["date"]}; run it again rather than editing
this file. The raw figures are in `bench/results/latest.json` (not committed).

## What is measured

The demo site (`manage.py load_demo --force`) in a database of its own, served by gunicorn with
production settings; whitenoise serves the static files from the same server. A load generator
on the same machine asks for one URL over and over from several keep-alive connections at once:

- **cached**: an anonymous visitor; from the second request on, the anonymous page cache
  (`core/cache.py`) answers without rendering the page (`X-Page-Cache: hit`);
- **uncached**: the same page with a random `sessionid` cookie, which the page cache treats as
  a signed-in visitor: the page is rendered every time (plus one session lookup), from the
  fragments kept until what they show changes (header, footer, a story's head, body, facts and
  related stories) and the remembered route;
- **portal**: the contact persons' pages, signed in as `contact-promen` with a real session:
  the overview of Promen's bookings, the list of groups Promen may book, and one booking with
  its history timeline. They are private (never cached) and read fresh on every request;
- **static file**: a hashed stylesheet served by whitenoise, the ceiling for one request.

Each URL is warmed up first. The time under load comes in rounds that take turns over the
URLs, so a disturbance on the machine hits them all alike. *req/s*, *p50* and *p99* are what
the client sees under load, connecting included. *Server* times are gunicorn's own request
time (access log `%(D)s`, from the parsed request until the answer is written), without the
client's overhead. The *alone* columns come from one connection at a time: the time one
request takes, without waiting for others. Client and server share the machine's cores, so
compare figures from one machine only.

By default gunicorn runs one worker per core, each with one thread: rendering a page is CPU
work, and threads of one worker share a core (Python's GIL), which only makes each request
slower. The gthread worker is used for its keep-alive connections, as behind a proxy.

## Machine and set-up

- Machine: {m["cpus"]} CPUs (`nproc`), {m["cpu_model"]}, {m["memory_gib"]} GiB memory,
  {m["os"]}; load average {m["load_average"]:.1f} at the start
- Software: Python {m["python"]}, Django {m["django"]}, Wagtail {m["wagtail"]},
  gunicorn {m["gunicorn"]}
- Settings: `{s["settings"]}`; database: {s["database"]}; cache: {s["cache"]}
- Server: {s["server"]}
- Client: {s["client"]}

## Results

{report["table"]}{notes}

A change refreshes only the pages that show it; the first visitor of such a page waits for a
full render. The worst case, every cache empty: median of 20 renders, measured
in-process (Django's test client, production settings, no network):

{cold}

## Visitors read while a coordinator edits a group

The home page and a story page under load (`--connections`, `--seconds` each), first on a
quiet site, then while another process saves an open course group once a second through
`booking.services.save_group` (a new trainer name; the group stays public, so each save
refreshes what shows it: the home page, which names the planned courses). *Cached* is the
share of answers served from the page cache: `hit`, or `stale` while one worker renders the
new copy and the others keep serving the old one (`bench/edits.py`). The story shows no
groups and is not touched by the edits.

{edits_summary(report.get("edits", {"skipped": "not run"}))}

## Reservations

Contact persons booking seats at the same moment, without HTTP in between: worker processes
(`bench/reservations.py`), each with one client (`--reservation-threads` for more) and a
database connection per client, call `booking.services.reserve_seats` for 1 seat in a random
open group for a random SW company, as fast as they can. That is the whole booking: the group's
lock (`SELECT ... FOR NO KEY UPDATE`), the rules, the booking, the seat, their history records,
the commit, and the confirmation e-mail queued as a task after the commit (django-tasks-db, one
row in the database, as in production, where `db_worker` sends it; no worker runs during the
bench). Most groups fill up within a second, so most later reservations land on a waiting list,
which costs the same checks plus the waiting-list positions.

First one client books alone (what one reservation costs), then all clients at once (the load;
the targets apply to it). *Lock* is the time to get the group's lock, the start of the
transaction included; *e-mail queued* the part of each call spent queueing the confirmation
e-mail after the commit, when the lock is free again. *Try again* counts the callers told the
polite "it is very busy" (a lock not had within `BOOKING_LOCK_TIMEOUT`); they do not count as
reservations. Afterwards the database is asked whether any group has more confirmed seats than
it has seats, and whether every seat has exactly one history record. This needs PostgreSQL (see
below). On SQLite every booking takes the whole database's write lock; the tests check that it
stays correct there (`tests/booking/test_concurrency.py`), the benchmark measures PostgreSQL
only.

{booking_setup}

{reservation_summary(reservations)}

## Reservations through the API

The same booking as an SW company's HR system makes it: `POST /api/v1/bookings` with a bearer
key and a JSON body, over HTTP, to gunicorn ({s["server"]}) with production settings on a
fresh PostgreSQL database (`bench/api.py`, `leerplein_bench_api`). The answer (201, the booking
with each seat's status and waiting-list place) is read before the next request. The load
generator's connections take turns over the groups and API keys; the rate limit is lifted for
the run, as it would otherwise be what is measured. One connection books alone first, then
`--connections` connections at once. Afterwards the database is asked whether any group has
more confirmed seats than it has.

{api_summary(report.get("api", {"skipped": "not run"}))}

## Targets

{targets}

A cached page is compared with the static file served by the same server and client, so the
share says how close the page cache comes to the cheapest answer the server can give. The
server-time target is checked with one connection: under load, server time also counts the
wait for a CPU shared with the other requests and the load generator. The reservation targets
apply to the load: with more clients than cores (and PostgreSQL on the same cores), much of
the latency is the wait for a CPU; the *alone* row shows what one reservation costs.

## Run it

```sh
make bench                               # or: .venv/bin/python bench/run.py --help
DATABASE_URL=postgres://… make bench     # on PostgreSQL instead of bench/results/bench.sqlite3
BENCH_POSTGRES_URL=postgres://… make bench           # where the reservations are measured
.venv/bin/python bench/run.py --only reservations    # one part; leaves this file alone
.venv/bin/python bench/run.py --only api             # the API over HTTP only
.venv/bin/python bench/run.py --only edits           # reading while a group is edited
make bench SCALE=5000                    # N stories and N/10 groups: the "At scale" section
```

Redis is used when it answers on 127.0.0.1:6379 (or set `REDIS_URL`). Reservations are
measured on the PostgreSQL server of `BENCH_POSTGRES_URL`, else of `DATABASE_URL` when that is
PostgreSQL, else on postgres://postgres@127.0.0.1:5432, in a database of their own,
`leerplein_bench_reservations`, which each run drops and creates afresh; without a server that
answers, the run says so and measures the pages only. The run takes two to three minutes after
the preparation. `--strict` makes it exit with status 1 when a target fails.

`make bench SCALE=N` (`bench/run.py --scale N`) measures something else and writes only the
"At scale" section below, which `make bench` keeps: see that section and `bench/scale.py`.
Its databases are built once per N and code version and kept in `bench/results/scale-cache/`
(building N = 5,000 took 20 to 25 minutes per database on a busy 2-core machine; restoring
a copy takes seconds, then `rebuild_site_search` under a minute).
"""
