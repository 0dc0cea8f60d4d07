"""What django-axes counts failed logins by: the account meant, and the client's address.

A lockout holds a pair of account and address, so someone who knows a contact person's
e-mail address cannot keep them out from elsewhere, and one office address cannot lock out
its colleagues. A higher ceiling per account alone stops guessing from many addresses; a
password reset ends both.
"""

import hashlib
import ipaddress
import unicodedata

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core.cache import cache

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


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address a login attempt comes from.

    REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the app. Each of them
    appends the address it saw to X-Forwarded-For, so the client is the entry that many places
    from the right; anything further left was written by the client and is not believed.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return _valid_address(forwarded[-proxies]) or remote


# -- the ceiling per account, across addresses -------------------------------------------------


def _count(key: str, window: int) -> int:
    """One more in a counter that starts with the first and is gone after `window` seconds.

    0 while the cache (Redis) is unreachable: logins and resets go on, the lockout of account
    and address (in the database) still holds, only the extra limits wait for the cache.
    """
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) or 0
    except ValueError:
        # The window ended between add and incr: this one starts a new window.
        cache.add(key, 1, timeout=window)
        return 1


def _account_key(name: str) -> str:
    # Hashed: a typed name may hold characters a cache key cannot, and should not be readable.
    return "lockout:account:" + hashlib.sha256(name.encode()).hexdigest()


def account_failures(name: str | None) -> int:
    """Wrong passwords for this account name in the current window, from any address."""
    if not name:
        return 0
    return cache.get(_account_key(name), 0)


def count_account_failure(name: str | None) -> int:
    """Adds one wrong password to the account's count; the window starts with the first."""
    if not name:
        return 0
    return _count(_account_key(name), int(settings.LOGIN_ACCOUNT_FAILURE_WINDOW.total_seconds()))


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
    by_email = _count("reset:email:" + hashlib.sha256(folded.encode()).hexdigest(), window)
    by_address = _count(
        "reset:address:" + hashlib.sha256((address or "").encode()).hexdigest(), window
    )
    return (
        by_email <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        and by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )
