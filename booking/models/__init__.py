"""Organisations, places, course pages, groups and bookings.

Models hold data and what must never be false (database constraints); every change of
booking state is made by booking/services.py, and shared reads live in booking/selectors.py.
"""

from .access import CalendarFeed, SentReminder
from .courses import CourseIndexPage, CoursePage
from .groups import Attendance, Booking, CourseGroup, Seat, Session
from .history import Action
from .holds import SeatHold
from .idempotency import IdempotencyKey
from .organisations import Location, Membership, Organisation

__all__ = [
    "Action",
    "Attendance",
    "Booking",
    "CalendarFeed",
    "CourseGroup",
    "CourseIndexPage",
    "CoursePage",
    "IdempotencyKey",
    "Location",
    "Membership",
    "Organisation",
    "Seat",
    "SeatHold",
    "SentReminder",
    "Session",
]
