"""Sending the site's e-mail so that nobody waits for, or depends on, a mail server.

Every mail is built by a task from primary keys. `send` delivers it; when the mail server
fails, it queues `again` (the task that built the mail, with the ids of just this mail) to
build and send it afresh later, with growing pauses, up to `EMAIL_DELIVERY_ATTEMPTS` times.

The queue never holds a message itself: its body carries personal details (participants'
first names, what someone typed in a form, one-time links), and the queue's rows outlive
them (booking's `remove_participant_details` clears what they say about participants).

Sent once per event: a worker killed mid-task (or one that lost the database before it could
mark the task done) leaves the task to run again (core/worker.py), and that run must not send
the mails the first one sent. Inside a task run by a worker, `send` derives an idempotency
key from the task's id (the same row when it runs again), the mail's recipients and subject,
and how many such mails the run sent before; it skips a mail whose key is in `SentMail` and
records the key after the mail server accepted the mail, or after it queued the retry of a
refused one (the retry, a new task with a key of its own, then owns that mail). The mail's
`Message-ID` is built from the key: in the rare case of a worker killed between the mail
server's "accepted" and the record, mail clients see the second copy as the same message.
Outside a worker (the immediate backend of dev and tests, a request) there is no key.
`SentMail` rows are deleted after `SENT_MAIL_KEPT` by run_worker (`prune_sent_mail`).
"""

import datetime
import hashlib
import logging
from collections.abc import Sequence
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError
from django.utils import timezone
from django_tasks.base import Task

from core.models import SentMail
from core.request_log import current_task

logger = logging.getLogger(__name__)

SENT_MAIL_KEPT = datetime.timedelta(days=30)


def retry_delay(attempt: int) -> datetime.timedelta:
    """The pause after failed attempt `attempt`."""
    # 1, 5, 25, 125 minutes by default: a mail server that is down for a while is not
    # hammered. The cluster's fault test sets EMAIL_RETRY_BASE_SECONDS to a few seconds.
    return datetime.timedelta(seconds=settings.EMAIL_RETRY_BASE_SECONDS * 5 ** (attempt - 1))


def idempotency_key(email: EmailMessage) -> str | None:
    """The key of this mail in the task run now, or None outside a worker's task.

    Counts the mails with the same recipients and subject in the run, so a task that sends
    two such mails sends both, and its second run neither.
    """
    run = current_task.get()
    if run is None or not run.durable:
        return None
    recipients = ",".join(sorted(str(a).strip().lower() for a in email.recipients()))
    what = f"{recipients}\n{email.subject}"
    run.mails[what] += 1
    source = f"{run.id}\n{run.mails[what]}\n{what}"
    return hashlib.sha256(source.encode()).hexdigest()


def message_id(key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "leerplein.nl"
    return f"<{key[:40]}@{domain}>"


def already_sent(key: str) -> bool:
    return SentMail.objects.filter(key=key).exists()


def record_sent(key: str) -> None:
    try:
        SentMail.objects.bulk_create(
            [SentMail(key=key, sent_at=timezone.now())], ignore_conflicts=True
        )
    except DatabaseError:
        # The mail went out; the worst case is a second copy with the same Message-ID.
        logger.warning("Could not record that a mail was sent", exc_info=True)


def prune_sent_mail(*, now: datetime.datetime | None = None) -> int:
    """Delete the records of mails sent more than SENT_MAIL_KEPT ago: no task runs again
    that late. Returns how many."""
    now = now or timezone.now()
    deleted, _ = SentMail.objects.filter(sent_at__lt=now - SENT_MAIL_KEPT).delete()
    return deleted


def send(email: EmailMessage, *, again: Task, args: Sequence = (), attempt: int = 1) -> bool:
    """Deliver `email` now; when the mail server fails, queue `again(*args, attempt=…)` for
    later and return False. Never raises for a failing mail server.

    `again` must accept `attempt` as a keyword and rebuild the same mail from `args`, which
    are ids only. Backends that cannot defer a task (the immediate one of dev and tests)
    try again at once.
    """
    what = f"{again.module_path}{list(args)!r}"
    key = idempotency_key(email)
    if key is not None:
        if already_sent(key):
            logger.info("Not sending %s again: an earlier run of this task sent it", what)
            return True
        email.extra_headers.setdefault("Message-ID", message_id(key))
    try:
        email.send()
    except Exception:
        attempts = settings.EMAIL_DELIVERY_ATTEMPTS
        if attempt >= attempts:
            logger.exception("Gave up sending %s to %s after %d attempts", what, email.to, attempt)
            return False
        logger.warning(
            "Sending %s to %s failed (attempt %d of %d); trying again later",
            what,
            email.to,
            attempt,
            attempts,
            exc_info=True,
        )
        retry = again
        if again.get_backend().supports_defer:
            retry = again.using(run_after=timezone.now() + retry_delay(attempt))
        retry.enqueue(*args, attempt=attempt + 1)
        if key is not None:
            # The retry owns this mail now: a rerun of this task must not send it beside it.
            record_sent(key)
        return False
    if key is not None:
        record_sent(key)
    return True
