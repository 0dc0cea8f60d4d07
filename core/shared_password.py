"""A limit on guessing the shared password of a page or of a collection of documents.

An editor can protect a page (with everything below it) or a collection of documents with one
password that everybody who got the link shares: a Wagtail view restriction of type password.
Wagtail lets anyone try passwords without end. These views wrap Wagtail's own and count wrong
passwords per restriction and client address: after SHARED_PASSWORD_ATTEMPT_LIMIT within
SHARED_PASSWORD_WINDOW_MINUTES, further tries answer 429 without the password being checked,
until the window that began with the first wrong password ends.

Only wrong passwords count. A group in a library's course room shares one address; when they
all type the right password, nobody is locked out. Tries refused with 429 do not extend the
window. The count is read before the password is checked and raised after, so tries sent at
the same moment can get past the limit by as many as run at once. While the cache is
unreachable nothing is counted (core/throttle.py).

config/urls.py routes Wagtail's own addresses here, without a URL name, so the forms Wagtail
renders (their action is `reverse()` of Wagtail's name) post to these views.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from wagtail import views as page_views
from wagtail.documents.views import serve as document_views

from .throttle import client_ip, count_in_window, count_so_far, hashed_key

PAGE_TEMPLATE = "wagtailcore/password_required.html"
DOCUMENT_TEMPLATE = "wagtaildocs/password_required.html"


def _key(kind: str, restriction_id: int, request) -> str:
    # Page and collection restrictions are different tables: their ids overlap.
    return hashed_key("shared-password", kind, restriction_id, client_ip(request) or "")


def _too_many_attempts(request, template):
    """429 with the form's page in the visitor's language, saying what to do.

    Retry-After is the whole window: the counter may expire sooner, never later.
    """
    minutes = settings.SHARED_PASSWORD_WINDOW_MINUTES
    response = render(
        request, template, {"too_many_attempts": True, "minutes": minutes}, status=429
    )
    response["Retry-After"] = str(minutes * 60)
    add_never_cache_headers(response)
    return response


def _limited(request, kind, restriction_id, template, view):
    """`view()`'s answer, unless this address gave too many wrong passwords for the
    restriction; a POST answered with the form again (200) was a wrong password.

    Every answer is marked never to be cached: the form holds the visitor's CSRF token, and
    Wagtail only marks the form it shows on the protected page itself.
    """
    if request.method == "POST":
        key = _key(kind, restriction_id, request)
        if count_so_far(key) >= settings.SHARED_PASSWORD_ATTEMPT_LIMIT:
            return _too_many_attempts(request, template)
        response = view()
        if response.status_code == 200:
            count_in_window(key, settings.SHARED_PASSWORD_WINDOW_MINUTES * 60)
    else:
        response = view()
    add_never_cache_headers(response)
    return response


def authenticate_page(request, page_view_restriction_id, page_id):
    """Wagtail's password form for a page and the pages below it, with the limit.

    Counted per restriction, not per page: every page below it shares the same count.
    """
    return _limited(
        request,
        "page",
        page_view_restriction_id,
        PAGE_TEMPLATE,
        lambda: page_views.authenticate_with_password(request, page_view_restriction_id, page_id),
    )


def authenticate_document(request, restriction_id):
    """Wagtail's password form for the documents of a collection, with the limit."""
    return _limited(
        request,
        "collection",
        restriction_id,
        DOCUMENT_TEMPLATE,
        lambda: document_views.authenticate_with_password(request, restriction_id),
    )
