"""`make bench SCALE=N` (`bench/run.py --scale N`): the site with N stories beside the demo.

For SQLite and for PostgreSQL, and for each of two sizes (the demo site, and the demo plus N
story pages and N/10 course groups made by bench/content_scale.py), this

1. prepares the database: built once (migrate, `load_demo --force`, the scale content) and
   kept under bench/results/scale-cache/, keyed by N and by the code that shapes the rows
   (migrations, demo/, content_scale.py, requirements.txt); later runs restore the
   copy (SQLite: a file copy; PostgreSQL: pg_dump / pg_restore). Then
   `manage.py rebuild_site_search` when the site has that command, and ANALYZE;
2. finds the URLs to measure in the database and on the site itself (the sitemap's sections
   are the links in /sitemap.xml, the last page of the stories index is the number of pages
   its first page says it has), and counts each URL's SQL queries and HTML size in-process:
   Django's test client with production settings, a random session cookie (so the page cache
   passes the request on, as for a signed-in visitor), CaptureQueriesContext on the first
   request (no fragment cached yet) and on the second, when fragments and routes are warm as
   they are under gunicorn;
3. measures each URL under gunicorn with one connection, as the *alone* phase of `make bench`:
   server time from gunicorn's access log, p50 and p99.

`--scale-engine sqlite|postgresql` measures one database and keeps the other's figures from
the last run with the same N; `--scale-seconds` is the time per URL. It prints a table per
database (demo size beside N, with the ratio), marks the targets that
miss and writes bench/results/scale-N.json and the "At scale" section of
docs/performance.md (the other sections stay as `make bench` wrote them). A benchmark, not a
test: it exits 0 whatever it measures, unless --strict.

PostgreSQL: the server of BENCH_POSTGRES_URL, else of DATABASE_URL when that is PostgreSQL,
else postgres://postgres@127.0.0.1:5432. The databases are named after the database in that
URL, when it names one, else `leerplein_bench_scale`: `<name>_demo` and `<name>_<N>`, dropped
and made afresh by each run. Without a server that answers, PostgreSQL is left out and the
report says why.

`probe()` runs inside Django (`manage.py shell -c`, the benchmark's environment).
"""

import hashlib
import json
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "scale-cache"
REPORT = ROOT / "docs" / "performance.md"
SECTION = "## At scale"
HAND_MEASURED = "## Measured by hand"
SEARCH_WORD = "digitale"
DEFAULT_DATABASE = "leerplein_bench_scale"

# What the rows of a built database depend on: when one of these changes, it is built again.
# Models are left out: what they store changes with a migration; what they compute (search
# text, say) is computed again by `rebuild_site_search` after each restore.
CODE_VERSION_GLOBS = [
    "*/migrations/*.py",
    "demo/**/*.py",
    "demo/content/**/*",
    "bench/content_scale.py",
    "requirements.txt",
]

# Targets (the brief of issue 11): server time p50 in milliseconds unless said otherwise.
SEARCH_MS = {"sqlite": 300.0, "postgresql": 100.0}
STORIES_SEARCH_MS = 100.0
SITEMAP_SECTION_MS = 150.0
COURSE_MS = 40.0
COURSE_KB = 60.0
COURSE_TARGET_GROUPS = 100
GROWTH = 1.5  # home and course index at N: at most this many times their demo-size time
DEMO_UNCACHED_MS = 20.0  # home and stories index, uncached, at demo size

ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# --- in-process probe (run as a Django script) ----------------------------------------------


def probe() -> dict:
    """URLs to measure, with each one's queries, status and size (see the module's doc)."""
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone, translation
    from wagtail.models import Locale

    from booking.models import CourseGroup, CourseIndexPage, CoursePage
    from home.models import HomePage
    from stories.models import InterviewPage, PracticeExamplePage, StoryIndexPage, Theme

    nl = Locale.objects.get(language_code="nl")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = secrets.token_hex(16)  # a signed-in visitor: never cached
    found = []

    def path(model, *order, **filters):
        page = model.objects.live().public().filter(locale=nl, **filters).order_by(*order).first()
        return page and urlsplit(page.get_url()).path

    def measure(name, label, url) -> str:
        """Count one URL's queries (first and second request); returns its text."""
        if not url:
            found.append({"name": name, "label": label, "path": None, "problem": "no such page"})
            return ""
        # API clients send no session cookie; pages get the signed-in visitor's.
        asker = Client(HTTP_HOST="127.0.0.1") if name.startswith("api") else client
        # The first request finds none of the page's fragments cached yet (the cache key
        # prefix is new for each run), as the first visitor after a change, or of a new search
        # term. URLs are found from the pages measured, so no request comes before it.
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as first:
            asker.get(url)
        first_ms = (time.perf_counter() - started) * 1000
        with CaptureQueriesContext(connection) as queries:
            response = asker.get(url)
        row = {
            "name": name,
            "label": label,
            "path": url,
            "status": response.status_code,
            "queries": len(queries),
            "first_queries": len(first),
            "first_ms": round(first_ms, 1),
            "kb": round(len(response.content) / 1024, 1),
        }
        if response.status_code != 200:
            row["problem"] = f"answered {response.status_code}"
        found.append(row)
        return response.content.decode(errors="replace")

    stories = path(StoryIndexPage, "path")
    themes = list(Theme.objects.filter(locale=nl).values_list("slug", flat=True))
    theme = "digitale-vaardigheden" if "digitale-vaardigheden" in themes else themes[0]
    today = timezone.localdate()
    upcoming = Q(groups__sessions__date__gte=today) & ~Q(groups__status="draft")
    course = (
        CoursePage.objects.live()
        .filter(locale=nl)
        .annotate(upcoming=Count("groups", filter=upcoming, distinct=True))
        .order_by("-upcoming", "path")
        .first()
    )
    with translation.override("nl"):
        search = reverse("search")

    measure("home", "Home page", path(HomePage, "path"))
    last_page = last_page_number(measure("stories", "Stories index", stories))
    measure("stories-theme", f"Stories index, theme {theme}", f"{stories}?theme={theme}")
    measure(
        "stories-search", f"Stories index, search “{SEARCH_WORD}”", f"{stories}?q={SEARCH_WORD}"
    )
    measure("stories-last", "Stories index, last page", f"{stories}?page={last_page}")
    measure("story", "A story (newest practice example)", path(PracticeExamplePage, "-date", "-pk"))
    measure("search", f"Site search “{SEARCH_WORD}”", f"{search}?q={SEARCH_WORD}")
    # The sitemap: an index of sections, or one list; each section it links to is measured.
    sitemap = measure("sitemap", "Sitemap", "/sitemap.xml")
    sections = []
    if "<sitemapindex" in sitemap:
        found[-1]["label"] = "Sitemap index"
        sections = [urlsplit(loc) for loc in re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", sitemap)]
    for number, section in enumerate(sections, start=1):
        address = section.path + (f"?{section.query}" if section.query else "")
        # Named by address: the demo and N may have different numbers of sections.
        measure(f"sitemap-{address}", f"Sitemap section {number}", address)
    measure(
        "course", "Course page with the most groups", course and urlsplit(course.get_url()).path
    )
    measure("course-index", "Course index", path(CourseIndexPage, "path"))
    measure("api-groups", "API: list of groups", "/api/v1/groups")

    story_counts = {
        language: sum(
            model.objects.live()
            .filter(locale__language_code=language, alias_of__isnull=True)
            .count()
            for model in (InterviewPage, PracticeExamplePage)
        )
        for language in ("nl", "en")
    }
    groups = CourseGroup.objects.exclude(status="draft")
    return {
        "scenarios": found,
        "facts": {
            "stories_nl": story_counts["nl"],
            "stories_en": story_counts["en"],
            "groups": groups.count(),
            "course_groups_upcoming": course.upcoming if course else 0,
            "sitemap_sections": len(sections),
            "stories_pages": last_page,
        },
    }


def last_page_number(html: str) -> int:
    """The number of pages a paginated list says it has ("Pagina 1 van 230"), else the
    highest page it links to, else 1."""
    status = re.search(r'class="pagination__status"[^>]*>([^<]*)<', html)
    numbers = re.findall(r"\d+", status.group(1)) if status else []
    if numbers:
        return int(numbers[-1])
    return max((int(n) for n in re.findall(r"[?&;]page=(\d+)", html)), default=1)


# --- databases --------------------------------------------------------------------------------


def code_version() -> str:
    digest = hashlib.sha256()
    for pattern in CODE_VERSION_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def postgres_url(env: dict) -> str | None:
    url = env.get("BENCH_POSTGRES_URL") or ""
    if not url and env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        url = env["DATABASE_URL"]
    return url or "postgres://postgres@127.0.0.1:5432"


def database_url(server: str, size: int) -> str:
    parts = urlsplit(server)
    prefix = parts.path.strip("/") or DEFAULT_DATABASE
    return urlunsplit(parts._replace(path=f"/{prefix}_{size or 'demo'}", query=""))


class Database:
    """One of the four databases: an engine and a size (0: the demo site)."""

    def __init__(self, engine: str, size: int, env: dict, version: str):
        self.engine, self.size, self.version = engine, size, version
        self.stem = f"{engine}-{size}"
        self.cached = CACHE / f"{self.stem}-{version}"  # + .sqlite3 / .dump / .json / -media
        self.media = CACHE / f"{self.stem}-{version}-media"
        if engine == "sqlite":
            self.work = RESULTS / f"scale-{size}.sqlite3"
            url = f"sqlite:///{self.work}"
        else:
            url = database_url(postgres_url(env), size)
        self.env = {
            **env,
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(self.media),
            # Never serve a fragment or page kept for another database or an earlier run.
            "CACHE_KEY_PREFIX": f"leerplein-bench-scale-{self.stem}-{secrets.token_hex(4)}",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            # The API's group list is asked for hundreds of times a second from one address;
            # with the anonymous rate limit on, most answers would be 429.
            "API_RATE_LIMIT_ANONYMOUS": "1000000/s",
        }
        self.label = f"{ENGINES[engine]}, {'demo site' if not size else f'N = {size:,}'}"

    @property
    def copy(self) -> Path:
        return self.cached.with_suffix(".sqlite3" if self.engine == "sqlite" else ".dump")

    def prepare(self, manage) -> dict:
        """The database ready to measure: restored from the cache, or built (and cached)."""
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        meta = self.cached.with_suffix(".json")
        if self.copy.exists() and meta.exists() and self.media.exists():
            self.restore()
            info = json.loads(meta.read_text())
            info["restored_seconds"] = round(time.monotonic() - started, 1)
            print(f"  {self.label}: restored from {self.copy.relative_to(ROOT)}", flush=True)
            return info
        for old in CACHE.glob(f"{self.stem}-*"):  # an older code version's copy
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        self.empty()
        manage(self.env, "migrate", "--no-input")
        manage(self.env, "load_demo", "--force")
        info = {"built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
        if self.size:
            info |= build_scale(self.env, self.size)
        info["build_seconds"] = round(time.monotonic() - started, 1)
        self.save()
        meta.write_text(json.dumps(info, indent=2) + "\n")
        print(f"  {self.label}: built in {info['build_seconds']:.0f} s", flush=True)
        return info

    def empty(self):
        shutil.rmtree(self.media, ignore_errors=True)
        if self.engine == "sqlite":
            for path in RESULTS.glob(f"{self.work.name}*"):
                path.unlink()
        else:
            problem = fresh_postgres(self.env["DATABASE_URL"])
            if problem:
                sys.exit(problem)

    def save(self):
        if self.engine == "sqlite":
            with sqlite3.connect(self.work) as source, sqlite3.connect(self.copy) as target:
                source.backup(target)
        elif shutil.which("pg_dump"):
            run(["pg_dump", "--format=custom", "--no-owner", f"--file={self.copy}"], self.env)

    def restore(self):
        if self.engine == "sqlite":
            for path in RESULTS.glob(f"{self.work.name}*"):
                path.unlink()
            with sqlite3.connect(self.copy) as source, sqlite3.connect(self.work) as target:
                source.backup(target)
        else:
            problem = fresh_postgres(self.env["DATABASE_URL"])
            if problem:
                sys.exit(problem)
            run(["pg_restore", "--no-owner", "--exit-on-error", str(self.copy)], self.env)


def run(command: list[str], env: dict):
    """pg_dump or pg_restore on the database of env's DATABASE_URL."""
    parts = urlsplit(env["DATABASE_URL"])
    tool_env = {
        **env,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "PGDATABASE": parts.path.lstrip("/"),
    }
    if parts.password:
        tool_env["PGPASSWORD"] = parts.password
    if command[0] == "pg_restore":
        command = [*command[:-1], f"--dbname={tool_env['PGDATABASE']}", command[-1]]
    done = subprocess.run(command, env=tool_env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{command[0]} failed:\n{done.stdout}{done.stderr}")


def fresh_postgres(url: str) -> str | None:
    from reservations import fresh_database

    return fresh_database(url)


def build_scale(env: dict, size: int) -> dict:
    """bench/content_scale.py in a subprocess, its progress shown as it comes."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "content_scale.py"), str(size)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("  "):
            print(f"  {line.rstrip()}", flush=True)
    if process.wait():
        sys.exit(f"bench/content_scale.py {size} failed:\n{''.join(lines[-40:])}")
    return json.loads(lines[-1])


def has_command(env: dict, name: str) -> bool:
    done = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return name in done.stdout.split()


ANALYZE = "from django.db import connection; connection.cursor().execute('ANALYZE')"


# --- measuring --------------------------------------------------------------------------------


def measure_database(database: Database, args, manage) -> dict:
    """Prepare one database, probe it in-process, then time each URL under gunicorn."""
    from loadgen import Request, percentile, run_load
    from run import HOST, TAG, free_port, gunicorn, server_times

    result = {"database": database.label, "engine": database.engine, "size": database.size}
    result["prepared"] = database.prepare(manage)
    if has_command(database.env, "rebuild_site_search"):
        started = time.monotonic()
        manage(database.env, "rebuild_site_search")
        result["prepared"]["rebuild_site_search_seconds"] = round(time.monotonic() - started, 1)
    # Planner statistics, as a live database has them (PostgreSQL's autovacuum analyses what
    # changed); a restored dump or a fresh SQLite file has none, and plans counted seats with
    # a scan per group.
    manage(database.env, "shell", "-c", ANALYZE, quiet=True)
    probed = json.loads(
        manage(database.env, "shell", "-c", PROBE, quiet=True).strip().splitlines()[-1]
    )
    result["facts"] = probed["facts"]
    rows = probed["scenarios"]
    cookie = {"Cookie": f"sessionid={secrets.token_hex(16)}"}
    port = free_port()
    access_log = RESULTS / f"access-scale-{database.stem}.log"  # apart from `make bench`'s
    with gunicorn(database.env, port, args, access_log):
        print(f"  {database.label}: timing {len(rows)} URLs on http://{HOST}:{port}", flush=True)
        for row in rows:
            if not row["path"]:
                continue
            headers = {} if row["name"].startswith("api") else cookie

            def send(phase, seconds, max_requests, row=row, headers=headers):
                request = Request(row["path"], headers={**headers, TAG: f"{row['name']}:{phase}"})
                return run_load(
                    HOST, port, request, connections=1, seconds=seconds, max_requests=max_requests
                )

            warm = send("warmup", 0.5, 5)
            each = warm.seconds / max(1, warm.requests)
            # At least 20 requests for the slow pages, within a minute.
            seconds = max(args.scale_seconds, min(60.0, 20 * each))
            alone = send("alone", seconds, args.scale_requests)
            if alone.statuses.get(200, 0) != alone.requests or alone.errors:
                row["problem"] = f"statuses {dict(alone.statuses)}, {alone.errors} errors"
            row["requests"] = alone.requests
            row["latency_ms"] = {p: round(alone.percentile(p) * 1000, 2) for p in (50, 99)}
    times = server_times(access_log)
    for row in rows:
        server = times.get(f"{row['name']}:alone", [])
        row["server_ms"] = {p: round(percentile(server, p), 2) for p in (50, 99)}
    result["scenarios"] = rows
    return result


PROBE = f"""
import json, sys
sys.path.insert(0, {str(ROOT / "bench")!r})
from scale import probe
print(json.dumps(probe()))
"""


# --- targets and report -----------------------------------------------------------------------


def _rows(result: dict | None) -> dict[str, dict]:
    return {row["name"]: row for row in (result or {}).get("scenarios", [])}


def _server_ms(row: dict | None, p: int) -> float | None:
    """A percentile of the row's server time; None when not measured. Read back from JSON,
    the percentiles are strings."""
    times = (row or {}).get("server_ms", {})
    value = times.get(p, times.get(str(p)))
    return None if value is None or value != value else value  # NaN: no request


def _p50(row: dict | None) -> float | None:
    return _server_ms(row, 50)


def check_targets(engine: str, demo: dict | None, scaled: dict | None, size: int) -> list[dict]:
    """The targets for one database; each names the row it belongs to."""
    small, large = _rows(demo), _rows(scaled)
    targets = []

    def add(row_name, target, value, passed, figure):
        targets.append(
            {
                "engine": engine,
                "row": row_name,
                "target": target,
                "figure": figure,
                "passed": bool(passed) and value is not None,
            }
        )

    def under(row_name, limit, target, rows=large, where=f"N = {size:,}", at_most=False):
        value = _p50(rows.get(row_name))
        passed = value is not None and (value <= limit if at_most else value < limit)
        figure = "not measured" if value is None else f"{value:.1f} ms at {where}"
        add(
            row_name, f"{target}: p50 {'≤' if at_most else '<'} {limit:g} ms", value, passed, figure
        )

    under("search", SEARCH_MS[engine], "Site search")
    under("stories-search", STORIES_SEARCH_MS, "Stories index with a search term")
    sections = [name for name in large if name.startswith("sitemap-")]
    for name in sections or [name for name in large if name == "sitemap"]:
        under(name, SITEMAP_SECTION_MS, f"{large[name]['label']} (`{large[name]['path']}`)")
    course = large.get("course")
    if course:
        value = _p50(course)
        groups = scaled["facts"]["course_groups_upcoming"]
        add(
            "course",
            f"Course page: p50 < {COURSE_MS:g} ms and HTML < {COURSE_KB:g} kB "
            f"(target set for {COURSE_TARGET_GROUPS} groups)",
            value,
            value is not None and value < COURSE_MS and course.get("kb", 1e9) < COURSE_KB,
            f"{'not measured' if value is None else f'{value:.1f}'} ms, {course.get('kb')} kB with "
            f"{groups} upcoming groups",
        )
    for name, label in (("home", "Home page"), ("course-index", "Course index")):
        before, after = _p50(small.get(name)), _p50(large.get(name))
        ratio = after / before if before and after is not None else None
        add(
            name,
            f"{label}: at N within {GROWTH:g}× its demo-size time",
            ratio,
            ratio is not None and ratio <= GROWTH,
            "not measured" if ratio is None else f"{before:.1f} → {after:.1f} ms ({ratio:.2f}×)",
        )
    for name, label in (("home", "Home page"), ("stories", "Stories index")):
        under(name, DEMO_UNCACHED_MS, f"{label}, uncached, at demo size", small, "demo size", True)
    return targets


def table(demo: dict | None, scaled: dict | None, targets: list[dict], size: int) -> str:
    from report import padded

    small, large = _rows(demo), _rows(scaled)
    missed = {t["row"] for t in targets if not t["passed"]}
    columns = {
        "Scenario": "<",
        f"URL at N = {size:,}": "<",
        "queries demo → N": ">",
        "first ms demo → N": ">",
        "kB demo → N": ">",
        "p50 ms demo": ">",
        "p50 ms N": ">",
        "×": ">",
        "p99 ms demo": ">",
        "p99 ms N": ">",
    }
    names = list(dict.fromkeys([*large, *small]))

    def ms(row, p):
        value = _server_ms(row, p)
        return "–" if value is None else f"{value:.1f}"

    def pair(key, name):
        a, b = (small.get(name, {}).get(key, "–"), large.get(name, {}).get(key, "–"))
        return f"{a} → {b}"

    def queries(row):
        if not row or "queries" not in row:
            return "–"
        return f"{row['queries']} ({row.get('first_queries', '?')})"

    lines = []
    for name in names:
        row = large.get(name) or small.get(name)
        before, after = _p50(small.get(name)), _p50(large.get(name))
        ratio = f"{after / before:.1f}" if before and after is not None else "–"
        flags = (" **MISS**" if name in missed else "") + (
            " (!)" if (large.get(name) or {}).get("problem") else ""
        )
        lines.append(
            [
                row["label"] + flags,
                f"`{row['path']}`" if row.get("path") else "–",
                f"{queries(small.get(name))} → {queries(large.get(name))}",
                pair("first_ms", name),
                pair("kb", name),
                ms(small.get(name), 50),
                ms(large.get(name), 50),
                ratio,
                ms(small.get(name), 99),
                ms(large.get(name), 99),
            ]
        )
    return padded(columns, lines)


def describe(result: dict) -> str:
    prepared = result["prepared"]
    made = prepared.get("made", {})
    facts = result["facts"]
    how = (
        f"restored from the cache in {prepared['restored_seconds']:.0f} s (built in "
        f"{prepared['build_seconds']:.0f} s on {prepared['built']})"
        if "restored_seconds" in prepared
        else f"built in {prepared['build_seconds']:.0f} s"
    )
    parts = [f"{result['database']}: {how}"]
    if made:
        seconds = prepared.get("seconds", {})
        parts.append(
            f"the scale content: {made['stories_nl']:,} Dutch stories ({made['stories_en']:,} "
            f"translated into English, {made['aliases_en']:,} Dutch-only with an English alias), "
            f"{made['groups']:,} groups with {made['bookings']:,} bookings, in "
            f"{seconds.get('stories', 0):.0f} s (stories) and {seconds.get('groups', 0):.0f} s "
            "(groups)"
        )
    if "rebuild_site_search_seconds" in prepared:
        parts.append(f"`rebuild_site_search` {prepared['rebuild_site_search_seconds']:.0f} s")
    parts.append(
        f"live stories {facts['stories_nl']:,} nl / {facts['stories_en']:,} en, "
        f"{facts['stories_pages']} page{'s' if facts['stories_pages'] != 1 else ''} in the "
        f"stories index, {facts['groups']:,} public groups, "
        f"{facts['course_groups_upcoming']} upcoming on the biggest course page, "
        f"{facts['sitemap_sections'] or 'no'} sitemap sections"
    )
    return "; ".join(parts) + "."


def markdown(report: dict) -> str:
    size = report["scale"]
    m = report["machine"]
    parts = [
        f"""{SECTION} (`make bench SCALE={size}`)

Written by `make bench SCALE=N` (`bench/run.py --scale N`, `bench/scale.py`) on
{report["date"]}; `make bench` keeps this section. Raw figures:
`bench/results/scale-{size}.json`.

The demo site, and the demo site with N = {size:,} story pages (both languages together: about
45% Dutch originals with an English translation, 10% Dutch-only) and {size // 10:,} course groups
with bookings on top, made through Wagtail and `booking.services` by
`bench/content_scale.py`. Each URL is asked for over one connection, by a visitor with a
random session cookie (never served from the page cache; the API without one), for
`--scale-seconds` (at least 20 requests), under gunicorn with production settings; *p50* and
*p99* are gunicorn's server time (access log). *Queries* and *kB* come from Django's test
client in-process, on the second request; in brackets the queries of the first request,
when none of the page's fragments is cached yet, and *first ms* that request's time
in-process (one request: a rough figure). *×* is the p50 at N divided by the p50 at demo
size. **MISS** marks a row whose target (below) is missed.

- Machine: {m["cpus"]} CPUs, {m["cpu_model"]}; load average {m["load_average"]:.1f} at the start
- Server: {report["setup"]["server"]}; cache: {report["setup"]["cache"]}
"""
    ]
    for engine, name in ENGINES.items():
        part = report["databases"].get(engine)
        when = f" (measured {part['date']})" if part and "date" in part else ""
        parts.append(f"### {name}{when}\n")
        if not part or "skipped" in part:
            parts.append(f"Not measured: {(part or {}).get('skipped', 'not run')}.\n")
            continue
        notes = "\n".join(f"- {describe(part[key])}" for key in ("demo", "scaled"))
        problems = [
            f"- (!) {part[key]['database']}: {row['label']}: {row['problem']}"
            for key in ("demo", "scaled")
            for row in part[key]["scenarios"]
            if row.get("problem")
        ]
        parts.append(f"{part['table']}\n\n{notes}\n")
        if problems:
            parts.append("\n".join(problems) + "\n")
    targets = "\n".join(
        f"- **{'PASS' if t['passed'] else 'MISS'}** {ENGINES[t['engine']]}: {t['target']}: "
        f"{t['figure']}."
        for t in report["targets"]
    )
    parts.append(f"### Targets at scale\n\n{targets}\n")
    return "\n".join(parts)


def write_section(text: str):
    """Put the section in docs/performance.md: in place of the last one, else before the
    hand-measured figures, else at the end."""
    current = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    start = current.find(SECTION)
    if start >= 0:
        end = current.find(HAND_MEASURED, start)
        end = len(current) if end < 0 else end
    else:
        start = end = current.find(HAND_MEASURED)
        if start < 0:
            current = current.rstrip("\n") + "\n\n"
            start = end = len(current)
    REPORT.write_text(current[:start] + text.rstrip("\n") + "\n\n" + current[end:])


# --- the command ------------------------------------------------------------------------------


def measure_at_scale(env: dict, args, manage, machine: dict, setup: dict) -> int:
    size = args.scale
    RESULTS.mkdir(parents=True, exist_ok=True)
    version = code_version()
    print(f"At scale: N = {size:,} story pages, {size // 10:,} groups (code version {version})")
    manage(env, "collectstatic", "--noinput")
    manage(env, "compile_catalogues")
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "scale": size,
        "code_version": version,
        "machine": machine,
        "setup": setup,
        "databases": {},
        "targets": [],
    }
    engines = ["sqlite", "postgresql"] if args.scale_engine == "both" else [args.scale_engine]
    # A run of one database keeps the other's figures from the last run with the same N.
    previous = RESULTS / f"scale-{size}.json"
    if previous.exists() and len(engines) < len(ENGINES):
        kept = json.loads(previous.read_text())
        for engine, part in kept.get("databases", {}).items():
            if engine not in engines:
                report["databases"][engine] = part
                report["targets"] += [t for t in kept["targets"] if t["engine"] == engine]
    for engine in engines:
        if engine == "postgresql":
            problem = fresh_postgres(database_url(postgres_url(env), 0))
            if problem:
                report["databases"][engine] = {"skipped": problem}
                print(f"  PostgreSQL left out: {problem}")
                continue
        results = {
            key: measure_database(Database(engine, n, env, version), args, manage)
            for key, n in (("demo", 0), ("scaled", size))
        }
        targets = check_targets(engine, results["demo"], results["scaled"], size)
        results["table"] = table(results["demo"], results["scaled"], targets, size)
        results["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        report["databases"][engine] = results
        report["targets"] += targets
        print(f"\n{ENGINES[engine]}\n{results['table']}\n")
    (RESULTS / f"scale-{size}.json").write_text(json.dumps(report, indent=2) + "\n")
    write_section(markdown(report))
    for target in report["targets"]:
        print(
            f"{'PASS' if target['passed'] else 'MISS'}  {ENGINES[target['engine']]}: "
            f"{target['target']}: {target['figure']}"
        )
    print(
        f"\nWrote the “At scale” section of {REPORT.relative_to(ROOT)} and "
        f"bench/results/scale-{size}.json"
    )
    missed = not all(target["passed"] for target in report["targets"])
    return 1 if missed and args.strict else 0
