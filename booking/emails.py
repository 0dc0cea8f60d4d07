"""Composing and delivering Leerplein's e-mails: HTML with a plain-text part, in the
recipient's language, optionally with calendar files.

`compose` renders a message to a plain dict (so it can travel as a task argument) and
`send` delivers it. A mail server that fails is tried again later by the `deliver` task, with
growing pauses, up to `EMAIL_DELIVERY_ATTEMPTS` times; a booking never depends on it.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django_tasks import task

from core.site_url import absolute_url

logger = logging.getLogger(__name__)

# Django adds the charset itself; naming it here as well would repeat it in the header.
ICS_MIMETYPE = "text/calendar; method=PUBLISH"


def portal_url(booking) -> str:
    """The booking's page in the portal, in the active language; "" while there is none."""
    try:
        return absolute_url(reverse("portal:booking", kwargs={"pk": booking.pk}))
    except NoReverseMatch:
        return ""


def compose(template, context, *, to, language, attachments=(), reply_to=None):
    """Render `booking/email/<template>{_subject.txt,.txt,.html}` in `language`.

    `attachments` are (filename, text, mimetype) triples, e.g. an .ics file; `reply_to` is
    an address that answers reach instead of the no-reply sender.
    """
    with translation.override(language):
        context = {"language": language, **context}
        subject = render_to_string(f"booking/email/{template}_subject.txt", context)
        # One line, also when the template wraps; the HTML part uses it as its title.
        context["subject"] = subject = " ".join(subject.split())
        text = render_to_string(f"booking/email/{template}.txt", context)
        html = render_to_string(f"booking/email/{template}.html", context)
    return {
        "template": template,
        "to": [to],
        "reply_to": [reply_to] if reply_to else [],
        "subject": subject,
        "text": text,
        "html": html,
        "language": language,
        "attachments": [
            [filename, content.decode() if isinstance(content, bytes) else content, mimetype]
            for filename, content, mimetype in attachments
        ],
    }


def _message(message):
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["text"],
        to=message["to"],
        reply_to=message.get("reply_to") or None,
        # Auto-Submitted keeps out-of-office replies away from the no-reply sender (RFC 3834).
        headers={"Content-Language": message["language"], "Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(message["html"], "text/html")
    for filename, content, mimetype in message["attachments"]:
        email.attach(filename, content, mimetype)
    return email


def _retry_delay(attempt: int) -> datetime.timedelta:
    # 1, 5, 25, 125 minutes: a mail server that is down for a while is not hammered.
    return datetime.timedelta(minutes=5 ** (attempt - 1))


def send(message, attempt: int = 1):
    """Deliver now; when the mail server fails, queue a later attempt and return False.

    Backends that cannot defer a task (the immediate one of dev and tests) try again at once.
    """
    try:
        _message(message).send()
    except Exception:
        attempts = settings.EMAIL_DELIVERY_ATTEMPTS
        if attempt >= attempts:
            logger.exception(
                "Gave up sending %r to %s after %d attempts",
                message["template"],
                message["to"],
                attempt,
            )
            return False
        logger.warning(
            "Sending %r to %s failed (attempt %d of %d); trying again later",
            message["template"],
            message["to"],
            attempt,
            attempts,
            exc_info=True,
        )
        retry = deliver
        if deliver.get_backend().supports_defer:
            retry = deliver.using(run_after=timezone.now() + _retry_delay(attempt))
        retry.enqueue(message, attempt + 1)
        return False
    return True


@task()
def deliver(message, attempt: int = 1):
    """A queued (re)try of `send`."""
    send(message, attempt)
