"""Domain errors: a booking rule said no. Each carries a message for the person who asked.

Messages are lazy translations with named parameters, so the same error reads in Dutch in a
Dutch page or e-mail and in English in an English one. Views show `error.message`; the API
(next issue) returns it with `error.code`.
"""

from django.utils.translation import gettext_lazy as _


class BookingError(Exception):
    code = "not_possible"
    default_message = _("This is not possible.")

    def __init__(self, message=None, **params):
        self._message = message or self.default_message
        self.params = params
        super().__init__(self._message)

    @property
    def message(self) -> str:
        """The message in the active language."""
        # Formatting the lazy text itself lets a plural message pick its form from `count`.
        return str(self._message % self.params) if self.params else str(self._message)

    def __str__(self):
        return self.message


class InvalidRequest(BookingError):
    """The request itself is wrong: no seats, too many, text that is too long."""

    code = "invalid"


class NotAllowed(BookingError):
    """This person or organisation may not do this."""

    code = "not_allowed"
    default_message = _("You are not allowed to do this.")


class GroupNotBookable(BookingError):
    """The group is not open, or its booking window is closed."""

    code = "not_bookable"
    default_message = _("You cannot book seats in this group now.")


class OrganisationLimitReached(BookingError):
    code = "organisation_limit"


class GroupFull(BookingError):
    code = "group_full"
    default_message = _("There is no free seat in this group.")


class CapacityBelowConfirmed(BookingError):
    code = "capacity_below_confirmed"


class DeadlinePassed(BookingError):
    code = "deadline_passed"


class InvalidState(BookingError):
    """The group, booking or seat is not in a state that allows this (e.g. cancelled)."""

    code = "invalid_state"


class BookingBusy(BookingError):
    """The group was locked by others for longer than we wait. Nothing was changed."""

    code = "busy"
    default_message = _(
        "It is very busy right now, so we could not save this. Nothing has changed. "
        "Please try again in a moment."
    )
