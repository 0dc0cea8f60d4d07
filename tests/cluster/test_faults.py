"""Faults on the cluster of `make cluster`, each during a bounded load (issue 15, "Faults").

The load (bench/cluster_load.py, `BackgroundLoad`): one thread per demo contact person
reserving a seat through the API about 1.5 times a second, each reservation with an
Idempotency-Key of its own, and two threads reading the home page, the story index, stories
and course pages, all through the load balancer. A client retries an attempt that got no
answer or 502/503/504 a few times with a short pause (about 15 s in all), with the same key.

After each fault the cluster's database is checked (tests/cluster/consistency.py): every seat
agrees with its latest history record, no group has more confirmed seats than its capacity
(nor anyone waiting while an open group has a free seat), and the load's bookings (its seats
carry a first name of its own) are exactly those whose reservation was answered 201, one per
Idempotency-Key, one seat each: nothing lost, nothing doubled.

Run by `make cluster-test` (LEERPLEIN_CLUSTER_TESTS=1); each test prints its figures.
"""

import importlib.util
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"


def _bench_module(name):
    """bench/ is a folder of scripts, not a package: load a module from its file under its
    own name (cluster_load imports loadgen as a script would)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_bench_module("loadgen")
load = _bench_module("cluster_load")

SETTLE = 4  # seconds of load before the fault
DEAD_SECONDS = 30  # WORKER_DEAD_SECONDS of the cluster (config/settings/base.py)
SLOW = 45  # seconds the worker-kill test's task takes after sending its mail


# --- the cluster ---------------------------------------------------------------------------


def cli(*args, timeout=180) -> str:
    """`cluster.py ARGS`; its output (a failure raises with its message)."""
    return load.cluster(*args, timeout=timeout)


def status() -> dict:
    return load.cluster_status()


def django(env: dict, code: str, timeout: float = 120):
    """Run `code` in the cluster's Django (`manage.py shell`); the JSON it printed last."""
    done = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def call(env: dict, function: str, **kwargs):
    """`function(**kwargs)` of tests/cluster/consistency.py in the cluster's Django."""
    return django(
        env,
        f"from tests.cluster.consistency import {function}; "
        f"{function}(**__import__('json').loads({json.dumps(json.dumps(kwargs))}))",
        timeout=120 + kwargs.get("timeout", 0),
    )


def messages() -> list[dict]:
    return json.loads(cli("mail", "messages", "--json"))


@pytest.fixture(scope="module")
def site(cluster):
    """The cluster (conftest's session fixture starts it), the clients' plan, and API
    tokens of contact persons made for this run, so that their mail is this run's alone."""
    env = {**os.environ, **cluster.env}
    plan = load.discover(env)
    people = call(env, "make_contacts", run=uuid.uuid4().hex[:8])
    tokens = {username: person["token"] for username, person in people.items()}
    ports = load.entry_ports(status())
    return {"env": env, "plan": plan, "tokens": tokens, "lb": ports["lb"]}


def background(site, **kwargs):
    return load.BackgroundLoad(site["lb"], site["plan"], site["tokens"], **kwargs)


# --- what every test checks ----------------------------------------------------------------


def figures(name: str, background_load, **extra) -> dict:
    summary = background_load.summary()
    totals = summary["totals"]
    api = summary["kinds"].get("api:reserve", {})
    shown = {
        "requests": totals["requests"],
        "seconds": totals["seconds"],
        "reservations": api.get("requests", 0),
        "api_statuses": api.get("statuses", {}),
        "failed_before_retry": totals["failed_attempts"],
        "failed_after_retry": totals["failed_after_retry"],
        "status_500": totals["status_500"],
        "unexpected": totals["errors"],
        "nodes": totals["nodes"],
        **extra,
    }
    print(f"\n{name}: {json.dumps(shown)}")
    return summary


def assert_no_failures(summary: dict):
    totals = summary["totals"]
    assert totals["status_500"] == 0, summary["kinds"]
    assert totals["failed_after_retry"] == 0, summary["kinds"]
    assert totals["errors"] == 0, summary["kinds"]


def assert_consistent(site, background_load, *, mails=False) -> dict:
    """Seats and history agree, no group over capacity, every answered reservation is
    exactly one booking of one seat, and the load made no other booking."""
    state = call(
        site["env"],
        "report",
        first_name=background_load.first_name,
        keys=background_load.keys(),
        mails=mails,
    )
    assert state["history"]["problems"] == 0, state["history"]
    assert state["capacity"]["over_capacity"] == [], state["capacity"]
    assert state["capacity"]["waiting_while_free"] == [], state["capacity"]
    made = background_load.made()
    in_database = {int(pk): booking for pk, booking in state["bookings"].items()}
    assert sorted(state["keys"].items()) == sorted(made.items()), "a key without its booking"
    assert sorted(in_database) == sorted(made.values()), "a booking lost or made twice"
    assert len(set(made.values())) == len(made), "two keys answered with one booking"
    assert all(len(booking["seats"]) == 1 for booking in in_database.values())
    return state


def wait_for_mails(expected: list[list[str]], before: set[str], *, timeout: float) -> dict:
    """Wait until every expected (recipient, subject) arrived, then a little longer for a
    second copy; what arrived, counted."""
    wanted = Counter((to, subject) for to, subject in expected)
    deadline = time.monotonic() + timeout
    while True:
        new = [m for m in messages() if m["file"] not in before]
        got = Counter(
            (to, m["subject"]) for m in new for to in m["to"] if (to, m["subject"]) in wanted
        )
        if got >= wanted or time.monotonic() > deadline:
            break
        time.sleep(5)
    time.sleep(8)  # a duplicate would come from a retry or a second run within seconds
    new = [m for m in messages() if m["file"] not in before]
    got = Counter((to, m["subject"]) for m in new for to in m["to"] if (to, m["subject"]) in wanted)
    ids = Counter(m["message_id"] for m in new if m["message_id"])
    return {
        "expected": wanted,
        "got": got,
        "duplicate_ids": [i for i, n in ids.items() if n > 1],
        "new": new,
    }


# --- the faults ----------------------------------------------------------------------------


def test_a_killed_app_node_costs_the_clients_nothing(site):
    with background(site) as bg:
        time.sleep(SETTLE)
        killed_at = time.time()
        cli("node", "kill", "1")
        time.sleep(12)
        starting_at = time.time()
        cli("node", "start", "1")  # returns once HAProxy has it in rotation again
        started_at = time.time()
        time.sleep(6)
    summary = figures(
        "node kill",
        bg,
        failures=Counter(f.what for f in bg.recorder.failures),
        start_command_s=round(started_at - starting_at, 1),
    )
    assert_no_failures(summary)
    # Once HAProxy saw node1 gone (two checks, 2 s apart), node2 answered everything.
    routed_around = [
        r.node for r in bg.recorder.records if killed_at + 6 < r.at < starting_at and r.node
    ]
    assert routed_around and set(routed_around) == {"node2"}
    back = {r.node for r in bg.recorder.records if r.at > started_at and r.node}
    assert "node1" in back, "node1 did not come back into the rotation"
    assert_consistent(site, bg)


def test_without_redis_nothing_fails_and_caching_resumes(site):
    plan = site["plan"]
    home = plan["pages"]["home"][0]
    with background(site) as bg:
        time.sleep(SETTLE)
        stopped_at = time.time()
        cli("redis", "stop")
        try:
            time.sleep(2)
            # A contact person logs in to the portal and reads it while Redis is gone.
            person = load.Client(site["lb"], bg.recorder)
            page = person.get("redis-down:login", plan["urls"]["login"])
            login = person.submit(
                "redis-down:login",
                page,
                plan["urls"]["login"],
                {"username": plan["contacts"][0]["username"], "password": load.PASSWORD},
                pick=load.has_field("password"),
                expect=(302,),
            )
            overview = person.get("redis-down:portal", plan["urls"]["overview"])
            person.close()
            time.sleep(8)
        finally:
            started_at = time.time()
            cli("redis", "start")
        reader = load.Client(site["lb"], load.Recorder())
        cached, deadline = "", time.monotonic() + 15
        while cached != "hit" and time.monotonic() < deadline:
            cached = reader.get("after", home).headers.get("x-page-cache", "")
            time.sleep(0.5)
        resumed_after = time.time() - started_at
        reader.close()
        time.sleep(2)
    during = [
        r
        for r in bg.recorder.records
        if stopped_at + 1 < r.at < started_at and r.kind == "api:reserve"
    ]
    summary = figures(
        "redis stop",
        bg,
        api_during_outage=dict(Counter(r.status for r in during)),
        cache_hit_again_after_s=round(resumed_after, 1),
    )
    assert_no_failures(summary)
    assert login is not None and login.status == 302
    assert overview.status == 200  # the portal itself: without a session it redirects
    assert during and all(r.status in (201, 409) for r in during)
    assert cached == "hit", "the page cache did not keep the home page after Redis came back"
    assert_consistent(site, bg)


def test_a_postgresql_restart_answers_503_and_recovers_by_itself(site):
    before = status()
    processes = ("node1", "node2", "worker1", "worker2")
    with background(site) as bg:
        time.sleep(SETTLE)
        restart_at = time.time()
        cli("postgres", "restart")
        back_at = time.time()
        time.sleep(15)
    failures = bg.failures_between(restart_at)
    # Recovered: the last request that needed a retry got its answer; none failed after.
    retried = [r.at + r.latency for r in bg.recorder.records if r.attempts > 1]
    recovered_after = max([restart_at, *retried]) - restart_at
    api_failures = [f for f in failures if f.path.startswith("/api/")]
    summary = figures(
        "postgres restart",
        bg,
        restart_command_s=round(back_at - restart_at, 1),
        failures=dict(Counter(f.what for f in failures)),
        api_failures_json=sum("json" in f.content_type for f in api_failures),
        api_failures_html=sum("html" in f.content_type for f in api_failures),
        all_succeed_again_after_s=round(recovered_after, 1),
    )
    assert_no_failures(summary)
    assert all(f.what == "503" and f.retry_after for f in failures), failures
    # It recovered by itself: the same processes serve as before the restart.
    after = status()
    assert {name: after[name]["pid"] for name in processes} == {
        name: before[name]["pid"] for name in processes
    }
    assert all(after[name]["running"] for name in processes)
    assert recovered_after < 30
    assert_consistent(site, bg)


def test_mail_waits_while_the_mail_server_is_down_and_goes_out_once(site):
    before = {m["file"] for m in messages()}
    cli("mail", "stop")
    down_at = time.monotonic()
    try:
        with background(site, max_seconds=25) as bg:
            time.sleep(25)
        time.sleep(max(0.0, 60 - (time.monotonic() - down_at)))
    finally:
        cli("mail", "start")
    state = assert_consistent(site, bg, mails=True)
    # The first retry comes 5 s after a refusal, then 25, then 125 (EMAIL_RETRY_BASE_SECONDS=5
    # in the cluster): a mail refused three times in the minute goes out within 125 s more.
    arrived = wait_for_mails(state["expected_mails"], before, timeout=200)
    summary = figures(
        "mail down",
        bg,
        bookings=len(state["bookings"]),
        mails_expected=sum(arrived["expected"].values()),
        mails_delivered=sum(arrived["got"].values()),
        duplicate_message_ids=len(arrived["duplicate_ids"]),
    )
    assert_no_failures(summary)
    assert state["bookings"], "the load made no booking"
    assert arrived["got"] == arrived["expected"]
    assert arrived["duplicate_ids"] == []


def test_a_task_of_a_killed_worker_runs_again_without_a_second_mail(site):
    env = site["env"]
    before = {m["file"] for m in messages()}
    marker = uuid.uuid4().hex[:12]
    subject = f"Leerplein cluster fault test {marker}"
    with background(site, max_seconds=60) as bg:
        # A task that sends a mail, then takes SLOW seconds: the kill comes after the mail.
        task_id = call(env, "start_slow_mail", marker=marker, seconds=SLOW)["id"]
        state = call(env, "task_state", task_id=task_id, until="RUNNING", timeout=30)
        assert state["status"] == "RUNNING", state
        deadline = time.monotonic() + 15
        while not any(m["subject"] == subject for m in messages()):
            assert time.monotonic() < deadline, "the slow task sent no mail"
            time.sleep(1)
        worker_id = state["worker_ids"][-1]
        workers = status()
        killed = next(n for n in (1, 2) if workers[f"worker{n}"]["pid"] == state["pids"][worker_id])
        try:
            cli("worker", "kill", str(killed))
            killed_at = time.monotonic()
            # The task was still in hand: it sleeps SLOW seconds after its mail.
            assert call(env, "task_state", task_id=task_id)["status"] == "RUNNING"
            time.sleep(20)
            bg.stop()
            # Another worker takes it once the dead one's heartbeat is DEAD_SECONDS old
            # (recovery looks every 15 s), and runs it again: SLOW seconds more.
            wait = DEAD_SECONDS + 15 + SLOW + 30 - (time.monotonic() - killed_at)
            state = call(env, "task_state", task_id=task_id, until="SUCCESSFUL", timeout=wait)
            done_after = time.monotonic() - killed_at
        finally:
            cli("worker", "start", str(killed))
    consistency = assert_consistent(site, bg, mails=True)
    expected = [*consistency["expected_mails"], ["fault-test@leerplein.test", subject]]
    arrived = wait_for_mails(expected, before, timeout=90)
    summary = figures(
        "worker kill",
        bg,
        task_status=state["status"],
        task_workers=len(state["worker_ids"]),
        task_done_after_kill_s=round(done_after, 1),
        slow_task_mails=arrived["got"][("fault-test@leerplein.test", subject)],
        mails_expected=sum(arrived["expected"].values()),
        mails_delivered=sum(arrived["got"].values()),
        duplicate_message_ids=len(arrived["duplicate_ids"]),
    )
    assert_no_failures(summary)
    assert state["status"] == "SUCCESSFUL"
    assert len(state["worker_ids"]) == 2 and state["worker_ids"][-1] != worker_id
    assert arrived["got"] == arrived["expected"]
    assert arrived["duplicate_ids"] == []


def test_a_short_mixed_load_has_no_errors(site):
    """`make cluster-bench`'s mix for 20 s through Varnish: no error, no 5xx."""
    assert load.main(["--seconds", "20", "--compare-seconds", "0", "--check", "--no-docs"]) == 0
