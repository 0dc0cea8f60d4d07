"""The attendance list of a group: participants as rows, sessions as columns.

The same sheet is printed (an HTML page) and downloaded (CSV and XLSX through
core.exports.SafeSpreadsheetExportMixin), so the three never disagree.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from booking.models import Attendance, CourseGroup, Seat, Session


@dataclass
class AttendanceRow:
    seat: Seat
    marks: list[str | None] = field(default_factory=list)

    @property
    def participant(self) -> str:
        return str(self.seat.participant_label)

    @property
    def organisation(self) -> str:
        return self.seat.booking.organisation.name


@dataclass
class AttendanceSheet:
    group: CourseGroup
    sessions: list[Session]
    rows: list[AttendanceRow]


def attendance_sheet(group: CourseGroup) -> AttendanceSheet:
    """Confirmed participants with, per session, the Attendance.Status marked (present,
    absent, excused) or None (not recorded yet). Three queries, however many participants
    and sessions."""
    sessions = list(group.sessions.order_by("date", "starts_at"))
    seats = list(
        Seat.objects.confirmed()
        .filter(booking__group=group)
        .select_related("booking__organisation")
        .order_by("booking__organisation__name", "first_name", "pk")
    )
    recorded = {
        (row.session_id, row.seat_id): row.status
        for row in Attendance.objects.filter(session__group=group).only(
            "session_id", "seat_id", "status"
        )
    }
    rows = [
        AttendanceRow(seat, [recorded.get((session.pk, seat.pk)) for session in sessions])
        for seat in seats
    ]
    return AttendanceSheet(group=group, sessions=sessions, rows=rows)


def mark_text(mark: str | None) -> str:
    """The mark as a word in a spreadsheet cell; empty when nothing was recorded."""
    words = {
        Attendance.Status.PRESENT: _("present"),
        Attendance.Status.ABSENT: _("absent"),
        Attendance.Status.EXCUSED: _("excused"),
    }
    return words.get(mark, "")


def session_heading(session: Session) -> str:
    return f"{session.date:%d-%m-%Y} {session.starts_at:%H:%M}"
