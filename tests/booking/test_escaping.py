"""A participant's name is whatever a contact person typed, markup included. It must come out
as text everywhere the library reads it: the group page, the timelines, the audit log and the
exports of the admin."""

import csv
import io

import pytest
from django.urls import reverse

from booking import services
from booking.services import SeatRequest

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def booked(people, group):
    result = services.reserve_seats(
        group=group,
        organisation=people.promen,
        by=people.contact_promen,
        seats=[SeatRequest(first_name=SCRIPT[:50], learning_goal=SCRIPT, support_needs=SCRIPT)],
    )
    return result.booking


@pytest.mark.parametrize(
    "page",
    [
        lambda b: reverse("course_groups:inspect", args=[b.group_id]),
        lambda b: reverse("booking_history:group", args=[b.group_id]),
        lambda b: reverse("booking_history:booking", args=[b.pk]),
        lambda b: reverse("booking_audit_log:index"),
        lambda b: reverse("course_groups:attendance_list", args=[b.group_id]),
    ],
    ids=["group page", "group timeline", "booking timeline", "audit log", "attendance list"],
)
def test_admin_pages_show_markup_in_names_as_text(client, people, booked, page):
    client.force_login(people.coordinator_gouda)

    response = client.get(page(booked))

    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html
    assert ESCAPED in html


def test_audit_log_export_holds_the_name_as_plain_text(client, people, booked):
    client.force_login(people.coordinator_gouda)

    response = client.get(reverse("booking_audit_log:index"), {"export": "csv"})

    # As Dutch Excel reads it: UTF-8 after a BOM, ';' between the cells.
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(content), delimiter=";") for cell in row]
    assert any(SCRIPT in cell for cell in cells)
    assert ESCAPED not in content, "a CSV holds the text as typed, not HTML"
