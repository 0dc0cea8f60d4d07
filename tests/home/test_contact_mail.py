"""A mail server that fails never costs a visitor the thank-you page: the message is stored,
and the editors' e-mail goes through the task queue, which tries it again later."""

import datetime
import json
import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.contrib.forms.models import FormSubmission

from home.notifications import contact_form_submitted

from .test_contact import VALID

pytestmark = pytest.mark.django_db


class BrokenMailServer(EmailBackend):
    """Refuses every message while `down`; SMTP errors and refused connections alike."""

    down = True
    error: type[Exception] = ConnectionRefusedError

    def send_messages(self, messages):
        if type(self).down:
            raise type(self).error("mail server down")
        return super().send_messages(messages)


@pytest.fixture(params=[ConnectionRefusedError, smtplib.SMTPException])
def broken_mail(request, settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    settings.EMAIL_DELIVERY_ATTEMPTS = 3
    BrokenMailServer.down, BrokenMailServer.error = True, request.param
    yield BrokenMailServer
    BrokenMailServer.down = True


def thanked(response):
    return response.status_code == 200 and "contact_page_landing" in response.templates[0].name


def test_with_the_mail_server_down_the_visitor_is_thanked_and_the_message_kept(
    client, site_tree, broken_mail, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site_tree.contact.url, VALID)

    assert thanked(response)
    assert FormSubmission.objects.get(page=site_tree.contact).get_data()["gemeente"] == "Gouda"
    assert mailoutbox == []
    assert any(record.getMessage().startswith("Gave up sending") for record in caplog.records)


def test_the_queue_sends_the_editors_mail_once_the_mail_server_is_back(
    client, site_tree, broken_mail, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site_tree.contact.url, VALID)
    assert thanked(response)
    submission = FormSubmission.objects.get(page=site_tree.contact)
    (queued,) = DBTaskResult.objects.filter(task_path="home.notifications.contact_form_submitted")
    # Only the submission's id: what the visitor typed stays in the submission.
    assert queued.args_kwargs == {"args": [submission.pk], "kwargs": {}}

    before = timezone.now()
    assert contact_form_submitted.call(submission.pk) is False  # the worker; server still down
    (retry,) = DBTaskResult.objects.exclude(pk=queued.pk).filter(task_path=queued.task_path)
    assert retry.run_after >= before + datetime.timedelta(minutes=1)
    assert retry.args_kwargs == {"args": [submission.pk], "kwargs": {"attempt": 2}}
    assert VALID["bericht"] not in json.dumps(retry.args_kwargs)
    assert mailoutbox == []

    broken_mail.down = False
    assert contact_form_submitted.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])

    (message,) = mailoutbox
    assert message.to == ["redactie@leerplein.test"]
    assert "Gemeente: Gouda" in message.body
    assert VALID["bericht"] in message.body
    assert message.subject == "Nieuwe aanvraag via het contactformulier van Leerplein"


def test_a_submission_deleted_before_the_mail_went_out_sends_nothing(
    client, site_tree, broken_mail, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(site_tree.contact.url, VALID)
    submission = FormSubmission.objects.get(page=site_tree.contact)
    submission.delete()
    broken_mail.down = False

    assert contact_form_submitted.call(submission.pk) is False
    assert mailoutbox == []
