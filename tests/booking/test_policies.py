"""The "may I?" rules of booking/policies.py: pages ask the same rule the services enforce, so
a page offers an action exactly when the service would do it, with the service's message."""

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from booking import errors, policies, services
from booking.api import DESCRIPTION
from booking.api.errors import STATUS_OF_BOOKING_ERROR
from booking.errors import BookingError, DeadlinePassed, InvalidState, NotAllowed, TooManySeats
from booking.models import CourseGroup
from tests.helpers import text_of

from .factories import CourseGroupFactory

# The messages tested are the English source texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def reserve(group, people, seats=2):
    return services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=seats
    ).booking


def set_status(group, status):
    CourseGroup.objects.filter(pk=group.pk).update(status=status)  # the scene, not the rule
    group.refresh_from_db()


# -- changing seats (rule 5) -------------------------------------------------------------------

NOW = timezone.now()
STATES = [
    ("open", NOW),
    ("open", NOW + datetime.timedelta(days=30)),  # after the cancellation deadline
    ("cancelled", NOW),
    ("cancelled", NOW + datetime.timedelta(days=30)),
    ("completed", NOW),
]


@pytest.mark.parametrize(("status", "now"), STATES)
@pytest.mark.parametrize("who", ["contact_promen", "coordinator_gouda", "contact_konnected"])
def test_the_policy_allows_a_change_exactly_when_the_service_makes_it(
    group, people, status, now, who
):
    booking = reserve(group, people)
    set_status(group, status)
    user = getattr(people, who)

    asked = policies.refusal(
        policies.check_can_change_seats, group, organisation=people.promen, by=user, now=now
    )
    try:
        services.cancel_seats(booking=booking, by=user, reason="Ziek", now=now)
    except BookingError as error:
        done = error
    else:
        done = None

    assert (asked is None) == (done is None)
    if asked is not None:
        assert (type(asked), asked.message) == (type(done), done.message)


def test_a_cancelled_group_says_so_also_after_the_deadline(group, people):
    reserve(group, people)
    set_status(group, CourseGroup.Status.CANCELLED)
    later = group.cancellation_deadline + datetime.timedelta(days=1)

    with pytest.raises(InvalidState) as refusal:
        policies.check_can_change_seats(
            group, organisation=people.promen, by=people.contact_promen, now=later
        )

    assert refusal.value.message == "This group has been cancelled; nothing can change any more."


def test_after_the_deadline_the_short_and_the_full_message_come_from_one_error(group, people):
    later = group.cancellation_deadline + datetime.timedelta(minutes=1)

    error = policies.refusal(
        policies.check_can_change_seats,
        group,
        organisation=people.promen,
        by=people.contact_promen,
        now=later,
    )

    assert isinstance(error, DeadlinePassed)
    assert error.summary == "The deadline for changes has passed. The library can still help you."
    assert error.message.startswith("The deadline to cancel has passed. Please contact")
    assert policies.allows(
        policies.check_can_change_seats,
        group,
        organisation=people.promen,
        by=people.coordinator_gouda,
        now=later,
    )


def test_the_portal_shows_the_policys_message_for_a_finished_group(client, people, group):
    booking = reserve(group, people)
    set_status(group, CourseGroup.Status.COMPLETED)
    client.force_login(people.contact_promen)

    page = client.get(reverse("portal:booking", kwargs={"pk": booking.pk}))

    assert "This group has finished; nothing can change any more." in text_of(page)
    assert reverse("portal:booking_cancel", kwargs={"pk": booking.pk}) not in page.content.decode()


# -- completing a group ------------------------------------------------------------------------


def test_the_complete_button_shows_exactly_when_the_service_would_complete(client, people, course):
    past = CourseGroupFactory(
        course=course,
        library=people.gouda,
        sessions=2,
        sessions__first=timezone.localdate() - datetime.timedelta(days=14),
    )
    future = CourseGroupFactory(course=course, library=people.gouda)
    draft = CourseGroupFactory(
        course=course,
        library=people.gouda,
        draft=True,
        sessions__first=timezone.localdate() - datetime.timedelta(days=14),
    )
    client.force_login(people.coordinator_gouda)

    for group, allowed in ((past, True), (future, False), (draft, False)):
        complete = reverse("course_groups:complete", args=[group.pk])
        page = client.get(reverse("course_groups:inspect", args=[group.pk]))
        assert (complete in page.content.decode()) is allowed, group
        assert policies.allows(policies.check_can_complete, group, by=people.coordinator_gouda) is (
            allowed
        )

    with pytest.raises(InvalidState) as refusal:
        services.complete_group(group=draft, by=people.coordinator_gouda)
    with translation.override("en"):  # the admin's requests above spoke Dutch
        assert refusal.value.message == "A draft group cannot be completed."
    with pytest.raises(NotAllowed):
        policies.check_can_complete(past, by=people.coordinator_deventer)


# -- every refusal code the API answers is a domain error ------------------------------------


def domain_codes() -> set[str]:
    classes, pending = set(), [BookingError]
    while pending:
        cls = pending.pop()
        classes.add(cls)
        pending.extend(cls.__subclasses__())
    return {cls.code for cls in classes}


def codes_the_api_writes_itself() -> set[str]:
    """`code="..."` in the API's own calls (field_error, ApiError): not refusals of rules."""
    found = set()
    for path in (Path(settings.BASE_DIR) / "booking" / "api").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            keyword = isinstance(node, ast.keyword) and node.arg == "code"
            if keyword and isinstance(node.value, ast.Constant):
                found.add(node.value.value)
    return found


def test_every_refusal_code_of_the_api_is_the_code_of_a_domain_error():
    documented = DESCRIPTION.split("- 409: a booking rule says no:")[1].split("\n- 422")[0]
    refusals = {part.split("`")[1] for part in documented.split(", ") if "`" in part}

    assert {"not_bookable", "too_many_seats", "organisation_limit", "invalid_state"} <= refusals
    assert refusals <= domain_codes()
    assert set(STATUS_OF_BOOKING_ERROR) <= domain_codes()
    assert codes_the_api_writes_itself() <= {"not_found", "invalid"}


def test_more_seats_than_the_group_has_is_its_own_error(group, people):
    with pytest.raises(TooManySeats) as refusal:
        reserve(group, people, seats=6)

    assert refusal.value.code == "too_many_seats"
    assert refusal.value.argument == "seats"
    assert isinstance(refusal.value, errors.InvalidRequest)
