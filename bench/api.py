"""Reservations through the booking API: `POST /api/v1/bookings` over HTTP, on PostgreSQL.

`make bench` runs this after bench/reservations.py, which measures the same booking without
HTTP. Here the whole request counts: gunicorn, the middleware, bearer-token authentication,
the rate limit, validation of the JSON body, the booking service (lock, rules, rows, history,
the e-mail task queued after the commit) and the JSON answer. The database is a fresh
`leerplein_bench_api` on the reservations' PostgreSQL server, planned by the same set-up
(open groups of 5 seats, 10 SW companies with a contact person and an API key each). Each
connection of the load generator takes turns over the groups and keys, so the reservations
spread like many companies booking at once; afterwards the database is asked whether any
group got more confirmed seats than it has.
"""

import json

from loadgen import Request, run_load
from reservations import _django, _json_of, planned_database

DATABASE_NAME = "leerplein_bench_api"
PATH = "/api/v1/bookings"


def requests(plan: dict) -> list[Request]:
    """One reservation of one seat per (group, key) pair, in an order that spreads both."""
    made = []
    for number, group_id in enumerate(plan["groups"]):
        token = plan["tokens"][number % len(plan["tokens"])]
        body = json.dumps({"group_id": group_id, "seats": [{"first_name": "Bench"}]}).encode()
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        made.append(Request(PATH, "POST", headers, body))
    return made


def measure_api(env: dict, args, manage, serve) -> dict:
    """The API's figures, or {"skipped": reason}. `serve(env)` runs gunicorn for a block and
    yields its port."""
    # The rate limit protects a real site from one runaway client; here it would measure the
    # limit instead of the booking.
    planned = planned_database(
        env,
        args,
        manage,
        DATABASE_NAME,
        API_RATE_LIMIT_AUTHENTICATED="1000000/s",
        API_RATE_LIMIT_ANONYMOUS="1000000/s",
    )
    if isinstance(planned, str):
        return {"skipped": planned}
    env, plan, plan_file = planned
    load_requests = requests(plan)

    with serve(env) as port:
        warmup = run_load(
            "127.0.0.1", port, load_requests, connections=1, seconds=1, max_requests=20
        )
        alone = run_load(
            "127.0.0.1",
            port,
            load_requests,
            connections=1,
            seconds=args.reservation_alone,
            max_requests=100_000,
        )
        load = run_load(
            "127.0.0.1",
            port,
            load_requests,
            connections=args.connections,
            seconds=args.reservation_seconds,
            max_requests=100_000,
        )
    check = _json_of(_django(env, "check", "--plan", str(plan_file)), "check")
    problems = []
    for name, result in (("warm-up", warmup), ("alone", alone), ("load", load)):
        if result.errors or result.statuses.get(201, 0) != result.requests:
            problems.append(f"{name}: {result.errors} errors, statuses {dict(result.statuses)}")
    booked = warmup.requests + alone.requests + load.requests
    if check["seats"] != booked:
        problems.append(f"the database holds {check['seats']} seats for {booked} answers")

    def phase(result, connections):
        return {
            "connections": connections,
            "seconds": round(result.seconds, 2),
            "reservations": result.statuses.get(201, 0),
            "per_second": round(result.rps, 1),
            "latency_ms": {p: round(result.percentile(p) * 1000, 2) for p in (50, 95, 99)},
        }

    return {
        "database": plan["database"],
        "groups": len(plan["groups"]),
        "capacity": plan["capacity"],
        "keys": len(plan["tokens"]),
        "alone": phase(alone, 1),
        "load": phase(load, args.connections),
        **{key: check[key] for key in ("confirmed", "waitlisted", "over_capacity")},
        "problems": problems,
    }
