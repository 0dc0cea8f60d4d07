"""Sending the site's e-mail so that nobody waits for, or depends on, a mail server.

Every mail is built by a task from primary keys. `send` delivers it; when the mail server
fails, it queues `again` (the task that built the mail, with the ids of just this mail) to
build and send it afresh later, with growing pauses, up to `EMAIL_DELIVERY_ATTEMPTS` times.

The queue never holds a message itself: its body carries personal details (participants'
first names, what someone typed in a form, one-time links), and the queue's rows outlive
them (booking's `remove_participant_details` clears what they say about participants).
"""

import datetime
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks.base import Task

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> datetime.timedelta:
    """The pause after failed attempt `attempt`."""
    # 1, 5, 25, 125 minutes: a mail server that is down for a while is not hammered.
    return datetime.timedelta(minutes=5 ** (attempt - 1))


def send(email: EmailMessage, *, again: Task, args: Sequence = (), attempt: int = 1) -> bool:
    """Deliver `email` now; when the mail server fails, queue `again(*args, attempt=…)` for
    later and return False. Never raises for a failing mail server.

    `again` must accept `attempt` as a keyword and rebuild the same mail from `args`, which
    are ids only. Backends that cannot defer a task (the immediate one of dev and tests)
    try again at once.
    """
    what = f"{again.module_path}{list(args)!r}"
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
        return False
    return True
