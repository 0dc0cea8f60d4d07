"""Reservation throughput: many contact persons booking seats at once, on PostgreSQL.

`make bench` runs this after the pages (bench/run.py calls `measure_reservations`). It needs a
PostgreSQL server: the one in BENCH_POSTGRES_URL, else the one in DATABASE_URL when that is
PostgreSQL, else postgres://postgres@127.0.0.1:5432. On that server it drops and creates the
database `leerplein_bench_reservations` (only that one), migrates it and plans open course
groups of 5 seats with one contact person per SW company. Then worker processes, each with a few
client threads and a database connection per thread, call `booking.services.reserve_seats` (1
seat, a random group, a random company) as fast as they can for a fixed time: first one client
alone (what one reservation costs), then all of them (the load). The confirmation e-mail is
queued as a task in the database after the commit, as in production (no worker runs during the
bench; were it run, mail goes to Django's dummy backend). Afterwards the database is asked
whether any group got more confirmed seats than it has.

The same file is the worker: `python bench/reservations.py setup|worker|check`, with Django
configured by the environment that `measure_reservations` passes on.
"""

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from loadgen import percentile

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "leerplein_bench_reservations"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


# --- run by bench/run.py ---------------------------------------------------------------------


def server_url(env: dict, database: str = DATABASE_NAME) -> str:
    """The PostgreSQL server to use, as a URL naming one of our own bench databases."""
    url = env.get("BENCH_POSTGRES_URL") or ""
    if not url and env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        url = env["DATABASE_URL"]
    parts = urlsplit(url or DEFAULT_SERVER)
    return urlunsplit(parts._replace(path=f"/{database}", query=""))


def fresh_database(url: str) -> str | None:
    """Drop and create the bench database `url` names; the reason when the server cannot be
    used."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return f"PostgreSQL did not answer or refused ({str(error).strip().splitlines()[0]})"
    return None


def _django(env: dict, *args: str, stdin=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _json_of(process: subprocess.Popen, what: str, timeout: float = 600) -> dict:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # A worker whose client threads died waits forever; say so instead of hanging.
        process.kill()
        out, err = process.communicate()
        sys.exit(f"reservations {what} did not finish within {timeout:g} s:\n{out}{err}")
    if process.returncode:
        sys.exit(f"reservations {what} failed:\n{out}{err}")
    return json.loads(out.strip().splitlines()[-1])


def planned_database(env: dict, args, manage, database: str, **settings: str):
    """A fresh PostgreSQL database `database`, migrated and planned by `setup`.

    Returns (the environment that uses it, the plan, the plan's file), or the reason it
    could not be made. `settings` are extra environment variables for the run.
    """
    url = server_url(env, database)
    reason = fresh_database(url)
    if reason:
        return f"{reason}; set BENCH_POSTGRES_URL=postgres://... to measure"
    env = {
        **env,
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **settings,
    }
    manage(env, "migrate", "--no-input")
    plan = _json_of(_django(env, "setup", "--groups", str(args.reservation_groups)), "set-up")
    plan_file = ROOT / "bench" / "results" / f"{database}-plan.json"
    plan_file.write_text(json.dumps(plan))
    return env, plan, plan_file


def measure_reservations(env: dict, args, manage) -> dict:
    """The reservation benchmark's figures, or {"skipped": reason}."""
    # Booking reads nothing from the page cache.
    planned = planned_database(env, args, manage, DATABASE_NAME, REDIS_URL="")
    if isinstance(planned, str):
        return {"skipped": planned}
    env, plan, plan_file = planned

    alone = run_phase(env, plan_file, workers=1, threads=1, seconds=args.reservation_alone)
    load = run_phase(
        env,
        plan_file,
        workers=args.reservation_workers,
        threads=args.reservation_threads,
        seconds=args.reservation_seconds,
    )
    check = _json_of(_django(env, "check", "--plan", str(plan_file)), "check")
    problems = [*alone.pop("problems"), *load.pop("problems")]
    booked = sum(phase["reservations"] + phase["warmups"] for phase in (alone, load))
    if check["seats"] != booked:
        problems.append(f"the database holds {check['seats']} seats for {booked} reservations")
    if check["seat_history"] != check["seats"]:
        problems.append(f"{check['seat_history']} seat history records for {check['seats']} seats")
    return {
        "database": plan["database"],
        "groups": len(plan["groups"]),
        "capacity": plan["capacity"],
        "held": plan["held"],
        "companies": len(plan["contacts"]),
        "alone": alone,
        "load": load,
        **{key: check[key] for key in ("confirmed", "waitlisted", "over_capacity")},
        "problems": problems,
    }


def run_phase(env: dict, plan_file: Path, *, workers: int, threads: int, seconds: float):
    """Book seats from `workers` processes × `threads` threads for `seconds` seconds."""
    processes = [
        _django(
            env,
            "worker",
            *("--plan", str(plan_file), "--threads", str(threads), "--seed", str(index)),
            stdin=subprocess.PIPE,
        )
        for index in range(workers)
    ]
    for process in processes:  # each prints "ready" once Django is set up and warmed up
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.kill()
            sys.exit(f"a reservation worker did not start:\n{line}{process.stderr.read()}")
    start_at = time.time() + 0.2
    for process in processes:
        process.stdin.write(f"{start_at} {start_at + seconds}\n")
        process.stdin.flush()
    parts = [_json_of(process, "worker") for process in processes]

    def ms(key, *percentiles):
        values = sorted(value for part in parts for value in part[key])
        return {p: round(percentile(values, p) * 1000, 2) for p in percentiles}

    outcomes = sum((Counter(part["outcomes"]) for part in parts), Counter())
    elapsed = max(part["finished"] for part in parts) - start_at
    done = outcomes["confirmed"] + outcomes["waitlisted"]
    return {
        "workers": workers,
        "threads": threads,
        "clients": workers * threads,
        "seconds": round(elapsed, 2),
        "reservations": done,
        "per_second": round(done / elapsed, 1) if elapsed else 0.0,
        "latency_ms": ms("latencies", 50, 95, 99),
        "lock_ms": ms("lock", 50, 99),
        "mail_ms": ms("mail", 50, 99),
        "busy": outcomes["busy"],
        "refused": outcomes["refused"],
        "warmups": sum(part["warmups"] for part in parts),
        "problems": [f"{n} × {what}" for what, n in outcomes.items() if what.startswith("error")],
    }


# --- run as a Django script -----------------------------------------------------------------


def setup(groups: int) -> dict:
    """A library with `groups` open groups of 5 seats, and 10 SW companies with a contact
    person and an API key each. Groups are planned through the booking services, like the
    admin does; in every other group the coordinator holds 2 seats for the first company, so
    bookings also take held seats and count around holds."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import APIToken, Page

    from booking import services
    from booking.models import (
        CourseGroup,
        CourseIndexPage,
        CoursePage,
        Location,
        Membership,
        Organisation,
        Session,
    )

    user_model = get_user_model()
    library = Organisation.objects.create(
        name="Bibliotheek Benchmark", slug="bibliotheek-benchmark", kind="library"
    )
    coordinator = user_model.objects.create_user("bench-coordinator", "coordinator@bench.test")
    Membership.objects.create(user=coordinator, organisation=library)
    location = Location.objects.create(
        name="Bibliotheek Benchmark",
        kind=Location.Kind.LIBRARY,
        organisation=library,
        street_address="Markt 1",
        postal_code="1234 AB",
        city="Benchmark",
    )
    root = Page.get_first_root_node()
    index = root.add_child(instance=CourseIndexPage(title="Cursussen", slug="bench-cursussen"))
    course = index.add_child(
        instance=CoursePage(
            title="Klik & Tik",
            slug="klik-en-tik",
            summary="Eerste stappen met de computer.",
            what_you_learn="<p>De muis gebruiken en e-mailen.</p>",
            for_whom="<p>Voor iedereen die net begint.</p>",
        )
    )
    now = timezone.now()
    first_session = timezone.localdate() + datetime.timedelta(days=30)
    group_ids = []
    for number in range(groups):
        group = CourseGroup(
            course=course,
            library=library,
            location=location,
            capacity=5,
            status=CourseGroup.Status.OPEN,
            booking_opens_at=now - datetime.timedelta(days=1),
            booking_closes_at=now + datetime.timedelta(days=20),
            cancellation_deadline=now + datetime.timedelta(days=25),
            trainer=f"Trainer {number}",
        )
        group.sessions = [
            Session(
                date=first_session + datetime.timedelta(weeks=week),
                starts_at=datetime.time(10),
                ends_at=datetime.time(12),
            )
            for week in range(5)
        ]
        services.save_group(group=group, by=coordinator, reason="Benchmark")
        group_ids.append(group.pk)
    contacts, tokens, companies = [], [], []
    for number in range(10):
        company = Organisation.objects.create(
            name=f"SW-bedrijf {number}", slug=f"sw-bedrijf-{number}", kind="sw_company"
        )
        contact = user_model.objects.create_user(f"bench-contact-{number}", f"{number}@bench.test")
        Membership.objects.create(user=contact, organisation=company)
        companies.append(company)
        contacts.append(contact.pk)
        tokens.append(APIToken.create_token(user=contact, name="Benchmark")[1])
    held = 0
    for group_id in group_ids[::2]:
        services.hold_seats(
            group=CourseGroup.objects.get(pk=group_id),
            organisation=companies[0],
            seats=2,
            held_until=first_session - datetime.timedelta(days=1),
            by=coordinator,
            reason="Benchmark",
        )
        held += 2
    settings = connection.settings_dict
    return {
        "database": f"PostgreSQL {connection.pg_version // 10000}, {settings['NAME']} on "
        f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}",
        "groups": group_ids,
        "capacity": 5,
        "held": held,
        "contacts": contacts,
        "tokens": tokens,
    }


def worker(plan: dict, threads: int, seed: int) -> dict:
    """Book seats from `threads` threads between the start and stop times read on stdin."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django_tasks import task_backends

    from booking import services
    from booking.errors import BookingBusy, BookingError
    from booking.models import CourseGroup

    # Time two parts of each call: getting the group's lock (its transaction included), and
    # queueing the confirmation e-mail after the commit (the task backend's `enqueue`).
    spent = threading.local()
    take_lock = services.locked_groups
    # Task backends are made per thread, like caches: time the class's method.
    backend_class = type(task_backends["default"])
    enqueue = backend_class.enqueue

    @contextmanager
    def timed_lock(*group_ids, **options):
        started = time.perf_counter()
        with take_lock(*group_ids, **options) as groups:
            spent.lock = time.perf_counter() - started
            yield groups

    def timed_enqueue(backend, task, args, kwargs):
        started = time.perf_counter()
        try:
            return enqueue(backend, task, args, kwargs)
        finally:
            spent.mail = time.perf_counter() - started

    services.locked_groups, backend_class.enqueue = timed_lock, timed_enqueue

    times = {}  # start and stop, read on stdin once every thread is ready

    def client(number, result, ready, go):
        # Each thread has its own connection and its own user objects, like a web worker.
        rng = random.Random(seed * 1000 + number)
        contacts = list(
            get_user_model()
            .objects.select_related("membership__organisation")
            .filter(pk__in=plan["contacts"])
        )
        groups = list(CourseGroup.objects.filter(pk__in=plan["groups"]))
        latencies, outcomes = result["latencies"], result["outcomes"]
        lock_times, mail_times = result["lock"], result["mail"]

        def reserve():
            contact = rng.choice(contacts)
            return services.reserve_seats(
                group=rng.choice(groups),
                organisation=contact.membership.organisation,
                by=contact,
                seats=1,
            )

        try:
            try:
                reserve()  # warm up: templates, translations, the connection
                result["warmups"] += 1
            finally:
                # A client whose warm-up failed must not leave the others waiting for it:
                # the run ends below, with its error on stderr.
                ready.release()
            go.wait()
            time.sleep(max(0.0, times["start"] - time.time()))
            while time.time() < times["stop"]:
                started = time.perf_counter()
                try:
                    booked = reserve()
                except BookingBusy:
                    outcomes["busy"] += 1
                    continue
                except BookingError:
                    outcomes["refused"] += 1
                    continue
                except Exception as error:  # counted and reported as a problem
                    outcomes[f"error: {type(error).__name__}: {error}"] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                lock_times.append(spent.lock)
                mail_times.append(spent.mail)
                outcomes["confirmed" if booked.confirmed else "waitlisted"] += 1
            result["finished"] = time.time()
        finally:
            connection.close()

    ready, go = threading.Semaphore(0), threading.Event()
    results = [
        {
            "latencies": [],
            "lock": [],
            "mail": [],
            "outcomes": Counter(),
            "warmups": 0,
            "finished": 0.0,
        }
        for _ in range(threads)
    ]
    pool = [
        threading.Thread(target=client, args=(number, results[number], ready, go), daemon=True)
        for number in range(threads)
    ]
    for thread in pool:
        thread.start()
    for _ in pool:
        ready.acquire()
    if not all(result["warmups"] for result in results):
        sys.exit("a client could not make its first reservation (its error is above)")
    print("ready", flush=True)
    start, stop = map(float, sys.stdin.readline().split())
    times.update(start=start, stop=stop)
    go.set()
    for thread in pool:
        thread.join()
    return {
        "latencies": [latency for result in results for latency in result["latencies"]],
        "lock": [seconds for result in results for seconds in result["lock"]],
        "mail": [seconds for result in results for seconds in result["mail"]],
        "outcomes": sum((result["outcomes"] for result in results), Counter()),
        "warmups": sum(result["warmups"] for result in results),
        "finished": max(result["finished"] for result in results),
    }


def check(plan: dict) -> dict:
    """What the database holds afterwards: seats per status, groups over capacity, history."""
    from django.db.models import Count, F, Q

    from booking.models import CourseGroup, Seat

    groups = CourseGroup.objects.filter(pk__in=plan["groups"]).annotate(
        confirmed=Count("bookings__seats", filter=Q(bookings__seats__status="confirmed"))
    )
    seats = Seat.objects.filter(booking__group__in=plan["groups"])
    return {
        "seats": seats.count(),
        "confirmed": seats.confirmed().count(),
        "waitlisted": seats.waitlisted().count(),
        # Confirmed and still-held seats together never exceed a group's seats.
        "over_capacity": groups.filter(confirmed__gt=F("capacity") - F("seats_held")).count(),
        "seat_history": Seat.history.filter(id__in=seats.values("pk")).count(),
    }


def main():
    parser = argparse.ArgumentParser(description="Run by bench/run.py; see the module's doc.")
    parser.add_argument("command", choices=["setup", "worker", "check"])
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--plan", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if args.command == "setup":
        result = setup(args.groups)
    else:
        plan = json.loads(args.plan.read_text())
        result = worker(plan, args.threads, args.seed) if args.command == "worker" else check(plan)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
