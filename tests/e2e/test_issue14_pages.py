"""Issue 14's remaining pages in Chromium, checked by axe-core in Dutch and English: the
"Verder leren" section on the booking of the demo's completed group (KonnecteD, Deventer),
the evaluation's page for its coordinator, the practice example with live figures, and the
evaluation, outcome and repeat participation reports in the admin. Nothing is changed."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from booking.models import Booking, CourseGroup
from stories.models import PracticeExamplePage

from .live_data import committed
from .test_issue13_pages import DESKTOP, admin_check, admin_log_in, admin_page, set_language
from .test_portal import LANGUAGES, PHONE, address, check
from .test_portal import log_in as portal_log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

COORDINATOR = "coordinator-deventer"
NEXT_STEP = {"nl": "Verder leren", "en": "Keep learning"}
REPORTS = ("evaluations", "outcomes", "repeat-participation")


def completed_booking() -> Booking:
    group = CourseGroup.objects.get(status=CourseGroup.Status.COMPLETED)
    return group.bookings.filter(organisation__slug="konnected").order_by("pk").first()


@pytest.fixture
def coordinator_speaks():
    """coordinator_speaks(lang): the Deventer coordinator's admin language; set back after."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(get_user_model().objects.get(username=COORDINATOR))
    chosen = profile.preferred_language
    yield lambda language: committed(lambda: set_language(profile.pk, language))
    committed(lambda: set_language(profile.pk, chosen))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_the_next_step_and_the_live_figures(
    browser, live_site, screenshot, lang
):
    booking = committed(completed_booking)
    story = committed(
        lambda: (
            PracticeExamplePage.objects.live()
            .get(slug={"nl": "bibliotheek-gouda-en-promen", "en": "gouda-library-and-promen"}[lang])
            .url
        )
    )
    page = browser.new_context(base_url=live_site.url, viewport=PHONE).new_page()
    portal_log_in(page, lang, "contact-konnected")
    problems = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        problems += check(
            page, screenshot, lang, "next-step", address(lang, "portal:booking", pk=booking.pk)
        )
        expect(page.get_by_role("heading", name=NEXT_STEP[lang])).to_be_visible()
        problems += check(page, screenshot, lang, "live-figures", story)
    page.context.close()
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_the_coordinators_new_pages(
    browser, live_site, coordinator_speaks, screenshot, lang
):
    coordinator_speaks(lang)
    group = committed(lambda: CourseGroup.objects.get(status=CourseGroup.Status.COMPLETED))
    page = admin_page(browser, live_site, lang, DESKTOP)
    admin_log_in(page, COORDINATOR)
    problems = []
    for name in REPORTS:
        problems += admin_check(
            page, screenshot, lang, name, f"/admin/course-planning/reports/{name}/"
        )
    page.context.close()

    # The evaluation's page is on the public site, for coordinators and trainers alike.
    public = browser.new_context(base_url=live_site.url, viewport=PHONE).new_page()
    public.goto("/admin/login/")
    public.locator("#id_username").press_sequentially(COORDINATOR)
    public.locator("#id_password").press_sequentially("leerplein-demo")
    public.keyboard.press("Enter")
    public.wait_for_url("**/admin/")
    problems += check(
        public, screenshot, lang, "evaluation-open", address(lang, "evaluation:open", pk=group.pk)
    )
    public.context.close()
    assert not problems, "\n\n".join(problems)
