"""Coordinators and partners talk through the platform (issue 13, item 5).

A coordinator's message reaches each contact person with seats in the group once, in their
language, with the library as reply-to; anyone else, and a group that has ended, is refused
with nothing kept or sent. Coordinators choose how they hear about bookings: at once, a daily
digest, or never; those e-mails count seats per organisation and never name a participant.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from booking import messages, services
from booking.errors import InvalidRequest, InvalidState, NotAllowed
from booking.models import (
    CoordinatorNotificationSetting,
    CourseGroup,
    GroupMessage,
    Organisation,
    Seat,
)
from booking.services import SeatRequest
from tests.helpers import text_of
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .admin_helpers import is_refusal, speak
from .factories import CompanyFactory, CourseGroupFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# First names of the scene's participants: no e-mail to a library may carry them.
NAMES = ["Anja", "Bert", "Cor", "Dirk", "Eva", "Fien", "Gijs", "Henk"]


def reserve(group, organisation, by, *names):
    return services.reserve_seats(
        group=group,
        organisation=organisation,
        by=by,
        seats=[SeatRequest(first_name=name) for name in names],
    )


def html_of(message):
    (content, mimetype), *_others = message.alternatives
    assert mimetype == "text/html"
    return content


def everything_in(message) -> str:
    return f"{message.subject}\n{message.body}\n{html_of(message)}"


def set_language(user, language):
    user.membership.language = language
    user.membership.save()


@pytest.fixture
def scene(people, group, django_capture_on_commit_callbacks):
    """The Gouda group, full, with one seat waiting:

    - Werkse (SW company) booked 1 and cancelled it: no seat left, so not told;
    - Promen booked 2, then 1 more (the same contact person): told once;
    - KonnecteD booked 1; its contact person reads English;
    - the library booked 1 for its own learner: nobody to tell;
    - the social team (referral partner) booked 1, which waits.
    """
    werkse = CompanyFactory(name="Werkse", slug="werkse")
    social_team = CompanyFactory(
        name="Sociaal team Gouda", slug="sociaal-team", kind=Organisation.Kind.REFERRAL_PARTNER
    )
    contact_werkse = UserFactory(username="contact-werkse", organisation=werkse)
    contact_social = UserFactory(username="contact-sociaal", organisation=social_team)
    set_language(people.contact_konnected, "en")
    with django_capture_on_commit_callbacks(execute=True):
        werkse_booking = reserve(group, werkse, contact_werkse, "Anja").booking
        services.cancel_booking(booking=werkse_booking, by=contact_werkse)
        reserve(group, people.promen, people.contact_promen, "Bert", "Cor")
        reserve(group, people.promen, people.contact_promen, "Dirk")
        reserve(group, people.konnected, people.contact_konnected, "Eva")
        reserve(group, people.gouda, people.coordinator_gouda, "Fien")
        waiting = reserve(group, social_team, contact_social, "Gijs")
    assert waiting.waitlisted
    mail.outbox.clear()
    return SimpleNamespace(
        people=people,
        group=group,
        werkse=werkse,
        social_team=social_team,
        contact_werkse=contact_werkse,
        contact_social=contact_social,
    )


def send(scene, by=None, subject="Andere zaal: lokaal 2", body="Neem je DigiD mee.", **kwargs):
    return messages.send_group_message(
        group=kwargs.get("group", scene.group),
        by=by or scene.people.coordinator_gouda,
        subject=subject,
        body=body,
    )


# -- sending a message ---------------------------------------------------------------------------


def test_a_message_reaches_each_contact_person_with_seats_once_with_the_library_as_reply_to(
    scene, django_capture_on_commit_callbacks, mailoutbox
):
    people = scene.people
    with django_capture_on_commit_callbacks(execute=True):
        message = send(scene)

    assert sorted(to for m in mailoutbox for to in m.to) == sorted(
        [people.contact_promen.email, people.contact_konnected.email, scene.contact_social.email]
    )
    for sent in mailoutbox:
        assert sent.reply_to == [people.gouda.email]
        assert "Neem je DigiD mee." in sent.body
        assert "Neem je DigiD mee." in html_of(sent)
    stored = GroupMessage.objects.get()
    assert (stored.pk, stored.group, stored.sent_by) == (
        message.pk,
        scene.group,
        people.coordinator_gouda,
    )
    assert (stored.subject, stored.body) == ("Andere zaal: lokaal 2", "Neem je DigiD mee.")


def test_each_contact_person_reads_the_mail_in_their_own_language(
    scene, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        send(scene)

    by_address = {sent.to[0]: sent for sent in mailoutbox}
    english = by_address[scene.people.contact_konnected.email]
    dutch = by_address[scene.people.contact_promen.email]
    assert english.subject == "Message about Klik & Tik: Andere zaal: lokaal 2"
    assert english.body.startswith("Hello,")
    assert english.extra_headers["Content-Language"] == "en"
    assert dutch.subject == "Bericht over Klik & Tik: Andere zaal: lokaal 2"
    assert dutch.body.startswith("Hallo,")
    assert "Bibliotheek Gouda heeft een bericht voor je over Klik & Tik." in dutch.body


def test_the_text_is_escaped_in_html_with_its_line_breaks_kept(
    scene, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        send(scene, subject=f"Let op {SCRIPT}", body=f"Eerste regel {SCRIPT}\r\nTweede regel")

    sent = mailoutbox[0]
    html = html_of(sent)
    assert SCRIPT not in html
    assert f"Eerste regel {ESCAPED}<br>Tweede regel" in html
    assert f"Let op {ESCAPED}" in html
    # The plain-text part is the text as typed, one line under the other.
    assert f"Eerste regel {SCRIPT}\nTweede regel" in sent.body
    assert GroupMessage.objects.get().body == f"Eerste regel {SCRIPT}\nTweede regel"


@pytest.mark.parametrize(
    ("who", "error", "text"),
    [
        ("coordinator_deventer", NotAllowed, "Only the library's coordinators can do this."),
        ("contact_promen", NotAllowed, "Only the library's coordinators can do this."),
    ],
)
def test_only_a_coordinator_of_the_groups_library_sends(
    scene, who, error, text, django_capture_on_commit_callbacks, mailoutbox, in_english
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(error) as refused:
        send(scene, by=getattr(scene.people, who))

    assert refused.value.message == text
    assert not GroupMessage.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (
            CourseGroup.Status.CANCELLED,
            "This group has been cancelled; nothing can change any more.",
        ),
        (CourseGroup.Status.COMPLETED, "This group has finished; nothing can change any more."),
    ],
)
def test_a_group_that_has_ended_gets_no_message(
    scene, status, text, django_capture_on_commit_callbacks, mailoutbox, in_english
):
    CourseGroup.objects.filter(pk=scene.group.pk).update(status=status)
    scene.group.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidState) as refused:
        send(scene)

    assert refused.value.message == text
    assert not GroupMessage.objects.exists()
    assert mailoutbox == []


def test_a_group_without_seats_gets_no_message(people, course, in_english, mailoutbox):
    empty = CourseGroupFactory(course=course, library=people.gouda)

    with pytest.raises(InvalidState) as refused:
        messages.send_group_message(
            group=empty, by=people.coordinator_gouda, subject="Hallo", body="Welkom"
        )

    assert "nobody to send a message to" in refused.value.message
    assert not GroupMessage.objects.exists()


@pytest.mark.parametrize(
    ("subject", "body", "argument", "text"),
    [
        ("", "Neem je DigiD mee.", "subject", "Write a subject."),
        ("  \n\t ", "Neem je DigiD mee.", "subject", "Write a subject."),
        ("Andere zaal", "", "body", "Write a message."),
        ("Andere zaal", " \r\n \n", "body", "Write a message."),
        ("x" * 151, "Neem je DigiD mee.", "subject", "at most 150 characters"),
        ("Andere zaal", "x" * 2001, "body", "at most 2000 characters"),
    ],
)
def test_an_empty_or_too_long_subject_or_text_is_refused_with_a_message(
    scene, subject, body, argument, text, django_capture_on_commit_callbacks, mailoutbox, in_english
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidRequest) as refused:
        send(scene, subject=subject, body=body)

    assert text in refused.value.message
    assert refused.value.argument == argument
    assert not GroupMessage.objects.exists()
    assert mailoutbox == []


def test_the_timeline_gets_when_who_subject_and_text_newest_first(scene, people):
    people.coordinator_gouda.first_name, people.coordinator_gouda.last_name = "Lies", "Bakker"
    people.coordinator_gouda.save()
    send(scene, subject="Eerste", body="Een\nTwee")
    send(scene, subject="Tweede", body="Drie")
    other_group = CourseGroupFactory(course=scene.group.course, library=people.gouda)
    reserve(other_group, people.promen, people.contact_promen, "Henk")
    send(scene, group=other_group, subject="Niet deze groep")

    timeline = messages.messages_for_timeline(scene.group)

    assert [(m.subject, m.text, m.who) for m in timeline] == [
        ("Tweede", "Drie", "Lies Bakker"),
        ("Eerste", "Een\nTwee", "Lies Bakker"),
    ]
    assert timeline[0].when >= timeline[1].when


# -- the "Bericht sturen" page -------------------------------------------------------------------


def send_url(group):
    return reverse("booking_messages:send", args=[group.pk])


def test_the_page_shows_who_gets_the_message_and_sends_it(
    client, scene, staff, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff.coordinator_gouda)
    page = client.get(send_url(scene.group))
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("Promen", "KonnecteD", "Sociaal team Gouda"):
        assert name in text
    assert "Werkse" not in text

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            send_url(scene.group), {"subject": "Andere zaal", "body": "Lokaal 2, eerste etage."}
        )

    assert answer.status_code == 302
    assert answer["Location"] == reverse("course_groups:inspect", args=[scene.group.pk])
    assert GroupMessage.objects.get().subject == "Andere zaal"
    assert len(mailoutbox) == 3
    followed = client.get(answer["Location"])
    assert "Your message is sent to 3 contact persons." in followed.content.decode()
    # Sent messages are listed under the form.
    assert "Lokaal 2, eerste etage." in client.get(send_url(scene.group)).content.decode()


def test_the_page_shows_the_rules_message_on_the_field(client, scene, staff, mailoutbox):
    client.force_login(staff.coordinator_gouda)

    answer = client.post(send_url(scene.group), {"subject": "   ", "body": "Tekst"})

    assert answer.status_code == 200
    assert "Write a subject." in answer.content.decode()
    assert not GroupMessage.objects.exists()
    assert mailoutbox == []


def test_the_page_of_a_cancelled_group_says_why_and_sends_nothing(client, scene, staff, mailoutbox):
    client.force_login(staff.coordinator_gouda)
    services.cancel_group(group=scene.group, by=staff.coordinator_gouda, reason="Trainer ziek")
    mailoutbox.clear()

    page = client.get(send_url(scene.group))
    answer = client.post(send_url(scene.group), {"subject": "Hallo", "body": "Tekst"})

    assert "This group has been cancelled" in page.content.decode()
    assert 'name="subject"' not in page.content.decode()
    assert answer.status_code == 200
    assert not GroupMessage.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("coordinator_gouda", True),
        ("admin", True),
        ("coordinator_deventer", False),
        ("contact_promen", False),
        (None, False),
    ],
)
def test_the_send_page_per_role(client, scene, staff, who, allowed, method, mailoutbox):
    if who:
        client.force_login(getattr(staff, who))
    data = {"subject": "Andere zaal", "body": "Lokaal 2"}

    answer = getattr(client, method)(send_url(scene.group), data if method == "post" else None)

    if allowed:
        assert answer.status_code == (200 if method == "get" else 302)
    else:
        assert is_refusal(answer)
        assert not GroupMessage.objects.exists()


# -- the coordinator's setting -------------------------------------------------------------------

SETTINGS_URL = "booking_messages:settings"


def test_a_coordinator_chooses_how_they_hear_about_bookings(client, staff):
    client.force_login(staff.coordinator_gouda)
    url = reverse(SETTINGS_URL)

    page = client.get(url)
    assert page.status_code == 200
    assert re.search(r'<input[^>]*value="daily"[^>]*checked', page.content.decode())
    answer = client.post(url, {"frequency": "at_once"})

    assert answer.status_code == 302
    assert messages.frequency_of(staff.coordinator_gouda) == "at_once"
    assert "Your choice is saved." in client.get(answer["Location"]).content.decode()


def test_the_setting_page_speaks_dutch(client, people):
    speak("nl", people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)

    text = client.get(reverse(SETTINGS_URL)).content.decode()

    assert "E-mails over reserveringen" in text
    assert "Eén keer per dag" in text


def test_a_choice_that_does_not_exist_is_refused(client, staff):
    client.force_login(staff.coordinator_gouda)

    answer = client.post(reverse(SETTINGS_URL), {"frequency": "hourly"})

    assert answer.status_code == 200
    # The error summary leads to the question's first choice.
    assert 'href="#id_frequency_0"' in answer.content.decode()
    assert 'id="id_frequency_0"' in answer.content.decode()
    assert not CoordinatorNotificationSetting.objects.exists()


def test_the_account_page_links_to_the_setting_for_coordinators_only(client, staff):
    client.force_login(staff.coordinator_gouda)
    assert reverse(SETTINGS_URL) in client.get(reverse("wagtailadmin_account")).content.decode()
    client.force_login(staff.admin)
    assert reverse(SETTINGS_URL) not in client.get(reverse("wagtailadmin_account")).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("coordinator_gouda", True),
        ("coordinator_deventer", True),
        ("admin", False),  # no library, so no bookings to hear about
        ("contact_promen", False),
        (None, False),
    ],
)
def test_the_setting_page_per_role(client, staff, who, allowed, method):
    if who:
        client.force_login(getattr(staff, who))

    answer = getattr(client, method)(
        reverse(SETTINGS_URL), {"frequency": "never"} if method == "post" else None
    )

    if allowed:
        assert answer.status_code == (200 if method == "get" else 302)
    else:
        assert is_refusal(answer)
        assert not CoordinatorNotificationSetting.objects.exists()


@pytest.mark.skipif(bool(nu_checker_missing()), reason=nu_checker_missing() or "runs")
def test_the_new_pages_are_valid_html_in_both_languages(client, scene, people):
    client.force_login(people.coordinator_gouda)
    send(scene)
    pages = {}
    for language in ("nl", "en"):
        speak(language, people.coordinator_gouda)
        pages[f"send {language}"] = client.get(send_url(scene.group)).content.decode()
        pages[f"send, error {language}"] = client.post(
            send_url(scene.group), {"subject": "", "body": ""}
        ).content.decode()
        pages[f"settings {language}"] = client.get(reverse(SETTINGS_URL)).content.decode()
        pages[f"settings, error {language}"] = client.post(
            reverse(SETTINGS_URL), {"frequency": "hourly"}
        ).content.decode()
    for name, html in pages.items():
        assert markup_problems(html) == [], name

    assert {name: errors for name, errors in nu_errors(pages).items() if errors} == {}


# -- the library hears about bookings ------------------------------------------------------------


@pytest.fixture
def libraries(people, group, course):
    """A second coordinator at Gouda; Deventer with a group of its own. Gouda's coordinator
    wants to hear at once, the second one daily (no choice made); Deventer's at once too."""
    second = UserFactory(username="coordinator-gouda-2", organisation=people.gouda)
    messages.set_frequency(people.coordinator_gouda, "at_once")
    messages.set_frequency(people.coordinator_deventer, "at_once")
    set_language(people.coordinator_deventer, "en")
    location = LocationFactory(organisation=people.deventer, city="Deventer")
    deventer_group = CourseGroupFactory(course=course, library=people.deventer, location=location)
    return SimpleNamespace(second=second, deventer_group=deventer_group)


def mails_to(outbox, user):
    return [sent for sent in outbox if sent.to == [user.email]]


def test_at_once_each_coordinator_who_wants_it_gets_one_mail_per_event(
    people, group, libraries, mailoutbox
):
    result = reserve(group, people.promen, people.contact_promen, "Anja", "Bert")
    seat_ids = [seat.pk for seat in result.confirmed]

    assert messages.booking_changed(group, seat_ids, messages.BOOKED)

    (sent,) = mailoutbox
    assert sent.to == [people.coordinator_gouda.email]
    assert sent.subject == "Nieuwe reservering: Klik & Tik"
    assert "Promen: 2 plaatsen bevestigd" in sent.body
    assert "Promen: 2 plaatsen bevestigd" in html_of(sent)
    assert reverse("course_groups:inspect", args=[group.pk]) in sent.body
    assert reverse(SETTINGS_URL) in sent.body
    for name in NAMES:
        assert name not in everything_in(sent)


def test_at_once_counts_waiting_and_cancelled_seats(people, group, libraries, mailoutbox):
    CourseGroup.objects.filter(pk=group.pk).update(capacity=1)
    first = reserve(group, people.promen, people.contact_promen, "Anja")
    second = reserve(group, people.promen, people.contact_promen, "Bert")
    assert second.waitlisted
    messages.booking_changed(group, [first.confirmed[0].pk, second.waitlisted[0].pk])
    cancelled = services.cancel_booking(booking=first.booking, by=people.contact_promen)
    messages.booking_changed(group, [s.pk for s in cancelled], messages.CANCELLED)

    booked, gone = mailoutbox
    assert "Promen: 1 plaats bevestigd, 1 plaats op de wachtlijst" in booked.body
    assert gone.subject == "Plaatsen geannuleerd: Klik & Tik"
    assert "Promen: 1 plaats geannuleerd" in gone.body


def test_at_once_goes_to_the_groups_own_library_in_the_coordinators_language(
    people, libraries, mailoutbox
):
    group = libraries.deventer_group
    result = reserve(group, people.konnected, people.contact_konnected, "Anja")

    messages.booking_changed(group, [s.pk for s in result.confirmed], messages.BOOKED)

    (sent,) = mailoutbox
    assert sent.to == [people.coordinator_deventer.email]
    assert sent.subject == "New booking: Klik & Tik"
    assert "KonnecteD: 1 seat confirmed" in sent.body


def test_at_once_does_not_tell_a_coordinator_what_they_did_themselves(
    people, group, libraries, mailoutbox
):
    libraries.second.membership.language = "en"
    libraries.second.membership.save()
    messages.set_frequency(libraries.second, "at_once")
    result = reserve(group, people.gouda, people.coordinator_gouda, "Anja")

    messages.booking_changed(group, [s.pk for s in result.confirmed], messages.BOOKED)

    (sent,) = mailoutbox
    assert sent.to == [libraries.second.email]
    assert "Bibliotheek Gouda: 1 seat confirmed" in sent.body


def test_nothing_is_queued_when_nobody_wants_to_hear_at_once(people, group, mailoutbox):
    result = reserve(group, people.promen, people.contact_promen, "Anja")

    assert not messages.booking_changed(group, [s.pk for s in result.confirmed])
    assert mailoutbox == []


def test_after_a_booking_asking_whether_anyone_wants_to_hear_at_once_is_a_cache_read(
    people, group, django_assert_num_queries, django_capture_on_commit_callbacks
):
    result = reserve(group, people.promen, people.contact_promen, "Anja")
    seat_ids = [seat.pk for seat in result.confirmed]
    assert not messages.booking_changed(group, seat_ids)

    with django_assert_num_queries(0):
        assert not messages.booking_changed(group, seat_ids)
    with django_capture_on_commit_callbacks(execute=True):
        messages.set_frequency(people.coordinator_gouda, "at_once")

    assert messages.booking_changed(group, seat_ids)


def test_an_unknown_kind_of_change_is_a_programming_error(people, group):
    with pytest.raises(ValueError, match="Unknown kind"):
        messages.booking_changed(group, [1], "moved")


# -- the daily digest ----------------------------------------------------------------------------


def later(minutes=10):
    """A digest run late enough to see what the test just did (digests keep a margin)."""
    return timezone.now() + messages.DIGEST_MARGIN + datetime.timedelta(minutes=minutes)


def test_the_digest_is_one_mail_per_coordinator_with_only_their_librarys_groups(
    people, group, libraries, mailoutbox, django_capture_on_commit_callbacks
):
    messages.set_frequency(people.coordinator_gouda, "daily")
    messages.set_frequency(people.coordinator_deventer, "daily")
    CourseGroup.objects.filter(pk=group.pk).update(capacity=3)
    promen = reserve(group, people.promen, people.contact_promen, "Anja", "Bert", "Cor")
    reserve(group, people.promen, people.contact_promen, "Dirk")
    reserve(group, people.konnected, people.contact_konnected, "Eva")
    services.cancel_seats(
        booking=promen.booking, seat_ids=[promen.confirmed[0].pk], by=people.contact_promen
    )
    reserve(libraries.deventer_group, people.konnected, people.contact_konnected, "Fien", "Gijs")

    with django_capture_on_commit_callbacks(execute=True):
        queued = messages.send_library_digests(now=later())

    assert queued == 3
    gouda = mails_to(mailoutbox, people.coordinator_gouda)
    second = mails_to(mailoutbox, libraries.second)
    (deventer,) = mails_to(mailoutbox, people.coordinator_deventer)
    assert len(gouda) == len(second) == 1
    assert len(mailoutbox) == 3
    (gouda,) = gouda
    assert gouda.subject == "Reserveringen van de afgelopen dag: Bibliotheek Gouda"
    assert "Promen: 3 plaatsen bevestigd, 1 plaats op de wachtlijst, 1 plaats geannuleerd" in (
        gouda.body
    )
    assert "KonnecteD: 1 plaats op de wachtlijst" in gouda.body
    assert "Deventer" not in gouda.body
    assert deventer.subject == "Bookings of the past day: Bibliotheek Deventer"
    assert "KonnecteD: 2 seats confirmed" in deventer.body
    assert "Promen" not in deventer.body
    for sent in mailoutbox:
        for name in NAMES:
            assert name not in everything_in(sent)


def test_no_digest_when_nothing_happened_and_nothing_told_twice(
    people, group, libraries, mailoutbox, django_capture_on_commit_callbacks
):
    reserve(group, people.promen, people.contact_promen, "Anja")
    with django_capture_on_commit_callbacks(execute=True):
        assert messages.send_library_digests(now=later()) == 1
    (first,) = mailoutbox
    assert first.to == [libraries.second.email]
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert messages.send_library_digests(now=later(minutes=20)) == 0

    assert mailoutbox == []


def test_coordinators_who_chose_at_once_or_never_get_no_digest(
    people, group, libraries, mailoutbox, django_capture_on_commit_callbacks
):
    messages.set_frequency(libraries.second, "never")
    reserve(group, people.promen, people.contact_promen, "Anja")

    with django_capture_on_commit_callbacks(execute=True):
        assert messages.send_library_digests(now=later()) == 0

    assert mailoutbox == []


def test_the_command_sends_the_digests(
    people, group, libraries, mailoutbox, django_capture_on_commit_callbacks, capsys
):
    reserve(group, people.promen, people.contact_promen, "Anja")
    # The command looks a few minutes back from now (DIGEST_MARGIN): let the booking be older.
    Seat.history.update(history_date=F("history_date") - datetime.timedelta(minutes=30))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_library_digests")

    assert "Sent 1 digest e-mail(s)" in capsys.readouterr().out
    (sent,) = mailoutbox
    assert sent.to == [libraries.second.email]


def test_contact_persons_read_the_librarys_messages_on_their_booking_page(
    promen_client, people, promen_booking, in_english
):
    messages.send_group_message(
        group=promen_booking.group,
        by=people.coordinator_gouda,
        subject="Andere zaal",
        body="We zitten in lokaal 2.\nNeem je DigiD mee.",
    )

    response = promen_client.get(reverse("portal:booking", kwargs={"pk": promen_booking.pk}))

    text = text_of(response)
    assert "Messages from the library" in text
    assert "Andere zaal" in text and "We zitten in lokaal 2." in text
    assert "lokaal 2.<br>Neem je DigiD mee." in response.content.decode()
