"""Forty contact persons book the last three seats through the API at the same moment, on a
real gunicorn with four worker processes and PostgreSQL (DESIGN.md rule 1, end to end).

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> .venv/bin/pytest ...; the
test data is committed (a transactional test) so that the gunicorn workers, which are other
processes with their own connections, see it.
"""

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from wagtail.models import APIToken

from booking.models import CourseGroup, Seat
from tests.network import free_port

from .factories import CompanyFactory, CourseGroupFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://..."),
    # serialized_rollback: later tests still find what the migrations made (locales, the root
    # page), which the flush after a transactional test removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.crowd,
]


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_<name>)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def gunicorn(*, workers: int = 4, timeout: float = 30, **environment):
    """Serve the site with gunicorn on a free port; yields the port.

    `environment` adds to (or overrides) the process's environment, e.g. DATABASE_URL.
    Waits until the API answers; stops the server (and only it) afterwards.
    """
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **environment}
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
        [str(GUNICORN), "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
            try:
                if request(port, "GET", "/api/v1/openapi.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def request(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        client.request(
            method,
            path,
            body=payload,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = client.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        client.close()


def test_forty_simultaneous_bookings_confirm_exactly_the_three_free_seats(people, course):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=3)
    tokens = []
    for company_number in range(8):
        company = CompanyFactory()
        for person in range(5):
            user = UserFactory(username=f"contact-{company_number}-{person}", organisation=company)
            tokens.append(APIToken.create_token(user=user, name="concurrency")[1])
    barrier = threading.Barrier(len(tokens))
    answers: list = [None] * len(tokens)

    def reserve(index):
        barrier.wait(timeout=60)
        answers[index] = request(
            port,
            "POST",
            "/api/v1/bookings",
            {"group_id": group.pk, "seats": [{"first_name": f"Deelnemer {index}"}]},
            {"Authorization": f"Bearer {tokens[index]}", "Accept-Language": "en"},
        )

    with gunicorn(
        DATABASE_URL=database_url(),
        # Every request waits its turn for the group's lock instead of answering "busy".
        BOOKING_LOCK_TIMEOUT="60",
        API_RATE_LIMIT_AUTHENTICATED="1000/min",
    ) as port:
        threads = [threading.Thread(target=reserve, args=(i,)) for i in range(len(tokens))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert [status for status, _body in answers] == [201] * 40, answers
    seats = [body["seats"][0] for _status, body in answers]
    assert sum(seat["status"] == "confirmed" for seat in seats) == 3
    assert sum(seat["status"] == "waitlisted" for seat in seats) == 37
    places = sorted(seat["waitlist_position"] for seat in seats if seat["status"] == "waitlisted")
    assert places == list(range(1, 38))  # first come, first served: each place once
    assert Seat.objects.filter(booking__group=group).confirmed().count() == 3
    assert Seat.objects.filter(booking__group=group).waitlisted().count() == 37
    for planned in CourseGroup.objects.with_occupancy():
        assert planned.confirmed_seats <= planned.capacity
