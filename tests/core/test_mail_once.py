"""A mail is sent once per event: when a task runs again after its worker was killed, the
mails its first run sent are not sent again; a new event sends a new mail."""

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core import mail
from core.models import SentMail


@task()
def confirm_seat(booking_id: int, attempt: int = 1) -> bool:
    email = EmailMessage(
        f"Je plek is bevestigd ({booking_id})", "Tot dan.", to=["sam@example.test"]
    )
    return mail.send(email, again=confirm_seat, args=[booking_id], attempt=attempt)


@task()
def two_reminders(booking_id: int) -> None:
    for _ in range(2):
        email = EmailMessage("Herinnering", "Morgen begint je cursus.", to=["sam@example.test"])
        mail.send(email, again=confirm_seat, args=[booking_id])


class RefusingMailServer(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run(result) -> DBTaskResult:
    """Run a queued task as a worker does (claim, then run), in this thread."""
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-1")
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-1",
    ).run_task(row)
    row.refresh_from_db()
    return row


def run_again(row: DBTaskResult) -> DBTaskResult:
    """What happens after a worker was killed mid-task: the same row is queued again."""
    DBTaskResult.objects.filter(pk=row.pk).update(status="READY")
    return run(row)


def test_a_task_run_again_does_not_send_its_mail_again(db, database_queue, mailoutbox):
    row = run(confirm_seat.enqueue(7))
    assert row.status == "SUCCESSFUL"
    assert len(mailoutbox) == 1

    row = run_again(row)

    assert row.status == "SUCCESSFUL"
    assert row.return_value is True
    assert len(mailoutbox) == 1
    assert SentMail.objects.count() == 1


def test_a_new_event_sends_a_new_mail(db, database_queue, mailoutbox):
    run(confirm_seat.enqueue(7))
    run(confirm_seat.enqueue(7))

    assert len(mailoutbox) == 2
    first, second = (message.extra_headers["Message-ID"] for message in mailoutbox)
    assert first != second


def test_the_message_id_is_the_same_for_the_same_event(db, database_queue, mailoutbox):
    row = run(confirm_seat.enqueue(7))
    (key,) = SentMail.objects.values_list("key", flat=True)

    assert mailoutbox[0].message()["Message-ID"] == mail.message_id(key)
    assert mail.message_id(key).endswith("@leerplein.nl>")
    # A rare second copy (killed between "accepted" and the record) has the same id.
    SentMail.objects.all().delete()
    run_again(row)
    assert mailoutbox[1].message()["Message-ID"] == mailoutbox[0].message()["Message-ID"]


def test_two_equal_mails_of_one_task_are_both_sent_once(db, database_queue, mailoutbox):
    row = run(two_reminders.enqueue(7))
    run_again(row)

    assert len(mailoutbox) == 2
    assert SentMail.objects.count() == 2


def test_a_refused_mail_goes_to_its_retry_once(db, database_queue, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    settings.EMAIL_RETRY_BASE_SECONDS = 2
    row = run(confirm_seat.enqueue(7))

    assert row.return_value is False
    retry = DBTaskResult.objects.exclude(pk=row.pk).get()
    assert retry.args_kwargs == {"args": [7], "kwargs": {"attempt": 2}}
    # EMAIL_RETRY_BASE_SECONDS sets the first pause.
    pause = (retry.run_after - row.finished_at).total_seconds()
    assert 1 <= pause <= 3

    # The mail server is back. The first task runs again (its worker was killed after it
    # queued the retry): it leaves the mail to the retry, which sends it once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_again(row)
    assert mailoutbox == []
    assert DBTaskResult.objects.count() == 2
    assert run(retry).return_value is True
    assert len(mailoutbox) == 1


def test_the_retry_pauses_grow_from_the_base(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    assert [mail.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 5, 25, 125]


def test_without_a_worker_there_is_no_key(db, mailoutbox):
    # The immediate backend of dev and tests: every run is new, nothing is recorded.
    confirm_seat.enqueue(7)
    confirm_seat.enqueue(7)

    assert len(mailoutbox) == 2
    assert not SentMail.objects.exists()
    assert "Message-ID" not in mailoutbox[0].extra_headers
