"""The nine booking rules of DESIGN.md: for each, when it allows and when it refuses, with
the message the person who asked would read."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from booking import services
from booking.errors import (
    CapacityBelowConfirmed,
    DeadlinePassed,
    GroupFull,
    GroupNotBookable,
    InvalidRequest,
    InvalidState,
    NotAllowed,
    OrganisationLimitReached,
)
from booking.models import Action, CourseGroup, Seat, Session
from booking.models.history import SystemReason
from booking.selectors import availability, waitlist
from booking.services import SeatRequest

from .factories import CourseGroupFactory, LocationFactory, SeatFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def in_dutch(text):
    """What a Dutch-speaking contact person reads: e-mails and history reasons default to Dutch."""
    with translation.override("nl"):
        return gettext(text)


def reserve(group, people, seats=1, company="promen", **kwargs):
    organisation = getattr(people, company)
    contact = getattr(people, f"contact_{company}")
    return services.reserve_seats(
        group=group, organisation=organisation, by=contact, seats=seats, **kwargs
    )


def statuses(group):
    return list(
        Seat.objects.filter(booking__group=group).order_by("pk").values_list("status", flat=True)
    )


# -- rule 1 and 2: never more confirmed than capacity; what does not fit waits ----------------


def test_a_reservation_that_fits_is_confirmed(group, people):
    result = reserve(group, people, seats=[SeatRequest(first_name="Anja"), SeatRequest()])

    assert [seat.status for seat in result.confirmed] == ["confirmed", "confirmed"]
    assert result.waitlisted == []
    assert result.summary == "2 seats confirmed"
    assert availability(group).free == 3


def test_more_seats_than_are_free_confirms_what_fits_and_waitlists_the_rest(group, people):
    reserve(group, people, seats=3, company="konnected")

    result = reserve(group, people, seats=4)

    assert len(result.confirmed) == 2
    assert len(result.waitlisted) == 2
    assert result.summary == "2 seats confirmed, 2 on the waiting list (places 1, 2)"
    assert availability(group) == availability(group).__class__(5, 5, 2)


def test_a_full_group_never_confirms_another_seat(group, people):
    reserve(group, people, seats=5, company="konnected")

    result = reserve(group, people, seats=1)

    assert result.confirmed == []
    assert result.summary == "1 on the waiting list (place 1)"
    assert Seat.objects.filter(booking__group=group).confirmed().count() == 5


@pytest.mark.parametrize(
    ("seats", "message"),
    [
        (0, "Reserve at least 1 seat."),
        ([], "Reserve at least 1 seat."),
        (6, "You can reserve at most 5 seats at once in this group."),
        ("3", "Give the number of seats as a whole number."),
        (True, "Give the number of seats as a whole number."),
        (
            [SeatRequest(first_name="x" * 51)],
            "First name or initials: Ensure this value has at most 50 characters (it has 51).",
        ),
    ],
)
def test_a_wrong_request_is_refused_and_changes_nothing(group, people, seats, message):
    with pytest.raises(InvalidRequest) as refusal:
        reserve(group, people, seats=seats)

    assert refusal.value.message == message
    assert statuses(group) == []
    assert not group.bookings.exists()


def test_the_database_refuses_impossible_values(group):
    impossible = [
        ("capacity", 0),
        ("level", 4),
        ("status", "gone"),
        ("booking_closes_at", group.booking_opens_at - datetime.timedelta(days=1)),
        ("seats_per_organisation", 0),
    ]
    for field, value in impossible:
        with pytest.raises(IntegrityError), transaction.atomic():
            CourseGroup.objects.filter(pk=group.pk).update(**{field: value})
    session = group.sessions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(ends_at=datetime.time(9))
    seat = SeatFactory(booking__group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.filter(pk=seat.pk).update(status="maybe")
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.filter(pk=seat.pk).update(status="waitlisted", waitlisted_at=None)


# -- rule 3: first come, first served; a freed seat goes to the waiting list at once -------


def test_a_cancelled_seat_goes_to_the_first_on_the_waiting_list_who_is_told(
    group, people, mailoutbox, django_capture_on_commit_callbacks
):
    first = reserve(group, people, seats=5, company="konnected")
    waiting_promen = reserve(group, people, seats=1)
    waiting_konnected = reserve(group, people, seats=1, company="konnected")
    membership = people.contact_promen.membership
    membership.language = "en"
    membership.save()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_seats(
            booking=first.booking, by=people.contact_konnected, seat_ids=[first.confirmed[0].pk]
        )

    promoted = Seat.objects.get(pk=waiting_promen.waitlisted[0].pk)
    assert promoted.status == Seat.Status.CONFIRMED
    assert promoted.history.first().action == Action.PROMOTED
    assert Seat.objects.get(pk=waiting_konnected.waitlisted[0].pk).status == "waitlisted"
    assert [seat.position for seat in waitlist(group)] == [1]
    promoted_mail = [mail for mail in mailoutbox if people.contact_promen.email in mail.to]
    assert len(promoted_mail) == 1
    assert promoted_mail[0].subject == "A seat has become free for you: Klik & Tik"
    cancelled_mail = [mail for mail in mailoutbox if people.contact_konnected.email in mail.to]
    assert cancelled_mail[0].subject == in_dutch("Seats cancelled: %(course)s") % {
        "course": "Klik & Tik"
    }


def test_more_capacity_promotes_the_waiting_list_in_order(group, people):
    reserve(group, people, seats=5, company="konnected")
    one = reserve(group, people, seats=1)
    two = reserve(group, people, seats=1, company="konnected")
    three = reserve(group, people, seats=1)

    promoted = services.change_capacity(
        group=group, capacity=7, by=people.coordinator_gouda, reason="A second trainer"
    )

    assert [seat.pk for seat in promoted] == [one.waitlisted[0].pk, two.waitlisted[0].pk]
    assert [seat.pk for seat in waitlist(group)] == [three.waitlisted[0].pk]


def test_a_company_at_its_limit_waits_and_the_next_in_line_goes_first(group, people):
    group.capacity, group.seats_per_organisation = 3, 3
    group.save()
    reserve(group, people, seats=1, company="konnected")
    promen_waiting = reserve(group, people, seats=3).waitlisted[0]
    next_in_line = SeatFactory(booking__group=group, waitlisted=True)
    # The library lowers the limit afterwards: Promen already holds 2 confirmed seats.
    group.seats_per_organisation = 2
    group.save()

    services.change_capacity(group=group, capacity=4, by=people.coordinator_gouda, reason="x")

    assert Seat.objects.get(pk=promen_waiting.pk).status == "waitlisted"
    assert Seat.objects.get(pk=next_in_line.pk).status == "confirmed"


def test_a_coordinator_can_promote_a_seat_out_of_turn_while_a_seat_is_free(group, people):
    group.seats_per_organisation = 1
    group.save()
    reserve(group, people, seats=1)
    waiting = SeatFactory(
        booking__organisation=people.promen, booking__group=group, waitlisted=True
    )

    seat = services.promote_seat(
        seat=waiting, by=people.coordinator_gouda, reason="Same department, one trainer"
    )

    assert seat.status == "confirmed"
    assert seat.history.first().history_change_reason == "Same department, one trainer"


def test_promoting_by_hand_needs_a_free_seat_and_a_reason(group, people):
    reserve(group, people, seats=5, company="konnected")
    waiting = reserve(group, people, seats=1).waitlisted[0]

    with pytest.raises(GroupFull) as refusal:
        services.promote_seat(seat=waiting, by=people.coordinator_gouda, reason="Urgent")
    assert refusal.value.message == (
        "There is no free seat. Add seats to the group, give back held seats, "
        "or cancel a seat first."
    )
    with pytest.raises(InvalidRequest) as refusal:
        services.promote_seat(seat=waiting, by=people.coordinator_gouda, reason="  ")
    assert refusal.value.message == "Please give a reason. It is kept in the history."
    with pytest.raises(NotAllowed):
        services.promote_seat(seat=waiting, by=people.coordinator_deventer, reason="Urgent")
    assert Seat.objects.get(pk=waiting.pk).status == "waitlisted"


# -- rule 4: window, status, per-organisation limit, restricted groups -----------------------


def test_booking_before_the_window_opens_is_refused_with_the_date(group, people):
    opens = timezone.now() + datetime.timedelta(days=2)
    group.booking_opens_at = opens
    group.save()

    with pytest.raises(GroupNotBookable) as refusal:
        reserve(group, people)

    assert refusal.value.message.startswith("You can reserve seats in this group from ")
    assert str(timezone.localtime(opens).year) in refusal.value.message


def test_booking_after_the_window_closes_is_refused(people, course):
    group = CourseGroupFactory(course=course, library=people.gouda, closed_window=True)

    with pytest.raises(GroupNotBookable) as refusal:
        reserve(group, people)

    assert refusal.value.message == "Booking for this group has closed."


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("draft", "This group is not open for bookings."),
        ("closed", "This group is not open for bookings."),
        ("completed", "This group is not open for bookings."),
        ("cancelled", "This group has been cancelled."),
    ],
)
def test_only_an_open_group_can_be_booked(group, people, status, message):
    group.status = status
    group.save()

    with pytest.raises(GroupNotBookable) as refusal:
        reserve(group, people)

    assert refusal.value.message == message


def test_the_per_organisation_limit_allows_up_to_and_refuses_beyond(group, people):
    group.seats_per_organisation = 3
    group.save()

    assert len(reserve(group, people, seats=2).confirmed) == 2
    with pytest.raises(OrganisationLimitReached) as refusal:
        reserve(group, people, seats=2)

    assert refusal.value.message == (
        "Your organisation can have at most 3 seats in this group, including the waiting "
        "list. You have 2 now."
    )
    assert len(reserve(group, people, seats=1).confirmed) == 1
    assert len(reserve(group, people, seats=2, company="konnected").confirmed) == 2


def test_a_restricted_group_is_only_for_its_organisation(group, people):
    group.restricted_to = people.promen
    group.location = LocationFactory(organisation=people.promen, kind="sw_company")
    group.save()

    assert len(reserve(group, people).confirmed) == 1
    with pytest.raises(NotAllowed) as refusal:
        reserve(group, people, company="konnected")

    assert refusal.value.message == "This group is only for Promen."


def test_nobody_books_for_an_organisation_they_do_not_belong_to(group, people):
    with pytest.raises(NotAllowed) as refusal:
        services.reserve_seats(
            group=group, organisation=people.promen, by=people.contact_konnected, seats=1
        )
    assert refusal.value.message == "You can only reserve seats for your own organisation."
    with pytest.raises(NotAllowed):
        services.reserve_seats(
            group=group, organisation=people.promen, by=people.coordinator_deventer, seats=1
        )
    # Another library's coordinators book neither for the group's library nor for their own.
    for organisation in (people.gouda, people.deventer):
        with pytest.raises(NotAllowed) as refusal:
            services.reserve_seats(
                group=group, organisation=organisation, by=people.coordinator_deventer, seats=1
            )
    assert refusal.value.message == (
        "Seats are reserved by an SW company, a referral partner or the group's library."
    )
    # A contact person cannot book in the library's name.
    with pytest.raises(NotAllowed) as refusal:
        services.reserve_seats(
            group=group, organisation=people.gouda, by=people.contact_promen, seats=1
        )
    assert refusal.value.message == "Only the library's coordinators can reserve seats for it."
    # The group's own coordinator may book on behalf of a company (a phone booking).
    result = services.reserve_seats(
        group=group, organisation=people.promen, by=people.coordinator_gouda, seats=1
    )
    assert len(result.confirmed) == 1


# -- rule 5: contact persons cancel until the deadline; after it, only a coordinator -------


def test_a_contact_person_cancels_before_the_deadline(group, people):
    booking = reserve(group, people, seats=2).booking

    cancelled = services.cancel_booking(booking=booking, by=people.contact_promen)

    assert [seat.status for seat in cancelled] == ["cancelled", "cancelled"]
    assert availability(group).free == 5


def test_after_the_deadline_the_contact_person_is_told_whom_to_call(group, people):
    booking = reserve(group, people, seats=2).booking
    after_deadline = group.cancellation_deadline + datetime.timedelta(minutes=1)

    with pytest.raises(DeadlinePassed) as refusal:
        services.cancel_booking(booking=booking, by=people.contact_promen, now=after_deadline)

    assert refusal.value.message == (
        "The deadline to cancel has passed. Please contact Bibliotheek Gouda (0182 123 456); "
        "they can still cancel for you."
    )
    assert availability(group).confirmed == 2
    with pytest.raises(DeadlinePassed):
        services.update_seat_details(
            seat=booking.seats.first(),
            by=people.contact_promen,
            details=SeatRequest(first_name="Bo"),
            now=after_deadline,
        )


def test_a_coordinator_cancels_after_the_deadline_with_a_reason(
    group, people, mailoutbox, django_capture_on_commit_callbacks
):
    booking = reserve(group, people, seats=2).booking
    after_deadline = group.cancellation_deadline + datetime.timedelta(days=1)
    with pytest.raises(InvalidRequest):
        services.cancel_booking(booking=booking, by=people.coordinator_gouda, now=after_deadline)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(
            booking=booking, by=people.coordinator_gouda, reason="Ill", now=after_deadline
        )

    assert availability(group).confirmed == 0
    assert in_dutch("The library has cancelled these seats:") in mailoutbox[-1].body


def test_another_company_cannot_cancel_or_rename_seats(group, people):
    booking = reserve(group, people, seats=1).booking

    with pytest.raises(NotAllowed) as refusal:
        services.cancel_booking(booking=booking, by=people.contact_konnected)
    assert refusal.value.message == "You can only cancel seats of your own organisation."
    with pytest.raises(NotAllowed):
        services.update_seat_details(
            seat=booking.seats.get(),
            by=people.contact_konnected,
            details=SeatRequest(first_name="Eve"),
        )
    with pytest.raises(NotAllowed):
        services.cancel_booking(booking=booking, by=people.coordinator_deventer, reason="x")
    assert availability(group).confirmed == 1


def test_cancelling_a_seat_twice_or_a_stranger_seat_is_refused(group, people):
    booking = reserve(group, people, seats=2).booking
    seat = booking.seats.first()
    services.cancel_seats(booking=booking, by=people.contact_promen, seat_ids=[seat.pk])

    with pytest.raises(InvalidRequest) as refusal:
        services.cancel_seats(booking=booking, by=people.contact_promen, seat_ids=[seat.pk])
    assert refusal.value.message == "This seat does not exist or has already been cancelled."
    other = SeatFactory(booking__group=group)
    with pytest.raises(InvalidRequest):
        services.cancel_seats(booking=booking, by=people.contact_promen, seat_ids=[other.pk])
    assert Seat.objects.get(pk=other.pk).status == "confirmed"


# -- rule 6: capacity below the confirmed seats is refused ----------------------------------


def test_capacity_can_go_down_to_the_confirmed_seats_but_not_below(group, people):
    reserve(group, people, seats=3)

    services.change_capacity(group=group, capacity=3, by=people.coordinator_gouda, reason="Room")
    with pytest.raises(CapacityBelowConfirmed) as refusal:
        services.change_capacity(
            group=group, capacity=2, by=people.coordinator_gouda, reason="Room"
        )

    assert refusal.value.message == (
        "3 seats are already confirmed, so the group needs at least 3 seats. Cancel seats "
        "first if the group must be smaller."
    )
    group.refresh_from_db()
    assert group.capacity == 3


@pytest.mark.parametrize("capacity", [0, -1, "4"])
def test_capacity_must_be_a_whole_number_of_at_least_one(group, people, capacity):
    with pytest.raises(InvalidRequest) as refusal:
        services.change_capacity(
            group=group, capacity=capacity, by=people.coordinator_gouda, reason="x"
        )
    assert refusal.value.message == "A group needs at least 1 seat."


def test_only_the_group_library_changes_capacity(group, people):
    with pytest.raises(NotAllowed) as refusal:
        services.change_capacity(
            group=group, capacity=8, by=people.coordinator_deventer, reason="x"
        )
    assert refusal.value.message == "Only the library's coordinators can do this."
    with pytest.raises(NotAllowed):
        services.change_capacity(group=group, capacity=8, by=people.contact_promen, reason="x")
    services.change_capacity(group=group, capacity=8, by=people.admin, reason="Big room")
    group.refresh_from_db()
    assert group.capacity == 8


# -- rule 7: cancelling a group cancels every seat and tells every contact person ------------


def test_cancelling_a_group_cancels_all_seats_and_tells_everyone(
    group, people, mailoutbox, django_capture_on_commit_callbacks
):
    reserve(group, people, seats=3)
    reserve(group, people, seats=3, company="konnected")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.cancel_group(
            group=group, by=people.coordinator_gouda, reason="Trainer ill"
        )

    assert len(cancelled) == 6
    assert set(statuses(group)) == {"cancelled"}
    group.refresh_from_db()
    assert group.status == "cancelled"
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [people.contact_konnected.email, people.contact_promen.email]
    )
    subject = in_dutch("Course cancelled: %(course)s") % {"course": "Klik & Tik"}
    assert [mail.subject for mail in mailoutbox] == [subject, subject]
    with pytest.raises(InvalidState) as refusal:
        services.cancel_group(group=group, by=people.coordinator_gouda, reason="again")
    assert refusal.value.message == ("This group has been cancelled; nothing can change any more.")
    with pytest.raises(GroupNotBookable):
        reserve(group, people)


# -- rule 8: one history record per change, with who and why ------------------------------


def test_every_change_leaves_one_history_record_with_user_action_and_reason(group, people):
    result = reserve(group, people, seats=[SeatRequest(first_name="Anja")], reason="Via HR")
    seat = result.confirmed[0]
    services.update_seat_details(
        seat=seat, by=people.contact_promen, details=SeatRequest(first_name="Anja B.")
    )
    services.change_capacity(group=group, capacity=6, by=people.coordinator_gouda, reason="Room")
    services.cancel_seats(booking=result.booking, by=people.contact_promen, reason="Ill")

    seat_history = list(seat.history.order_by("history_date", "history_id"))
    assert [(r.action, r.history_user, r.history_change_reason) for r in seat_history] == [
        (Action.RESERVED, people.contact_promen, "Via HR"),
        (Action.DETAILS_CHANGED, people.contact_promen, SystemReason.DETAILS_CHANGED),
        (Action.CANCELLED, people.contact_promen, "Ill"),
    ]
    changes = seat_history[1].diff_against(seat_history[0]).changes
    assert [(c.field, c.old, c.new) for c in changes] == [("first_name", "Anja", "Anja B.")]
    group_history = group.history.first()
    assert (group_history.action, group_history.history_user) == (
        Action.CAPACITY_CHANGED,
        people.coordinator_gouda,
    )
    assert result.booking.history.get().history_change_reason == "Via HR"


def test_a_refusal_leaves_no_history(group, people):
    reserve(group, people, seats=2)
    before = Seat.history.count(), CourseGroup.history.count()

    with pytest.raises(CapacityBelowConfirmed):
        services.change_capacity(group=group, capacity=1, by=people.coordinator_gouda, reason="x")

    assert (Seat.history.count(), CourseGroup.history.count()) == before


def test_attendance_is_recorded_per_session_once_it_has_started(group, people):
    booking = reserve(group, people, seats=2).booking
    anja, bo = booking.seats.all()
    session = group.sessions.first()

    with pytest.raises(InvalidState):
        services.record_attendance(
            session=session, present_seat_ids=[anja.pk], by=people.coordinator_gouda
        )
    changed = services.record_attendance(
        session=session,
        present_seat_ids=[anja.pk],
        by=people.coordinator_gouda,
        today=session.date,
    )
    again = services.record_attendance(
        session=session,
        present_seat_ids=[anja.pk],
        by=people.coordinator_gouda,
        today=session.date,
    )

    assert {(row.seat_id, row.present) for row in changed} == {(anja.pk, True), (bo.pk, False)}
    assert again == []
    with pytest.raises(NotAllowed):
        services.record_attendance(
            session=session, present_seat_ids=[], by=people.coordinator_deventer, today=session.date
        )


def test_completing_a_group_waits_for_its_last_session_and_frees_the_waiting_list(group, people):
    reserve(group, people, seats=5, company="konnected")
    waiting = reserve(group, people, seats=1).waitlisted[0]
    last = group.sessions.order_by("-date").first().date

    with pytest.raises(InvalidState) as refusal:
        services.complete_group(group=group, by=people.coordinator_gouda)
    assert refusal.value.message == "The group can be completed after its last session."
    services.complete_group(group=group, by=people.coordinator_gouda, today=last)

    group.refresh_from_db()
    assert group.status == "completed"
    assert Seat.objects.get(pk=waiting.pk).status == "cancelled"


def test_a_group_with_bookings_is_cancelled_not_deleted(group, people):
    reserve(group, people)
    with pytest.raises(InvalidState):
        services.delete_group(group=group, by=people.coordinator_gouda)
    empty = CourseGroupFactory(course=group.course, library=people.gouda, draft=True)
    services.delete_group(group=empty, by=people.coordinator_gouda, reason="Planned twice")
    assert not CourseGroup.objects.filter(pk=empty.pk).exists()
    records = [
        CourseGroup.history.filter(id=empty.pk).first(),
        *Session.history.filter(group_id=empty.pk, history_type="-"),
    ]
    assert len(records) == 6
    for record in records:
        assert (record.action, record.history_user, record.history_change_reason) == (
            Action.DELETED,
            people.coordinator_gouda,
            "Planned twice",
        )


def test_moving_a_seat_keeps_the_details_and_frees_the_old_place(group, people):
    other = CourseGroupFactory(course=group.course, library=people.gouda, capacity=1)
    booking = reserve(group, people, seats=[SeatRequest(first_name="Anja")]).booking
    reserve(group, people, seats=4, company="konnected")
    waiting = reserve(group, people, seats=1, company="konnected").waitlisted[0]

    moved = services.move_seat(seat=booking.seats.get(), to_group=other, by=people.contact_promen)

    assert (moved.status, moved.first_name, moved.booking.group) == ("confirmed", "Anja", other)
    assert Seat.objects.get(pk=waiting.pk).status == "confirmed"
    with pytest.raises(InvalidRequest):
        services.move_seat(seat=moved, to_group=other, by=people.contact_promen)


# -- rule 9: participant details are removed some time after the group ends --------------


def test_participant_details_are_erased_after_the_retention_period_also_in_history(people, course):
    past = CourseGroupFactory(
        course=course,
        library=people.gouda,
        sessions=5,
        sessions__first=timezone.localdate() - datetime.timedelta(days=250),
    )
    recent = CourseGroupFactory(course=course, library=people.gouda)
    now_in_window = past.booking_opens_at + datetime.timedelta(hours=1)
    for group in (past, recent):
        reserve(
            group,
            people,
            seats=[SeatRequest(first_name="Anja", learning_goal="DigiD", support_needs="Bril")],
            now=now_in_window if group is past else None,
        )

    call_command("remove_participant_details", days=183, stdout=io.StringIO())

    old_seat = Seat.objects.get(booking__group=past)
    assert (old_seat.first_name, old_seat.learning_goal, old_seat.support_needs) == ("", "", "")
    assert not old_seat.history.exclude(first_name="").exists()
    assert not old_seat.history.exclude(learning_goal="", support_needs="").exists()
    assert old_seat.history.first().action == Action.DATA_REMOVED
    assert Seat.objects.get(booking__group=recent).first_name == "Anja"
    assert Seat.objects.get(booking__group=recent).history.get().first_name == "Anja"


def test_the_retention_command_keeps_details_within_the_period(people, course):
    past = CourseGroupFactory(
        course=course,
        library=people.gouda,
        sessions__first=timezone.localdate() - datetime.timedelta(days=60),
    )
    reserve(
        past,
        people,
        seats=[SeatRequest(first_name="Anja")],
        now=past.booking_opens_at + datetime.timedelta(hours=1),
    )

    call_command("remove_participant_details", stdout=io.StringIO())

    assert Seat.objects.get(booking__group=past).first_name == "Anja"


def test_editing_a_group_records_only_the_sessions_that_changed(group, people):
    sessions = list(group.sessions.all())
    sessions[0].starts_at = datetime.time(9)
    group.sessions = sessions[:4]
    group.trainer = "Piet Jansen"

    services.save_group(group=group, by=people.coordinator_gouda, reason="New trainer")

    counts = [Session.history.filter(id=session.pk).count() for session in sessions]
    assert counts == [2, 1, 1, 1, 2]
    changed = Session.history.filter(id=sessions[0].pk).first()
    removed = Session.history.filter(id=sessions[4].pk).first()
    for record, kind in ((changed, "~"), (removed, "-")):
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            kind,
            people.coordinator_gouda,
            "New trainer",
        )
    assert group.history.first().action == Action.EDITED
    assert group.sessions.count() == 4
