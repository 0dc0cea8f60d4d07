"""Trainers and volunteers (issue 14, item 2): the rules and services for assigning them,
their attendance and notes, their pages (my sessions, one session, the calendar and its
feed) and the coordinators' section on the group's page."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from booking import policies, services
from booking.errors import InvalidRequest, InvalidState, NotAllowed
from booking.models import Attendance, Seat, SessionNote, TrainerAssignment, TrainerCalendar
from booking.models.learning import MAX_NOTE_LENGTH
from tests.helpers import text_of
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .admin_helpers import speak
from .factories import BookingFactory, CourseGroupFactory, SeatFactory, trainer_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
NAMES = ("Anna", "Bram", "Cas", "Dewi", "Eva")


@pytest.fixture
def scene(people, course):
    """A Gouda group with sessions two and one weeks ago, today, and two to come; five
    confirmed participants and one on the waiting list. Its paid trainer and a volunteer
    teach it; another Gouda trainer teaches another group; Deventer has a trainer too."""
    group = CourseGroupFactory(
        course=course, library=people.gouda, sessions__first=TODAY() - datetime.timedelta(weeks=2)
    )
    booking = BookingFactory(
        group=group, organisation=people.promen, booked_by=people.contact_promen
    )
    seats = {name: SeatFactory(booking=booking, first_name=name) for name in NAMES}
    SeatFactory(booking=booking, first_name="Wachter", waitlisted=True)
    trainer = trainer_of(people.gouda, username="trainer-gouda", first_name="Tessa")
    volunteer = trainer_of(people.gouda, username="volunteer-gouda", first_name="Vera")
    TrainerAssignment.objects.create(group=group, trainer=trainer)
    TrainerAssignment.objects.create(
        group=group, trainer=volunteer, kind=TrainerAssignment.Kind.VOLUNTEER
    )
    other_group = CourseGroupFactory(course=course, library=people.gouda)
    other_trainer = trainer_of(people.gouda, username="other-trainer")
    TrainerAssignment.objects.create(group=other_group, trainer=other_trainer)
    deventer_trainer = trainer_of(people.deventer, username="trainer-deventer")
    sessions = list(group.sessions.order_by("date"))
    return SimpleNamespace(
        group=group,
        seats=seats,
        trainer=trainer,
        volunteer=volunteer,
        other_group=other_group,
        other_trainer=other_trainer,
        deventer_trainer=deventer_trainer,
        past=sessions[0],
        today=sessions[2],
        future=sessions[4],
        sessions=sessions,
    )


def marks(session):
    return dict(
        Attendance.objects.filter(session=session).values_list("seat__first_name", "status")
    )


# -- policies ---------------------------------------------------------------------------------


def test_the_groups_trainers_and_coordinators_record_attendance_from_the_day(scene, people):
    for user in (scene.trainer, scene.volunteer, people.coordinator_gouda, people.admin):
        policies.check_can_record_attendance(scene.group, session_date=scene.today.date, by=user)
    with pytest.raises(InvalidState):
        policies.check_can_record_attendance(
            scene.group, session_date=scene.future.date, by=scene.trainer
        )
    for user in (
        scene.other_trainer,
        scene.deventer_trainer,
        people.coordinator_deventer,
        people.contact_promen,
    ):
        with pytest.raises(NotAllowed):
            policies.check_can_record_attendance(scene.group, session_date=scene.past.date, by=user)


def test_notes_are_written_by_the_groups_trainers_and_coordinators(scene, people):
    for user in (scene.trainer, scene.volunteer, people.coordinator_gouda):
        policies.check_can_write_session_note(scene.group, by=user)
    for user in (scene.other_trainer, scene.deventer_trainer, people.contact_promen):
        with pytest.raises(NotAllowed):
            policies.check_can_write_session_note(scene.group, by=user)


def test_coordinators_assign_trainers_of_their_own_library(scene, people):
    policies.check_can_assign_trainer(
        scene.group, trainer=scene.other_trainer, by=people.coordinator_gouda
    )
    for by in (people.coordinator_deventer, scene.trainer, people.contact_promen):
        with pytest.raises(NotAllowed):
            policies.check_can_assign_trainer(scene.group, trainer=scene.other_trainer, by=by)
    for trainer in (scene.deventer_trainer, people.coordinator_gouda, people.contact_promen):
        with pytest.raises(InvalidRequest) as refusal:
            policies.check_can_assign_trainer(
                scene.group, trainer=trainer, by=people.coordinator_gouda
            )
        with translation.override("en"):
            assert refusal.value.message == "Choose a trainer or volunteer of Bibliotheek Gouda."


# -- services ---------------------------------------------------------------------------------


def test_assigning_adds_a_trainer_once_and_changes_the_role(scene, people):
    added = services.assign_trainer(
        group=scene.group,
        trainer=scene.other_trainer,
        kind="volunteer",
        by=people.coordinator_gouda,
    )
    assert added.kind == "volunteer"
    again = services.assign_trainer(
        group=scene.group, trainer=scene.other_trainer, kind="trainer", by=people.coordinator_gouda
    )
    assert again.pk == added.pk and again.kind == "trainer"
    assert scene.group.trainer_assignments.count() == 3

    with pytest.raises(InvalidRequest):
        services.assign_trainer(
            group=scene.group, trainer=scene.other_trainer, kind="boss", by=people.coordinator_gouda
        )
    with pytest.raises(NotAllowed):
        services.assign_trainer(
            group=scene.group, trainer=scene.other_trainer, by=people.coordinator_deventer
        )
    with pytest.raises(InvalidRequest):
        services.assign_trainer(
            group=scene.group, trainer=scene.deventer_trainer, by=people.coordinator_gouda
        )
    assert scene.group.trainer_assignments.count() == 3


def test_unassigning_is_for_coordinators_and_keeps_the_notes(scene, people):
    services.write_session_note(session=scene.past, text="Eva was moe", by=scene.volunteer)
    assignment = scene.group.trainer_assignments.get(trainer=scene.volunteer)
    for by in (scene.trainer, people.coordinator_deventer):
        with pytest.raises(NotAllowed):
            services.unassign_trainer(assignment=assignment, by=by)

    services.unassign_trainer(assignment=assignment, by=people.coordinator_gouda)

    assert not scene.group.trainer_assignments.filter(trainer=scene.volunteer).exists()
    assert SessionNote.objects.get().text == "Eva was moe"


def test_a_trainer_records_attendance_of_five_participants_with_history(scene):
    seats = scene.seats
    services.record_attendance(
        session=scene.past,
        present_seat_ids=[seats["Anna"].pk, seats["Bram"].pk, seats["Cas"].pk],
        excused_seat_ids=[seats["Dewi"].pk],
        by=scene.trainer,
    )

    assert marks(scene.past) == {
        "Anna": "present",
        "Bram": "present",
        "Cas": "present",
        "Dewi": "excused",
        "Eva": "absent",
    }
    assert {row.history_user for row in Attendance.history.all()} == {scene.trainer}


def test_another_trainer_records_no_attendance(scene):
    for by in (scene.other_trainer, scene.deventer_trainer):
        with pytest.raises(NotAllowed):
            services.record_attendance(
                session=scene.past, present_seat_ids=[scene.seats["Anna"].pk], by=by
            )
    assert not Attendance.objects.exists()


def test_a_note_is_trimmed_required_and_at_most_2000_characters(scene):
    note = services.write_session_note(
        session=scene.past, text="  Anja: groter scherm  ", by=scene.trainer
    )
    assert (note.text, note.author, note.session) == (
        "Anja: groter scherm",
        scene.trainer,
        scene.past,
    )

    with translation.override("nl"):
        with pytest.raises(InvalidRequest) as empty:
            services.write_session_note(session=scene.past, text="   ", by=scene.trainer)
        assert empty.value.message == "Schrijf eerst een notitie."
        assert empty.value.argument == "text"
        with pytest.raises(InvalidRequest) as long:
            services.write_session_note(
                session=scene.past, text="x" * (MAX_NOTE_LENGTH + 1), by=scene.trainer
            )
        assert long.value.message == (
            "Een notitie is hoogstens 2000 tekens lang. De jouwe heeft er 2001."
        )
    with pytest.raises(NotAllowed):
        services.write_session_note(session=scene.past, text="Hallo", by=scene.other_trainer)
    assert SessionNote.objects.count() == 1


def test_renewing_the_calendar_replaces_the_token(scene, people):
    first = services.renew_trainer_calendar(trainer=scene.trainer)
    renewed = services.renew_trainer_calendar(trainer=scene.trainer)
    assert renewed.pk == first.pk and renewed.token != first.token
    assert TrainerCalendar.objects.get().token == renewed.token
    for user in (people.coordinator_gouda, people.contact_promen):
        with pytest.raises(NotAllowed):
            services.renew_trainer_calendar(trainer=user)


# -- the trainer's pages ------------------------------------------------------------------------


def urls(scene):
    """Every trainer's address, with what a POST to it sends."""
    return {
        "sessions": (reverse("trainers:sessions"), {}),
        "session": (
            reverse("trainers:session", kwargs={"pk": scene.past.pk}),
            {f"seat_{seat.pk}": "present" for seat in scene.seats.values()},
        ),
        "note": (
            reverse("trainers:session_note", kwargs={"pk": scene.past.pk}),
            {"text": "Een notitie"},
        ),
        "calendar": (reverse("trainers:calendar"), {}),
        "renew": (reverse("trainers:calendar_renew"), {}),
    }


def nothing_changed():
    return (
        Attendance.objects.count(),
        SessionNote.objects.count(),
        sorted(TrainerCalendar.objects.values_list("token", flat=True)),
    )


def test_anonymous_people_sign_in_first(client, scene):
    before = nothing_changed()
    for name, (url, data) in urls(scene).items():
        for answer in (client.get(url), client.post(url, data)):
            assert answer.status_code == 302, name
            assert answer.url.startswith(reverse("accounts:login")), name
    assert nothing_changed() == before


@pytest.mark.parametrize("who", ["contact_promen", "coordinator_gouda", "admin"])
def test_people_who_do_not_teach_get_a_plain_refusal(client, scene, people, who):
    client.force_login(getattr(people, who))
    before = nothing_changed()
    for name, (url, data) in urls(scene).items():
        for answer in (client.get(url), client.post(url, data)):
            assert answer.status_code == 403, name
            assert "trainers" in text_of(answer)
    assert nothing_changed() == before


@pytest.mark.parametrize("who", ["other_trainer", "deventer_trainer"])
def test_a_trainer_never_finds_another_groups_session(client, scene, who):
    client.force_login(getattr(scene, who))
    services.write_session_note(session=scene.past, text="Geheim", by=scene.trainer)
    before = nothing_changed()
    for name in ("session", "note"):
        url, data = urls(scene)[name]
        assert client.get(url).status_code == 404, name
        assert client.post(url, data).status_code == 404, name
    sessions = client.get(reverse("trainers:sessions"))
    assert sessions.status_code == 200
    assert (
        reverse("trainers:session", kwargs={"pk": scene.past.pk}) not in sessions.content.decode()
    )
    assert nothing_changed() == before


def test_my_sessions_lists_today_and_coming_then_the_last_four_weeks(client, scene, course):
    client.force_login(scene.trainer)
    old = CourseGroupFactory(
        course=course,
        library=scene.group.library,
        sessions__first=TODAY() - datetime.timedelta(weeks=9),
        sessions=1,
    )
    TrainerAssignment.objects.create(group=old, trainer=scene.trainer)

    with translation.override("en"):
        page = client.get(reverse("trainers:sessions"))
    html = page.content.decode()
    assert page.status_code == 200
    with translation.override("en"):
        links = [reverse("trainers:session", kwargs={"pk": s.pk}) for s in scene.sessions]
    coming, recent = html.split("The last four weeks")
    for session, link in zip(scene.sessions, links, strict=True):
        assert link in (coming if session.date >= TODAY() else recent)
    assert recent.index(links[1]) < recent.index(links[0])  # newest first
    assert f"/{old.sessions.get().pk}/" not in html
    assert "Klik" in text_of(page) and "Anna" not in text_of(page)


def test_a_trainer_marks_five_participants_and_sees_it_saved(client, scene):
    client.force_login(scene.trainer)
    url = reverse("trainers:session", kwargs={"pk": scene.today.pk})
    page = client.get(url)
    text = text_of(page)
    for name in NAMES:
        assert name in text
    assert "Wachter" not in text
    seats = scene.seats
    choice = dict(zip(NAMES, ["present", "present", "absent", "excused", "present"], strict=True))

    answer = client.post(url, {f"seat_{seats[n].pk}": choice[n] for n in NAMES}, follow=True)

    assert marks(scene.today) == choice
    assert "De aanwezigheid is opgeslagen." in text_of(answer)
    html = answer.content.decode()
    assert html.count(" checked") == len(NAMES)


def test_every_participant_needs_a_choice(client, scene):
    client.force_login(scene.trainer)
    url = reverse("trainers:session", kwargs={"pk": scene.today.pk})
    data = {f"seat_{scene.seats[n].pk}": "present" for n in NAMES[:4]}
    with translation.override("nl"):
        answer = client.post(url, data)
    assert answer.status_code == 400
    assert "Eva: Kies aanwezig, afwezig of afgemeld." in text_of(answer)
    assert not Attendance.objects.exists()


def test_a_session_in_the_future_cannot_be_marked_yet(client, scene):
    client.force_login(scene.trainer)
    url = reverse("trainers:session", kwargs={"pk": scene.future.pk})
    with translation.override("en"):
        page = client.get(reverse("trainers:session", kwargs={"pk": scene.future.pk}))
    assert "A session in the future cannot be marked yet" in text_of(page)
    assert "Save attendance" not in text_of(page)
    for name in NAMES:
        assert name in text_of(page)
    answer = client.post(url, {f"seat_{s.pk}": "present" for s in scene.seats.values()})
    assert answer.status_code == 400
    assert not Attendance.objects.exists()


def test_a_session_without_a_name_shows_no_name_yet(client, scene):
    scene.seats["Eva"].first_name = ""
    scene.seats["Eva"].save()
    client.force_login(scene.trainer)
    with translation.override("en"):
        page = client.get(reverse("trainers:session", kwargs={"pk": scene.today.pk}))
    assert "(no name yet)" in text_of(page)


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("nl", "  ", "Schrijf eerst een notitie."),
        ("en", "", "Write a note first."),
        ("nl", "x" * (MAX_NOTE_LENGTH + 1), "Een notitie is hoogstens 2000 tekens lang."),
        ("en", "x" * (MAX_NOTE_LENGTH + 1), "A note can be at most 2000 characters long."),
    ],
)
def test_a_bad_note_is_refused_next_to_the_field(client, scene, language, text, message):
    client.force_login(scene.trainer)
    with translation.override(language):
        url = reverse("trainers:session_note", kwargs={"pk": scene.past.pk})
    answer = client.post(url, {"text": text})
    assert answer.status_code == 400
    page = text_of(answer)
    assert page.count(message) == 2  # in the summary and next to the field
    assert not SessionNote.objects.exists()


def test_a_note_is_saved_and_only_the_trainers_own_notes_are_listed(client, scene, people):
    services.write_session_note(session=scene.past, text="Van de vrijwilliger", by=scene.volunteer)
    client.force_login(scene.trainer)
    note_url = reverse("trainers:session_note", kwargs={"pk": scene.past.pk})
    assert client.get(note_url).status_code == 302

    answer = client.post(note_url, {"text": "Anja heeft een groter scherm nodig"}, follow=True)

    note = SessionNote.objects.get(author=scene.trainer)
    assert note.text == "Anja heeft een groter scherm nodig"
    page = text_of(answer)
    assert "Je notitie is opgeslagen." in page
    assert "Anja heeft een groter scherm nodig" in page
    assert "Van de vrijwilliger" not in page


# -- the calendar ---------------------------------------------------------------------------------


def test_the_calendar_feed_lists_the_trainers_sessions_without_names(client, scene):
    client.force_login(scene.trainer)
    assert "Agenda-adres maken" in text_of(client.get(reverse("trainers:calendar")))
    client.post(reverse("trainers:calendar"))
    token = TrainerCalendar.objects.get(trainer=scene.trainer).token
    client.post(reverse("trainers:calendar"))  # a second click keeps the address
    assert TrainerCalendar.objects.get(trainer=scene.trainer).token == token
    feed_path = reverse("trainers:calendar_feed", kwargs={"token": token})
    assert feed_path in client.get(reverse("trainers:calendar")).content.decode()

    client.logout()
    answer = client.get(feed_path)

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    assert "private" in answer["Cache-Control"]
    body = answer.content.decode()
    for name in (*NAMES, "Wachter", "Tessa", "Vera"):
        assert name not in body
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert sorted(event.decoded("dtstart").date() for event in events) == [
        session.date for session in scene.sessions
    ]


def test_renewing_the_address_stops_the_old_one(client, scene):
    client.force_login(scene.trainer)
    assert client.get(reverse("trainers:calendar_renew")).status_code == 302  # none yet
    old = services.renew_trainer_calendar(trainer=scene.trainer).token
    assert client.get(reverse("trainers:calendar_renew")).status_code == 200

    client.post(reverse("trainers:calendar_renew"))

    new = TrainerCalendar.objects.get().token
    assert new != old
    feed = "trainers:calendar_feed"
    assert client.get(reverse(feed, kwargs={"token": old})).status_code == 404
    assert client.get(reverse(feed, kwargs={"token": new})).status_code == 200
    assert client.post(reverse(feed, kwargs={"token": new})).status_code == 405


def test_the_feed_of_someone_who_no_longer_teaches_is_gone(client, scene):
    token = services.renew_trainer_calendar(trainer=scene.trainer).token
    scene.trainer.membership.is_trainer = False
    scene.trainer.membership.save()
    assert client.get(reverse("trainers:calendar_feed", kwargs={"token": token})).status_code == 404


def test_a_trainer_lands_on_my_sessions_after_signing_in(client, scene):
    scene.trainer.set_password("geheim-wachtwoord-1")
    scene.trainer.save()
    answer = client.post(
        reverse("accounts:login"),
        {"username": "trainer-gouda", "password": "geheim-wachtwoord-1"},
    )
    assert answer.status_code == 302
    assert answer.url == reverse("trainers:sessions")


# -- the coordinators' section on the group's page ---------------------------------------------


def admin_urls(scene):
    assignment = scene.group.trainer_assignments.get(trainer=scene.volunteer)
    return {
        "add": (
            reverse("booking_trainers:add", args=[scene.group.pk]),
            {"trainer": scene.other_trainer.pk, "kind": "volunteer"},
        ),
        "remove": (reverse("booking_trainers:remove", args=[scene.group.pk, assignment.pk]), {}),
    }


def assignments(group):
    return sorted(group.trainer_assignments.values_list("trainer__username", "kind"))


def test_a_coordinator_adds_and_removes_trainers(client, scene, people):
    speak("en", people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    services.write_session_note(session=scene.past, text="Bram kwam te laat", by=scene.trainer)
    detail = client.get(reverse("course_groups:inspect", args=[scene.group.pk]))
    text = text_of(detail)
    assert "Tessa" in text and "Volunteer" in text and "Bram kwam te laat" in text

    add, data = admin_urls(scene)["add"]
    form = client.get(add)
    assert form.status_code == 200
    options = form.content.decode()
    assert f'value="{scene.other_trainer.pk}"' in options
    assert f'value="{scene.deventer_trainer.pk}"' not in options
    assert f'value="{people.coordinator_gouda.pk}"' not in options
    assert client.post(add, data).status_code == 302
    remove, data = admin_urls(scene)["remove"]
    assert client.get(remove).status_code == 200
    assert client.post(remove, data).status_code == 302

    assert assignments(scene.group) == [
        ("other-trainer", "volunteer"),
        ("trainer-gouda", "trainer"),
    ]


def test_a_trainer_of_another_library_cannot_be_added(client, scene, people):
    speak("en", people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    add, _data = admin_urls(scene)["add"]
    answer = client.post(add, {"trainer": scene.deventer_trainer.pk, "kind": "trainer"})
    assert answer.status_code == 200
    assert "Choose a trainer or volunteer from the list." in text_of(answer)
    assert len(assignments(scene.group)) == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator_deventer", 404),
        ("contact_promen", 302),
        ("trainer", 302),
        ("deventer_trainer", 302),
    ],
)
def test_other_people_change_no_trainers_in_the_admin(client, scene, people, who, status):
    user = getattr(scene, who, None) or getattr(people, who)
    client.force_login(user)
    before = assignments(scene.group)
    for name, (url, data) in admin_urls(scene).items():
        for answer in (client.get(url), client.post(url, data)):
            # Without the admin, Wagtail sends people to its login page.
            assert answer.status_code in (status, 403), name
    assert assignments(scene.group) == before


# -- valid HTML ---------------------------------------------------------------------------------


def trainer_pages(client, scene):
    services.write_session_note(session=scene.today, text="Alles goed", by=scene.trainer)
    pages = {}
    for language in ("nl", "en"):
        with translation.override(language):
            session = reverse("trainers:session", kwargs={"pk": scene.today.pk})
            note = reverse("trainers:session_note", kwargs={"pk": scene.today.pk})
            pages[f"sessions {language}"] = client.get(reverse("trainers:sessions"))
            pages[f"session {language}"] = client.get(session)
            pages[f"session, errors {language}"] = client.post(session, {})
            pages[f"note, error {language}"] = client.post(note, {"text": ""})
            pages[f"future {language}"] = client.get(
                reverse("trainers:session", kwargs={"pk": scene.future.pk})
            )
            pages[f"calendar, none {language}"] = client.get(reverse("trainers:calendar"))
    services.renew_trainer_calendar(trainer=scene.trainer)
    for language in ("nl", "en"):
        with translation.override(language):
            pages[f"calendar {language}"] = client.get(reverse("trainers:calendar"))
            pages[f"renew {language}"] = client.get(reverse("trainers:calendar_renew"))
    return {name: answer.content.decode() for name, answer in pages.items()}


def test_trainer_pages_have_valid_times_and_forms(client, scene):
    client.force_login(scene.trainer)
    for name, html in trainer_pages(client, scene).items():
        assert markup_problems(html) == [], name


@pytest.mark.skipif(bool(nu_checker_missing()), reason=nu_checker_missing() or "runs")
def test_trainer_and_admin_pages_are_valid_html(client, scene, people):
    client.force_login(scene.trainer)
    pages = trainer_pages(client, scene)
    client.force_login(people.coordinator_gouda)
    speak("en", people.coordinator_gouda)
    pages["admin add"] = client.get(admin_urls(scene)["add"][0]).content.decode()
    # The group's page itself is not checked here: Wagtail's header dropdown there puts a
    # `type` on a div, which is not this section's doing.
    assert {name: errors for name, errors in nu_errors(pages).items() if errors} == {}


def test_a_seat_that_is_not_confirmed_is_not_on_the_session_page(client, scene):
    scene.seats["Eva"].status = Seat.Status.CANCELLED
    scene.seats["Eva"].save()
    client.force_login(scene.trainer)
    page = client.get(reverse("trainers:session", kwargs={"pk": scene.today.pk}))
    assert "Eva" not in text_of(page)
