"""Demand-led planning (issue 13): who waits for which course, and a new group for them.

- the service `open_group_for_waiting_list`: the people who wait longest move into the new
  group as the same seats, the rest keep their places, every step is in the history, each
  booking's contact person gets one e-mail; a refusal changes nothing;
- the selector `unmet_demand`: waiting people per course, level and town of one library;
- the admin: the "People waiting" panel on the home page and the action page that opens the
  new group, in Dutch and English, for the group's own coordinators only.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from booking import selectors, services
from booking.admin.demand import open_group_url, waited_text
from booking.admin.forms import CopyGroupForm
from booking.errors import InvalidRequest, InvalidState, NotAllowed
from booking.models import Action, CourseGroup, Seat
from tests.helpers import text_of
from tests.html_checker import markup_problems

from .admin_helpers import group_url, is_refusal, speak
from .factories import (
    BookingFactory,
    CourseGroupFactory,
    CoursePageFactory,
    LocationFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
REASON = "Zeven mensen wachten, we starten een tweede groep"


def book(group, organisation, contact, *names, waitlisted=False, minutes_ago=60):
    """A booking with seats written by the factories: the scene, not the thing under test."""
    booking = BookingFactory(group=group, organisation=organisation, booked_by=contact)
    since = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return [
        SeatFactory(
            booking=booking,
            first_name=name,
            status=Seat.Status.WAITLISTED if waitlisted else Seat.Status.CONFIRMED,
            waitlisted_at=since if waitlisted else None,
        )
        for name in names
    ]


def waiting_names(group):
    return [seat.first_name for seat in selectors.waitlist(group)]


def new_group_for(group, *, capacity=None, weeks=8):
    """The group's planning on a new first date, as the admin's form builds it."""
    first = TODAY() + datetime.timedelta(weeks=weeks)
    form = CopyGroupForm({"first_date": first.isoformat()}, group=group)
    assert form.is_valid(), form.errors
    copy = form.build_copy()
    if capacity:
        copy.capacity = capacity
    return copy


@pytest.fixture
def queue(people, group):
    """Gouda's group of 5, full, with 7 people waiting in 5 bookings: Promen's Anna and Bram
    first, then KonnecteD's Chris, Promen's Dewi, KonnecteD's Eva and Fenna (one booking),
    and Promen's Gijs last."""
    book(group, people.promen, people.contact_promen, "P1", "P2", "P3")
    book(group, people.konnected, people.contact_konnected, "K1", "K2")
    waiting = [
        (people.promen, people.contact_promen, ["Anna", "Bram"], 70),
        (people.konnected, people.contact_konnected, ["Chris"], 60),
        (people.promen, people.contact_promen, ["Dewi"], 50),
        (people.konnected, people.contact_konnected, ["Eva", "Fenna"], 40),
        (people.promen, people.contact_promen, ["Gijs"], 30),
    ]
    for organisation, contact, names, minutes_ago in waiting:
        book(group, organisation, contact, *names, waitlisted=True, minutes_ago=minutes_ago)
    assert waiting_names(group) == ["Anna", "Bram", "Chris", "Dewi", "Eva", "Fenna", "Gijs"]
    return group


def snapshot():
    """Everything a refused action must leave as it was."""
    return {
        "groups": sorted(CourseGroup.objects.values_list("pk", "status", "capacity")),
        "seats": sorted(
            Seat.objects.values_list("pk", "booking_id", "status", "waitlisted_at", "first_name")
        ),
        "seat_history": Seat.history.count(),
        "group_history": CourseGroup.history.count(),
        "mails": len(mail.outbox),
    }


# -- the service ------------------------------------------------------------------------------


def test_the_people_waiting_longest_move_to_the_new_group(
    people, queue, django_capture_on_commit_callbacks
):
    ids_before = {seat.first_name: seat.pk for seat in Seat.objects.all()}
    history_before = {pk: Seat.history.filter(id=pk).count() for pk in ids_before.values()}
    new_group = new_group_for(queue, capacity=5)

    with django_capture_on_commit_callbacks(execute=True):
        moved = services.open_group_for_waiting_list(
            group=queue, new_group=new_group, by=people.coordinator_gouda, reason=REASON
        )

    assert [seat.first_name for seat in moved] == ["Anna", "Bram", "Chris", "Dewi", "Eva"]
    new_group.refresh_from_db()
    assert new_group.status == CourseGroup.Status.OPEN
    assert new_group.capacity == 5
    assert new_group.sessions.count() == 5
    in_new = Seat.objects.filter(booking__group=new_group)
    assert sorted(in_new.values_list("first_name", flat=True)) == sorted(
        ["Anna", "Bram", "Chris", "Dewi", "Eva"]
    )
    assert set(in_new.values_list("status", flat=True)) == {Seat.Status.CONFIRMED}
    # The rest keep their places, in the same order.
    rest = selectors.waitlist(queue)
    assert [(seat.first_name, seat.position) for seat in rest] == [("Fenna", 1), ("Gijs", 2)]
    assert selectors.availability(queue).confirmed == 5

    # Same rows: the ids did not change, and each seat's history runs on.
    for seat in moved:
        assert seat.pk == ids_before[seat.first_name]
        records = list(Seat.history.filter(id=seat.pk).order_by("history_date", "history_id"))
        assert len(records) == history_before[seat.pk] + 1
        latest = records[-1]
        assert latest.action == Action.MOVED
        assert latest.history_change_reason == REASON
        assert latest.history_user == people.coordinator_gouda
        assert latest.booking.group_id == new_group.pk
        assert records[-2].booking.group_id == queue.pk
    assert Seat.history.filter(action=Action.MOVED).count() == 5
    for name in ("Fenna", "Gijs"):
        assert Seat.history.filter(id=ids_before[name]).count() == history_before[ids_before[name]]

    # One e-mail per booking that moved: Anna and Bram's, Chris's, Dewi's, Eva's.
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(
        [people.contact_promen.email] * 2 + [people.contact_konnected.email] * 2
    )
    assert all("Klik & Tik" in message.subject for message in mail.outbox)


def test_a_new_group_with_room_for_everyone_empties_the_waiting_list(people, queue):
    new_group = new_group_for(queue, capacity=8)

    moved = services.open_group_for_waiting_list(
        group=queue, new_group=new_group, by=people.coordinator_gouda, reason=REASON
    )

    assert len(moved) == 7
    assert selectors.waitlist(queue) == []
    assert selectors.availability(new_group).free == 1


@pytest.mark.parametrize(
    ("who", "reason", "error"),
    [
        ("coordinator_deventer", REASON, NotAllowed),
        ("contact_promen", REASON, NotAllowed),
        ("coordinator_gouda", "  ", InvalidRequest),
    ],
)
def test_refusals_change_nothing(
    people, queue, who, reason, error, django_capture_on_commit_callbacks
):
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(error):
        services.open_group_for_waiting_list(
            group=queue, new_group=new_group_for(queue), by=getattr(people, who), reason=reason
        )
    assert snapshot() == before


def test_a_group_nobody_waits_for_is_refused(people, group):
    book(group, people.promen, people.contact_promen, "Anna")
    before = snapshot()
    with pytest.raises(InvalidState) as refused:
        services.open_group_for_waiting_list(
            group=group, new_group=new_group_for(group), by=people.coordinator_gouda, reason=REASON
        )
    with translation.override("en"):
        assert refused.value.message == "Nobody is waiting for this group."
    assert snapshot() == before


def test_a_cancelled_group_is_refused(people, queue):
    CourseGroup.objects.filter(pk=queue.pk).update(status=CourseGroup.Status.CANCELLED)
    before = snapshot()
    with pytest.raises(InvalidState):
        services.open_group_for_waiting_list(
            group=queue, new_group=new_group_for(queue), by=people.coordinator_gouda, reason=REASON
        )
    assert snapshot() == before


# -- the selector -------------------------------------------------------------------------------


def test_demand_counts_per_course_level_and_town(people, course):
    gouda = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda", city="Gouda")
    waddinxveen = LocationFactory(organisation=people.gouda, name="Dorpshuis", city="Waddinxveen")
    digisterker = CoursePageFactory(parent=course.get_parent(), title="Digisterker")

    def waiting_group(location, count, minutes_ago, level=1, course=course, **kwargs):
        group = CourseGroupFactory(
            course=course, library=people.gouda, location=location, level=level, **kwargs
        )
        names = [f"W{n}" for n in range(count)]
        book(group, people.promen, people.contact_promen, *names, waitlisted=True,
             minutes_ago=minutes_ago)  # fmt: skip
        return group

    first = waiting_group(gouda, 2, minutes_ago=60 * 24 * 20)
    waiting_group(gouda, 1, minutes_ago=60)  # the same course, level and town: counted together
    waiting_group(gouda, 3, minutes_ago=60, level=2)
    waiting_group(waddinxveen, 3, minutes_ago=60 * 24 * 2)
    waiting_group(gouda, 1, minutes_ago=30, course=digisterker)
    waiting_group(gouda, 4, minutes_ago=10, course=digisterker, status="cancelled")
    waiting_group(gouda, 4, minutes_ago=10, course=digisterker, status="completed")
    other = CourseGroupFactory(course=course, library=people.deventer)
    book(other, people.konnected, people.contact_konnected, "D1", "D2", "D3", "D4", "D5",
         waitlisted=True)  # fmt: skip

    with translation.override("en"):
        demand = selectors.unmet_demand(people.gouda)

    rows = [(d.course_title, d.level, d.town, d.waiting) for d in demand]
    # Most waiting first; with as many waiting, who waits longest first.
    assert rows == [
        ("Klik & Tik", 1, "Gouda", 3),
        ("Klik & Tik", 1, "Waddinxveen", 3),
        ("Klik & Tik", 2, "Gouda", 3),
        ("Digisterker", 1, "Gouda", 1),
    ]
    gouda_1 = demand[0]
    assert gouda_1.group_id == first.pk
    assert gouda_1.oldest_since == Seat.objects.filter(booking__group=first).first().waitlisted_at
    with translation.override("en"):
        assert gouda_1.label == "3 people waiting for Klik & Tik level 1 in Gouda"
        assert demand[3].label == "1 person waiting for Digisterker level 1 in Gouda"
    with translation.override("nl"):
        assert gouda_1.label == "3 wachtenden voor Klik & Tik niveau 1 in Gouda"
    assert selectors.unmet_demand(people.deventer)[0].waiting == 5


def test_no_demand_without_waiting_people(people, group):
    book(group, people.promen, people.contact_promen, "Anna")
    assert selectors.unmet_demand(people.gouda) == []


def test_demand_takes_the_same_number_of_queries_for_3_and_30_groups(
    people, course, django_assert_num_queries
):
    def groups(count):
        for n in range(count):
            location = LocationFactory(organisation=people.gouda, city=f"Plaats {n % 5}")
            group = CourseGroupFactory(
                course=course, library=people.gouda, location=location, level=n % 3 + 1
            )
            book(group, people.promen, people.contact_promen, "A", "B", waitlisted=True)

    groups(3)
    with CaptureQueriesContext(connection) as few:
        assert len(selectors.unmet_demand(people.gouda)) == 3
    groups(27)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(selectors.unmet_demand(people.gouda)) == 15


# -- how long in words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "english", "dutch"),
    [
        (0, "The first one has been waiting since today.", "De eerste wacht sinds vandaag."),
        (1, "The first one has been waiting for 1 day.", "De eerste wacht al 1 dag."),
        (5, "The first one has been waiting for 5 days.", "De eerste wacht al 5 dagen."),
        (21, "The first one has been waiting for 3 weeks.", "De eerste wacht al 3 weken."),
    ],
)
def test_the_wait_in_words(days, english, dutch):
    now = timezone.now()
    since = now - datetime.timedelta(days=days)
    with translation.override("en"):
        assert waited_text(since, now) == english
    with translation.override("nl"):
        assert waited_text(since, now) == dutch


def test_a_long_wait_says_the_day_it_began():
    now = timezone.make_aware(datetime.datetime(2025, 3, 20, 12))
    since = timezone.make_aware(datetime.datetime(2024, 11, 12, 9))
    with translation.override("en"):
        assert waited_text(since, now) == "The first one has been waiting since Nov. 12, 2024."
    with translation.override("nl"):
        assert waited_text(since, now) == "De eerste wacht sinds 12 november 2024."


# -- the dashboard panel ------------------------------------------------------------------------


@pytest.fixture
def deventer_queue(people, course):
    group = CourseGroupFactory(
        course=course,
        library=people.deventer,
        location=LocationFactory(organisation=people.deventer, city="Deventer"),
    )
    book(group, people.konnected, people.contact_konnected, "D1", waitlisted=True)
    return group


def home(client, user):
    client.force_login(user)
    return client.get(reverse("wagtailadmin_home"))


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            [
                "People waiting",
                "7 people waiting for Klik & Tik level 1 in Gouda",
                "The first one has been waiting since today.",
                "Open a new group",
            ],
        ),
        (
            "nl",
            [
                "Wachtenden",
                "7 wachtenden voor Klik & Tik niveau 1 in Gouda",
                "De eerste wacht sinds vandaag.",
                "Nieuwe groep openen",
            ],
        ),
    ],
)
def test_the_panel_shows_a_coordinator_who_waits(
    client, people, queue, deventer_queue, language, texts
):
    speak(language, people.coordinator_gouda)
    response = home(client, people.coordinator_gouda)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="course-planning-demand-section"' in html
    assert open_group_url(queue.pk) in html
    assert open_group_url(deventer_queue.pk) not in html
    page = text_of(response)
    for text in texts:
        assert text in page
    assert " Deventer" not in page.split(texts[0], 1)[1]
    assert markup_problems(html) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Nobody is on a waiting list of your groups right now. Good news!"),
        ("nl", "Er staat nu niemand op een wachtlijst van je groepen. Mooi zo!"),
    ],
)
def test_the_panel_says_so_when_nobody_waits(client, people, group, deventer_queue, language, text):
    speak(language, people.coordinator_gouda)
    response = home(client, people.coordinator_gouda)
    assert text in text_of(response)
    assert open_group_url(deventer_queue.pk) not in response.content.decode()


def test_the_panel_is_only_for_coordinators(client, people, queue):
    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    # A superuser without a library of their own plans no groups: no panel either.
    for user in (editor, people.admin):
        html = home(client, user).content.decode()
        assert "course-planning-demand" not in html
        assert open_group_url(queue.pk) not in html


# -- the action page ------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "first_date": (TODAY() + datetime.timedelta(weeks=8)).isoformat(),
        "capacity": "5",
        "reason": REASON,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            [
                "Open a new group for the waiting list",
                "7 people wait for a seat in this group.",
                "Date of the first session",
                "Number of seats",
                "Reason for this change",
            ],
        ),
        (
            "nl",
            [
                "Nieuwe groep openen voor de wachtlijst",
                "7 mensen wachten op een plaats in deze groep.",
                "Aantal plaatsen",
            ],
        ),
    ],
)
def test_the_page_shows_the_group_and_who_waits(client, people, queue, language, texts):
    speak(language, people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    response = client.get(open_group_url(queue.pk))
    assert response.status_code == 200
    page = text_of(response)
    for text in texts:
        assert text in page
    html = response.content.decode()
    assert 'name="capacity"' in html and 'value="5"' in html
    assert markup_problems(html) == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "5 people from the waiting list moved to the new group. 2 people are still waiting.",
        ),
        ("nl", "5 wachtenden zijn verplaatst naar de nieuwe groep. 2 wachten nog."),
    ],
)
def test_posting_opens_the_group_and_goes_to_it(
    client, people, queue, language, message, django_capture_on_commit_callbacks
):
    speak(language, people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(open_group_url(queue.pk), form_data())

    new_group = CourseGroup.objects.exclude(pk=queue.pk).get()
    assert response.status_code == 302
    assert response["Location"] == group_url("inspect", new_group.pk)
    assert new_group.status == CourseGroup.Status.OPEN
    assert new_group.sessions.order_by("date").first().date == TODAY() + datetime.timedelta(weeks=8)
    assert waiting_names(queue) == ["Fenna", "Gijs"]
    assert len(mail.outbox) == 4
    page = client.get(response["Location"])
    assert message in text_of(page)


def test_a_different_number_of_seats_moves_that_many(client, people, queue):
    client.force_login(people.coordinator_gouda)
    client.post(open_group_url(queue.pk), form_data(capacity="3"))
    new_group = CourseGroup.objects.exclude(pk=queue.pk).get()
    assert new_group.capacity == 3
    assert waiting_names(new_group) == []
    assert Seat.objects.filter(booking__group=new_group).count() == 3
    assert waiting_names(queue) == ["Dewi", "Eva", "Fenna", "Gijs"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"reason": ""}, "This field is required."),
        ({"first_date": ""}, "This field is required."),
        (
            {"first_date": (TODAY() - datetime.timedelta(days=1)).isoformat()},
            "Choose a day from today on.",
        ),
        ({"capacity": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_form_error_changes_nothing(client, staff, queue, overrides, error):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()
    response = client.post(open_group_url(queue.pk), form_data(**overrides))
    assert response.status_code == 200
    assert error in text_of(response)
    assert snapshot() == before


def test_fewer_seats_than_the_limit_per_organisation_is_refused(client, staff, queue):
    CourseGroup.objects.filter(pk=queue.pk).update(seats_per_organisation=3)
    client.force_login(staff.coordinator_gouda)
    before = snapshot()
    response = client.post(open_group_url(queue.pk), form_data(capacity="2"))
    assert "cannot be smaller than its limit of 3 seats per organisation" in text_of(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "This group has been cancelled; nothing can change any more."),
        ("nl", "Deze groep is geannuleerd"),
    ],
)
def test_a_cancelled_group_says_why_by_get_and_post(client, people, queue, language, text):
    CourseGroup.objects.filter(pk=queue.pk).update(status=CourseGroup.Status.CANCELLED)
    speak(language, people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    before = snapshot()
    shown = client.get(open_group_url(queue.pk))
    assert text in text_of(shown)
    assert 'name="reason"' not in shown.content.decode()
    posted = client.post(open_group_url(queue.pk), form_data())
    assert posted.status_code == 200
    assert text in text_of(posted)
    assert snapshot() == before


def test_a_group_nobody_waits_for_says_so(client, staff, group):
    book(group, staff.promen, staff.contact_promen, "Anna")
    client.force_login(staff.coordinator_gouda)
    before = snapshot()
    for response in (
        client.get(open_group_url(group.pk)),
        client.post(open_group_url(group.pk), form_data()),
    ):
        assert response.status_code == 200
        assert "Nobody is waiting for this group." in text_of(response)
    assert snapshot() == before


def test_only_the_groups_coordinators_reach_the_page(client, staff, queue):
    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    address = open_group_url(queue.pk)
    before = snapshot()
    for user in (staff.coordinator_deventer, staff.contact_promen, editor, None):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert is_refusal(client.get(address)), user
        assert is_refusal(client.post(address, form_data())), user
    assert snapshot() == before
    # Another library's coordinator does not even learn that the group exists.
    client.force_login(staff.coordinator_deventer)
    assert client.get(address).status_code == 404


def test_a_superuser_may_open_a_group_for_any_library(client, staff, queue):
    client.force_login(staff.admin)
    assert client.get(open_group_url(queue.pk)).status_code == 200
    response = client.post(open_group_url(queue.pk), form_data())
    assert response.status_code == 302
    assert waiting_names(queue) == ["Fenna", "Gijs"]
