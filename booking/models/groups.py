import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from simple_history.models import HistoricalRecords

from .history import AuditFields
from .organisations import SENDING_KINDS, Organisation


class AuditedHistory(HistoricalRecords):
    """simple-history with our audit fields; a ParentalKey becomes a plain foreign key in the
    history table, since modelcluster forbids the `related_name="+"` history gives it."""

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for field in fields.values():
            if isinstance(field, ParentalKey):
                field.__class__ = models.ForeignKey
        return fields

    def get_meta_options(self, model):
        """An index to find the version before a record (what changed), read from the index
        alone however many versions a row has; history_date has its own index already."""
        options = super().get_meta_options(model)
        options["indexes"] = [models.Index(fields=["id", "history_date", "history_id"])]
        return options


def audited():
    return AuditedHistory(bases=[AuditFields])


def _per_group(queryset, aggregate):
    """A correlated subquery: `aggregate` over `queryset`'s rows of the outer group.

    Subqueries rather than joins, so counting seats and finding session dates in the same
    query never multiply each other's rows.
    """
    return Subquery(
        queryset.filter(group_ref=OuterRef("pk"))
        .order_by()
        .values("group_ref")
        .annotate(value=aggregate)
        .values("value")
    )


def seat_count(status):
    """A group's seats of one status, as an expression (a correlated subquery).

    Counted from the group's bookings, so every database reads them through the group's own
    rows; counted from the seats, SQLite (which keeps no statistics) reads them through the
    index on their status: every seat of that status, once for each group.
    """
    bookings = Booking.objects.annotate(group_ref=F("group"))
    return Coalesce(_per_group(bookings, Count("seats", filter=Q(seats__status=status))), 0)


def free_seats():
    """A group's seats free for anyone (never below zero): not confirmed and not held for one
    organisation, as an expression, e.g. to sum over groups."""
    return Greatest(F("capacity") - F("seats_held") - seat_count(Seat.Status.CONFIRMED), 0)


class CourseGroupQuerySet(models.QuerySet):
    def with_occupancy(self):
        """Annotate confirmed and waitlisted seats and free seats (never below zero; seats
        held for an organisation are not free)."""
        return self.annotate(
            confirmed_seats=seat_count(Seat.Status.CONFIRMED),
            waitlisted_seats=seat_count(Seat.Status.WAITLISTED),
        ).annotate(free_seats=Greatest(F("capacity") - F("seats_held") - F("confirmed_seats"), 0))

    def with_dates(self):
        """Annotate the first and last session's dates (None for a group without sessions)."""
        sessions = Session.objects.annotate(group_ref=F("group"))
        return self.annotate(
            first_date=_per_group(sessions, Min("date")),
            last_date=_per_group(sessions, Max("date")),
        )

    def upcoming(self, today=None):
        """Groups whose last session is today or later (or that have no sessions yet)."""
        today = today or timezone.localdate()
        return self.with_dates().filter(Q(last_date__gte=today) | Q(last_date__isnull=True))

    def for_course(self, course):
        """The groups of a course page, whichever translation of the page is given."""
        return self.filter(course__translation_key=course.translation_key)


class Funding(models.TextChoices):
    """Who pays for a group: the funders the source documents name."""

    WEB = "web", _("WEB funds (adult education)")
    TEL_MEE_MET_TAAL = "tel_mee_met_taal", _("Tel mee met Taal")
    MUNICIPALITY = "municipality", _("Municipality")
    PROVINCE = "province", _("Province")
    OWN_BUDGET = "own_budget", _("Own budget")
    OTHER = "other", _("Other")


class CourseGroup(ClusterableModel):
    """One run of a course (a *groep*): a few sessions, a few seats, hosted by a library.

    The database refuses impossible values (capacity below 1, levels outside 1-3, unknown
    statuses, a window that closes before it opens); booking rules live in services.py.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    class Level(models.IntegerChoices):
        ONE = 1, _("Level 1")
        TWO = 2, _("Level 2")
        THREE = 3, _("Level 3")

    course = models.ForeignKey(
        "booking.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="groups",
        help_text=_("The course page this group belongs to (the Dutch page)."),
    )
    library = models.ForeignKey(
        Organisation,
        verbose_name=_("library"),
        on_delete=models.PROTECT,
        related_name="course_groups",
        limit_choices_to={"kind": Organisation.Kind.LIBRARY},
        help_text=_("The library that runs this group."),
    )
    location = models.ForeignKey(
        "booking.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="course_groups",
        help_text=_("Where the sessions take place."),
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=Level.choices,
        default=Level.ONE,
        help_text=_("1 is for beginners, 3 for people who already know the basics."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("number of seats"),
        default=5,
        help_text=_("How many people can take part. Usually 5."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Only open groups can be booked. Draft groups are not shown anywhere."),
    )
    booking_opens_at = models.DateTimeField(
        _("booking opens"), help_text=_("From this moment SW companies can reserve seats.")
    )
    booking_closes_at = models.DateTimeField(
        _("booking closes"), help_text=_("After this moment nobody can reserve seats.")
    )
    cancellation_deadline = models.DateTimeField(
        _("cancellation deadline"),
        help_text=_("Until this moment contact persons can cancel seats themselves."),
    )
    restricted_to = models.ForeignKey(
        Organisation,
        verbose_name=_("only for"),
        on_delete=models.PROTECT,
        related_name="restricted_groups",
        null=True,
        blank=True,
        limit_choices_to={"kind__in": SENDING_KINDS},
        help_text=_(
            "Leave empty for everyone. Choose an SW company or a partner for a course on its site."
        ),
    )
    seats_per_organisation = models.PositiveSmallIntegerField(
        _("seats per organisation"),
        null=True,
        blank=True,
        help_text=_("The most seats one SW company may take. Leave empty for no limit."),
    )
    seats_held = models.PositiveSmallIntegerField(
        _("seats held"),
        default=0,
        editable=False,
        help_text=_("Seats kept for one organisation (SeatHold); not free for others."),
    )
    trainer = models.CharField(
        _("trainer"), max_length=100, blank=True, help_text=_("Who leads the sessions.")
    )
    funding = models.CharField(
        _("funding"),
        max_length=20,
        choices=Funding.choices,
        blank=True,
        help_text=_("Who pays for this group, for the reports to funders."),
    )
    municipality = models.CharField(
        _("municipality"),
        max_length=100,
        blank=True,
        help_text=_("The municipality whose residents the group is for, e.g. Gouda."),
    )
    notes = models.TextField(
        _("internal notes"),
        blank=True,
        max_length=2000,
        help_text=_("Only for coordinators; never shown to the public or to SW companies."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = audited()
    objects = CourseGroupQuerySet.as_manager()

    class Meta:
        ordering = ["booking_closes_at", "pk"]
        verbose_name = _("course group")
        verbose_name_plural = _("course groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="coursegroup_capacity_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="coursegroup_level_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed", "cancelled", "completed"]),
                name="coursegroup_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(booking_closes_at__gt=F("booking_opens_at")),
                name="coursegroup_window_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(seats_per_organisation__isnull=True) | Q(seats_per_organisation__gte=1),
                name="coursegroup_seats_per_organisation_at_least_one",
            ),
        ]
        indexes = [models.Index(fields=["status", "booking_closes_at"])]

    def __str__(self):
        return _("%(course)s, level %(level)s, %(location)s (group %(number)s)") % {
            "course": self.course.title,
            "level": self.level,
            "location": self.location.name,
            "number": self.pk or "—",
        }

    def clean(self):
        errors = {}
        opens, closes = self.booking_opens_at, self.booking_closes_at
        if opens and closes and closes <= opens:
            errors["booking_closes_at"] = _("Booking must close after it opens.")
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = _("A group needs at least 1 seat.")
        if (
            self.seats_per_organisation
            and self.capacity
            and self.seats_per_organisation > self.capacity
        ):
            errors["seats_per_organisation"] = _(
                "This cannot be more than the number of seats in the group."
            )
        if self.library_id and self.library.kind != Organisation.Kind.LIBRARY:
            errors["library"] = _("Choose a library.")
        if self.restricted_to_id and not self.restricted_to.sends_learners:
            errors["restricted_to"] = _("Choose an SW company or a referral partner.")
        if errors:
            raise ValidationError(errors)

    def is_booking_window_open(self, now=None):
        now = now or timezone.now()
        return self.booking_opens_at <= now < self.booking_closes_at

    def is_bookable(self, now=None):
        """Open, and inside its booking window. Per-organisation rules come on top."""
        return self.status == self.Status.OPEN and self.is_booking_window_open(now)


class Session(models.Model):
    """One meeting of a group. Times are local (Europe/Amsterdam)."""

    group = ParentalKey(
        CourseGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="sessions",
        help_text=_("The group this session belongs to."),
    )
    date = models.DateField(
        _("date"), help_text=_("Pick it in the calendar, or type it like this: 2027-01-12.")
    )
    starts_at = models.TimeField(_("start time"), help_text=_("E.g. 10:00."))
    ends_at = models.TimeField(_("end time"), help_text=_("E.g. 12:00."))

    history = audited()

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.date:%d-%m-%Y} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.starts_at))

    @property
    def end(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.ends_at))


class Booking(models.Model):
    """A reservation made by one contact person for one SW company in one group."""

    group = models.ForeignKey(
        CourseGroup,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="bookings",
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    history = audited()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self):
        return _("Booking %(number)s by %(organisation)s") % {
            "number": self.pk,
            "organisation": self.organisation.name,
        }


class SeatQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Seat.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Seat.Status.WAITLISTED)

    def active(self):
        return self.exclude(status=Seat.Status.CANCELLED)

    def in_waitlist_order(self):
        """First come, first served: the seat that joined the list first goes first."""
        return self.waitlisted().order_by("waitlisted_at", "pk")


class Seat(models.Model):
    """One place in a group. Holds at most a first name, a learning goal and support needs:
    the participants are vulnerable people, so nothing else is asked."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="seats"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    first_name = models.CharField(
        _("first name or initials"),
        max_length=50,
        blank=True,
        help_text=_("Only a first name or initials, so the trainer knows whom to expect."),
    )
    learning_goal = models.CharField(
        _("learning goal"),
        max_length=300,
        blank=True,
        help_text=_("What this person wants to be able to do, e.g. log in with DigiD."),
    )
    support_needs = models.CharField(
        _("support needs"),
        max_length=300,
        blank=True,
        help_text=_("What helps this person, e.g. large letters, a quiet spot."),
    )
    intake = models.JSONField(
        _("intake"),
        default=dict,
        blank=True,
        help_text=_(
            "The intake's yes/no answers and the course and level it advised; erased with "
            "the other details."
        ),
    )
    continues_from = models.ForeignKey(
        "self",
        verbose_name=_("continues from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_(
            "The seat of the course this participant did before; erased with the other details."
        ),
    )
    waitlisted_at = models.DateTimeField(
        _("on the waiting list since"),
        null=True,
        blank=True,
        help_text=_("The place in the queue: earlier goes first."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = audited()
    objects = SeatQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waitlisted", "cancelled"]),
                name="seat_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="seat_waitlisted_has_a_place_in_the_queue",
            ),
            # One next step per seat: a double click cannot book it twice. A cancelled next
            # step no longer counts, so it can be booked again.
            models.UniqueConstraint(
                fields=["continues_from"],
                condition=Q(continues_from__isnull=False) & ~Q(status="cancelled"),
                name="seat_continues_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "waitlisted_at"])]

    def __str__(self):
        return self.first_name or _("Seat %(number)s") % {"number": self.pk}

    @property
    def participant_label(self):
        return self.first_name or _("(no name yet)")


class Attendance(models.Model):
    """Whether a confirmed participant was at one session: present, absent, or excused
    (they let the library know beforehand that they could not come)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance"
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(
        _("attendance"), max_length=10, choices=Status.choices, default=Status.ABSENT
    )

    history = audited()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "seat"], name="attendance_once_per_seat"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "absent", "excused"]),
                name="attendance_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.seat} @ {self.session}"

    @property
    def present(self) -> bool:
        return self.status == self.Status.PRESENT
