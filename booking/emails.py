"""Composing and delivering Leerplein's e-mails: HTML with a plain-text part, in the
recipient's language, optionally with calendar files.

`compose` renders a message to a plain dict and `email_of` turns it into an e-mail, which
`core.mail.send` delivers: a mail server that fails is tried again later by the task that
built the mail, from ids; a booking never depends on it.
"""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from core.site_url import absolute_url

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


def email_of(message):
    """The e-mail of a message from `compose`."""
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
