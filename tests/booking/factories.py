"""Factories for the booking domain. Traits give the states tests talk about:
`CourseGroupFactory(full=True)`, `SeatFactory(waitlisted=True)`, `UserFactory(coordinator=...)`.
"""

import datetime

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.utils import timezone

from booking.models import (
    Booking,
    CourseGroup,
    CourseIndexPage,
    CoursePage,
    Location,
    Membership,
    Organisation,
    Seat,
    Session,
)
from tests.factories import OrganisationFactory


class LibraryFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Bibliotheek {n}")
    slug = factory.Sequence(lambda n: f"bibliotheek-{n}")
    kind = Organisation.Kind.LIBRARY
    phone = "0182 123 456"
    email = factory.LazyAttribute(lambda o: f"cursussen@{o.slug}.test")


class CompanyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"SW-bedrijf {n}")
    slug = factory.Sequence(lambda n: f"sw-bedrijf-{n}")
    kind = Organisation.Kind.SW_COMPANY
    email = factory.LazyAttribute(lambda o: f"hr@{o.slug}.test")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Vestiging {n}")
    kind = Location.Kind.LIBRARY
    organisation = factory.SubFactory(LibraryFactory)
    street_address = "Agnietenstraat 5"
    postal_code = "2801 JS"
    city = "Gouda"
    accessibility_notes = "Ingang zonder drempel. Lift naar de eerste verdieping."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    first_name = "Sam"
    password = factory.django.Password("leerplein-test")

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)

    @factory.post_generation
    def organisation(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        """`UserFactory(organisation=library)` makes a coordinator, an SW company a contact."""
        if create and extracted is not None:
            Membership.objects.create(user=obj, organisation=extracted)
            if extracted.is_library:
                from booking.roles import ensure_coordinator_group

                obj.groups.add(ensure_coordinator_group())


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "Cursussen"
    slug = "cursussen"
    intro = "<p>Leer de computer, de tablet en de digitale overheid kennen.</p>"


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = "Klik & Tik"
    slug = factory.Sequence(lambda n: f"klik-en-tik-{n}")
    summary = "Eerste stappen met de computer, de tablet en internet."
    what_you_learn = "<p>De muis gebruiken, typen, e-mailen en veilig internetten.</p>"
    for_whom = "<p>Voor iedereen die net begint.</p>"
    levels = "<p>Niveau 1 is voor beginners.</p>"
    what_to_bring = "<p>Een leesbril als je die hebt.</p>"


def _days(days, hour=0):
    return timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=days, hours=hour
    )


class CourseGroupFactory(factory.django.DjangoModelFactory):
    """An open group with 5 seats, booking open now, sessions weekly from in two weeks."""

    class Meta:
        model = CourseGroup
        skip_postgeneration_save = True

    course = factory.SubFactory(CoursePageFactory)
    library = factory.SubFactory(LibraryFactory)
    location = factory.SubFactory(LocationFactory, organisation=factory.SelfAttribute("..library"))
    level = 1
    capacity = 5
    status = CourseGroup.Status.OPEN
    booking_opens_at = factory.LazyFunction(lambda: _days(-7))
    booking_closes_at = factory.LazyFunction(lambda: _days(10))
    cancellation_deadline = factory.LazyFunction(lambda: _days(12))
    trainer = "Ans de Vries"

    class Params:
        draft = factory.Trait(status=CourseGroup.Status.DRAFT)
        closed_window = factory.Trait(
            booking_opens_at=factory.LazyFunction(lambda: _days(-30)),
            booking_closes_at=factory.LazyFunction(lambda: _days(-1)),
        )

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        """Five weekly sessions by default; `sessions=0` for none, or a number."""
        if not create:
            return
        count = 5 if extracted is None else extracted
        first = kwargs.get("first", timezone.localdate() + datetime.timedelta(days=14))
        for week in range(count):
            Session.objects.create(
                group=obj,
                date=first + datetime.timedelta(weeks=week),
                starts_at=datetime.time(10),
                ends_at=datetime.time(12),
            )


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    group = factory.SubFactory(CourseGroupFactory)
    organisation = factory.SubFactory(CompanyFactory)
    booked_by = factory.LazyAttribute(lambda o: UserFactory(organisation=o.organisation))


class SeatFactory(factory.django.DjangoModelFactory):
    """A seat written straight to the database, for setting up a scene; the code under test
    always goes through booking.services."""

    class Meta:
        model = Seat

    booking = factory.SubFactory(BookingFactory)
    status = Seat.Status.CONFIRMED
    first_name = factory.Sequence(lambda n: f"Deelnemer {n}")

    class Params:
        waitlisted = factory.Trait(
            status=Seat.Status.WAITLISTED, waitlisted_at=factory.LazyFunction(timezone.now)
        )
        cancelled = factory.Trait(status=Seat.Status.CANCELLED)


def trainer_of(library, username="trainer", **kwargs):
    """A trainer (or volunteer) of `library`: a member who is not a coordinator."""
    user = UserFactory(username=username, **kwargs)
    Membership.objects.create(user=user, organisation=library, is_trainer=True)
    return user
