from types import SimpleNamespace

import pytest

from tests.booking.factories import (
    CourseGroupFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    LibraryFactory,
    LocationFactory,
    UserFactory,
)


@pytest.fixture
def courses(site_tree):
    """The site tree with a course index, a course, an open and a draft group at Gouda, and
    Gouda's coordinator."""
    index = CourseIndexPageFactory(parent=site_tree.home, show_in_menus=True)
    course = CoursePageFactory(parent=index, slug="klik-en-tik", title="Klik & Tik")
    library = LibraryFactory(name="Bibliotheek Woerden", slug="bibliotheek-woerden")
    location = LocationFactory(organisation=library, name="Bibliotheek Woerden")
    return SimpleNamespace(
        index=index,
        course=course,
        open=CourseGroupFactory(course=course, library=library, location=location),
        draft=CourseGroupFactory(course=course, library=library, location=location, draft=True),
        coordinator=UserFactory(username="coordinator-woerden", organisation=library),
    )
