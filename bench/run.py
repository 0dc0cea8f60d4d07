"""`make bench`: throughput and latency of the demo site under gunicorn, production settings.

Prepares a separate database (migrate, load_demo --force, collectstatic, compile_catalogues),
serves it with gunicorn on a free port of 127.0.0.1, measures every scenario in SCENARIOS with
the load generator in bench/loadgen.py, checks the targets, prints a table and writes
docs/performance.md and bench/results/latest.json. `python bench/run.py --help` lists options.
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from loadgen import LoadResult, Request, run_load

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "docs" / "performance.md"
HOST = "127.0.0.1"
TAG = "X-Bench"  # request header naming the scenario; gunicorn's access log records it
ACCESS_LOG_FORMAT = f"%({{{TAG.lower()}}}i)s %(s)s %(D)s"  # tag, status, microseconds

CACHED_SHARE_OF_STATIC = 0.80
STORY_SERVER_MS = 15.0

# Prints the URLs to measure, from the demo content; the story is the first practice example
# the index shows (newest first).
DISCOVER_URLS = """
import json
from urllib.parse import urlsplit
from wagtail.models import Locale
from home.models import HomePage
from stories.models import PracticeExamplePage, StoryIndexPage
nl = Locale.objects.get(language_code="nl")
def url(model, *order):
    page = model.objects.live().public().filter(locale=nl).order_by(*order).first()
    return page and urlsplit(page.get_url()).path
print(json.dumps({
    "home": url(HomePage, "path"),
    "stories": url(StoryIndexPage, "path"),
    "story": url(PracticeExamplePage, "-date", "-pk"),
}))
"""


@dataclass
class Scenario:
    name: str  # short id; also the X-Bench tag in the access log
    label: str
    request: Request
    expect_cache: str | None = None  # X-Page-Cache every measured answer should carry


def page_scenarios(urls: dict[str, str], static_url: str) -> list[Scenario]:
    """Each page cached (anonymous) and uncached (a session cookie bypasses the page cache),
    then a static file served by the same server as the ceiling."""
    session = {"Cookie": f"sessionid={secrets.token_hex(16)}"}
    scenarios = []
    for key, label in (("home", "Home page"), ("stories", "Stories index"), ("story", "Story")):
        path = urls[key]
        scenarios += [
            Scenario(f"{key}-cached", f"{label}, cached", Request(path), expect_cache="hit"),
            Scenario(f"{key}-uncached", f"{label}, uncached", Request(path, headers=session)),
        ]
    scenarios.append(Scenario("static", "Static file (whitenoise)", Request(static_url)))
    return scenarios


# --- the server ----------------------------------------------------------------------------


def redis_answers(port: int = 6379) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def bench_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_SSL_REDIRECT="0",  # plain http on 127.0.0.1
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("DATABASE_URL", f"sqlite:///{RESULTS / 'bench.sqlite3'}")
    env.setdefault("MEDIA_ROOT", str(RESULTS / "media"))
    env.setdefault("CACHE_KEY_PREFIX", "leerplein-bench")  # never mix with a real site's cache
    if "REDIS_URL" not in env and redis_answers():
        env["REDIS_URL"] = f"redis://{HOST}:6379/0"
    return env


def manage(env, *args, capture=False) -> str:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    if not capture:
        print(f"  manage.py {' '.join(args):<28} {time.monotonic() - started:5.1f} s")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port, args, access_log: Path, error_log: Path) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(args.workers)),
        *("--worker-class", "gthread", "--threads", str(args.threads)),
        *("--access-logfile", str(access_log), "--access-logformat", ACCESS_LOG_FORMAT),
        *("--error-logfile", str(error_log), "--log-level", "warning", "--no-control-socket"),
    ]
    # A session of its own, so the whole process group can be stopped at the end.
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start:\n{error_log.read_text()}")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    sys.exit("gunicorn did not answer within 30 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def static_url(port: int, home: str) -> str:
    """The stylesheet the home page links to, else any file whitenoise serves."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", home)
    html = conn.getresponse().read().decode()
    conn.close()
    links = re.findall(r"""/static/[^"'\s?#]+\.css""", html)
    if links:
        return next((link for link in links if "leerplein" in link), links[0])
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    return "/static/" + manifest.get("css/leerplein.css", next(iter(manifest.values())))


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Milliseconds gunicorn spent on each request, by X-Bench tag."""
    times = defaultdict(list)
    for line in access_log.read_text().splitlines():
        tag, _status, micros = line.rsplit(" ", 2)
        times[tag].append(int(micros) / 1000)
    return times


# --- measuring and reporting ---------------------------------------------------------------


def measure(port, scenario: Scenario, args) -> LoadResult:
    def send(tag, seconds, max_requests):
        request = scenario.request
        headers = {**request.headers, TAG: tag}
        return run_load(
            HOST,
            port,
            Request(request.path, request.method, headers, request.body),
            connections=args.connections,
            seconds=seconds,
            max_requests=max_requests,
        )

    send("warmup", args.warmup, 5_000)
    return send(scenario.name, args.seconds, args.max_requests)


def summarise(scenario: Scenario, result: LoadResult, server_ms: list[float]) -> dict:
    ok = result.statuses.get(200, 0) == result.requests and not result.errors
    hits = result.cache.get("hit", 0)
    if scenario.expect_cache:
        ok = ok and hits == result.requests
    elif scenario.name != "static":
        ok = ok and hits == 0
    server_ms = sorted(server_ms)
    return {
        "name": scenario.name,
        "label": scenario.label,
        "path": scenario.request.path,
        "requests": result.requests,
        "errors": result.errors,
        "seconds": round(result.seconds, 2),
        "rps": round(result.rps, 1),
        "latency_ms": {p: round(result.percentile(p) * 1000, 2) for p in (50, 90, 99)},
        "server_ms": {
            50: round(statistics.median(server_ms), 2) if server_ms else None,
            99: round(server_ms[int(0.99 * (len(server_ms) - 1))], 2) if server_ms else None,
        },
        "statuses": dict(result.statuses),
        "page_cache": dict(result.cache),
        "kb_per_response": round(result.bytes / max(1, result.requests) / 1024, 1),
        "answers_as_expected": ok,
    }


def check_targets(rows: dict[str, dict]) -> list[dict]:
    targets = []
    static_rps = rows["static"]["rps"]
    for name, row in rows.items():
        if name.endswith("-cached"):
            share = row["rps"] / static_rps if static_rps else 0
            targets.append(
                {
                    "target": f"{row['label']}: at least {CACHED_SHARE_OF_STATIC:.0%} "
                    "of the static file's req/s",
                    "figure": f"{share:.0%} ({row['rps']:.0f} of {static_rps:.0f} req/s)",
                    "passed": share >= CACHED_SHARE_OF_STATIC,
                }
            )
    story = rows["story-uncached"]["server_ms"][50]
    targets.append(
        {
            "target": f"Story, uncached: median server time under {STORY_SERVER_MS:g} ms",
            "figure": f"{story} ms (p50 latency at the client: "
            f"{rows['story-uncached']['latency_ms'][50]} ms)",
            "passed": story is not None and story < STORY_SERVER_MS,
        }
    )
    return targets


COLUMNS = {  # heading: alignment
    "Scenario": "<",
    "URL": "<",
    "req/s": ">",
    "p50 ms": ">",
    "p99 ms": ">",
    "server p50 ms": ">",
    "server p99 ms": ">",
}


def table(rows: list[dict]) -> str:
    """A Markdown table, padded so it reads as well in a terminal."""
    lines = [list(COLUMNS)] + [
        [
            row["label"] + ("" if row["answers_as_expected"] else " (!)"),
            f"`{row['path']}`",
            f"{row['rps']:.0f}",
            *(f"{row['latency_ms'][p]:.1f}" for p in (50, 99)),
            *(f"{row['server_ms'][p]:.1f}" for p in (50, 99)),
        ]
        for row in rows
    ]
    widths = [max(map(len, column)) for column in zip(*lines, strict=True)]
    aligns = list(COLUMNS.values())

    def render(cells):
        padded = (f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    rule = (
        f"{'-' * (w + 1)}:" if a == ">" else "-" * (w + 2)
        for a, w in zip(aligns, widths, strict=True)
    )
    return "\n".join([render(lines[0]), f"|{'|'.join(rule)}|", *map(render, lines[1:])])


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    cpu_model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {
        "cpus": len(os.sched_getaffinity(0)),  # what `nproc` says
        "cpu_model": cpu_model.group(1).strip() if cpu_model else platform.machine(),
        "memory_gib": round(int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 2**20, 1),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        **{package: version(package) for package in ("django", "wagtail", "gunicorn")},
    }


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def setup(env: dict, args) -> dict:
    return {
        "settings": env["DJANGO_SETTINGS_MODULE"],
        "database": without_password(env["DATABASE_URL"]),
        "cache": f"Redis ({without_password(env['REDIS_URL'])})"
        if env.get("REDIS_URL")
        else "local memory (one cache per worker; no Redis on 127.0.0.1:6379)",
        "server": f"gunicorn, {args.workers} gthread workers × {args.threads} threads, "
        f"on {HOST}, access log on",
        "client": f"bench/loadgen.py (pure Python), {args.connections} keep-alive connections "
        f"in {args.connections} processes; per scenario {args.warmup:g} s warm-up, then "
        f"{args.seconds:g} s measured (at most {args.max_requests} requests)",
    }


def markdown(report: dict) -> str:
    m, s = report["machine"], report["setup"]
    targets = "\n".join(
        f"- **{'PASS' if t['passed'] else 'FAIL'}** {t['target']}: {t['figure']}"
        for t in report["targets"]
    )
    return f"""# Performance

Written by `make bench` (`bench/run.py`) on {report["date"]}. Run it again rather than editing
this file; the raw figures are in `bench/results/latest.json` (not committed).

## What is measured

The demo site (`manage.py load_demo --force`) in a database of its own, served by gunicorn
with production settings, static files by whitenoise from the same server. A load generator on
the same machine sends the same request over and over, for a fixed time, from several
keep-alive connections at once:

- **cached**: an anonymous visitor; from the second request on the anonymous page cache
  (`home/cache.py`) answers without rendering (`X-Page-Cache: hit`);
- **uncached**: the same page with a random `sessionid` cookie, which the page cache treats as
  a signed-in visitor, so the page is rendered every time (plus one session lookup);
- **static file**: a hashed stylesheet served by whitenoise, the ceiling for one request.

Each URL is warmed up before it is measured. *req/s*, *p50* and *p99* are what the client
sees, connection set-up included. *Server* times are gunicorn's own request time (access log
`%(D)s`: from the parsed request until the answer is written), without the client's overhead.
Client and server share the machine's cores, so compare figures from one machine only.

## Machine and set-up

- Machine: {m["cpus"]} CPUs (`nproc`), {m["cpu_model"]}, {m["memory_gib"]} GiB memory, {m["os"]}
- Software: Python {m["python"]}, Django {m["django"]}, Wagtail {m["wagtail"]},
  gunicorn {m["gunicorn"]}
- Settings: `{s["settings"]}`; database `{s["database"]}`; cache: {s["cache"]}
- Server: {s["server"]}
- Client: {s["client"]}

## Results

{report["table"]}

## Targets

{targets}

## Run it

```sh
make bench                      # or: .venv/bin/python bench/run.py --help
DATABASE_URL=postgres://… make bench   # measure on PostgreSQL instead of SQLite
```

By default the database is `bench/results/bench.sqlite3`; Redis is used when it answers on
127.0.0.1:6379. `make bench` exits with status 1 when a target fails.
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8, help="measured time per scenario")
    parser.add_argument("--warmup", type=float, default=1.5, help="warm-up time per scenario")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap per scenario")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--no-prepare",
        dest="prepare",
        action="store_false",
        help="skip migrate, load_demo, collectstatic and compile_catalogues",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = bench_environment()
    report = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()}
    report["setup"] = setup(env, args)
    for key, value in report["setup"].items():
        print(f"{key:>9}: {value}")

    if args.prepare:
        print("Preparing the demo site")
        for command in (
            ("migrate", "--no-input"),
            ("load_demo", "--force"),
            ("collectstatic", "--noinput"),
            ("compile_catalogues",),
        ):
            manage(env, *command)
    urls = json.loads(manage(env, "shell", "-c", DISCOVER_URLS, capture=True).splitlines()[-1])
    if not all(urls.values()):
        sys.exit(f"The demo site lacks a live Dutch page: {urls}")

    access_log, error_log = RESULTS / "access.log", RESULTS / "gunicorn.log"
    access_log.unlink(missing_ok=True)
    port = args.port or free_port()
    server = start_gunicorn(env, port, args, access_log, error_log)
    print(f"Measuring on http://{HOST}:{port}")
    try:
        scenarios = page_scenarios(urls, static_url(port, urls["home"]))
        results = {}
        for scenario in scenarios:
            result = results[scenario.name] = measure(port, scenario, args)
            print(
                f"  {scenario.label:<26} {result.rps:7.0f} req/s"
                f"   p50 {result.percentile(50) * 1000:6.1f} ms"
                f"   {result.requests} requests, {result.errors} errors"
            )
    finally:
        stop(server)

    times = server_times(access_log)
    rows = [summarise(s, results[s.name], times[s.name]) for s in scenarios]
    report["table"] = table(rows)
    report["targets"] = check_targets({row["name"]: row for row in rows})
    report["scenarios"] = rows
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    REPORT.write_text(markdown(report))

    print(f"\n{report['table']}\n")
    if not all(row["answers_as_expected"] for row in rows):
        print("(!) some answers were not 200 OK or not as cached as expected: see latest.json\n")
    for target in report["targets"]:
        print(f"{'PASS' if target['passed'] else 'FAIL'}  {target['target']}: {target['figure']}")
    print(f"\nWrote {REPORT.relative_to(ROOT)} and {(RESULTS / 'latest.json').relative_to(ROOT)}")
    return 0 if all(target["passed"] for target in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
