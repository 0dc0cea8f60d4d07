"""When the database cannot be reached or restarts, visitors get the "busy, try again" page
and API clients the documented 503, both with Retry-After and in their own language; once
the database is back the site works again by itself."""

import sys
from contextlib import contextmanager
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.test import Client, RequestFactory
from wagtail.models import APIToken

from core import cache as page_cache
from core import unavailable
from tests.booking.factories import CompanyFactory, UserFactory
from tests.html_checker import markup_problems

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
API = "/api/v1/groups"


@contextmanager
def database_gone(error=OperationalError):
    """Every query fails as it does when PostgreSQL has gone away."""
    failure = error("server closed the connection unexpectedly")
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        yield


@pytest.fixture
def visitor():
    # Django's test client re-raises a view's exception by default; a browser gets the page.
    return Client(raise_request_exception=False)


def assert_busy_page(response, language):
    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert response["Content-Language"] == language
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_says_the_site_is_busy_in_dutch(visitor, site_tree, error):
    with database_gone(error):
        response = visitor.get("/nl/")

    assert_busy_page(response, "nl")
    page = response.content.decode()
    assert "Het is nu erg druk" in page
    assert "Wacht een minuut en probeer het dan opnieuw." in page
    assert "Dan is het misschien niet bewaard: verstuur het nog een keer." in page


def test_a_page_says_the_site_is_busy_in_english(visitor, site_tree):
    with database_gone():
        response = visitor.get("/en/")

    assert_busy_page(response, "en")
    page = response.content.decode()
    assert markup_problems(page) == []
    assert "It is very busy right now" in page
    assert "Wait a minute and try again." in page
    assert 'href="/en/"' in page


def test_a_form_post_gets_the_busy_page(visitor, site_tree):
    with database_gone():
        response = visitor.post("/nl/account/login/", {"username": "a", "password": "b"})

    assert_busy_page(response, "nl")


def test_the_site_works_again_when_the_database_is_back(visitor, site_tree):
    with database_gone():
        assert visitor.get("/nl/").status_code == 503

    assert visitor.get("/nl/").status_code == 200


def test_the_api_answers_503_unavailable_in_its_error_shape(client):
    with database_gone():
        response = client.get(API, headers={"Accept-Language": "en"})

    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert response.json() == {
        "detail": "We cannot handle your request right now because our system is restarting. "
        "Please try again in a minute.",
        "code": "unavailable",
        "errors": [],
    }


def test_the_api_answer_is_dutch_by_default(client):
    with database_gone():
        response = client.get(API)

    assert response.status_code == 503
    assert response.json()["detail"].startswith("We kunnen je aanvraag nu niet verwerken")


def test_a_reservation_with_a_token_answers_503_when_the_database_is_gone(client, db):
    user = UserFactory(organisation=CompanyFactory())
    token = APIToken.create_token(user=user, name="test")[1]
    with database_gone():
        response = client.post(
            "/api/v1/bookings",
            '{"group_id": 1, "seats": [{}]}',
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_an_api_request_that_fails_before_the_api_gets_the_error_shape(rf: RequestFactory):
    """A middleware that meets the lost database (before ninja) goes through handler500."""
    request = rf.get(API, headers={"Accept-Language": "en"})
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = unavailable.server_error(request)

    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    assert b'"code": "unavailable"' in response.content


def test_other_errors_still_get_the_500_page(rf: RequestFactory):
    request = rf.get("/nl/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert sys.exception() is not None
        response = unavailable.server_error(request)

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Er ging iets mis" in response.content.decode()


def test_the_handler_is_wired():
    from config import urls

    assert urls.handler500 == "core.unavailable.server_error"


def test_a_kept_connection_is_checked_before_use():
    """Without the health check, a connection broken by a database restart would fail the
    first request of each process after it."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# -- a real PostgreSQL that goes away ----------------------------------------------------------


def on_postgres(test):
    """A transactional test on a real PostgreSQL, whose connections the test breaks."""
    marks = [
        pytest.mark.postgres,
        pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: DATABASE_URL=postgres://..."),
        # serialized_rollback: later tests still find what the migrations made.
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ]
    for mark in marks:
        test = mark(test)
    return test


def forget_pages():
    """No cached copy of a page (shared or in this process) answers instead of the database."""
    cache.clear()
    page_cache.forget_local()


def as_in_production(client, path):
    """A request the way the WSGI server makes it: connections that broke or grew old are
    closed when a request starts and ends (the test client leaves this out). The page cache
    is emptied first, so the request really asks the database."""
    forget_pages()
    close_old_connections()
    try:
        return client.get(path)
    finally:
        close_old_connections()


@pytest.fixture
def kept_connection():
    """The connection kept between requests with a health check, as config/settings/base.py
    configures it for production."""
    connection = connections["default"]
    kept = {"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    before = {name: connection.settings_dict[name] for name in kept}
    connection.settings_dict.update(kept)
    yield connection
    connection.settings_dict.update(before)


def terminate(pid: int):
    """pg_terminate_backend from a connection of its own, as a restart or failover does;
    waits until the backend has gone."""
    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


@on_postgres
@pytest.mark.parametrize("path", ["/nl/", API])
def test_a_connection_killed_mid_request_gives_503_then_the_site_recovers(
    visitor, site_tree, kept_connection, path
):
    assert as_in_production(visitor, path).status_code == 200
    killed = []

    def kill_before_first_query(execute, sql, params, many, context):
        if not killed:
            killed.append(kept_connection.connection.info.backend_pid)
            terminate(killed[0])
        return execute(sql, params, many, context)

    forget_pages()
    close_old_connections()
    kept_connection.ensure_connection()
    with kept_connection.execute_wrapper(kill_before_first_query):
        during = visitor.get(path)
    close_old_connections()
    after = as_in_production(visitor, path)

    assert killed
    assert during.status_code == 503
    assert during["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert after.status_code == 200
    assert kept_connection.connection.info.backend_pid != killed[0]


@on_postgres
def test_a_database_restart_between_requests_goes_unnoticed(visitor, site_tree, kept_connection):
    assert as_in_production(visitor, "/nl/").status_code == 200
    old_pid = kept_connection.connection.info.backend_pid

    terminate(old_pid)
    response = as_in_production(visitor, "/nl/")

    # The health check finds the kept connection broken and opens a new one first.
    assert response.status_code == 200
    assert kept_connection.connection.info.backend_pid != old_pid


@on_postgres
def test_a_database_that_refuses_connections_gives_503_until_it_is_back(visitor, site_tree):
    connection = connections["default"]
    port = connection.settings_dict["PORT"]
    close_old_connections()
    connection.close()
    # Nothing listens on port 9: connecting is refused, as while PostgreSQL restarts.
    connection.settings_dict["PORT"] = "9"
    try:
        page = visitor.get("/nl/")
        api = visitor.get(API)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert_busy_page(page, "nl")
    assert api.status_code == 503
    assert api.json()["code"] == "unavailable"
    assert as_in_production(visitor, "/nl/").status_code == 200
