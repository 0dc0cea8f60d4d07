"""Organisations, places, course pages, groups and bookings.

Models hold data and what must never be false (database constraints); every change of
booking state is made by booking/services.py, and shared reads live in booking/selectors.py.
"""

from .access import CalendarFeed, SentReminder
from .alerts import RoomAlert, RoomNotice
from .courses import CourseIndexPage, CoursePage
from .groups import Attendance, Booking, CourseGroup, Funding, Seat, Session
from .history import Action
from .holds import SeatHold
from .idempotency import IdempotencyKey
from .learning import (
    AdviceRule,
    Evaluation,
    IntakeQuestion,
    SessionNote,
    TrainerAssignment,
    TrainerCalendar,
)
from .messages import CoordinatorNotificationSetting, GroupMessage
from .organisations import Location, Membership, Organisation
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Action",
    "AdviceRule",
    "Attendance",
    "Booking",
    "CalendarFeed",
    "CoordinatorNotificationSetting",
    "CourseGroup",
    "CourseIndexPage",
    "Evaluation",
    "Funding",
    "CoursePage",
    "GroupMessage",
    "IdempotencyKey",
    "IntakeQuestion",
    "Location",
    "Membership",
    "Organisation",
    "RoomAlert",
    "RoomNotice",
    "Seat",
    "SeatHold",
    "SentReminder",
    "Session",
    "SessionNote",
    "TrainerAssignment",
    "TrainerCalendar",
    "WebhookDelivery",
    "WebhookEndpoint",
]
