"""Rule 9 on the demo database: after the retention command, a PostgreSQL dump (what a backup
holds) has no intake answer and no trainer's note of the demo's completed group."""

import io
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from booking.models import CourseGroup, Seat, SessionNote
from tests.booking.test_retention_queue import pg_dump

MARKER = "Qwxzvkjtpl"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump")
# Committed for real, so pg_dump (another connection) sees the demo; serialized_rollback gives
# later tests back what the migrations made.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_retention_a_dump_of_the_demo_holds_no_intake_answer_or_note(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    group = CourseGroup.objects.get(status=CourseGroup.Status.COMPLETED)
    seat = Seat.objects.confirmed().filter(booking__group=group).exclude(intake={}).first()
    assert seat is not None, "the demo's completed group has intakes"
    seat.intake = {**seat.intake, "wants": f"{MARKER} wil haar kleinzoon mailen"}
    seat.save()
    SessionNote.objects.create(
        session=group.sessions.order_by("date").first(),
        author=get_user_model().objects.get(username="trainer-gouda"),
        text=f"{MARKER} had een bril nodig",
    )
    assert MARKER in pg_dump(), "the dump sees the intake and the note before retention"

    call_command("remove_participant_details", days=0, stdout=io.StringIO())

    assert MARKER not in pg_dump()
    assert not Seat.objects.filter(booking__group=group).exclude(intake={}).exists()
