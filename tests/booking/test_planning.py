"""Planning a group in the admin: sessions as a series (weekly or every other week, N times)
next to the one-by-one sessions, and the choice of a location (the coordinator's own library's
and partners' places first, the others on request)."""

import datetime
import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from booking.models import CourseGroup, Location, Session
from booking.services import reserve_seats
from tests.helpers import text_of

from .admin_helpers import group_url, speak
from .factories import CourseGroupFactory, LocationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
TUESDAY = 1


url = group_url


@pytest.fixture
def place(staff):
    return LocationFactory(organisation=staff.gouda, name="Bibliotheek Gouda", city="Gouda")


def next_tuesday(weeks=4):
    day = TODAY() + datetime.timedelta(weeks=weeks)
    return day + datetime.timedelta(days=(TUESDAY - day.weekday()) % 7)


def new_group_data(course, location, *, sessions=(), **series):
    """The new-group form as a browser sends it: one-by-one sessions (date, start, end), an
    empty first session form when there are none, and the series fields."""
    first = next_tuesday()
    data = {
        "course": course.pk,
        "level": 1,
        "location": location.pk,
        "trainer": "Ans de Vries",
        "capacity": 5,
        "seats_per_organisation": "",
        "restricted_to": "",
        "status": "open",
        "booking_opens_at": f"{TODAY()} 09:00",
        "booking_closes_at": f"{first - datetime.timedelta(days=3)} 17:00",
        "cancellation_deadline": f"{first - datetime.timedelta(days=2)} 17:00",
        "notes": "",
        "sessions-TOTAL_FORMS": max(len(sessions), 1),
        "sessions-INITIAL_FORMS": 0,
        "sessions-MIN_NUM_FORMS": 1,
        "sessions-MAX_NUM_FORMS": 1000,
        "sessions-0-id": "",
        "sessions-0-date": "",
        "sessions-0-starts_at": "",
        "sessions-0-ends_at": "",
        "series_first_date": "",
        "series_starts_at": "",
        "series_ends_at": "",
        "series_every": "1",
        "series_count": "",
    }
    for index, (date, starts_at, ends_at) in enumerate(sessions):
        data.update(
            {
                f"sessions-{index}-id": "",
                f"sessions-{index}-date": date.isoformat(),
                f"sessions-{index}-starts_at": starts_at,
                f"sessions-{index}-ends_at": ends_at,
            }
        )
    data.update({f"series_{name}": value for name, value in series.items()})
    return data


def edit_group_data(group, **series):
    group.refresh_from_db()
    data = new_group_data(group.course, group.location, **series)
    sessions = list(group.sessions.all())

    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

    data.update(
        {
            "booking_opens_at": local(group.booking_opens_at),
            "booking_closes_at": local(group.booking_closes_at),
            "cancellation_deadline": local(group.cancellation_deadline),
            "sessions-TOTAL_FORMS": len(sessions),
            "sessions-INITIAL_FORMS": len(sessions),
            "reason": "Lessen erbij",
        }
    )
    for index, session in enumerate(sessions):
        data.update(
            {
                f"sessions-{index}-id": session.pk,
                f"sessions-{index}-date": session.date.isoformat(),
                f"sessions-{index}-starts_at": session.starts_at.strftime("%H:%M"),
                f"sessions-{index}-ends_at": session.ends_at.strftime("%H:%M"),
            }
        )
    return data


def planned(response):
    return CourseGroup.objects.get(pk=int(re.search(r"/(\d+)/$", response["Location"]).group(1)))


def counts():
    return CourseGroup.objects.count(), Session.objects.count(), Session.history.count()


# -- a series of sessions ---------------------------------------------------------------------


def test_a_new_group_gets_five_weekly_sessions_from_a_series_alone(client, staff, course, place):
    client.force_login(staff.coordinator_gouda)
    first = next_tuesday()

    response = client.post(
        url("add"),
        new_group_data(
            course,
            place,
            first_date=first.isoformat(),
            starts_at="10:00",
            ends_at="12:00",
            count="5",
        ),
    )

    assert response.status_code == 302, text_of(response)
    group = planned(response)
    sessions = list(group.sessions.all())
    assert [s.date for s in sessions] == [first + datetime.timedelta(weeks=n) for n in range(5)]
    assert {(s.starts_at, s.ends_at) for s in sessions} == {(datetime.time(10), datetime.time(12))}
    records = Session.history.filter(group_id=group.pk)
    assert records.count() == 5
    assert {r.history_user for r in records} == {staff.coordinator_gouda}


def test_every_other_week_next_to_sessions_added_one_by_one(client, staff, course, place):
    client.force_login(staff.coordinator_gouda)
    first = next_tuesday()
    intake = first - datetime.timedelta(days=7)

    response = client.post(
        url("add"),
        new_group_data(
            course,
            place,
            sessions=[(intake, "09:00", "09:30")],
            first_date=first.isoformat(),
            starts_at="13:30",
            ends_at="15:30",
            every="2",
            count="3",
        ),
    )

    assert response.status_code == 302, text_of(response)
    dates = [s.date for s in planned(response).sessions.all()]
    assert dates == [
        intake,
        first,
        first + datetime.timedelta(weeks=2),
        first + datetime.timedelta(weeks=4),
    ]


def test_the_one_by_one_path_still_works_without_a_series(client, staff, course, place):
    client.force_login(staff.coordinator_gouda)
    first = next_tuesday()
    one_by_one = [(first + datetime.timedelta(weeks=n), "18:30", "20:30") for n in range(2)]

    response = client.post(url("add"), new_group_data(course, place, sessions=one_by_one))

    assert response.status_code == 302, text_of(response)
    assert [s.date for s in planned(response).sessions.all()] == [d for d, _s, _e in one_by_one]


@pytest.mark.parametrize("count", ["0", "21", "vijf", "2.5"])
def test_a_wrong_number_of_sessions_is_explained_and_nothing_is_saved(
    client, staff, course, place, count
):
    client.force_login(staff.coordinator_gouda)
    before = counts()
    data = new_group_data(
        course,
        place,
        first_date=next_tuesday().isoformat(),
        starts_at="10:00",
        ends_at="12:00",
        count=count,
    )
    data["trainer"] = "Marieke Jansen"

    response = client.post(url("add"), data)

    assert response.status_code == 200
    assert "Type a whole number from 1 to 20." in text_of(response)
    html = response.content.decode()
    assert 'value="Marieke Jansen"' in html, "nothing typed is lost"
    assert f'value="{count}"' in html
    assert f'value="{next_tuesday().isoformat()}"' in html
    assert counts() == before


def test_the_errors_are_dutch_for_a_dutch_coordinator(client, people, course, place):
    speak("nl", people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)

    response = client.post(
        url("add"), new_group_data(course, place, count="30", starts_at="12:00", ends_at="10:00")
    )

    page = text_of(response)
    assert "Typ een heel getal van 1 tot en met 20." in page
    assert "Vul dit in om een reeks lessen toe te voegen." in page
    assert "Een reeks lessen toevoegen" in page


def test_a_half_filled_series_says_what_is_missing(client, staff, course, place):
    client.force_login(staff.coordinator_gouda)
    before = counts()

    response = client.post(
        url("add"), new_group_data(course, place, count="5", starts_at="12:00", ends_at="10:00")
    )

    page = text_of(response)
    assert page.count("Fill this in to add a series of sessions.") == 1, "the first date"
    assert "A session must end after it starts." in page
    assert counts() == before


def test_a_group_without_any_session_is_refused(client, staff, course, place):
    client.force_login(staff.coordinator_gouda)
    before = counts()

    response = client.post(url("add"), new_group_data(course, place))

    assert response.status_code == 200
    assert "Add at least one session: one by one, or as a series." in text_of(response)
    assert counts() == before


def test_a_series_onto_planned_dates_names_them_and_adds_nothing(client, staff, course, place):
    group = CourseGroupFactory(
        course=course, library=staff.gouda, location=place, sessions__first=next_tuesday(2)
    )
    planned_dates = sorted(group.sessions.values_list("date", flat=True))
    client.force_login(staff.coordinator_gouda)
    before = counts()
    # Every other week from the third session on: it falls on the third and fifth sessions.
    data = edit_group_data(
        group,
        first_date=planned_dates[2].isoformat(),
        starts_at="13:00",
        ends_at="15:00",
        every="2",
        count="3",
    )

    response = client.post(url("edit", group.pk), data)

    assert response.status_code == 200
    page = text_of(response)
    assert "sessions of this group are already planned" in page
    assert "nothing has been added" in page
    for day in (planned_dates[2], planned_dates[4]):
        with translation.override("en"):
            assert date_format(day, "DATE_FORMAT") in page
    assert counts() == before


def test_a_series_adds_to_an_existing_group_with_the_reason_in_its_history(
    client, staff, course, place
):
    group = CourseGroupFactory(
        course=course,
        library=staff.gouda,
        location=place,
        sessions=2,
        sessions__first=next_tuesday(2),
    )
    client.force_login(staff.coordinator_gouda)
    after_last = group.sessions.latest("date").date + datetime.timedelta(weeks=1)

    response = client.post(
        url("edit", group.pk),
        edit_group_data(
            group,
            first_date=after_last.isoformat(),
            starts_at="10:00",
            ends_at="12:00",
            count="3",
        ),
    )

    assert response.status_code == 302, text_of(response)
    assert group.sessions.count() == 5
    added = Session.history.filter(group_id=group.pk, date__gte=after_last)
    assert added.count() == 3
    assert {(r.history_change_reason, r.history_type) for r in added} == {("Lessen erbij", "+")}


def test_session_fields_are_the_browsers_own_date_and_time_fields(client, staff):
    client.force_login(staff.coordinator_gouda)
    html = client.get(url("add")).content.decode()
    assert re.search(r'<input type="date" name="sessions-0-date"', html)
    assert re.search(r'<input type="time" name="sessions-0-starts_at"', html)
    assert re.search(r'<input type="date" name="series_first_date"', html)
    assert re.search(r'<input type="number" name="series_count"[^>]*max="20"', html)


# -- locations ------------------------------------------------------------------------------


@pytest.fixture
def places(staff, course, place):
    """Gouda's own place and neighbourhood building; Promen's site (Promen booked at Gouda);
    a school Gouda's groups met in before; KonnecteD's site and Deventer's library."""
    neighbourhood = LocationFactory(
        organisation=staff.gouda, name="Wijkcentrum", kind=Location.Kind.NEIGHBOURHOOD
    )
    promen_site = LocationFactory(
        organisation=staff.promen, name="Promen Goudse Poort", kind=Location.Kind.SW_COMPANY
    )
    school = LocationFactory(organisation=staff.deventer, name="School De Brug", city="Gouda")
    konnected_site = LocationFactory(
        organisation=staff.konnected, name="KonnecteD Hanzeweg", city="Deventer"
    )
    deventer_library = LocationFactory(
        organisation=staff.deventer, name="Bibliotheek Deventer", city="Deventer"
    )
    group = CourseGroupFactory(course=course, library=staff.gouda, location=place)
    reserve_seats(group=group, organisation=staff.promen, by=staff.contact_promen, seats=1)
    CourseGroupFactory(course=course, library=staff.gouda, location=school)
    return {
        "own": {place, neighbourhood, promen_site, school},
        "others": {konnected_site, deventer_library},
    }


def optgroups(html):
    """{label: [option texts]} of the location field's option groups."""
    select = re.search(r'<select name="location".*?</select>', html, re.S).group(0)
    return {
        label: re.findall(r"<option [^>]*>([^<]*)</option>", body)
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S)
    }


def test_own_and_partners_locations_come_first_the_others_on_request(client, staff, places):
    client.force_login(staff.coordinator_gouda)

    html = client.get(url("add")).content.decode()

    groups = optgroups(html)
    assert list(groups) == ["Locations of your library and partners", "Other locations"]
    assert set(groups["Locations of your library and partners"]) == {
        str(location) for location in places["own"]
    }
    assert set(groups["Other locations"]) == {str(location) for location in places["others"]}
    assert "Show all locations, also those of other libraries" in html
    assert 'data-cp-location-toggle="id_location"' in html
    assert "js/admin/location-choice" in html


def test_another_librarys_location_chosen_on_request_still_saves(client, staff, course, places):
    elsewhere = next(iter(places["others"]))
    client.force_login(staff.coordinator_gouda)
    data = new_group_data(
        course,
        elsewhere,
        first_date=next_tuesday().isoformat(),
        starts_at="10:00",
        ends_at="12:00",
        count="5",
    )

    response = client.post(url("add"), data)

    assert response.status_code == 302, text_of(response)
    assert planned(response).location == elsewhere


def test_a_location_that_does_not_exist_is_refused(client, staff, course, places):
    client.force_login(staff.coordinator_gouda)
    before = counts()
    data = new_group_data(
        course,
        next(iter(places["own"])),
        first_date=next_tuesday().isoformat(),
        starts_at="10:00",
        ends_at="12:00",
        count="5",
    )
    data["location"] = "999999"

    response = client.post(url("add"), data)

    assert response.status_code == 200
    assert "Select a valid choice." in text_of(response)
    assert counts() == before


def test_each_coordinator_sees_their_own_librarys_locations_first(client, staff, places):
    client.force_login(staff.coordinator_deventer)

    groups = optgroups(client.get(url("add")).content.decode())

    own = set(groups["Locations of your library and partners"])
    assert own == {"School De Brug, Gouda", "Bibliotheek Deventer, Deventer"}
    assert "Promen Goudse Poort, Gouda" in groups["Other locations"], "Gouda's partner"


def test_a_superuser_plans_for_every_library_and_gets_one_list(client, staff, places):
    client.force_login(staff.admin)

    html = client.get(url("add")).content.decode()

    assert optgroups(html) == {}
    assert "data-cp-location-toggle" not in html
    select = re.search(r'<select name="location".*?</select>', html, re.S).group(0)
    assert select.count("<option ") == Location.objects.count() + 1


def test_a_coordinator_whose_library_is_all_there_is_gets_one_list(client, staff):
    LocationFactory(organisation=staff.deventer, name="Bibliotheek Deventer")
    client.force_login(staff.coordinator_deventer)

    html = client.get(url("add")).content.decode()

    assert optgroups(html) == {}
    assert "data-cp-location-toggle" not in html, "nothing to hide"
    assert "Bibliotheek Deventer" in html
