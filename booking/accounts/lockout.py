"""What django-axes counts failed logins by: the account meant, and the client's address."""

import ipaddress

from django.conf import settings

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
