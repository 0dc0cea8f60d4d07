"""The editors' e-mail about a message sent with the contact form.

The visitor's message is stored first; this task then builds the e-mail from the stored
submission, by its id, and `core.mail.send` tries a failing mail server again later. So the
visitor always sees the thank-you page, and the queue never holds what they typed.
"""

from django_tasks import task
from wagtail.contrib.forms.models import FormSubmission

from core import mail


@task()
def contact_form_submitted(submission_id, attempt=1):
    """Tell the editors about a stored submission; returns whether the mail went out."""
    submission = FormSubmission.objects.filter(pk=submission_id).select_related("page").first()
    if submission is None:
        return False  # an editor deleted it before the mail went out
    email = submission.page.specific.notification_email(submission)
    if email is None:
        return False
    return mail.send(email, again=contact_form_submitted, args=[submission_id], attempt=attempt)
