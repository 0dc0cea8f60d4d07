"""What django-axes counts failed logins by: the account meant, and the client's address.

A lockout holds a pair of account and address, so someone who knows a contact person's
e-mail address cannot keep them out from elsewhere, and one office address cannot lock out
its colleagues. A higher ceiling per account alone stops guessing from many addresses; a
password reset ends both.
"""

import unicodedata

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core.cache import cache

from core.throttle import count_in_window, count_so_far, hashed_key

from .backends import find_account

# AccessAttempt.username holds at most this many characters.
USERNAME_MAX_LENGTH = 255


def lockout_name(login: str | None) -> str | None:
    """One name per account, however it was typed: its user name, in lower case.

    Without this, "Promen@x.nl", "promen@x.nl " and the user name would each get their own
    five tries. Names without an account are counted as typed (trimmed, lower case).
    """
    if not login:
        return login
    user = find_account(login)
    name = user.get_username() if user is not None else login.strip()
    return name.casefold()[:USERNAME_MAX_LENGTH]


def lockout_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the name a login attempt counts against (looked up once)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    login = credentials.get(field) if credentials else getattr(request, "POST", {}).get(field)
    known = request.__dict__.setdefault("_lockout_names", {})
    if login not in known:
        known[login] = lockout_name(login)
    return known[login]


# -- the ceiling per account, across addresses -------------------------------------------------


def _account_key(name: str) -> str:
    return hashed_key("lockout:account", name)


def account_failures(name: str | None) -> int:
    """Wrong passwords for this account name in the current window, from any address."""
    if not name:
        return 0
    return count_so_far(_account_key(name))


def count_account_failure(name: str | None) -> int:
    """Adds one wrong password to the account's count; the window starts with the first."""
    if not name:
        return 0
    window = int(settings.LOGIN_ACCOUNT_FAILURE_WINDOW.total_seconds())
    return count_in_window(_account_key(name), window)


def account_locked(name: str | None) -> bool:
    return account_failures(name) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT


def clear_lockout(username: str) -> None:
    """Ends every lockout of this account: by account and address, and the account's ceiling.

    For a password reset: whoever can read the account's mailbox is its owner.
    """
    name = lockout_name(username)
    AxesProxyHandler.reset_attempts(username=name)
    cache.delete(_account_key(name))


class LockoutHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes locks a pair of account and address (AXES_LOCKOUT_PARAMETERS); this
    adds a higher ceiling per account alone, against guessing one password from many addresses.

    `request.lockout_reason` tells the lockout page which of the two applies.
    """

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            request.lockout_reason = "pair"
            return True
        if account_locked(lockout_username(request, credentials)):
            request.lockout_reason = "account"
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        already_locked = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or already_locked:
            return
        name = lockout_username(request, credentials)
        failures = count_account_failure(name)
        if request.axes_locked_out:
            request.lockout_reason = "pair"
        elif failures >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            request.lockout_reason = "account"
            request.axes_locked_out = True
            request.axes_credentials = credentials


# -- password reset requests -------------------------------------------------------------------


def reset_request_allowed(email: str, address: str | None) -> bool:
    """Counts a password-reset request; False once the e-mail address or the client address
    has asked too often this hour.

    Without this, anyone could flood a person's mailbox with reset mails, or walk a list of
    addresses. The caller answers the same either way, so a refusal tells nothing either.
    """
    window = 60 * 60
    folded = unicodedata.normalize("NFKC", email).strip().casefold()
    by_email = count_in_window(hashed_key("reset:email", folded), window)
    by_address = count_in_window(hashed_key("reset:address", address or ""), window)
    return (
        by_email <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        and by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )
