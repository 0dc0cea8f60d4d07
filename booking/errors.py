"""Domain errors: a booking rule said no. Each carries a message for the person who asked.

Messages are lazy translations with named parameters, so the same error reads in Dutch in a
Dutch page or e-mail and in English in an English one. Views show `error.message`; the API
returns it with `error.code`, turned into an HTTP status by its one table
(booking/api/errors.py). Every refusal code the API answers is the `code` of a class here.
The rules that raise them live in booking/policies.py.
"""

from django.utils.translation import gettext_lazy as _


class BookingError(Exception):
    code = "not_possible"
    default_message = _("This is not possible.")
    # A shorter text for a page that explains the rest next to it (see `summary`).
    short_message = None
    # The argument of the service the refusal is about ("seats", "seat_ids"), if it is about
    # one; the API names it as the field of the request, whose fields carry the same names.
    argument: str | None = None

    def __init__(self, message=None, *, argument: str | None = None, **params):
        self._message = message or self.default_message
        self.params = params
        if argument is not None:
            self.argument = argument
        super().__init__(self._message)

    @property
    def message(self) -> str:
        """The message in the active language."""
        # Formatting the lazy text itself lets a plural message pick its form from `count`.
        return str(self._message % self.params) if self.params else str(self._message)

    @property
    def summary(self) -> str:
        """The refusal in a few words, for a page that shows what to do next to it (the
        portal's callout with the library's phone number); otherwise the message itself."""
        return str(self.short_message) if self.short_message else self.message

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


class TooManySeats(InvalidRequest):
    """More seats at once than the group has: a request that cannot be met by the group as it
    is now (its capacity may change), so the API answers it as a conflict, like the
    organisation's limit, rather than as a wrong request."""

    code = "too_many_seats"
    argument = "seats"


class SeatNotActive(InvalidRequest):
    """A seat of the booking that was cancelled already: the request names a real seat, in a
    state that does not allow it."""

    code = "invalid_state"
    argument = "seat_ids"


class OrganisationLimitReached(BookingError):
    code = "organisation_limit"


class GroupFull(BookingError):
    code = "group_full"
    default_message = _("There is no free seat in this group.")


class CapacityBelowConfirmed(BookingError):
    code = "capacity_below_confirmed"


class DeadlinePassed(BookingError):
    """After the cancellation deadline only the library changes seats (rule 5)."""

    code = "deadline_passed"
    short_message = _("The deadline for changes has passed. The library can still help you.")


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
