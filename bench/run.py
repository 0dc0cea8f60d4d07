"""`make bench`: throughput and latency of the demo site under gunicorn, production settings.

Prepares a database of its own (migrate, load_demo --force, collectstatic, compile_catalogues),
serves it with gunicorn on a free port of 127.0.0.1, measures each scenario with the load
generator in bench/loadgen.py, checks the targets, prints a table and writes
docs/performance.md (bench/report.py) and bench/results/latest.json. New page scenarios go in
a function like page_scenarios(); new targets in check_targets(). Reservations are measured
without HTTP, on PostgreSQL, by bench/reservations.py; their targets are in
check_reservation_targets().
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from api import measure_api
from cold import cold_render_script
from edits import check_edit_targets, measure_edits
from loadgen import LoadResult, Request, percentile, run_load
from report import (
    api_summary,
    edits_summary,
    machine,
    markdown,
    problems,
    reservation_summary,
    table,
    without_password,
)
from reservations import measure_reservations

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "docs" / "performance.md"
HAND_MEASURED = "## Measured by hand"
SCALE_SECTION = "## At scale"  # written by --scale (bench/scale.py)
CLUSTER_SECTION = "\n## Cluster\n"  # written by `make cluster-bench` (bench/cluster_load.py)
ACCESS_LOG = RESULTS / "access.log"
SERVER_LOG = RESULTS / "server.log"
DATABASE = RESULTS / "bench.sqlite3"  # the default database; the run starts it afresh
MEDIA = RESULTS / "media"
HOST = "127.0.0.1"
TAG = "X-Bench"  # request header naming scenario and phase; gunicorn's access log records it
ACCESS_LOG_FORMAT = f"%({{{TAG.lower()}}}i)s %(s)s %(D)s"  # tag, status, microseconds

CACHED_SHARE_OF_STATIC = 0.80
STORY_SERVER_MS = 15.0
RESERVATIONS_PER_SECOND = 100
RESERVATION_P99_MS = 100.0
API_RESERVATIONS_PER_SECOND = 50
PORTAL_SERVER_MS = 50.0

# Prints the URLs to measure from the demo content, as JSON. The story is the first practice
# example the stories index shows (newest first).
DISCOVER_URLS = """
import json
from urllib.parse import urlsplit
from wagtail.models import Locale
from booking.models import CoursePage
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
    "course": url(CoursePage, "path"),
}))
"""

# Signs contact-promen in (a session row, as a login makes) and prints the session key and
# the portal URLs to measure, among them one of Promen's bookings.
PORTAL_SESSION = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import translation
from booking.models import Booking
user = get_user_model().objects.get(username="contact-promen")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
booking = Booking.objects.filter(organisation=user.membership.organisation).latest("pk")
with translation.override("nl"):
    print(json.dumps({
        "session": session.session_key,
        "overview": reverse("portal:overview"),
        "groups": reverse("portal:find_groups"),
        "booking": reverse("portal:booking", args=[booking.pk]),
    }))
"""


@dataclass
class Scenario:
    name: str  # short id, used in the access log and the JSON
    label: str
    request: Request
    page_cache: str | None = None  # the X-Page-Cache every answer must carry ("none": absent)


def page_scenarios(urls: dict[str, str], portal: dict, static_url: str) -> list[Scenario]:
    """Each page cached (anonymous) and uncached (a session cookie makes core/cache.py pass
    the request on, so the page is rendered every time), a course page (never cached whole),
    the portal's pages signed in as a contact person, then a static file as the ceiling."""
    session = {"Cookie": f"sessionid={secrets.token_hex(16)}"}
    scenarios = []
    for key, label in (("home", "Home page"), ("stories", "Stories index"), ("story", "Story")):
        scenarios += [
            Scenario(f"{key}-cached", f"{label}, cached", Request(urls[key]), "hit"),
            Scenario(
                f"{key}-uncached", f"{label}, uncached", Request(urls[key], headers=session), "none"
            ),
        ]
    # Course pages show free seats, so even anonymous visitors get a freshly rendered page.
    scenarios.append(
        Scenario("course", "Course page (seats always fresh)", Request(urls["course"]), "none")
    )
    signed_in = {"Cookie": f"sessionid={portal['session']}"}
    for key, label in (
        ("overview", "Portal: overview"),
        ("groups", "Portal: find a group"),
        ("booking", "Portal: a booking and its history"),
    ):
        scenarios.append(
            Scenario(f"portal-{key}", label, Request(portal[key], headers=signed_in), "none")
        )
    scenarios.append(Scenario("static", "Static file (whitenoise)", Request(static_url)))
    return scenarios


# --- the site and its server ---------------------------------------------------------------


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
    )
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("DATABASE_URL", f"sqlite:///{DATABASE}")
    # Production settings refuse SQLite and a cache without Redis; the benchmark runs on them
    # by default (and the reservation phase without Redis), on one machine.
    env.setdefault("LEERPLEIN_SINGLE_PROCESS_TRIAL", "1")
    env.setdefault("MEDIA_ROOT", str(MEDIA))
    env.setdefault("CACHE_KEY_PREFIX", "leerplein-bench")  # never mix with a real site's cache
    if "REDIS_URL" not in env and redis_answers():
        env["REDIS_URL"] = f"redis://{HOST}:6379/0"
    return env


def manage(env: dict, *args: str, quiet: bool = False) -> str:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    if not quiet:
        print(f"  manage.py {' '.join(args):<26} {time.monotonic() - started:5.1f} s")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
        return True
    except OSError:
        return False


@contextmanager
def gunicorn(env: dict, port: int, args, access_log: Path = ACCESS_LOG):
    """Serve the site on `port` for the duration of the block; stop it however the block ends."""
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(args.workers)),
        *("--worker-class", "gthread", "--threads", str(args.threads)),
        *("--access-logfile", str(access_log), "--access-logformat", ACCESS_LOG_FORMAT),
        *("--error-logfile", "-", "--log-level", "warning", "--no-control-socket"),
    ]
    if listening(port):
        sys.exit(f"Port {port} is taken: something else would answer the benchmark.")
    access_log.unlink(missing_ok=True)
    with SERVER_LOG.open("w") as log:
        # A session of its own, so the whole process group can be stopped at the end.
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while not listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start:\n{SERVER_LOG.read_text()[-3000:]}")
            time.sleep(0.2)
        yield
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@contextmanager
def serving(env: dict, args):
    """gunicorn on a free port, for the block; yields the port."""
    port = free_port()
    with gunicorn(env, port, args):
        yield port


def get(port: int, request: Request) -> str:
    """The body of one answer; stops the benchmark unless it is 200 OK."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request(request.method, request.path, body=request.body, headers=request.headers)
    response = conn.getresponse()
    body = response.read().decode(errors="replace")
    conn.close()
    if response.status != 200:
        sys.exit(
            f"{request.method} {request.path} answered {response.status}; "
            f"the server's log ends with:\n{SERVER_LOG.read_text()[-3000:]}"
        )
    return body


def static_url(port: int, home: str) -> str:
    """The stylesheet the home page links to, else any file whitenoise serves."""
    links = re.findall(r"""/static/[^"'\s?#]+\.css""", get(port, Request(home)))
    if links:
        return next((link for link in links if "leerplein" in link), links[0])
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    return "/static/" + manifest.get("css/leerplein.css", next(iter(manifest.values())))


def server_times(access_log: Path = ACCESS_LOG) -> dict[str, list[float]]:
    """Milliseconds gunicorn spent on each request, sorted, by X-Bench tag."""
    times = defaultdict(list)
    for line in access_log.read_text().splitlines():
        tag, _status, micros = line.rsplit(" ", 2)
        times[tag].append(int(micros) / 1000)
    return {tag: sorted(values) for tag, values in times.items()}


# --- measuring -----------------------------------------------------------------------------


def send(port: int, scenario: Scenario, phase: str, connections: int, seconds: float, args):
    request = scenario.request
    headers = {**request.headers, TAG: f"{scenario.name}:{phase}"}
    return run_load(
        HOST,
        port,
        Request(request.path, request.method, headers, request.body),
        connections=connections,
        seconds=seconds,
        max_requests=args.max_requests // args.rounds,
    )


def measure(port: int, scenarios: list[Scenario], args) -> dict[str, dict[str, LoadResult]]:
    """Per scenario: warm up, then one connection alone (the time one request takes, without
    waiting for others), then the load. The load comes in rounds that take turns over the
    scenarios, so a disturbance on the machine hits all of them alike."""
    results = {}
    for scenario in scenarios:
        send(port, scenario, "warmup", args.connections, args.warmup, args)
        results[scenario.name] = {"alone": send(port, scenario, "alone", 1, args.alone, args)}
    print(f"  warm-up and one connection alone: done; {args.rounds} rounds under load")
    rounds = defaultdict(list)
    for _ in range(args.rounds):
        for scenario in scenarios:
            seconds = args.seconds / args.rounds
            rounds[scenario.name].append(
                send(port, scenario, "load", args.connections, seconds, args)
            )
    for name, parts in rounds.items():
        results[name]["load"] = LoadResult.combine(parts)
    return results


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def summarise(scenario: Scenario, results: dict[str, LoadResult], times: dict, workers: int):
    load, alone = results["load"], results["alone"]
    server = times.get(f"{scenario.name}:load", [])
    server_alone = times.get(f"{scenario.name}:alone", [])
    problems = []
    for phase in ("alone", "load"):
        result = results[phase]
        if result.errors or result.statuses.get(200, 0) != result.requests:
            problems.append(f"{phase}: {result.errors} errors, statuses {dict(result.statuses)}")
        expected = result.cache.get(scenario.page_cache, 0)
        # Without Redis each worker has a cache of its own and may miss once.
        allowed = workers if scenario.page_cache == "hit" else 0
        if scenario.page_cache and expected < result.requests - allowed:
            problems.append(
                f"{phase}: {expected} of {result.requests} answers had X-Page-Cache "
                f"{scenario.page_cache!r}; got {dict(result.cache)}"
            )
    return {
        "name": scenario.name,
        "label": scenario.label,
        "path": scenario.request.path,
        "requests": load.requests,
        "seconds": round(load.seconds, 2),
        "rps": round(load.rps, 1),
        "latency_ms": {p: ms(load.percentile(p)) for p in (50, 90, 99)},
        "server_ms": {p: round(percentile(server, p), 2) for p in (50, 90, 99)},
        "alone": {
            "requests": alone.requests,
            "latency_ms": {p: ms(alone.percentile(p)) for p in (50, 99)},
            "server_ms": {p: round(percentile(server_alone, p), 2) for p in (50, 99)},
        },
        "kb_per_answer": round(load.bytes / max(1, load.requests) / 1024, 1),
        "page_cache": dict(load.cache),
        "problems": problems,
    }


def check_targets(rows: dict[str, dict]) -> list[dict]:
    targets = []
    static_rps = rows["static"]["rps"]
    for row in rows.values():
        if row["name"].endswith("-cached"):
            share = row["rps"] / static_rps if static_rps else 0.0
            targets.append(
                {
                    "target": f"{row['label']}: at least {CACHED_SHARE_OF_STATIC:.0%} of the "
                    "static file's req/s",
                    "figure": f"{share:.0%} ({row['rps']:.0f} of {static_rps:.0f} req/s)",
                    "passed": share >= CACHED_SHARE_OF_STATIC and not row["problems"],
                }
            )
    story = rows["story-uncached"]
    server_ms = story["alone"]["server_ms"][50]
    targets.append(
        {
            "target": f"Story, uncached: median server time under {STORY_SERVER_MS:g} ms",
            "figure": f"{server_ms} ms with one connection, {story['server_ms'][50]} ms under "
            f"load; p50 latency at the client {story['alone']['latency_ms'][50]} ms alone, "
            f"{story['latency_ms'][50]} ms under load",
            "passed": server_ms < STORY_SERVER_MS and not story["problems"],
        }
    )
    for row in rows.values():
        if row["name"].startswith("portal-"):
            server_ms = row["alone"]["server_ms"][50]
            targets.append(
                {
                    "target": f"{row['label']}: median server time under {PORTAL_SERVER_MS:g} ms",
                    "figure": f"{server_ms} ms with one connection, {row['server_ms'][50]} ms "
                    f"under load ({row['rps']:.0f} req/s)",
                    "passed": server_ms < PORTAL_SERVER_MS and not row["problems"],
                }
            )
    return targets


def check_api_targets(result: dict) -> list[dict]:
    if "skipped" in result:
        return []
    load = result["load"]
    return [
        {
            "target": f"API reservations over HTTP: at least {API_RESERVATIONS_PER_SECOND} "
            "per second",
            "figure": f"{load['per_second']:.0f} per second ({load['connections']} connections; "
            f"p50 {load['latency_ms'][50]} ms, p99 {load['latency_ms'][99]} ms)",
            "passed": load["per_second"] >= API_RESERVATIONS_PER_SECOND and not result["problems"],
        },
        {
            "target": "API reservations: no group has more confirmed seats than its capacity",
            "figure": f"{result['over_capacity']} of {result['groups']} groups over capacity; "
            f"{result['confirmed']} confirmed, {result['waitlisted']} waitlisted",
            "passed": result["over_capacity"] == 0 and not result["problems"],
        },
    ]


def check_reservation_targets(result: dict) -> list[dict]:
    if "skipped" in result:
        return []
    load = result["load"]
    clients = f"{load['clients']} clients, {result['groups']} groups"
    return [
        {
            "target": f"Reservations: at least {RESERVATIONS_PER_SECOND} per second",
            "figure": f"{load['per_second']:.0f} per second ({clients})",
            "passed": load["per_second"] >= RESERVATIONS_PER_SECOND and not result["problems"],
        },
        {
            "target": f"Reservations: p99 latency under {RESERVATION_P99_MS:g} ms",
            "figure": f"{load['latency_ms'][99]} ms under load (p50 {load['latency_ms'][50]} ms, "
            f"p95 {load['latency_ms'][95]} ms); one client alone: p99 "
            f"{result['alone']['latency_ms'][99]} ms",
            "passed": load["latency_ms"][99] < RESERVATION_P99_MS,
        },
        {
            "target": "Reservations: no group has more confirmed seats than its capacity",
            "figure": f"{result['over_capacity']} of {result['groups']} groups over capacity; "
            f"{result['confirmed']} confirmed, {result['waitlisted']} waitlisted, "
            f"{load['busy']} told to try again",
            "passed": result["over_capacity"] == 0 and not result["problems"],
        },
    ]


def setup(env: dict, args) -> dict:
    return {
        "settings": env["DJANGO_SETTINGS_MODULE"],
        "database": f"SQLite, {DATABASE.relative_to(ROOT)}"
        if env["DATABASE_URL"] == f"sqlite:///{DATABASE}"
        else without_password(env["DATABASE_URL"]),
        "cache": f"Redis ({without_password(env['REDIS_URL'])})"
        if env.get("REDIS_URL")
        else "local memory, one per worker (no Redis answered on 127.0.0.1:6379)",
        "server": f"gunicorn, {args.workers} gthread workers × {args.threads} "
        f"thread{'s' if args.threads > 1 else ''}, access log on",
        "client": f"bench/loadgen.py (pure Python), {args.connections} keep-alive connections, "
        f"one process each; per scenario {args.warmup:g} s warm-up, {args.alone:g} s with one "
        f"connection alone, {args.seconds:g} s under load in {args.rounds} rounds",
    }


# --- the command ---------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--seconds", type=float, default=8, help="time under load per scenario (8)")
    add("--rounds", type=int, default=4, help="the time under load comes in rounds (4)")
    add("--alone", type=float, default=2, help="time with one connection per scenario (2)")
    add("--warmup", type=float, default=1, help="warm-up time per scenario (1)")
    add("--connections", type=int, default=4, help="concurrent connections under load (4)")
    add("--max-requests", type=int, default=100_000, help="cap per phase (100000)")
    add("--workers", type=int, default=len(os.sched_getaffinity(0)), help="(nproc)")
    add("--threads", type=int, default=1, help="threads per gunicorn worker (1)")
    add("--port", type=int, default=0, help="(a free port)")
    add("--reservation-seconds", type=float, default=10, help="time booking seats (10)")
    add("--reservation-alone", type=float, default=3, help="time with one client alone (3)")
    add("--reservation-workers", type=int, default=4, help="booking processes (4)")
    # One client per process, like a synchronous app-server worker that answers one request at
    # a time; more clients than cores measure queueing on the CPU rather than the booking.
    add("--reservation-threads", type=int, default=1, help="clients per booking process (1)")
    add("--reservation-groups", type=int, default=40, help="open groups of 5 seats (40)")
    add(
        "--only",
        choices=["pages", "edits", "reservations", "api"],
        help="measure one part; docs/performance.md is then left alone",
    )
    add("--scale", type=int, default=0, help="N: the site with N story pages (bench/scale.py)")
    add("--scale-seconds", type=float, default=3, help="with --scale: time per URL (3)")
    add("--scale-requests", type=int, default=300, help="with --scale: cap per URL (300)")
    add(
        "--scale-engine",
        choices=["both", "sqlite", "postgresql"],
        default="both",
        help="with --scale: the databases to measure (both)",
    )
    add(
        "--strict",
        action="store_true",
        help="exit with status 1 when a target is missed (a benchmark reports by default)",
    )
    add(
        "--no-prepare",
        dest="prepare",
        action="store_false",
        help="skip migrate, load_demo, collectstatic and compile_catalogues",
    )
    return parser.parse_args()


def hand_measured_sections() -> str:
    """What docs/performance.md says from its "At scale" heading (written by `--scale`), its
    "Measured by hand" heading or its "Cluster" heading (`make cluster-bench`) on, whichever
    comes first: figures this run does not produce, kept when it rewrites the file."""
    text = REPORT.read_text() if REPORT.exists() else ""
    kept = (SCALE_SECTION, HAND_MEASURED, CLUSTER_SECTION)
    starts = [start for start in map(text.find, kept) if start >= 0]
    return "" if not starts else "\n" + text[min(starts) :]


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = bench_environment()
    report = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()}
    report["setup"] = setup(env, args)
    for key, value in report["setup"].items():
        print(f"{key:>9}: {value}")
    load = report["machine"]["load_average"]
    if load > report["machine"]["cpus"] / 2:
        print(
            f"  warning: the machine is busy (load average {load:.1f}); "
            "the figures will be lower and noisier than on a quiet machine"
        )

    if args.scale:
        from scale import measure_at_scale

        return measure_at_scale(env, args, manage, report["machine"], report["setup"])

    report["targets"] = []
    if args.only in (None, "pages"):
        report |= measure_pages(env, args)
    if args.only in (None, "edits"):
        print("Visitors read while a coordinator edits a group every second (bench/edits.py)")
        if args.only == "edits":
            prepare_site(env, args)
        urls = json.loads(manage(env, "shell", "-c", DISCOVER_URLS, quiet=True).splitlines()[-1])
        report["edits"] = measure_edits(env, args, lambda env: serving(env, args), urls)
        report["targets"] += check_edit_targets(report["edits"])
    if args.only in (None, "reservations"):
        print("Booking seats on PostgreSQL (bench/reservations.py)")
        report["reservations"] = measure_reservations(env, args, manage)
        report["targets"] += check_reservation_targets(report["reservations"])
    if args.only in (None, "api"):
        print("Booking seats through the API on PostgreSQL (bench/api.py)")
        report["api"] = measure_api(env, args, manage, lambda env: serving(env, args))
        report["targets"] += check_api_targets(report["api"])
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    if args.only is None:
        REPORT.write_text(markdown(report) + hand_measured_sections())

    if "table" in report:
        print(f"\n{report['table']}\n")
    if report.get("problems"):
        print(f"{report['problems']}\n")
    if "edits" in report:
        print(f"{edits_summary(report['edits'])}\n")
    if "reservations" in report:
        print(f"{reservation_summary(report['reservations'])}\n")
    if "api" in report:
        print(f"{api_summary(report['api'])}\n")
    for target in report["targets"]:
        print(f"{'PASS' if target['passed'] else 'FAIL'}  {target['target']}: {target['figure']}")
    written = [REPORT] if args.only is None else []
    written.append(RESULTS / "latest.json")
    print(f"\nWrote {' and '.join(str(path.relative_to(ROOT)) for path in written)}")
    missed = not all(target["passed"] for target in report["targets"])
    return 1 if missed and args.strict else 0


def prepare_site(env: dict, args):
    """A fresh demo site: migrate, load_demo, collectstatic, compile_catalogues."""
    if not args.prepare:
        return
    print("Preparing the demo site")
    if env["DATABASE_URL"] == f"sqlite:///{DATABASE}":  # ours: start from scratch
        for path in RESULTS.glob(f"{DATABASE.name}*"):
            path.unlink()
        if env["MEDIA_ROOT"] == str(MEDIA):
            shutil.rmtree(MEDIA, ignore_errors=True)
    manage(env, "migrate", "--no-input")
    manage(env, "load_demo", "--force")
    manage(env, "collectstatic", "--noinput")
    manage(env, "compile_catalogues")


def measure_pages(env: dict, args) -> dict:
    """Prepare the demo site, serve it with gunicorn and measure every page scenario."""
    prepare_site(env, args)
    urls = json.loads(manage(env, "shell", "-c", DISCOVER_URLS, quiet=True).splitlines()[-1])
    if not all(urls.values()):
        sys.exit(f"The demo site lacks a live Dutch page: {urls}")
    portal = json.loads(manage(env, "shell", "-c", PORTAL_SESSION, quiet=True).splitlines()[-1])

    port = args.port or free_port()
    with gunicorn(env, port, args):
        print(f"Measuring on http://{HOST}:{port}")
        scenarios = page_scenarios(urls, portal, static_url(port, urls["home"]))
        for scenario in scenarios:
            get(port, scenario.request)  # an error page stops here, with the server's log
        results = measure(port, scenarios, args)
    print("Rendering each page right after a publish (every cache stale)")
    pages = [urls["home"], urls["stories"], urls["story"], urls["course"]]
    cold = manage(env, "shell", "-c", cold_render_script(pages), quiet=True)

    times = server_times()
    rows = [summarise(s, results[s.name], times, args.workers) for s in scenarios]
    return {
        "cold": json.loads(cold.splitlines()[-1]),
        "table": table(rows),
        "problems": problems(rows),
        "targets": check_targets({row["name"]: row for row in rows}),
        "scenarios": rows,
    }


if __name__ == "__main__":
    sys.exit(main())
