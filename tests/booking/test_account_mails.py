"""Invitations and password-reset links survive a mail server that fails: nothing a person
did is lost, the page answers as usual, and the queue tries again later from ids, never
holding the one-time link or the person's name."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from booking.accounts import mails
from booking.accounts.invitations import invite_contact_person

pytestmark = pytest.mark.django_db

NAME = "Zyxwvutsrq"


class BrokenMailServer(EmailBackend):
    down = True

    def send_messages(self, messages):
        if type(self).down:
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    BrokenMailServer.down = True
    yield BrokenMailServer
    BrokenMailServer.down = True


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def only_retry(task):
    (row,) = DBTaskResult.objects.filter(task_path=task.module_path)
    return row


def test_an_invitation_the_mail_server_refused_is_sent_later_with_a_working_link(
    people, broken_mail, mailoutbox
):
    invitation = invite_contact_person(
        email="zyx@promen.example",
        first_name=NAME,
        last_name="Jansen",
        organisation=people.promen,
        language="en",
        invited_by=people.coordinator_gouda,
    )

    assert invitation.delivered is False
    user = get_user_model().objects.get(email="zyx@promen.example")
    retry = only_retry(mails.invitation_mail)
    assert retry.args_kwargs == {
        "args": [user.pk, people.coordinator_gouda.pk],
        "kwargs": {"attempt": 2},
    }
    assert NAME not in json.dumps(retry.args_kwargs)

    broken_mail.down = False
    assert mails.invitation_mail.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])

    (message,) = mailoutbox
    assert message.to == ["zyx@promen.example"]
    assert message.extra_headers["Content-Language"] == "en"
    page = Client().get(link_in(message).removeprefix("http://testserver"), follow=True)
    assert 'autocomplete="new-password"' in page.content.decode()


def test_a_reset_request_with_the_mail_server_down_answers_as_usual_and_is_sent_later(
    people, broken_mail, mailoutbox, django_capture_on_commit_callbacks
):
    with translation.override("nl"):
        reset, done = reverse("accounts:password_reset"), reverse("accounts:password_reset_done")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset, {"email": "contact-promen@example.test"})
    assert response.status_code == 302
    assert response["Location"] == done
    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])  # the worker

    retry = only_retry(mails.password_reset_mail)
    assert retry.args_kwargs == {
        "args": [people.contact_promen.pk, "nl"],
        "kwargs": {"attempt": 2},
    }
    assert mailoutbox == []

    broken_mail.down = False
    mails.password_reset_mail.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])

    (message,) = mailoutbox
    assert message.to == ["contact-promen@example.test"]
    page = client.get(link_in(message).removeprefix("http://testserver"), follow=True)
    assert 'autocomplete="new-password"' in page.content.decode()
