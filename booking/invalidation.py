"""Which cached public pages a change of a course group touches (core/cache.py).

The public sees a group only while it is open (booking/selectors.py: the course pages, the
course index and the home page list open groups). A change refreshes those pages when the
group was open before it or is open after it; anything else (a draft planned or edited, a
new trainer on a closed group) changes nothing public and leaves every cached page alone.

Of those pages only the home page is kept whole in the page cache (it names the planned
courses); course pages and the course index show live seat counts and are rendered for
every visitor, and their cached fragments (course texts) do not show groups. So the change
bumps the `courses` list; the front-end cache is asked to forget all of them, in every
language. The course pages' search documents are renewed too: a course is found by the places
of its open groups.
"""

from django.conf import settings
from wagtail.models import Page

from booking.models import CourseGroup, CourseIndexPage, CoursePage
from core.cache import COURSES, refresh
from core.search import index_pages

PUBLIC_STATUSES = frozenset({CourseGroup.Status.OPEN})


def refresh_pages_showing(group: CourseGroup) -> None:
    """Call within the transaction that changed `group`, after saving (or deleting) it.

    Every save of a group writes a history record in that transaction, so its last two
    records are the group as it is now and as it was before; their statuses decide, and
    their courses are the pages to refresh (a group may move to another course).
    """
    records = []
    if group.pk is not None:  # a deleted group is known by its last state only
        records = list(
            CourseGroup.history.filter(id=group.pk)
            .order_by("-history_id")
            .values_list("status", "course_id")[:2]
        )
    statuses = {group.status, *(status for status, _course in records)}
    if not statuses & PUBLIC_STATUSES:
        return
    course_ids = {group.course_id, *(course for _status, course in records)}
    keys = CoursePage.objects.filter(pk__in=course_ids).values("translation_key")
    # A course is found by the places and libraries of its open groups.
    index_pages(CoursePage.objects.filter(translation_key__in=keys))
    urls = set()
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        pages = Page.objects.live().filter(translation_key__in=keys)
        pages |= Page.objects.live().type(CourseIndexPage) | Page.objects.live().filter(depth=2)
        urls = {page.get_full_url() for page in pages} - {None}
    refresh({COURSES}, urls=urls)
