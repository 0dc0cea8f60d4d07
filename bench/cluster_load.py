"""`make cluster-bench`: the cluster of `make cluster` (deploy/cluster.py) under a mixed load.

Visitors, contact persons and coordinators share the site as in a busy week: 90% of the
requests are visitors' (home, story index, stories, course pages, feeds, search), 8% contact
persons' (they log in once, read the portal, reserve a seat and cancel it again) and 2%
coordinators' (they log in to the Wagtail admin once and save a group with a new trainer,
as bench/edits.py does through the service). Each client process runs a closed loop: the next
request goes as soon as the previous answer is in. The run goes through Varnish (the entry,
HTTP cache in front) and straight at HAProxy (no HTTP cache), then straight at HAProxy with one
app node (`cluster.py node stop 2`) to compare. Figures go to the "## Cluster" section of
docs/performance.md (kept by `make bench`) and bench/results/cluster.json.

A client retries what failed on the way (no connection, 502, 503, 504) a few times with a
short pause, as a browser user or an integration would; every POST it sends is safe to repeat
(the reservation form and the API carry a key, a login or a save again changes nothing more),
so nothing is booked twice. It counts failures before a retry and after the last one.

The same client, in threads, is the background load of the fault tests
(tests/cluster/test_faults.py): `BackgroundLoad`. Only loopback addresses are used.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import resource
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin

from loadgen import LOOPBACK, percentile

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = ROOT / "deploy" / "cluster.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
REPORT = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
SECTION = "## Cluster"
HOST = "127.0.0.1"
PASSWORD = "leerplein-demo"  # noqa: S105 - the demo accounts' published one (demo/accounts.py)

# Pauses before each retry of a failed request, in seconds: about 15 s in all, longer than a
# PostgreSQL restart or a node leaving the load balancer's rotation (two checks, 4 s).
RETRY_PAUSES = (0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 4.0)
RETRY_STATUSES = {502, 503, 504}
TIMEOUT = 20

MIX = {"visitor": 90, "contact": 8, "coordinator": 2}
ROLES = {"visitor": "visitors", "contact": "contact persons", "coordinator": "coordinators"}

# Prints, as JSON, what the clients need from the cluster's database: the pages visitors
# read, the groups open for booking by anyone, the demo accounts and their paths.
DISCOVER = r"""
import json
from urllib.parse import urlsplit
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale
from booking.admin.groups import NAMESPACE
from booking.models import CourseGroup, CoursePage, Membership
from booking.roles import coordinates
from django.contrib.auth import get_user_model
from home.models import HomePage
from stories.models import InterviewPage, PracticeExamplePage, StoryIndexPage

def path(page):
    return urlsplit(page.get_url()).path

def live(model):
    return model.objects.live().public().order_by("path")

now = timezone.now()
groups = [
    group.pk
    for group in CourseGroup.objects.filter(
        status=CourseGroup.Status.OPEN,
        restricted_to__isnull=True,
        seats_per_organisation__isnull=True,
        booking_opens_at__lte=now,
        booking_closes_at__gt=now + timezone.timedelta(hours=1),
        cancellation_deadline__gt=now + timezone.timedelta(hours=1),
    ).order_by("pk")
]
users = get_user_model().objects
contacts = [
    {"username": m.user.username, "email": m.user.email}
    for m in Membership.objects.filter(
        user__username__startswith="contact-", user__is_active=True
    ).select_related("user").order_by("user__username")
]
coordinator = users.get(username="coordinator-gouda")
editable = [
    g.pk for g in CourseGroup.objects.filter(status=CourseGroup.Status.OPEN).order_by("pk")
    if coordinates(coordinator, g)
]
nl = Locale.objects.get(language_code="nl")
with translation.override("nl"):
    print(json.dumps({
        "pages": {
            "home": [path(p) for p in live(HomePage)],
            "stories": [path(p) for p in live(StoryIndexPage)],
            "story": [path(p) for p in [*live(PracticeExamplePage), *live(InterviewPage)]],
            "course": [path(p) for p in live(CoursePage)],
            "feed": [reverse("stories_rss"), reverse("stories_atom")],
            "search": [reverse("search") + "?" + q for q in ("q=computer", "q=taal", "q=digitaal")],
        },
        "groups": groups,
        "contacts": contacts,
        "coordinator": {"username": coordinator.username, "groups": editable},
        "urls": {
            "login": reverse("accounts:login"),
            "overview": reverse("portal:overview"),
            "find_groups": reverse("portal:find_groups"),
            "reserve": {pk: reverse("portal:reserve", args=[pk]) for pk in groups},
            "booking": reverse("portal:booking", args=[999999999]),
            "booking_cancel": reverse("portal:booking_cancel", args=[999999999]),
            "admin_login": reverse("wagtailadmin_login"),
            "group_edit": {pk: reverse(f"{NAMESPACE}:edit", args=[pk]) for pk in editable},
        },
    }))
"""

# --- the cluster ---------------------------------------------------------------------------


def cluster(*args: str, timeout: float = 180) -> str:
    """Run `deploy/cluster.py args…`; its output, or SystemExit with its message."""
    done = subprocess.run(
        [str(PYTHON), str(CLUSTER), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise ClusterCommandFailed(f"cluster.py {' '.join(args)}: {done.stderr or done.stdout}")
    return done.stdout


class ClusterCommandFailed(RuntimeError):
    pass


def cluster_env() -> dict[str, str]:
    """The app processes' environment (`cluster.py env`), on top of ours."""
    env = dict(os.environ)
    for line in cluster("env").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            env[key] = value
    return env


def cluster_status() -> dict:
    return json.loads(cluster("status", "--json"))


def entry_ports(status: dict) -> dict[str, int]:
    """Varnish's and HAProxy's ports from `cluster.py status --json`."""
    return {"varnish": status["varnish"]["port"], "lb": status["haproxy"]["port"]}


def django_json(env: dict, script: str, timeout: float = 120) -> dict:
    """Run `script` in `manage.py shell` against the cluster; the JSON its last line prints."""
    done = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise ClusterCommandFailed(f"manage.py shell failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def discover(env: dict) -> dict:
    plan = django_json(env, DISCOVER)
    if not plan["groups"]:
        raise ClusterCommandFailed("The cluster's database has no group open for booking.")
    if not all(plan["pages"][kind] for kind in ("home", "stories", "story", "course")):
        raise ClusterCommandFailed(f"The cluster's demo site lacks pages: {plan['pages']}")
    plan["urls"]["reserve"] = {int(pk): url for pk, url in plan["urls"]["reserve"].items()}
    plan["urls"]["group_edit"] = {int(k): v for k, v in plan["urls"]["group_edit"].items()}
    return plan


# --- the client ----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    latency: float  # seconds, all attempts together

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self):
        return json.loads(self.body)


@dataclass
class Failure:
    """One attempt that did not get through (it was retried unless it was the last)."""

    at: float  # time.time()
    kind: str
    what: str  # "connection", or the status
    retry_after: bool = False
    content_type: str = ""
    path: str = ""


@dataclass
class Record:
    kind: str
    at: float  # time.time() at the start
    latency: float
    status: int  # 0: no answer after the last retry
    attempts: int
    ok: bool  # an answer the request expects
    cache: str = ""
    node: str = ""

    @property
    def failed(self) -> bool:
        """Still no answer, or a 502/503/504, after the last retry."""
        return self.status == 0 or self.status in RETRY_STATUSES


class Recorder:
    """What the clients saw. Thread-safe; a process sends its own back whole."""

    def __init__(self):
        self.records: list[Record] = []
        self.failures: list[Failure] = []
        self.lock = threading.Lock()

    def add(self, record: Record, failures: list[Failure]):
        with self.lock:
            self.records.append(record)
            self.failures.extend(failures)

    def merge(self, other: "Recorder"):
        self.records += other.records
        self.failures += other.failures

    def __getstate__(self):
        return {"records": self.records, "failures": self.failures}

    def __setstate__(self, state):
        self.__init__()
        self.records, self.failures = state["records"], state["failures"]


class Client:
    """One user: a keep-alive connection to the entry, cookies, retries.

    Requests say they came over HTTPS (`X-Forwarded-Proto`), as the TLS terminator in front
    of a real cluster does; so the app's Secure cookies are sent back here over plain HTTP.
    """

    def __init__(self, port: int, recorder: Recorder, *, retries=RETRY_PAUSES, host=HOST):
        if host not in LOOPBACK:
            raise ValueError(f"the load generator only talks to this machine, not to {host!r}")
        self.host, self.port, self.recorder, self.retries = host, port, recorder, retries
        self.origin = f"https://{host}:{port}"
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.used = False  # the connection has carried a request and is kept alive

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, method, path, body, headers):
        """One attempt. A kept-alive connection that the server closed while idle is opened
        again and the request sent once more at once, as browsers do: that is no failure."""
        if self.conn is not None and self.used:
            try:
                return self._send_once(method, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
        return self._send_once(method, path, body, headers)

    def _send_once(self, method, path, body, headers):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            self.used = False
        all_headers = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            all_headers |= {"Origin": self.origin, "Referer": self.origin + path}
        all_headers |= headers
        self.conn.request(method, path, body=body, headers=all_headers)
        response = self.conn.getresponse()
        data = response.read()
        self.used = True
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
        expect=(200,),
    ) -> Answer:
        """Send, retrying a failed attempt; record the outcome under `kind`.

        An answer outside `expect` is recorded (it counts as an error in the report) and
        returned; a request that got no answer after the last retry returns status 0.
        """
        headers = headers or {}
        failures, started, wall = [], time.perf_counter(), time.time()
        status, answer_headers, data = 0, {}, b""
        attempts = 0
        for pause in (*self.retries, None):
            attempts += 1
            try:
                status, answer_headers, data = self._send(method, path, body, headers)
            except (OSError, http.client.HTTPException):
                self.close()
                status = 0
                failures.append(Failure(time.time(), kind, "connection", path=path))
            else:
                if status not in RETRY_STATUSES:
                    break
                failures.append(
                    Failure(
                        time.time(),
                        kind,
                        str(status),
                        retry_after="retry-after" in answer_headers,
                        content_type=answer_headers.get("content-type", ""),
                        path=path,
                    )
                )
            if pause is None:
                break
            time.sleep(pause)
        latency = time.perf_counter() - started
        cache = answer_headers.get("x-cache") or answer_headers.get("x-page-cache", "")
        self.recorder.add(
            Record(
                kind=kind,
                at=wall,
                latency=latency,
                status=status,
                attempts=attempts,
                ok=status in expect,
                cache=cache,
                node=answer_headers.get("x-served-by", ""),
            ),
            failures,
        )
        return Answer(status, answer_headers, data, latency)

    def get(self, kind, path, **kwargs) -> Answer:
        return self.request(kind, "GET", path, **kwargs)

    def submit(self, kind: str, page: Answer, path: str, values: dict, *, pick, expect):
        """Fill in and send a form of `page` (the one `pick(form)` chooses), as a browser."""
        form = find_form(page.text, pick)
        if form is None:  # the page was not the one with the form: an error of its own
            self.recorder.add(Record(kind, time.time(), 0.0, page.status, 0, ok=False), [])
            return None
        fields, action = form
        fields.update(values)
        target = urljoin(path, action) if action else path
        return self.request(
            kind,
            "POST",
            target,
            body=urlencode(fields, doseq=True).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            expect=expect,
        )


def find_form(html: str, pick) -> tuple[dict, str] | None:
    """The fields and action of the first form `pick(form)` accepts, as a browser sends it."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post" or not pick(form):
            continue
        fields = defaultdict(list)
        for element in form.find_all(["input", "select", "textarea"]):
            name = element.get("name")
            if not name or element.has_attr("disabled"):
                continue
            if element.name == "select":
                chosen = [o for o in element.find_all("option") if o.has_attr("selected")]
                if not chosen and not element.has_attr("multiple"):
                    chosen = element.find_all("option")[:1]
                fields[name] += [o.get("value", o.text) for o in chosen]
            elif element.name == "textarea":
                fields[name].append(element.text)
            else:
                kind = (element.get("type") or "text").lower()
                if kind in ("submit", "button", "image", "file", "reset"):
                    continue
                if kind in ("checkbox", "radio") and not element.has_attr("checked"):
                    continue
                fields[name].append(element.get("value", "on" if kind == "checkbox" else ""))
        return {k: v if len(v) > 1 else v[0] for k, v in fields.items()}, form.get("action", "")
    return None


def has_field(name: str):
    return lambda form: form.find(attrs={"name": name}) is not None


# --- the people ----------------------------------------------------------------------------


class Visitor:
    """Reads public pages, anonymous (no cookies, so an HTTP cache may answer)."""

    def __init__(self, port, recorder, plan, rng):
        self.client, self.rng = Client(port, recorder), rng
        self.pages = [(kind, path) for kind, paths in plan["pages"].items() for path in paths]
        weights = {"home": 20, "stories": 15, "story": 35, "course": 20, "feed": 5, "search": 5}
        self.weights = [weights[kind] / len(plan["pages"][kind]) for kind, _path in self.pages]

    def step(self):
        kind, path = self.rng.choices(self.pages, self.weights)[0]
        self.client.get(f"visitor:{kind}", path)


class ContactPerson:
    """Logs in to the portal once, then reads it, reserves a seat and cancels it again: one
    request per step, round and round."""

    CYCLE = ("overview", "find_groups", "reserve_form", "reserve", "cancel_form", "cancel")

    def __init__(self, port, recorder, plan, rng, username):
        self.client = Client(port, recorder)
        self.rng, self.plan, self.username, self.urls = rng, plan, username, plan["urls"]
        self.logged_in, self.position, self.page, self.booking = False, 0, None, None

    def step(self):
        if not self.logged_in:
            return self.login()
        name = self.CYCLE[self.position % len(self.CYCLE)]
        self.position += 1
        getattr(self, name)()

    def login(self):
        if self.page is None:
            self.page = self.client.get("contact:login", self.urls["login"])
            return
        answer = self.client.submit(
            "contact:login",
            self.page,
            self.urls["login"],
            {"username": self.username, "password": PASSWORD},
            pick=has_field("password"),
            expect=(302,),
        )
        self.page = None
        self.logged_in = answer is not None and answer.status == 302

    def overview(self):
        self.client.get("contact:portal", self.urls["overview"])

    def find_groups(self):
        self.client.get("contact:portal", self.urls["find_groups"])

    def reserve_form(self):
        self.group = self.rng.choice(self.plan["groups"])
        self.reserve_path = self.urls["reserve"][self.group]
        self.page = self.client.get("contact:reserve", f"{self.reserve_path}?seats=1")

    def reserve(self):
        if self.page is None or self.page.status != 200:
            return
        answer = self.client.submit(
            "contact:reserve",
            self.page,
            self.reserve_path,
            {"seat-1-first_name": "Bench"},
            pick=has_field("submission"),
            expect=(302, 200),
        )
        self.page = None
        match = answer and re.search(r"/(\d+)/$", answer.headers.get("location", ""))
        self.booking = int(match.group(1)) if match else None

    def _cancel_path(self):
        return self.urls["booking_cancel"].replace("999999999", str(self.booking))

    def cancel_form(self):
        if self.booking is None:
            return self.overview()
        self.page = self.client.get("contact:cancel", self._cancel_path())

    def cancel(self):
        if self.booking is None or self.page is None or self.page.status != 200:
            return self.find_groups()
        path = self._cancel_path()
        self.client.submit(
            "contact:cancel",
            self.page,
            path,
            {},
            pick=lambda form: urljoin(path, form.get("action") or path) == path,
            expect=(302,),
        )
        self.page = self.booking = None


class Coordinator:
    """Logs in to the Wagtail admin once, then opens a group and saves it with a new
    trainer (as bench/edits.py does), round and round."""

    def __init__(self, port, recorder, plan, rng, number):
        self.client, self.rng = Client(port, recorder), rng
        self.urls, self.plan, self.number = plan["urls"], plan, number
        self.logged_in, self.page, self.edits = False, None, 0

    def step(self):
        groups = self.plan["coordinator"]["groups"]
        if not self.logged_in:
            return self.login()
        if self.page is None:
            self.group = self.rng.choice(groups)
            self.page = self.client.get(
                "coordinator:edit_form", self.urls["group_edit"][self.group]
            )
            return
        self.edits += 1
        path = self.urls["group_edit"][self.group]
        self.client.submit(
            "coordinator:save",
            self.page,
            path,
            {"trainer": f"Trainer {self.number}-{self.edits % 7}", "reason": "Cluster load run"},
            pick=has_field("trainer"),
            expect=(302,),
        )
        self.page = None

    def login(self):
        path = self.urls["admin_login"]
        if self.page is None:
            self.page = self.client.get("coordinator:login", path)
            return
        answer = self.client.submit(
            "coordinator:login",
            self.page,
            path,
            {"username": self.plan["coordinator"]["username"], "password": PASSWORD},
            pick=has_field("password"),
            expect=(302,),
        )
        self.page = None
        self.logged_in = answer is not None and answer.status == 302


class ApiBooker:
    """An integration that reserves one seat at a time through the API, each reservation with
    an Idempotency-Key of its own, kept for every retry of it; at most `per_second`
    reservations a second (the API's rate limit is per token)."""

    PATH = "/api/v1/bookings"

    def __init__(self, port, recorder, plan, rng, token: str, *, first_name, per_second=1.5):
        self.client, self.rng, self.groups = Client(port, recorder), rng, plan["groups"]
        self.token, self.pause, self.first_name = token, 1.0 / per_second, first_name
        self.made: dict[str, int] = {}  # Idempotency-Key: the booking the answer named
        self.refused: dict[str, int] = {}  # key: status of an answer that booked nothing
        self.unanswered: list[str] = []  # keys whose reservation got no answer at all

    def step(self):
        started = time.monotonic()
        key = str(uuid.uuid4())
        seat = {"first_name": self.first_name}
        body = {"group_id": self.rng.choice(self.groups), "seats": [seat]}
        answer = self.client.request(
            "api:reserve",
            "POST",
            self.PATH,
            body=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": key,
            },
            expect=(201, 409),
        )
        if answer.status == 201:
            self.made[key] = answer.json()["id"]
        elif answer.status == 0 or answer.status in RETRY_STATUSES:
            self.unanswered.append(key)
        else:
            self.refused[key] = answer.status
        time.sleep(max(0.0, self.pause - (time.monotonic() - started)))


class BackgroundLoad:
    """Reservations through the API and page views, in threads, until stopped (at most
    `max_seconds`): the load the fault tests break something under.

    `plan` is `discover()`'s, `tokens` maps contact persons' user names to API tokens (one
    booking thread each). Every seat it books has the first name `first_name` (by default
    one of its own), so its bookings can be told from anyone else's. Use as a context
    manager; the figures are in `summary()`.
    """

    def __init__(
        self,
        port: int,
        plan: dict,
        tokens: dict[str, str],
        *,
        page_threads: int = 2,
        max_seconds: float = 90,
        per_second: float = 1.5,
        seed: int = 7,
        first_name: str = "",
    ):
        self.first_name = first_name or f"Fault {uuid.uuid4().hex[:10]}"
        self.recorder = Recorder()
        self.stopped = threading.Event()
        self.max_seconds = max_seconds
        rng = random.Random(seed)
        pages = {kind: plan["pages"][kind] for kind in ("home", "stories", "story", "course")}
        reading_plan = {**plan, "pages": pages}
        self.bookers = {
            name: ApiBooker(
                port,
                self.recorder,
                plan,
                random.Random(rng.random()),
                token,
                first_name=self.first_name,
                per_second=per_second,
            )
            for name, token in tokens.items()
        }
        self.readers = [
            Visitor(port, self.recorder, reading_plan, random.Random(rng.random()))
            for _ in range(page_threads)
        ]
        self.threads = []

    def _loop(self, person):
        deadline = time.monotonic() + self.max_seconds
        while not self.stopped.is_set() and time.monotonic() < deadline:
            person.step()
            if isinstance(person, Visitor):
                time.sleep(0.05)  # a reader, not a flood: the bookings are what counts
        person.client.close()

    def __enter__(self):
        self.started = time.time()
        for person in [*self.bookers.values(), *self.readers]:
            thread = threading.Thread(target=self._loop, args=(person,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self):
        if self.stopped.is_set():
            return
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT + sum(RETRY_PAUSES) + 5)
        self.seconds = time.time() - self.started

    def __exit__(self, *exc):
        self.stop()

    def made(self) -> dict[str, int]:
        """Every Idempotency-Key that got 201, with the booking its answer named."""
        return {key: booking for b in self.bookers.values() for key, booking in b.made.items()}

    def keys(self) -> list[str]:
        """Every key sent, whatever the answer."""
        return [
            key
            for booker in self.bookers.values()
            for key in (*booker.made, *booker.refused, *booker.unanswered)
        ]

    def summary(self) -> dict:
        return summarise(self.recorder, getattr(self, "seconds", time.time() - self.started))

    def failures_between(self, start: float, end: float | None = None) -> list[Failure]:
        return [f for f in self.recorder.failures if start <= f.at and (end is None or f.at <= end)]


# --- the mixed load (processes) ------------------------------------------------------------


def _mixed_process(port, plan, seed, start_at, stop_at):
    rng = random.Random(seed)
    recorder = Recorder()
    contacts = plan["contacts"]
    people = {
        "visitor": Visitor(port, recorder, plan, rng),
        "contact": ContactPerson(
            port, recorder, plan, rng, contacts[seed % len(contacts)]["username"]
        ),
        "coordinator": Coordinator(port, recorder, plan, rng, seed),
    }
    roles, weights = list(MIX), list(MIX.values())
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < stop_at:
        people[rng.choices(roles, weights)[0]].step()
    for person in people.values():
        person.client.close()
    return recorder


def run_mixed(port: int, plan: dict, *, processes: int, seconds: float, seed: int = 1):
    """The mix from `processes` closed-loop processes for `seconds`; (Recorder, seconds)."""
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 1.0  # every process ready before the clock starts
    stop_at = start_at + seconds
    with context.Pool(processes) as pool:
        parts = pool.starmap(
            _mixed_process,
            [(port, plan, seed * 1000 + i, start_at, stop_at) for i in range(processes)],
        )
    recorder = Recorder()
    for part in parts:
        recorder.merge(part)
    # The first requests of each process log in; those start the clock, none are left out.
    return recorder, max(time.time(), stop_at) - start_at


# --- CPU: what limits the run --------------------------------------------------------------


def _processes():
    """(pid, pgid, ppid, cpu seconds, command line) of every process we may read. The CPU
    seconds include those of its children that ended (a gunicorn worker that was replaced
    after `max_requests` counts in its master)."""
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        yield (
            int(entry.name),
            int(fields[2]),
            int(fields[1]),
            sum(int(value) for value in fields[11:15]) / tick,
            cmdline or stat[stat.index("(") + 1 : stat.rindex(")")],
        )


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = list(map(int, Path("/proc/stat").read_text().splitlines()[0].split()[1:]))
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU seconds by part of the cluster during a block, from /proc (processes that end
    within the block are not seen; the cluster's stay up)."""

    def __init__(self, status: dict):
        self.groups = {
            name: entry["pid"]
            for name, entry in status.items()
            if entry.get("pid") and name != "postgres"
        }
        self.postgres_port = str(status.get("postgres", {}).get("port", 5440))

    def part(self, pid, pgid, cmdline) -> str | None:
        for name, leader in self.groups.items():
            if pgid == leader or pid == leader:
                return re.sub(r"\d+$", "", name) or name
        if "leerplein-cluster" in cmdline or f"-p {self.postgres_port}" in cmdline:
            return "postgres"
        if pgid == os.getpgid(0):
            return None  # the load generator: counted from its resource usage
        return "other (not the cluster)"

    def snapshot(self):
        return {pid: (pgid, cpu, cmd) for pid, pgid, _ppid, cpu, cmd in _processes()}

    @staticmethod
    def _own_cpu() -> float:
        """CPU seconds of this process and its children that ended (the client processes)."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    @contextmanager
    def measure(self):
        before, busy_before, wall = self.snapshot(), _machine_busy(), time.time()
        own_before = self._own_cpu()
        result = {}
        yield result
        after, busy_after = self.snapshot(), _machine_busy()
        seconds = time.time() - wall
        used = Counter({"load generator": self._own_cpu() - own_before})
        for pid, (pgid, cpu, cmd) in after.items():
            part = self.part(pid, pgid, cmd)
            if part is not None:
                used[part] += cpu - (before.get(pid, (0, 0.0))[1])
        # A process that ended: its parent took over all its time, also from before the block.
        for pid, (pgid, cpu, cmd) in before.items():
            part = self.part(pid, pgid, cmd)
            if pid not in after and part is not None:
                used[part] -= cpu
        busy = busy_after[0] - busy_before[0]
        total = busy_after[1] - busy_before[1]
        result["cores"] = os.cpu_count()
        result["machine_busy"] = round(busy / total, 3) if total else 0.0
        result["cores_used"] = {
            name: round(value / seconds, 2) for name, value in used.most_common() if value > 0
        }


# --- summaries -----------------------------------------------------------------------------


def summarise(recorder: Recorder, seconds: float) -> dict:
    """Per kind: requests, req/s, p50/p99 ms, errors; and the totals."""
    by_kind = defaultdict(list)
    for record in recorder.records:
        by_kind[record.kind].append(record)
    rows = {}
    for kind, records in sorted(by_kind.items()):
        latencies = sorted(r.latency for r in records)
        errors = [r for r in records if not r.ok]
        rows[kind] = {
            "requests": len(records),
            "rps": round(len(records) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "errors": len(errors),
            "statuses": dict(Counter(r.status for r in records)),
            "cache": dict(Counter(r.cache or "none" for r in records)),
            "retried": sum(1 for r in records if r.attempts > 1),
        }
    records = recorder.records
    totals = {
        "requests": len(records),
        "seconds": round(seconds, 1),
        "rps": round(len(records) / seconds, 1) if seconds else 0.0,
        "errors": sum(row["errors"] for row in rows.values()),
        "server_errors": sum(1 for r in records if r.status >= 500),
        "status_500": sum(1 for r in records if r.status == 500),
        "failed_attempts": len(recorder.failures),
        "failed_after_retry": sum(1 for r in records if r.failed),
        "nodes": dict(Counter(r.node for r in records if r.node)),
    }
    roles = {}
    for role in MIX:
        mine = sorted(r.latency for r in records if r.kind.startswith(f"{role}:"))
        roles[role] = {
            "requests": len(mine),
            "share": round(len(mine) / len(records), 3) if records else 0.0,
            "rps": round(len(mine) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(mine, 50) * 1000, 1),
            "p99_ms": round(percentile(mine, 99) * 1000, 1),
        }
    return {"kinds": rows, "roles": roles, "totals": totals}


CPU_PARTS = {  # column heading: the parts of CpuMeter it adds up
    "app nodes": ("node",),
    "PostgreSQL": ("postgres",),
    "Varnish": ("varnish",),
    "HAProxy": ("haproxy",),
    "Redis": ("redis",),
    "workers, scheduler": ("worker", "scheduler"),
    "load generator": ("load generator",),
    "other processes": ("other (not the cluster)", "mail", "media"),
}
KEPT = "\n### Faults"  # a hand-written part of the section that a new run keeps


def _scaling(runs: list[dict]) -> str:
    straight = {run["nodes"]: run for run in runs if run["entry"] == "HAProxy"}
    if not {1, 2} <= set(straight):
        return ""
    one, two = (straight[n]["summary"]["totals"]["rps"] for n in (1, 2))
    cpu_one, cpu_two = (straight[n]["cpu"]["machine_busy"] for n in (1, 2))
    return (
        f"Straight at HAProxy, two app nodes served {two:.0f} req/s and one node "
        f"{one:.0f} req/s ({two / one if one else 0:.2f}×), with the machine's CPUs "
        f"{cpu_two:.0%} and {cpu_one:.0%} busy. Both nodes share this machine's "
        f"{runs[0]['cpu']['cores']} cores with PostgreSQL, Redis, HAProxy, Varnish, the "
        "workers and the load generator, so a second node adds processes, not CPU: on one "
        "machine it buys the survival of a node failure (tests/cluster/test_faults.py), and "
        "throughput grows with nodes only when they get machines of their own."
    )


def _paragraph(text: str) -> str:
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def markdown_section(report: dict) -> str:
    """The "## Cluster" section of docs/performance.md."""
    runs = report["runs"]
    lines = [
        SECTION,
        "",
        f"Written by `make cluster-bench` (bench/cluster_load.py) on {report['date']}; "
        "`make bench` keeps this section. The cluster of `make cluster` on this machine "
        f"({report['machine']}): Varnish → HAProxy → gunicorn app nodes "
        "(deploy/gunicorn.conf.py), PostgreSQL and Redis of its own, two task workers, the "
        f"scheduler. {report['processes']} client processes, each a closed loop (the next "
        "request as soon as the answer is in), mix 90% visitors (home, story index, stories, "
        "course pages, feeds, search), 8% contact persons (log in once, read the portal, "
        "reserve a seat and cancel it again) and 2% coordinators (log in to the admin once, "
        "open a group and save it with a new trainer). Latency is at the client, retries "
        "included (an attempt without answer or with 502/503/504 is tried again after a "
        "short pause; none was needed unless the table says so). *Through Varnish* is what "
        "visitors get: anonymous pages come from the HTTP cache. *Straight at HAProxy* "
        "skips the HTTP cache: every request reaches an app node (which still has its own "
        "page cache in Redis). The req/s are those of closed loops, so the slow requests "
        "(course pages, which always show fresh free seats and are never cached whole, the "
        "portal and the admin) take most of each client's time: the speed of the cached pages "
        "shows in their latency more than in the total.",
        "",
        "| run | entry | app nodes | seconds | requests | req/s | errors | 5xx | retried |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for run in runs:
        totals = run["summary"]["totals"]
        retried = sum(row["retried"] for row in run["summary"]["kinds"].values())
        lines.append(
            f"| {run['label']} | {run['entry']} | {run['nodes']} | {totals['seconds']:.0f} | "
            f"{totals['requests']} | {totals['rps']:.0f} | {totals['errors']} | "
            f"{totals['server_errors']} | {retried} |"
        )
    busy = sorted(run["cpu"]["machine_busy"] for run in runs)
    busiest = f"{busy[0]:.0%}" if busy[0] == busy[-1] else f"{busy[0]:.0%} to {busy[-1]:.0%}"
    scaling = _scaling(runs)
    if scaling:
        lines += ["", scaling]
    lines += [
        "",
        f"What limits it: CPU. The machine's cores were {busiest} busy; below, the cores "
        "each part used on average, from /proc (a process that ended counts in its parent; "
        '"other processes" are what else ran on this shared machine, such as other test '
        "suites, and they took their share of the CPU from the cluster).",
        "",
        "| run | CPUs busy | " + " | ".join(CPU_PARTS) + " |",
        "|---|--:|" + "--:|" * len(CPU_PARTS),
    ]
    for run in runs:
        used = run["cpu"]["cores_used"]
        cells = [
            f"{sum(used.get(part, 0.0) for part in parts):.2f}" for parts in CPU_PARTS.values()
        ]
        lines.append(
            f"| {run['label']} | {run['cpu']['machine_busy']:.0%} | " + " | ".join(cells) + " |"
        )
    for run in runs:
        lines += ["", f"### {run['label']}, per kind of request", ""]
        lines += [
            "| kind | requests | req/s | p50 ms | p99 ms | errors "
            "| answered by (X-Cache, else X-Page-Cache) |",
            "|---|--:|--:|--:|--:|--:|---|",
        ]
        for kind, row in run["summary"]["kinds"].items():
            cache = ", ".join(f"{k} {v}" for k, v in sorted(row["cache"].items()))
            lines.append(
                f"| {kind} | {row['requests']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | "
                f"{row['p99_ms']:.1f} | {row['errors']} | {cache} |"
            )
        lines += [
            "",
            "By role: "
            + "; ".join(
                f"{ROLES[role]} {row['share']:.0%} of the requests, p50 {row['p50_ms']:.1f} ms, "
                f"p99 {row['p99_ms']:.0f} ms"
                for role, row in run["summary"]["roles"].items()
            )
            + ".",
        ]
    lines = [_paragraph(line) if line[:1] not in ("|", "#") else line for line in lines]
    return "\n".join(lines) + "\n"


def write_section(text: str):
    """Put the section in docs/performance.md in place of the last one (keeping its
    hand-written "### Faults" part), else at the end (after "## Measured by hand", which
    `make bench` and `make bench SCALE=N` keep)."""
    current = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    start = current.find(f"\n{SECTION}\n")
    if start < 0:
        REPORT.write_text(current.rstrip("\n") + "\n\n" + text)
        return
    start += 1
    following = re.search(r"^## ", current[start + len(SECTION) :], re.MULTILINE)
    end = len(current) if following is None else start + len(SECTION) + following.start()
    kept = current.find(KEPT, start, end)
    if kept >= 0:
        text = text.rstrip("\n") + "\n" + current[kept:end].rstrip("\n") + "\n"
    rest = current[end:]
    REPORT.write_text(current[:start] + text + ("\n" + rest if rest else ""))


# --- the command ---------------------------------------------------------------------------


def measure(entry: str, port: int, plan: dict, seconds: float, processes: int) -> dict:
    """One run of the mix through `entry` ("Varnish" or "HAProxy") with its figures and
    the CPU each part of the cluster used."""
    status = cluster_status()
    nodes = sum(1 for name, e in status.items() if name.startswith("node") and e["running"])
    label = f"{'Through' if entry == 'Varnish' else 'Straight at'} {entry}, {nodes} node" + (
        "s" if nodes > 1 else ""
    )
    print(f"  {label}: {seconds:g} s (port {port})", flush=True)
    with CpuMeter(status).measure() as cpu:
        recorder, elapsed = run_mixed(port, plan, processes=processes, seconds=seconds)
    summary = summarise(recorder, elapsed)
    totals = summary["totals"]
    print(
        f"    {totals['requests']} requests, {totals['rps']:.0f} req/s, "
        f"{totals['errors']} errors, {totals['server_errors']} 5xx, CPU {cpu['cores_used']}",
        flush=True,
    )
    return {"label": label, "entry": entry, "nodes": nodes, "summary": summary, "cpu": cpu}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180, help="the main run (default 180)")
    parser.add_argument(
        "--compare-seconds",
        type=float,
        default=60,
        help="each comparison run: straight at HAProxy with 2 nodes and with 1 (0: none)",
    )
    parser.add_argument("--processes", type=int, default=6, help="client processes (default 6)")
    parser.add_argument(
        "--check", action="store_true", help="exit non-zero on any error or 5xx answer"
    )
    parser.add_argument(
        "--no-docs",
        action="store_true",
        help="write neither docs/performance.md nor bench/results/cluster.json",
    )
    parser.add_argument(
        "--rewrite",
        action="store_true",
        help="only write the section again from bench/results/cluster.json (no load)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.rewrite:
        write_section(markdown_section(json.loads((RESULTS / "cluster.json").read_text())))
        print(f"Wrote {REPORT.relative_to(ROOT)} ({SECTION}) from bench/results/cluster.json")
        return 0
    try:
        env = cluster_env()
        status = cluster_status()
        ports = entry_ports(status)
        plan = discover(env)
    except (ClusterCommandFailed, OSError, subprocess.TimeoutExpired) as error:
        print(f"The cluster is not ready ({error}); start it with `make cluster`.")
        return 2
    print(f"Cluster load: {len(plan['groups'])} open groups, {args.processes} client processes")
    runs = [measure("Varnish", ports["varnish"], plan, args.seconds, args.processes)]
    if args.compare_seconds > 0:
        runs.append(measure("HAProxy", ports["lb"], plan, args.compare_seconds, args.processes))
        cluster("node", "stop", "2")
        try:
            runs.append(measure("HAProxy", ports["lb"], plan, args.compare_seconds, args.processes))
        finally:
            cluster("node", "start", "2")
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
        "processes": args.processes,
        "runs": runs,
    }
    if not args.no_docs:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "cluster.json").write_text(json.dumps(report, indent=2) + "\n")
        write_section(markdown_section(report))
        print(f"Wrote {REPORT.relative_to(ROOT)} ({SECTION}) and bench/results/cluster.json")
    bad = [
        f"{run['label']}: {run['summary']['totals']['errors']} errors, "
        f"{run['summary']['totals']['server_errors']} 5xx"
        for run in runs
        if run["summary"]["totals"]["errors"] or run["summary"]["totals"]["server_errors"]
    ]
    for line in bad:
        print(f"FAIL  {line}")
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
