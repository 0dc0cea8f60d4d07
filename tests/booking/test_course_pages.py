"""The public course pages: what a visitor reads about a course, its groups and free seats.

The page cache is on (the test settings use a real local-memory cache, and the anonymous page
cache middleware is installed), so these tests also show that seat numbers are never stale.
"""

import datetime
import html
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone, translation

from booking import services
from booking.models import CourseGroup
from booking.selectors import Availability
from core.cache import forget_local
from home.models import SiteSettings
from tests.conftest import translate
from tests.factories import ContactPageFactory
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .factories import CourseGroupFactory, CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("nl", "en")


def visible_text(response):
    """The page's text as a visitor reads it: tags removed, white space collapsed."""
    return text_of(response.content.decode())


def text_of(body):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()
    return re.sub(r" ([.,])", r"\1", text)  # "<span lang=nl>Gouda</span>." reads "Gouda."


def main_of(body):
    return body.split("<main", 1)[1].split("</main>", 1)[0]


def seats_label(lang, capacity, confirmed, waitlisted=0):
    with translation.override(lang):
        return str(Availability(capacity, confirmed, waitlisted).label)


def long_date(day, lang):
    with translation.override(lang):
        return dateformat.format(day, "l j F Y")


def page_url(site, lang, name):
    return getattr(site, name if lang == "nl" else f"english_{name}").url


@pytest.fixture(autouse=True)
def site_settings(course_site):
    """Made up front: the first request would otherwise create them, which clears the cache."""
    return SiteSettings.objects.create(site=course_site.site, contact_email="info@leerplein.test")


@pytest.fixture
def gouda_library(people):
    return LocationFactory(
        organisation=people.gouda,
        name="Bibliotheek Gouda, Agnietenstraat",
        street_address="Agnietenstraat 5",
        postal_code="2801 JS",
        city="Gouda",
        accessibility_notes="Ingang zonder drempel. Lift naar de eerste verdieping.",
    )


@pytest.fixture
def open_group(course_site, people, gouda_library):
    return CourseGroupFactory(
        course=course_site.course, library=people.gouda, location=gouda_library, level=2
    )


def book(group, people, seats):
    return services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=seats
    )


# -- the course page ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_course_page_shows_sessions_place_level_and_free_seats(
    client, course_site, people, open_group, lang
):
    book(open_group, people, 3)

    response = client.get(page_url(course_site, lang, "course"))

    assert response.status_code == 200
    text = visible_text(response)
    body = response.content.decode()
    for part in ("What you learn", "For whom", "Levels", "What to bring"):
        with translation.override(lang):
            assert str(translation.gettext(part)) in text
    assert "De muis gebruiken" in text
    sessions = list(open_group.sessions.order_by("date"))
    assert len(sessions) == 5
    for session in sessions:
        assert long_date(session.date, lang) in text
        assert f'<time datetime="{session.date:%Y-%m-%d}">' in body
    assert len(re.findall(r"10:00 – 12:00", text)) == 5
    assert "Agnietenstraat 5, 2801 JS Gouda" in text
    assert "Ingang zonder drempel. Lift naar de eerste verdieping." in text
    assert "Bibliotheek Gouda" in text
    with translation.override(lang):
        assert str(CourseGroup.Level(2).label) in text
    assert seats_label(lang, 5, 3) in text
    assert seats_label("en", 5, 3) == "2 seats left"
    assert 'href="#groups"' in body and 'id="groups"' in body


def test_course_page_marks_dutch_names_and_notes_on_the_english_page(
    client, course_site, open_group
):
    english = client.get(course_site.english_course.url).content.decode()
    dutch = client.get(course_site.course.url).content.decode()

    notes = "Ingang zonder drempel. Lift naar de eerste verdieping."
    assert re.search(rf'lang="nl">\s*{re.escape(notes)}', english)
    assert '<span lang="nl">Bibliotheek Gouda</span>' in english
    assert 'lang="nl"' not in main_of(dutch)


def test_a_group_for_one_company_says_so(client, course_site, people, gouda_library):
    CourseGroupFactory(
        course=course_site.course,
        library=people.gouda,
        location=gouda_library,
        restricted_to=people.promen,
    )

    english = visible_text(client.get(course_site.english_course.url))
    dutch = client.get(course_site.course.url).content.decode()

    assert "Only for Promen" in english
    with translation.override("nl"):
        only_for = translation.gettext("Only for %(company)s") % {"company": "Promen"}
    assert only_for in dutch


def test_draft_cancelled_closed_and_past_groups_are_not_shown(
    client, course_site, people, gouda_library
):
    def group_at(name, **kwargs):
        location = LocationFactory(organisation=people.gouda, name=name)
        return CourseGroupFactory(
            course=course_site.course, library=people.gouda, location=location, **kwargs
        )

    group_at("Wijkcentrum Open")
    group_at("Wijkcentrum Concept", draft=True)
    group_at("Wijkcentrum Gesloten", status=CourseGroup.Status.CLOSED)
    cancelled = group_at("Wijkcentrum Afgelast")
    services.cancel_group(group=cancelled, by=people.coordinator_gouda, reason="Te weinig animo")
    group_at("Wijkcentrum Voorbij", sessions__first=timezone.localdate() - datetime.timedelta(70))

    for lang in LANGUAGES:
        text = visible_text(client.get(page_url(course_site, lang, "course")))
        assert "Wijkcentrum Open" in text
        for hidden in ("Concept", "Gesloten", "Afgelast", "Voorbij"):
            assert f"Wijkcentrum {hidden}" not in text


def test_a_full_group_offers_the_waiting_list(client, course_site, people, gouda_library):
    group = CourseGroupFactory(
        course=course_site.course, library=people.gouda, location=gouda_library, capacity=2
    )
    book(group, people, 2)
    late = services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=1
    )
    assert late.waitlisted

    english = visible_text(client.get(course_site.english_course.url))
    dutch = visible_text(client.get(course_site.course.url))

    assert "full — you can join the waiting list" in english
    assert seats_label("nl", 2, 2, 1) in dutch
    assert "seat left" not in english


def test_without_groups_the_course_page_points_to_the_contact_page(client, course_site, english):
    contact = ContactPageFactory(parent=course_site.home)
    english_contact = translate(contact, english)

    for lang, contact_page in (("nl", contact), ("en", english_contact)):
        response = client.get(page_url(course_site, lang, "course"))
        body = response.content.decode()
        assert response.status_code == 200
        assert 'class="group-card' not in body
        assert f'href="{contact_page.url}"' in body
    english_text = visible_text(client.get(course_site.english_course.url))
    assert "There are no groups planned for this course at the moment" in english_text
    assert "reserve seats in the Leerplein portal" in english_text


# -- seats are current, cache or no cache ------------------------------------------------------


def test_seats_change_at_once_in_both_languages_after_booking_and_cancelling(
    client, course_site, people, open_group
):
    urls = {lang: page_url(course_site, lang, "course") for lang in LANGUAGES}
    index_urls = {lang: page_url(course_site, lang, "index") for lang in LANGUAGES}

    def shown(free):
        for lang in LANGUAGES:
            for url in (urls[lang], urls[lang], index_urls[lang]):  # twice: a cache would hit
                response = client.get(url)
                assert response.status_code == 200
                assert response.get("X-Page-Cache") != "hit"
                assert "no-cache" in response["Cache-Control"]
                assert seats_label(lang, 5, 5 - free) in visible_text(response)

    shown(5)
    result = book(open_group, people, 2)
    shown(3)
    services.cancel_seats(booking=result.booking, by=people.contact_promen)
    shown(5)


def test_course_text_is_cached_until_published_but_seats_never_are(
    client, course_site, people, open_group
):
    url = course_site.course.url
    assert "De muis gebruiken" in visible_text(client.get(url))
    # A change written straight to the row, as if by another process: the cached text stays,
    # which shows the description comes from the fragment cache; the seats do change.
    type(course_site.course).objects.filter(pk=course_site.course.pk).update(
        what_you_learn="<p>Nieuwe tekst</p>"
    )
    book(open_group, people, 1)
    text = visible_text(client.get(url))
    assert "De muis gebruiken" in text
    assert seats_label("nl", 5, 1) in text

    page = course_site.course
    page.what_you_learn = "<p>Gepubliceerde tekst</p>"
    page.save_revision().publish()
    assert "Gepubliceerde tekst" in visible_text(client.get(url))


# -- the course index --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_course_index_lists_courses_with_groups_and_free_seats(
    client, course_site, people, open_group, english, lang
):
    CourseGroupFactory(course=course_site.course, library=people.gouda, capacity=4)
    book(open_group, people, 2)
    quiet = CoursePageFactory(
        parent=course_site.index, title="Digisterker", slug="digisterker", summary="DigiD leren."
    )
    translate(quiet, english)

    response = client.get(page_url(course_site, lang, "index"))

    assert response.status_code == 200
    text = visible_text(response)
    body = response.content.decode()
    course = course_site.course if lang == "nl" else course_site.english_course
    assert f'href="{course.url}"' in body
    assert "Eerste stappen met de computer" in text
    with translation.override(lang):
        groups = translation.ngettext("%(counter)s group", "%(counter)s groups", 2) % {"counter": 2}
        nothing = translation.gettext("No groups planned at the moment")
    assert f"{groups}, {seats_label(lang, 9, 2)}" in text
    assert seats_label("en", 9, 2) == "7 seats left"
    card = text.split("Digisterker", 1)[1]
    assert card.startswith(" DigiD leren. " + nothing)


def test_course_index_says_when_every_group_is_full(client, course_site, people, open_group):
    book(open_group, people, 5)
    text = visible_text(client.get(course_site.english_index.url))
    assert "1 group, full — you can join the waiting list" in text


# -- a fixed number of queries -----------------------------------------------------------------


def _cold():
    """Forget every cached page and fragment: each measured request does all its work."""
    cache.clear()
    forget_local()


def _queries_for(client, url):
    _cold()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_course_page_queries_do_not_grow_with_groups(
    client, course_site, people, gouda_library, django_assert_max_num_queries
):
    def add_groups(count):
        for _ in range(count):
            group = CourseGroupFactory(
                course=course_site.course, library=people.gouda, location=gouda_library
            )
            book(group, people, 1)

    add_groups(2)
    with_two = {
        lang: _queries_for(client, page_url(course_site, lang, "course")) for lang in LANGUAGES
    }
    add_groups(8)
    for lang in LANGUAGES:
        url = page_url(course_site, lang, "course")
        _cold()
        with django_assert_max_num_queries(with_two[lang]):
            response = client.get(url)
        assert visible_text(response).count(seats_label(lang, 5, 1)) == 10


def test_course_index_queries_do_not_grow_with_courses(
    client, course_site, people, english, django_assert_max_num_queries
):
    def add_courses(count):
        for number in range(count):
            course = CoursePageFactory(parent=course_site.index, title=f"Cursus {number}")
            translate(course, english)
            CourseGroupFactory(course=course, library=people.gouda)

    add_courses(1)  # with the fixture's course: 2
    with_two = {
        lang: _queries_for(client, page_url(course_site, lang, "index")) for lang in LANGUAGES
    }
    add_courses(4)
    for lang in LANGUAGES:
        _cold()
        with django_assert_max_num_queries(with_two[lang]):
            response = client.get(page_url(course_site, lang, "index"))
        assert response.content.decode().count('class="course-card"') == 6


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_page_lists_planned_courses_and_follows_new_groups(
    client, course_site, people, gouda_library, open_group, lang, django_capture_on_commit_callbacks
):
    home = course_site.home if lang == "nl" else course_site.english_home
    client.get(home.url)  # cached from here on

    new_group = CourseGroupFactory.build(
        course=course_site.course, library=people.gouda, location=gouda_library
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.save_group(group=new_group, by=people.coordinator_gouda, reason="Extra group")
    response = client.get(home.url)

    text = visible_text(response)
    with translation.override(lang):
        planned = translation.ngettext(
            "%(counter)s group planned", "%(counter)s groups planned", 2
        ) % {"counter": 2}
    assert planned in text
    assert course_site.course.title in text
    assert response["X-Page-Cache"] == "miss"


# -- narrowing the groups by place -------------------------------------------------------------


@pytest.fixture
def groups_in_two_towns(course_site, people, gouda_library):
    """Two groups in Gouda and one in Deventer, each at a place named after its town."""
    deventer = LocationFactory(
        organisation=people.deventer, name="Bibliotheek Deventer, Stromarkt", city="Deventer"
    )
    korte_akkeren = LocationFactory(
        organisation=people.gouda, name="Wijkcentrum Korte Akkeren", city="Gouda"
    )
    return [
        CourseGroupFactory(course=course_site.course, library=people.gouda, location=place)
        for place in (gouda_library, korte_akkeren)
    ] + [CourseGroupFactory(course=course_site.course, library=people.deventer, location=deventer)]


def group_cards(body):
    """The groups' titles: h4, below the heading of the month they start in (h3)."""
    return re.findall(r'<h4 id="group-\d+-title"', body)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_visitor_narrows_the_groups_to_one_town(client, course_site, groups_in_two_towns, lang):
    url = page_url(course_site, lang, "course")

    everywhere = client.get(url).content.decode()
    in_gouda = client.get(url, {"place": "gouda"})  # any case: people type it in the address
    body = in_gouda.content.decode()

    assert len(group_cards(everywhere)) == 3
    assert len(group_cards(body)) == 2
    text = visible_text(in_gouda)
    assert "Stromarkt" not in text
    assert "Korte Akkeren" in text and "Agnietenstraat" in text
    with translation.override(lang):
        every_place = translation.gettext("All places")
        intro = translation.ngettext(
            "This course has %(counter)s group with dates planned in %(place)s.",
            "This course has %(counter)s groups with dates planned in %(place)s.",
            2,
        ) % {"counter": 2, "place": "Gouda"}
    assert intro in text
    # Each town is a link that can be shared, with its number of groups; the chosen one is marked.
    assert f"{every_place} (3) Deventer (1) Gouda (2)" in text
    assert re.search(rf'href="{re.escape(url)}\?place=Gouda#groups" aria-current="true"', body)
    assert f'href="{url}?place=Deventer#groups"' in body
    assert re.search(rf'href="{re.escape(url)}#groups" aria-current="true"', everywhere)


def test_a_town_without_groups_says_so_and_offers_every_town(
    client, course_site, groups_in_two_towns
):
    url = course_site.english_course.url

    response = client.get(url, {"place": "Utrecht"})

    assert response.status_code == 200
    body = response.content.decode()
    assert group_cards(body) == []
    text = visible_text(response)
    assert "This course has no groups in Utrecht at the moment." in text
    assert f'<a href="{url}#groups">Show the groups in all places</a>' in body
    assert "All places (3) Deventer (1) Gouda (2)" in text  # and the towns that do have groups
    dutch = visible_text(client.get(course_site.course.url, {"place": "Utrecht"}))
    with translation.override("nl"):
        nothing = translation.gettext("This course has no groups in %(place)s at the moment.")
    assert nothing % {"place": "Utrecht"} in dutch


@pytest.mark.parametrize("place", ["Gouda\t", "<b>Gouda</b>", "G" * 5000, " gouda "])
def test_odd_place_values_give_a_plain_page(client, course_site, groups_in_two_towns, place):
    response = client.get(course_site.english_course.url, {"place": place})

    assert response.status_code == 200
    body = main_of(response.content.decode())
    assert "\x00" not in body and "\x1b" not in body
    assert "<b>Gouda</b>" not in body
    assert "G" * 101 not in body
    if place.strip().casefold() == "gouda":
        assert len(group_cards(body)) == 2


@pytest.mark.parametrize("asked", [{"place": "\x00Gouda\x1b"}, {"page": "\x00<b>2</b>"}])
def test_control_characters_in_the_address_are_refused_in_plain_words(
    client, course_site, groups_in_two_towns, asked
):
    """Refused before the page is read (core/input.py), never echoed back."""
    response = client.get(course_site.english_course.url, asked)
    assert response.status_code == 400
    assert "\x00" not in response.text and "<b>2</b>" not in response.text


def test_each_place_gets_its_own_page_never_another_places_copy(
    client, course_site, people, groups_in_two_towns
):
    url = course_site.course.url
    for _ in range(2):  # the second round would be served from a cache if anything kept them
        for place, shown, hidden in (
            ("Gouda", "Korte Akkeren", "Stromarkt"),
            ("Deventer", "Stromarkt", "Korte Akkeren"),
            ("", "Stromarkt", None),
        ):
            response = client.get(url, {"place": place} if place else {})
            assert response.get("X-Page-Cache") != "hit"
            assert "no-cache" in response["Cache-Control"]
            text = visible_text(response)
            assert shown in text
            if hidden:
                assert hidden not in text
    # Seats are current in a filtered list too.
    book(groups_in_two_towns[2], people, 2)
    assert seats_label("nl", 5, 2) in visible_text(client.get(url, {"place": "Deventer"}))


def test_filtering_by_place_costs_no_extra_queries(
    client, course_site, groups_in_two_towns, django_assert_max_num_queries
):
    url = course_site.course.url
    unfiltered = _queries_for(client, url)
    _cold()
    with django_assert_max_num_queries(unfiltered):
        response = client.get(url, {"place": "Deventer"})
    assert len(group_cards(response.content.decode())) == 1


# -- groups reserved for one organisation ------------------------------------------------------


@pytest.fixture
def promen_group(course_site, people):
    """A group on location at Promen, only for Promen's staff."""
    at_promen = LocationFactory(
        organisation=people.promen, name="Promen, vestiging Gouda", kind="sw_company"
    )
    return CourseGroupFactory(
        course=course_site.course,
        library=people.gouda,
        location=at_promen,
        restricted_to=people.promen,
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_reserved_group_is_not_offered_as_if_open_to_everyone(
    client, course_site, people, promen_group, lang
):
    response = client.get(page_url(course_site, lang, "course"))

    body = main_of(response.content.decode())
    card = body.split(f'id="group-{promen_group.pk}-title"', 1)[1].split("</article>", 1)[0]
    card_text = text_of(card)
    with translation.override(lang):
        only_for = translation.gettext("Only for %(company)s") % {"company": "Promen"}
    assert only_for in card_text
    assert seats_label(lang, 5, 0) not in card_text  # no "5 seats left" for everyone
    assert 'class="group-card group-card--reserved"' in body
    if lang == "en":
        assert "This group is reserved for people who work at Promen." in card_text
        assert "Ask your contact person at work." in card_text


def test_a_full_reserved_group_offers_nobody_else_its_waiting_list(
    client, course_site, people, promen_group
):
    book(promen_group, people, 5)
    book(promen_group, people, 1)  # on the waiting list

    body = main_of(client.get(course_site.english_course.url).content.decode())

    groups = body.split('id="groups"', 1)[1].split("<aside", 1)[0]
    text = text_of(groups)
    assert "Only for Promen" in text
    assert "waiting list" not in text and "full" not in text


def test_course_index_counts_no_reserved_seats_as_free(
    client, course_site, people, open_group, promen_group
):
    book(open_group, people, 1)

    english = visible_text(client.get(course_site.english_index.url))
    dutch = visible_text(client.get(course_site.index.url))

    # 4 free in the open group; Promen's 5 are not free for anyone else.
    assert "1 group, 4 seats left" in english
    assert "1 group only for the staff of one company" in english
    assert "9 seats left" not in english and "2 groups" not in english
    with translation.override("nl"):
        reserved = translation.ngettext(
            "%(counter)s group only for the staff of one company",
            "%(counter)s groups only for the staff of one company",
            1,
        ) % {"counter": 1}
    assert seats_label("nl", 5, 1) in dutch and reserved in dutch


def test_a_course_with_only_reserved_groups_is_not_full_and_has_no_free_seats(
    client, course_site, promen_group
):
    text = visible_text(client.get(course_site.english_index.url))

    assert "No groups for everyone at the moment" in text
    assert "1 group only for the staff of one company" in text
    assert "seats left" not in text and "waiting list" not in text


def test_home_page_counts_reserved_groups_apart(client, course_site, open_group, promen_group):
    text = visible_text(client.get(course_site.english_home.url))

    assert "1 group planned" in text
    assert "2 groups planned" not in text
    assert "1 group only for the staff of one company" in text


# -- how to take part, from the top of the page ------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_top_of_a_course_page_links_to_how_to_take_part(client, course_site, open_group, lang):
    body = client.get(page_url(course_site, lang, "course")).content.decode()

    header = body.split('<header class="course__header">', 1)[1].split("</header>", 1)[0]
    with translation.override(lang):
        take_part = translation.gettext("How do I take part?")
    assert f'<a class="course__jump-link" href="#take-part">{take_part}</a>' in header
    assert re.search(r'<aside class="course-signup" id="take-part"', body)
    assert body.index("<h1") < body.index('href="#take-part"') < body.index('id="learn-title"')


# -- many groups: by month, ten at a time ------------------------------------------------------


def month_start(months_ahead):
    """The first day of the month `months_ahead` months after this one."""
    day = timezone.localdate().replace(day=1)
    for _ in range(months_ahead):
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return day


def month_name(day, lang):
    with translation.override(lang):
        return dateformat.format(day, "F Y").capitalize()


@pytest.fixture
def plan(course_site, people, gouda_library):
    """`plan(count, months_ahead=1)`: open groups at Gouda whose lessons start in that month
    (on its first days, one group a day), in the order they start."""

    def make(count, *, months_ahead=1, location=gouda_library, **kwargs):
        first = month_start(months_ahead)
        return [
            CourseGroupFactory(
                course=course_site.course,
                library=location.organisation,
                location=location,
                sessions__first=first + datetime.timedelta(days=number % 25),
                **kwargs,
            )
            for number in range(count)
        ]

    return make


def card_ids(body):
    return [int(number) for number in re.findall(r'<h4 id="group-(\d+)-title"', body)]


def translated(lang, text, **values):
    with translation.override(lang):
        return translation.gettext(text) % values if values else translation.gettext(text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_groups_are_listed_under_the_month_they_start_in(client, course_site, plan, lang):
    soon = plan(2, months_ahead=1)
    later = plan(1, months_ahead=2)
    undated = plan(1, sessions=0)

    body = main_of(client.get(page_url(course_site, lang, "course")).content.decode())

    headings = re.findall(r'<h3 id="groups-([\w-]+)" class="group-month__title">(.*?)</h3>', body)
    assert [text_of(title) for _id, title in headings] == [
        month_name(month_start(1), lang),
        month_name(month_start(2), lang),
        translated(lang, "Dates follow soon"),
    ]
    assert f'<time datetime="{month_start(1):%Y-%m}">' in body
    # Each group sits below the heading of its month, soonest first, undated groups last.
    assert card_ids(body) == [group.pk for group in soon + later + undated]
    positions = [body.index(f'id="groups-{heading_id}"') for heading_id, _title in headings]
    assert positions[0] < body.index(f'id="group-{soon[1].pk}-title"') < positions[1]
    assert positions[1] < body.index(f'id="group-{later[0].pk}-title"') < positions[2]
    assert re.search(r'<section class="group-month" aria-labelledby="groups-later">', body)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_long_list_shows_ten_groups_at_a_time(client, course_site, plan, lang):
    groups = plan(12, months_ahead=1) + plan(11, months_ahead=2)
    url = page_url(course_site, lang, "course")

    pages = [client.get(url, {"page": number}) for number in (1, 2, 3)]

    bodies = [main_of(response.content.decode()) for response in pages]
    assert [len(card_ids(body)) for body in bodies] == [10, 10, 3]
    assert sum((card_ids(body) for body in bodies), []) == [group.pk for group in groups]
    first, last = text_of(bodies[0]), text_of(bodies[2])
    with translation.override(lang):
        intro = translation.ngettext(
            "This course has %(counter)s group with dates planned.",
            "This course has %(counter)s groups with dates planned.",
            23,
        ) % {"counter": 23}
    assert intro in first and intro in last
    assert (
        translated(lang, "Groups %(first)s–%(last)s of %(total)s", first=1, last=10, total=23)
        in first
    )
    assert (
        translated(lang, "Groups %(first)s–%(last)s of %(total)s", first=21, last=23, total=23)
        in last
    )
    # Plain links that land on the groups, not on the top of the page.
    assert f'href="{url}?page=2#groups" rel="next"' in bodies[0]
    assert 'rel="prev"' not in bodies[0]
    assert f'href="{url}?page=2#groups" rel="prev"' in bodies[2]
    assert 'rel="next"' not in bodies[2]
    assert translated(lang, "Page %(number)s of %(total)s", number=3, total=3) in last


def test_a_short_list_has_no_pages(client, course_site, plan):
    plan(10)

    body = main_of(client.get(course_site.english_course.url).content.decode())

    assert len(card_ids(body)) == 10
    assert "Groups 1–10" not in body and 'class="pagination"' not in body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_visitor_chooses_a_month_and_keeps_the_place(client, course_site, people, plan, lang):
    deventer = LocationFactory(organisation=people.deventer, name="Stromarkt", city="Deventer")
    in_gouda_soon = plan(2, months_ahead=1)
    plan(1, months_ahead=2)
    plan(1, months_ahead=1, location=deventer)
    url = page_url(course_site, lang, "course")
    soon = f"{month_start(1):%Y-%m}"

    body = main_of(client.get(url, {"place": "gouda"}).content.decode())

    months = body.split('<nav class="place-filter month-filter"', 1)[1].split("</nav>", 1)[0]
    # On a wide screen; a phone shows the short names ("Mrt 2027") instead.
    wide = re.sub(r'<span class="month-filter__short">.*?</span>', "", months)
    assert text_of(wide.split(">", 1)[1]).startswith(
        f"{translated(lang, 'Choose a month')} {translated(lang, 'All months')} (3) "
        f"{month_name(month_start(1), lang)} (2) {month_name(month_start(2), lang)} (1)"
    )
    with translation.override(lang):
        short = dateformat.format(month_start(1), "M Y")
    assert f'<span class="month-filter__short">{short}</span>' in months
    assert f'href="{url}?place=Gouda&amp;month={soon}#groups"' in months
    assert re.search(rf'href="{re.escape(url)}\?place=Gouda#groups" aria-current="true"', months)

    chosen = main_of(client.get(url, {"place": "Gouda", "month": soon}).content.decode())

    assert card_ids(chosen) == [group.pk for group in in_gouda_soon]
    assert f'href="{url}?place=Gouda&amp;month={soon}#groups" aria-current="true"' in chosen
    assert "Stromarkt" not in text_of(chosen)
    # The place links start again from every month.
    assert f'href="{url}?place=Deventer#groups"' in chosen


def test_the_pages_keep_the_place_chosen(client, course_site, people, plan):
    deventer = LocationFactory(organisation=people.deventer, name="Stromarkt", city="Deventer")
    in_gouda = plan(12)
    plan(3, location=deventer)
    url = course_site.english_course.url

    body = main_of(client.get(url, {"place": "gouda", "page": "2"}).content.decode())

    assert card_ids(body) == [group.pk for group in in_gouda[10:]]
    assert "Groups 11–12 of 12" in text_of(body)
    assert f'href="{url}?place=Gouda&amp;page=1#groups" rel="prev"' in body


def _no_month(lang):
    with translation.override(lang):
        month = dateformat.format(month_start(5), "F Y")
    return translated(
        lang, "No group starts in %(month)s. You see the groups of every month.", month=month
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("asked", "notice"),
    [
        (
            {"page": "abc"},
            lambda lang: translated(lang, "“%(page)s” is not a page number.", page="abc"),
        ),
        (
            {"page": "9"},
            lambda lang: translated(
                lang, "Page %(page)s does not exist. We show page 1 of %(count)s.", page=9, count=2
            ),
        ),
        (
            {"month": "2027-13"},
            lambda lang: translated(
                lang,
                "“%(value)s” is not a month. Write it like this: %(example)s.",
                value="2027-13",
                example=timezone.localdate().strftime("%Y-%m"),
            ),
        ),
        ({"month": f"{month_start(5):%Y-%m}"}, _no_month),
    ],
)
def test_a_page_or_month_we_cannot_show_gives_a_notice_and_the_first_page(
    client, course_site, plan, asked, notice, lang
):
    plan(12)

    response = client.get(page_url(course_site, lang, "course"), asked)

    assert response.status_code == 200
    body = main_of(response.content.decode())
    assert len(card_ids(body)) == 10
    assert notice(lang) in text_of(body)
    assert 'class="notice" role="status"' in body
    assert translated(
        lang, "Groups %(first)s–%(last)s of %(total)s", first=1, last=10, total=12
    ) in text_of(body)


@pytest.mark.parametrize(
    "asked",
    [
        {"page": "<b>2</b>"},
        {"month": "<script>alert(1)</script>"},
        {"month": "2027-03" * 1000},
        {"page": "9" * 5000},
    ],
)
def test_odd_page_and_month_values_give_a_plain_page(client, course_site, plan, asked):
    plan(12)

    response = client.get(course_site.english_course.url, asked)

    assert response.status_code == 200
    body = main_of(response.content.decode())
    assert "\x00" not in body and "<b>" not in body and "<script>" not in body
    assert "2027-03" * 4 not in body and "9" * 21 not in body
    assert len(card_ids(body)) == 10


def test_months_filters_and_pages_are_valid_html(client, course_site, people, plan):
    deventer = LocationFactory(organisation=people.deventer, name="Stromarkt", city="Deventer")
    plan(12, months_ahead=1)
    plan(3, months_ahead=2, location=deventer)
    plan(1, sessions=0)
    pages = {}
    for lang in LANGUAGES:
        url = page_url(course_site, lang, "course")
        for query in ("", "?page=2", f"?place=Gouda&month={month_start(1):%Y-%m}", "?page=x"):
            response = client.get(url + query)
            assert response.status_code == 200
            pages[url + query] = response.content.decode()

    assert {url: markup_problems(body) for url, body in pages.items()} == dict.fromkeys(pages, [])
    missing = nu_checker_missing()
    if missing:
        pytest.skip(missing)
    assert nu_errors(pages) == {}


# -- the same queries, and a small page, however many groups -----------------------------------


def _with_bookings(groups, people):
    for group in groups[:3]:
        book(group, people, 2)


def test_the_course_pages_and_home_cost_the_same_queries_at_10_and_200_groups(
    client, course_site, people, plan, gouda_library
):
    deventer = LocationFactory(organisation=people.deventer, name="Stromarkt", city="Deventer")
    _with_bookings(plan(5, months_ahead=1) + plan(5, months_ahead=2, location=deventer), people)
    urls = {
        f"{name} ({lang})": page_url(course_site, lang, name)
        for name in ("course", "index", "home")
        for lang in LANGUAGES
    }
    urls["course, page 2 of a place"] = f"{course_site.course.url}?place=Gouda&page=2"
    for url in urls.values():  # fills what a process keeps for good (content types, ...)
        client.get(url)
    with_10 = {name: _queries_for(client, url) for name, url in urls.items()}

    for months_ahead in range(1, 11):
        plan(12, months_ahead=months_ahead)
        _with_bookings(plan(7, months_ahead=months_ahead, location=deventer), people)

    with_200 = {name: _queries_for(client, url) for name, url in urls.items()}
    assert with_200 == with_10
    _cold()
    response = client.get(course_site.course.url)
    assert len(card_ids(response.content.decode())) == 10
    assert "Groepen 1–10 van 200" in visible_text(response)
    assert len(response.content) < 60_000
