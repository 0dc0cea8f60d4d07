"""Across nodes: what one app server does, the others and the HTTP cache see at once.

1. Sixty contact persons of three organisations reserve the last four seats of a group at the
   same moment, through Varnish and HAProxy, spread over both nodes: exactly four seats are
   confirmed, every other answer is a clear waiting-list place or refusal, none is a 500.
2. A story published in the Wagtail admin on node A is fresh on node B on the next request,
   and through Varnish (which had it cached) as soon as the purge has arrived.
"""

import json
import threading
import time
import uuid
from collections import Counter

from .browser import Browser

RESERVATIONS = 60
LAST_SEATS = 4

# A new open group of five seats at a demo library with one seat taken, so four are left,
# and two API tokens for each of the demo's three contact persons.
SET_UP_GROUP = """
import datetime, json
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import APIToken
from booking import services
from booking.models import CourseGroup, Session
from booking.roles import company_of

now = timezone.now()
model = CourseGroup.objects.filter(status=CourseGroup.Status.OPEN).order_by("pk").first()
group = CourseGroup.objects.create(
    course=model.course,
    library=model.library,
    location=model.location,
    level=model.level,
    capacity=5,
    status=CourseGroup.Status.OPEN,
    booking_opens_at=now - datetime.timedelta(days=1),
    booking_closes_at=now + datetime.timedelta(days=20),
    cancellation_deadline=now + datetime.timedelta(days=25),
)
first = timezone.localdate() + datetime.timedelta(days=30)
for week in range(5):
    Session.objects.create(
        group=group,
        date=first + datetime.timedelta(weeks=week),
        starts_at=datetime.time(10),
        ends_at=datetime.time(12),
    )
users = get_user_model().objects.filter(
    username__in=["contact-promen", "contact-konnected", "contact-ibn"]
).order_by("username")
first_user = users[0]
services.reserve_seats(group=group, organisation=company_of(first_user), by=first_user, seats=1)
tokens = [
    APIToken.create_token(user=user, name=f"cluster test {group.pk}")[1]
    for user in users
    for _ in range(2)
]
print(json.dumps({"group": group.pk, "tokens": tokens}))
"""

COUNT_SEATS = """
import json
from booking.models import CourseGroup, Seat
group = CourseGroup.objects.get(pk={group})
seats = Seat.objects.filter(booking__group=group)
print(json.dumps({{
    "capacity": group.capacity,
    "confirmed": seats.filter(status=Seat.Status.CONFIRMED).count(),
    "waitlisted": seats.filter(status=Seat.Status.WAITLISTED).count(),
    "bookings": group.bookings.count(),
    "seats_without_history": sum(1 for seat in seats if not seat.history.exists()),
}}))
"""


def reserve(cluster, group: int, token: str) -> dict:
    browser = Browser(cluster.entry, host=cluster.host, timeout=60)
    answer = browser.request(
        "POST",
        "/api/v1/bookings",
        body=json.dumps({"group_id": group, "seats": [{}]}),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    try:
        body = answer.json()
    except ValueError:
        body = {"unreadable": answer.text[:500]}
    return {
        "status": answer.status,
        "node": answer.headers.get("X-Served-By"),
        "retry_after": answer.headers.get("Retry-After"),
        "body": body,
    }


def test_sixty_reservations_for_the_last_four_seats_confirm_exactly_four(cluster):
    setup = cluster.shell(SET_UP_GROUP)
    group, tokens = setup["group"], setup["tokens"]
    barrier = threading.Barrier(RESERVATIONS)
    answers = []

    def one(index: int):
        barrier.wait()
        answers.append(reserve(cluster, group, tokens[index % len(tokens)]))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(RESERVATIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == RESERVATIONS

    statuses = Counter(answer["status"] for answer in answers)
    assert not [a for a in answers if a["status"] >= 500 and a["status"] != 503], statuses
    for answer in answers:
        if answer["status"] == 201:
            assert [seat["status"] for seat in answer["body"]["seats"]] in (
                ["confirmed"],
                ["waitlisted"],
            ), answer
        elif answer["status"] == 503:  # "busy, try again": polite, with a time to wait
            assert answer["retry_after"], answer
            assert answer["body"].get("detail"), answer
        else:  # refused (e.g. the organisation's limit in the group): a sentence says why
            assert answer["status"] in (409, 429), answer
            assert answer["body"].get("detail"), answer
    confirmed_answers = [
        a for a in answers if a["status"] == 201 and a["body"]["seats"][0]["status"] == "confirmed"
    ]
    assert len(confirmed_answers) == LAST_SEATS, statuses
    # Both nodes took part.
    nodes = Counter(answer["node"] for answer in answers)
    assert {"node1", "node2"} <= set(nodes), nodes

    # What the database says agrees: one seat from before plus exactly the last four.
    seats = cluster.shell(COUNT_SEATS.format(group=group))
    assert seats["confirmed"] == 1 + LAST_SEATS == seats["capacity"], seats
    waitlisted_answers = [
        a for a in answers if a["status"] == 201 and a["body"]["seats"][0]["status"] == "waitlisted"
    ]
    assert seats["waitlisted"] == len(waitlisted_answers), seats
    assert seats["bookings"] == 1 + len(confirmed_answers) + len(waitlisted_answers), seats
    assert seats["seats_without_history"] == 0, seats
    print(f"answers {dict(statuses)}, nodes {dict(nodes)}, seats {seats}")


STORY = """
import json
from urllib.parse import urlsplit
from stories.models import PracticeExamplePage
page = PracticeExamplePage.objects.live().filter(locale__language_code="nl").order_by("pk").first()
print(json.dumps({"id": page.pk, "path": urlsplit(page.get_url()).path, "title": page.title}))
"""

# A new title as a draft (not yet live), saved as the final editor would in the admin.
DRAFT = """
import json
from django.contrib.auth import get_user_model
from wagtail.models import Page
page = Page.objects.get(pk={id}).specific
page.title = {title!r}
page.save_revision(user=get_user_model().objects.get(username="eindredactie"))
print(json.dumps({{"live_title": Page.objects.get(pk={id}).title}}))
"""


def test_a_story_published_on_node_a_is_fresh_on_node_b_and_through_varnish(cluster):
    node_a, node_b = cluster.nodes[0], cluster.nodes[1]
    story = cluster.shell(STORY)
    path = story["path"]
    visitor = Browser(cluster.entry, host=cluster.host)
    on_node_b = Browser(node_b, host=cluster.host)

    # Varnish and node B have the story as it is.
    visitor.get(path)
    before = visitor.get(path)
    assert before.status == 200
    assert before.headers["X-Cache"] == "HIT", dict(before.headers)
    assert on_node_b.get(path).status == 200

    new_title = f"Kennemerwaard, bijgewerkt {uuid.uuid4().hex[:8]}"
    draft = cluster.shell(DRAFT.format(id=story["id"], title=new_title))
    assert draft["live_title"] != new_title
    assert new_title not in visitor.get(path).text  # a draft changes nothing public

    editor = Browser(node_a, host=node_a.removeprefix("http://"))
    editor.log_in_to_admin("eindredactie", "leerplein-demo")
    published = editor.submit(f"/admin/bulk/wagtailcore/page/publish/?id={story['id']}", {})
    assert published.status == 302, published.text[:2000]
    published_at = time.monotonic()

    fresh_b = on_node_b.get(path)
    assert fresh_b.status == 200
    assert new_title in fresh_b.text, "node B served the old story after the publish"

    # Wagtail sends the purge through the task queue: the next request after it is fresh.
    deadline = published_at + 15
    while True:
        through_varnish = visitor.get(path)
        if new_title in through_varnish.text:
            break
        assert time.monotonic() < deadline, "Varnish still had the old story after 15 s"
        time.sleep(0.1)
    assert through_varnish.headers["X-Cache"] == "MISS"
    again = visitor.get(path)
    assert again.headers["X-Cache"] == "HIT" and new_title in again.text
    print(f"Varnish fresh {time.monotonic() - published_at:.2f} s after the publish")
