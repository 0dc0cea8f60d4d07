"""A lockout nobody can use to keep someone else out, and password reset that cannot be
flooded or used to find out who has an account.

Wrong passwords lock the pair of account and address; many wrong passwords from many places
lock the account itself. A password reset lets the owner in again.
"""

import statistics
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks import default_task_backend

from .test_accounts import PASSWORD, PORTAL, ask_reset, fail, in_language, link_in, log_in, url

pytestmark = pytest.mark.django_db

OWNER = "contact-promen"
OWNER_EMAIL = "contact-promen@example.test"
ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OFFICE = {"REMOTE_ADDR": "198.51.100.10"}


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.LOGIN_REDIRECT_URL = PORTAL


@pytest.fixture
def accounts(people, english):
    return people


NEW_PASSWORD = "a-new-secret-42"  # noqa: S105


def choose_new_password(client, password=NEW_PASSWORD):
    """Follows the newest reset link in the outbox and sets `password`."""
    link = link_in(mail.outbox[-1]).removeprefix("http://testserver")
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done["Location"] == url("password_reset_complete")
    return password


# -- lockout by account and address -------------------------------------------------------------


def test_the_right_password_from_another_address_still_works(accounts):
    assert fail(Client(), OWNER, 5, **ATTACKER)[-1] == 429
    response = log_in(Client(), OWNER, REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 302
    assert response["Location"] == PORTAL


def test_a_colleague_behind_the_same_office_address_still_gets_in(accounts):
    assert fail(Client(), OWNER, 5, **OFFICE)[-1] == 429
    response = log_in(Client(), "contact-konnected", **OFFICE)
    assert response.status_code == 302


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_attackers_pair_of_account_and_address_is_locked(accounts, language):
    fail(Client(), OWNER, 5, **ATTACKER)
    response = log_in(Client(), OWNER, PASSWORD, language, **ATTACKER)
    html = response.content.decode()
    assert response.status_code == 429
    assert in_language(language, "Your account is locked") in html
    assert url("password_reset", language) in html
    assert response["Retry-After"] == str(30 * 60)


# -- the ceiling per account, against guessing from many addresses -------------------------------


def spray(times, name=OWNER):
    """Wrong passwords for one account, each from a new address (no pair reaches five)."""
    return [
        log_in(Client(), name, "wrong-password", REMOTE_ADDR=f"10.1.{n // 200}.{n % 200}")
        for n in range(times)
    ]


def test_below_the_ceiling_the_owner_still_gets_in(accounts, settings):
    spray(settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 1)
    assert log_in(Client(), OWNER, REMOTE_ADDR="192.0.2.20").status_code == 302


@pytest.mark.parametrize("language", ["nl", "en"])
def test_guessing_from_many_addresses_locks_the_account_until_a_reset(
    client, accounts, settings, language
):
    answers = spray(settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    assert [answer.status_code for answer in answers[:-1]] == [200] * (len(answers) - 1)
    assert answers[-1].status_code == 429

    # Locked everywhere, with the right password too; the page says why and what to do.
    locked = log_in(Client(), OWNER, PASSWORD, language, REMOTE_ADDR="192.0.2.20")
    html = locked.content.decode()
    assert locked.status_code == 429
    assert (
        in_language(
            language,
            "Someone typed a wrong password for this account many times, from different places. "
            "To keep the account safe, logging in is locked for now.",
        )
        in html
    )
    assert url("password_reset", language) in html
    assert locked["Retry-After"] == str(60 * 60)
    # Other accounts are not touched.
    assert log_in(Client(), "contact-konnected", REMOTE_ADDR="192.0.2.20").status_code == 302

    ask_reset(client, OWNER_EMAIL, language)
    new_password = choose_new_password(client)
    response = log_in(Client(), OWNER, new_password, REMOTE_ADDR="192.0.2.20")
    assert response["Location"] == PORTAL


def test_a_reset_also_ends_the_lock_of_the_pair(client, accounts):
    fail(Client(), OWNER, 5, **ATTACKER)
    ask_reset(client, OWNER_EMAIL)
    new_password = choose_new_password(client)
    assert log_in(Client(), OWNER, new_password, **ATTACKER).status_code == 302


# -- password reset rate limits -----------------------------------------------------------------


def test_reset_mails_per_address_stop_at_the_limit(accounts, settings):
    limit = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    answers = [
        ask_reset(Client(REMOTE_ADDR=f"10.2.0.{n}"), OWNER_EMAIL.upper() if n % 2 else OWNER_EMAIL)
        for n in range(limit + 3)
    ]
    # The same answer every time, but no more mails than the limit.
    assert {answer["Location"] for answer in answers} == {url("password_reset_done")}
    assert len(mail.outbox) == limit
    # Another account's mail still goes out.
    ask_reset(Client(REMOTE_ADDR="10.2.1.1"), "contact-konnected@example.test")
    assert mail.outbox[-1].to == ["contact-konnected@example.test"]


def test_reset_requests_per_client_address_stop_at_the_limit(accounts, settings):
    limit = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    walker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(limit):
        # A forged X-Forwarded-For does not make each request come from somewhere new.
        walker.post(
            url("password_reset"),
            {"email": f"nobody-{n}@example.test"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    answer = ask_reset(walker, OWNER_EMAIL)
    assert answer["Location"] == url("password_reset_done")
    assert mail.outbox == []
    # The owner, elsewhere, still gets a link.
    ask_reset(Client(REMOTE_ADDR="192.0.2.30"), OWNER_EMAIL)
    assert [message.to for message in mail.outbox] == [[OWNER_EMAIL]]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_limited_request_gets_the_same_page_as_any_other(accounts, settings, language):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    client = Client()
    first = client.get(ask_reset(client, OWNER_EMAIL, language)["Location"])
    limited = client.get(ask_reset(client, OWNER_EMAIL, language)["Location"])
    assert limited.status_code == first.status_code == 200
    assert in_language(language, "Check your e-mail") in limited.content.decode()
    assert len(mail.outbox) == 1


# -- the same work and time for known and unknown addresses -------------------------------------


@pytest.fixture
def queued(settings):
    """Tasks are kept, not run, as in production where a worker sends the mail later."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def test_known_and_unknown_addresses_do_the_same_work(accounts, queued):
    answers = {}
    for email in [OWNER_EMAIL, "nobody@example.test"]:
        with CaptureQueriesContext(connection) as queries:
            answer = ask_reset(Client(REMOTE_ADDR="192.0.2.40"), email)
        answers[email] = (answer.status_code, answer["Location"], len(queries))
    assert answers[OWNER_EMAIL] == answers["nobody@example.test"]
    # One task each, holding ids and a language, never the typed address.
    known, unknown = queued.results
    assert known.task.name == unknown.task.name == "send_reset_links"
    assert known.args == [] and unknown.args == []
    assert known.kwargs == {"user_ids": [accounts.contact_promen.pk], "language": "nl"}
    assert unknown.kwargs == {"user_ids": [], "language": "nl"}
    assert mail.outbox == []


def test_known_and_unknown_addresses_take_about_as_long(accounts, queued, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 10**6
    client = Client()
    timings = {OWNER_EMAIL: [], "nobody@example.test": []}
    for _ in range(3):  # warm up templates and caches
        for email in timings:
            ask_reset(client, email)
    for round_ in range(30):
        # Alternate which goes first, so a slow moment of the machine hits both alike.
        for email in list(timings)[:: 1 if round_ % 2 else -1]:
            start = time.perf_counter()
            ask_reset(client, email)
            timings[email].append(time.perf_counter() - start)
    # The fastest runs are the least disturbed by other work on the machine.
    known = statistics.median(sorted(timings[OWNER_EMAIL])[:10])
    unknown = statistics.median(sorted(timings["nobody@example.test"])[:10])
    # Generous, for a busy test machine: the point is no mail composed in one path only.
    assert abs(known - unknown) < max(0.3 * min(known, unknown), 0.002), (known, unknown)


def test_the_admins_own_reset_page_leads_to_the_rate_limited_one(accounts):
    client = Client()
    assert client.get("/admin/password_reset/")["Location"] == url("password_reset")
    answer = client.post("/admin/password_reset/", {"email": OWNER_EMAIL})
    assert answer["Location"] == url("password_reset")
    assert mail.outbox == []


def test_without_the_cache_logins_and_resets_still_work(accounts, settings):
    # An address where no Redis answers: the cache degrades to misses (core/cache_backends.py).
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.PooledRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
        }
    }
    assert fail(Client(), OWNER, 2, **ATTACKER) == [200, 200]
    assert log_in(Client(), OWNER, REMOTE_ADDR="192.0.2.20")["Location"] == PORTAL
    assert ask_reset(Client(), OWNER_EMAIL)["Location"] == url("password_reset_done")
    assert [message.to for message in mail.outbox] == [[OWNER_EMAIL]]
    # The lockout of account and address lives in the database and still holds.
    assert fail(Client(), OWNER, 3, **ATTACKER)[-1] == 429
