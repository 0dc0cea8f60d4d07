"""The cache is an optimisation: with Redis unreachable the site answers, uncached, and it
caches again once Redis is back."""

import json
import shutil
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from wagtail.models import APIToken

from core.cache import forget_local
from tests.booking.factories import CompanyFactory, UserFactory
from tests.network import free_port, port_is_open

pytestmark = pytest.mark.django_db

# Ports nothing listens on now (the cluster of `make cluster` keeps its Redis on 6390).
CLOSED_PORT = free_port()
SPARE_PORT = free_port()


def use_redis(settings, port):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.PooledRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/3",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    forget_local()


def reverse_login():
    with translation.override("nl"):
        return reverse("accounts:login")


@pytest.fixture
def contact(courses):
    company = CompanyFactory(name="Ergon", slug="ergon")
    user = UserFactory(username="contact-ergon", organisation=company)
    return user, APIToken.create_token(user=user, name="test")[1]


def test_with_redis_unreachable_pages_login_portal_and_api_answer(
    client, settings, site_tree, courses, contact
):
    assert not port_is_open(CLOSED_PORT)
    use_redis(settings, CLOSED_PORT)
    started = time.monotonic()
    for url in (site_tree.home.url, site_tree.practice.url, site_tree.index.url, reverse_login()):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    assert client.get(courses.course.url).status_code == 200

    user, token = contact
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/groups", headers=headers).status_code == 200
    body = {"group_id": courses.open.pk, "seats": [{}]}
    reserved = client.post(
        "/api/v1/bookings", json.dumps(body), content_type="application/json", headers=headers
    )
    assert reserved.status_code == 201, reserved.content

    client.force_login(user)
    with translation.override("nl"):
        portal = reverse("portal:overview")
    assert client.get(portal).status_code == 200
    # A dead Redis costs no waiting: the backend stops trying for a few seconds.
    assert time.monotonic() - started < 10


def test_the_rate_limit_lets_requests_through_while_redis_is_unreachable(
    client, settings, courses, contact
):
    use_redis(settings, CLOSED_PORT)
    settings.API_RATE_LIMIT_AUTHENTICATED = "2/min"
    _user, token = contact
    headers = {"Authorization": f"Bearer {token}"}
    answers = [client.get("/api/v1/groups", headers=headers).status_code for _ in range(4)]
    assert answers == [200] * 4


@pytest.fixture
def spare_redis():
    """A throwaway Redis on a port of its own (never the shared one), stopped afterwards."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    if port_is_open(SPARE_PORT):
        pytest.skip(f"port {SPARE_PORT} is in use")

    def start():
        subprocess.run(  # noqa: S603 - a fixed command line
            [
                shutil.which("redis-server"),
                "--port",
                str(SPARE_PORT),
                "--save",
                "",
                "--daemonize",
                "yes",
            ],
            check=True,
            capture_output=True,
        )
        for _ in range(50):
            if port_is_open(SPARE_PORT):
                return
            time.sleep(0.05)

    def stop():
        subprocess.run(  # noqa: S603 - a fixed command line
            [shutil.which("redis-cli"), "-p", str(SPARE_PORT), "shutdown", "nosave"],
            capture_output=True,
        )
        for _ in range(50):
            if not port_is_open(SPARE_PORT):
                return
            time.sleep(0.05)

    start()
    yield start, stop
    stop()


def test_pages_are_cached_again_when_redis_returns(client, settings, site_tree, spare_redis):
    start, stop = spare_redis
    use_redis(settings, SPARE_PORT)
    url = site_tree.about.url
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"

    stop()
    forget_local()  # as a freshly started process, with nothing of its own
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"

    start()
    time.sleep(2.1)  # the backend tries Redis again after RETRY_SECONDS
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert cache.get("no-such-key", "default") == "default"
