"""The next step after a course (issue 14): which course and level we advise a participant
of a completed group, and the open groups where the contact person can book it.

The rule set is small on purpose, so a contact person and a coordinator can say it aloud:
whoever was not at enough sessions for a certificate does the same course and level again;
otherwise the next level of the same course, up to level 3; after level 3, level 1 of the
course the coordinators name as its follow-up (`CoursePage.next_course`), if any.
"""

from dataclasses import dataclass, field

from django.db.models import F, Prefetch, prefetch_related_objects

from booking.models import CourseGroup, CoursePage, Organisation, Seat
from booking.policies import sessions_present
from booking.selectors import (
    bookable_groups,
    certificate_status,
    course_titles,
    groups_with_availability,
)

NEXT_LEVEL = "next_level"
NEXT_COURSE = "next_course"
AGAIN = "again"
HIGHEST_LEVEL = CourseGroup.Level.THREE


@dataclass(frozen=True)
class NextStep:
    """The course and level advised after a seat's group, and why (`NEXT_LEVEL`,
    `NEXT_COURSE` or `AGAIN`). `course` may be any translation of the course page: groups
    match it by its translation key."""

    course: CoursePage
    level: int
    reason: str

    def matches(self, group: CourseGroup) -> bool:
        """Whether `group` is a group of the advised course and level."""
        return (
            group.course.translation_key == self.course.translation_key
            and group.level == self.level
        )


def _advice(course: CoursePage, level: int, *, eligible: bool) -> NextStep | None:
    if not eligible:
        return NextStep(course=course, level=level, reason=AGAIN)
    if level < HIGHEST_LEVEL:
        return NextStep(course=course, level=level + 1, reason=NEXT_LEVEL)
    if course.next_course_id:
        return NextStep(course=course.next_course, level=CourseGroup.Level.ONE, reason=NEXT_COURSE)
    return None


def advised_next(seat: Seat) -> NextStep | None:
    """The advice for one seat of a group (None after level 3 of a course without a
    follow-up). Attendance counts as for a certificate: present at the course's number of
    sessions for a certificate, absent and excused not."""
    group = seat.booking.group
    course = group.course
    eligible = sessions_present(seat) >= course.certificate_sessions
    return _advice(course, group.level, eligible=eligible)


@dataclass
class SeatNextStep:
    """One participant of a completed group: the advice, the open groups where it can be
    booked now (soonest first, each with `.availability` and `.course_title`), and the seat
    that already continues from it, if one does."""

    seat: Seat
    step: NextStep | None
    course_title: str = ""
    groups: list[CourseGroup] = field(default_factory=list)
    continued: Seat | None = None


def _continuation(seat: Seat) -> Seat | None:
    return next(iter(seat.continued_by.all()), None)


def next_steps(group: CourseGroup, organisation: Organisation) -> list[SeatNextStep]:
    """The next step for every confirmed seat of `organisation` in `group`, once the group is
    completed (an empty list before). A fixed number of queries however many seats and
    matching groups there are."""
    if group.status != CourseGroup.Status.COMPLETED:
        return []
    statuses = certificate_status(group, organisation=organisation)
    if not statuses:
        return []
    course = statuses[0].seat.booking.group.course
    seats = [status.seat for status in statuses]
    prefetch_related_objects(seats, Prefetch("continued_by", queryset=Seat.objects.active()))
    # Reads the follow-up course only when someone finished level 3 (one query at most).
    rows = [
        SeatNextStep(
            seat=status.seat,
            step=_advice(course, group.level, eligible=status.eligible),
            continued=_continuation(status.seat),
        )
        for status in statuses
    ]
    steps = [row.step for row in rows if row.step is not None]
    if not steps:
        return rows
    wanted = {(step.course.translation_key, step.level) for step in steps}
    candidates = bookable_groups(organisation).filter(
        course__translation_key__in={key for key, _level in wanted},
        level__in={level for _key, level in wanted},
    )
    open_groups = groups_with_availability(
        candidates.order_by(F("first_date").asc(nulls_last=True), "pk")
    )
    titles = course_titles(step.course for step in steps)
    for row in rows:
        if row.step is None:
            continue
        row.course_title = titles[row.step.course.pk]
        row.groups = [candidate for candidate in open_groups if row.step.matches(candidate)]
    return rows
