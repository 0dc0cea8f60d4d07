"""Targeted invalidation seen by two app server processes that share Redis (db 3).

The site lives in a SQLite file made for the test; two `runserver --noreload` processes serve
it, and changes are made by a third process (`manage.py shell`), as an editor's or a
coordinator's request on another server would. Skipped when Redis is not reachable.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.network import free_port, port_is_open

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/3"
LOCAL_SECONDS = 0.3  # how long a server trusts its copy of the versions (short for the test)


pytestmark = [
    pytest.mark.skipif(
        not port_is_open(6379),
        reason="needs Redis at 127.0.0.1:6379 (db 3) shared by two servers",
    ),
]

SETUP = """
import json
from types import SimpleNamespace
from wagtail.models import Locale
from booking.models import CourseGroup
from tests.conftest import new_home_page, translate
from tests.factories import (InterviewPageFactory, PracticeExamplePageFactory,
    StandardPageFactory, StoryIndexPageFactory, ThemeFactory)
from tests.booking.factories import (CourseGroupFactory, CourseIndexPageFactory,
    CoursePageFactory, LibraryFactory, LocationFactory, UserFactory)
english = Locale.objects.get_or_create(language_code="en")[0]
home, site = new_home_page()
about = StandardPageFactory(parent=home, slug="over-leerplein", show_in_menus=True)
index = StoryIndexPageFactory(parent=home, show_in_menus=True)
digital = ThemeFactory(name="Digitale vaardigheden", slug="digitale-vaardigheden")
language = ThemeFactory(name="Taal", slug="taal")
a = PracticeExamplePageFactory(parent=index, title="Verhaal A", slug="verhaal-a",
    province="zuid-holland", themes=[digital])
b = InterviewPageFactory(parent=index, title="Verhaal B", slug="verhaal-b",
    province="noord-brabant", themes=[language])
courses = CourseIndexPageFactory(parent=home, show_in_menus=True)
course = CoursePageFactory(parent=courses, slug="klik-en-tik")
library = LibraryFactory(name="Bibliotheek Woerden", slug="bibliotheek-woerden")
location = LocationFactory(organisation=library, name="Bibliotheek Woerden")
CourseGroupFactory(course=course, library=library, location=location)
draft = CourseGroupFactory(course=course, library=library, location=location, draft=True)
UserFactory(username="coordinator", organisation=library)
translate(home, english)
translate(index, english)
a_en = translate(a, english)
print(json.dumps({
    "home": home.url, "about": about.url, "index": index.url, "a": a.url, "a_en": a_en.url,
    "b": b.url, "courses": courses.url, "courses_key": str(courses.translation_key),
    "draft": draft.pk,
}))
"""

PUBLISH_A = """
from stories.models import PracticeExamplePage
page = PracticeExamplePage.objects.get(slug="verhaal-a", locale__language_code="nl")
page.title = "Verhaal A, herzien"
page.save_revision().publish()
"""

EDIT_DRAFT_GROUP = """
from django.contrib.auth import get_user_model
from booking import services
from booking.models import CourseGroup
group = CourseGroup.objects.get(pk={draft})
group.trainer = "Fatima"
services.save_group(group=group, by=get_user_model().objects.get(username="coordinator"))
"""

SAVE_THEME = """
from stories.models import Theme
theme = Theme.objects.get(slug="taal", locale__language_code="nl")
theme.name = "Taal en rekenen"
theme.save()
"""


def manage(env, *args, timeout=120):
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    ).stdout


def get(port, path):
    """(X-Page-Cache, body) of an anonymous GET. Both servers get the same Host header, as
    behind a load balancer: the page cache keys pages by their full URL."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.headers.get("X-Page-Cache"), response.read().decode()


def redis_version(prefix, name):
    """The version of a dependency as stored in Redis db 3 (None if it has none yet)."""
    import redis

    return redis.Redis.from_url(REDIS_URL).get(f"{prefix}:1:page-cache:version:{name}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two servers for the module's tests on this test worker; each pair has a key prefix of
    its own, so a pair another worker starts for its share of the tests never disturbs it."""
    import redis

    prefix = f"two-servers-{uuid.uuid4().hex[:8]}"
    database = tmp_path_factory.mktemp("two-servers") / "site.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "PAGE_CACHE_LOCAL_SECONDS": str(LOCAL_SECONDS),
        "MEDIA_ROOT": str(database.parent / "media"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    manage(env, "migrate", "--no-input", timeout=300)
    site = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            for _ in range(200):
                try:
                    get(port, site["about"])
                    break
                except OSError:
                    time.sleep(0.1)
        site["prefix"] = prefix
        yield ports, site, (lambda code: manage(env, "shell", "-c", code))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def warm(ports, *paths):
    for port in ports:
        for path in paths:
            get(port, path)
            assert get(port, path)[0] == "hit", (port, path)


def test_a_published_story_is_fresh_on_both_servers_the_rest_stays_cached(servers):
    ports, site, run = servers
    warm(ports, site["a"], site["a_en"], site["index"], site["b"], site["about"], site["home"])
    for port in ports:  # never kept whole (live seats); its intro is a cached fragment
        assert get(port, site["courses"])[0] is None
    courses_before = redis_version(site["prefix"], f"page:{site['courses_key']}")
    assert courses_before is not None

    run(PUBLISH_A)
    time.sleep(LOCAL_SECONDS + 0.1)

    for port in ports:
        for path in (site["a"], site["index"], site["home"]):
            state, body = get(port, path)
            assert state in ("miss", "hit") and "Verhaal A, herzien" in body, (port, path)
        assert get(port, site["b"])[0] == "hit"
        assert get(port, site["about"])[0] == "hit"
    # The course index's cached intro is not refreshed.
    assert redis_version(site["prefix"], f"page:{site['courses_key']}") == courses_before
    # The English story A shares the key: one server renders it again, the other takes that copy.
    assert [get(port, site["a_en"])[0] for port in ports] == ["miss", "hit"]


def test_editing_a_draft_group_leaves_every_cached_page_a_hit(servers):
    ports, site, run = servers
    paths = (site["home"], site["index"], site["a"], site["b"], site["about"])
    warm(ports, *paths)
    run(EDIT_DRAFT_GROUP.format(draft=site["draft"]))
    time.sleep(LOCAL_SECONDS + 0.1)
    assert [get(port, path)[0] for port in ports for path in paths] == ["hit"] * 10


def test_saving_a_theme_refreshes_exactly_the_pages_that_show_it(servers):
    ports, site, run = servers
    warm(ports, site["b"], site["a"], site["about"], site["index"])
    run(SAVE_THEME)
    time.sleep(LOCAL_SECONDS + 0.1)
    first, second = ports
    state, body = get(first, site["b"])
    assert state == "miss" and "Taal en rekenen" in body
    assert get(second, site["b"]) == ("hit", body)
    assert get(first, site["index"])[0] == "miss"
    for port in ports:
        assert get(port, site["a"])[0] == "hit"
        assert get(port, site["about"])[0] == "hit"


def test_twenty_requests_together_after_a_publish_cause_one_render(servers):
    ports, site, run = servers
    warm(ports, site["index"])
    run(PUBLISH_A)
    time.sleep(LOCAL_SECONDS + 0.1)
    barrier = threading.Barrier(20)
    states = []

    def request(port):
        barrier.wait()
        states.append(get(port, site["index"])[0])

    threads = [threading.Thread(target=request, args=(ports[i % 2],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert states.count("miss") == 1, states
    assert set(states) <= {"miss", "hit", "stale"}
