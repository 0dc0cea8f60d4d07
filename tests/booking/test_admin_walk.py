"""Every admin URL, typed by hand, as each role.

The walk takes every URL pattern under /admin/ from the URL resolver (Wagtail's own, the
plugins' and ours), fills its path parameters with real ids of rows that belong to someone
else (Deventer's course group, booking, seats and location, a story page, an image, a
document, a user, a group, ...) and GETs it. A URL that a role has no business with must be
refused (403, 404 or Wagtail's redirect away from the view); anonymous visitors are sent to
the login page. Only the URLs listed per role below may answer something else, and none
may answer 5xx.
"""

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale
from wagtail.models import Task as WorkflowTaskModel

from booking.models import Membership
from booking.services import SeatRequest, reserve_seats
from home.editorial import EDITORS, FINAL_EDITORS, ensure_editorial_setup
from tests.conftest import new_home_page
from tests.factories import ImageFactory, StoryIndexPageFactory, ThemeFactory

from .admin_helpers import is_refusal
from .factories import (
    CourseGroupFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    LocationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def admin_routes():
    """Every URL pattern under admin/, as its route text."""

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, route)
            else:
                yield route

    return [route for route in walk(get_resolver(), "") if route.startswith("admin/")]


# Views that exist for everyone who may open the admin at all (or for nobody): the login
# and password-reset pages, translations for the admin's scripts, the icon sprite, one's
# own account and logging out.
PUBLIC_ROUTES = {
    "admin/login/",
    "admin/password_reset/",
    "admin/password_reset/done/",
    "admin/password_reset/confirm/<uidb64>/<token>/",
    "admin/password_reset/complete/",
    "admin/jsi18n/",
    "admin/localize/jsi18n/",
    "admin/sprite/",
    # Wagtail's own error pages for testing a setup: a 404 and a 500 on purpose.
    "admin/test404/",
    "admin/failwhale/",
}
SIGNED_IN_ROUTES = {
    "admin/",
    "admin/account/",
    "admin/logout/",
    "admin/dismissibles/",
}


@pytest.fixture
def world(people, english):
    """Two libraries with a group, a booking and a location each; a site with a story index;
    an image, a document, a theme, a redirect; coordinators, contact persons and editors."""
    home, site = new_home_page()
    stories = StoryIndexPageFactory(parent=home, slug="verhalen")
    stories.save_revision()
    groups, workflow = ensure_editorial_setup([stories])
    editor = UserFactory(username="editor")
    editor.groups.add(groups[EDITORS])
    moderator = UserFactory(username="moderator")
    moderator.groups.add(groups[FINAL_EDITORS])

    deventer_place = LocationFactory(organisation=people.deventer, name="Deventer")
    LocationFactory(organisation=people.gouda, name="Gouda")
    deventer_group = CourseGroupFactory(
        course=_course(home), library=people.deventer, location=deventer_place
    )
    booking = reserve_seats(
        group=deventer_group,
        organisation=people.konnected,
        by=people.contact_konnected,
        seats=[SeatRequest(first_name="Annemarie")],
    ).booking
    document = get_document_model().objects.create(
        title="Jaarverslag Deventer", file=ContentFile(b"%PDF-1.4", name="jaarverslag.pdf")
    )
    return SimpleNamespace(
        people=people,
        site=site,
        page=stories,
        group=deventer_group,
        booking=booking,
        seat=booking.seats.first(),
        session=deventer_group.sessions.first(),
        location=deventer_place,
        membership=Membership.objects.get(user=people.coordinator_deventer),
        image=ImageFactory(title="Foto Deventer"),
        document=document,
        theme=ThemeFactory(),
        redirect=Redirect.objects.create(old_path="/oud", redirect_link="/nieuw"),
        workflow=workflow,
        task=WorkflowTaskModel.objects.first(),
        editor=editor,
        moderator=moderator,
        group_of_users=Group.objects.get(name=EDITORS),
    )


def _course(home):
    index = CourseIndexPageFactory(parent=home)
    return CoursePageFactory(parent=index, slug="klik-en-tik")


# Which row a bare <pk> names, by the start of the route.
def _pk_for(route, w):
    rows = [
        ("admin/course-planning/groups/", w.group.pk),
        ("admin/course-planning/history/group/", w.group.pk),
        ("admin/course-planning/history/booking/", w.booking.pk),
        ("admin/course-planning/locations/", w.location.pk),
        ("admin/course-planning/organisations/", w.people.deventer.pk),
        ("admin/course-planning/people/", w.membership.pk),
        ("admin/users/", w.people.coordinator_deventer.pk),
        ("admin/groups/", w.group_of_users.pk),
        ("admin/collections/", Collection.get_first_root_node().pk),
        ("admin/workflows/tasks/", w.task.pk),
        ("admin/workflows/", w.workflow.pk),
        ("admin/locales/", Locale.get_default().pk),
        ("admin/sites/", w.site.pk),
        ("admin/snippets/", w.theme.pk),
        ("admin/localize/", w.theme.pk),
        ("admin/api/main/^documents/", w.document.pk),
        ("admin/api/main/^images/", w.image.pk),
        ("admin/documents/", w.document.pk),
        ("admin/images/", w.image.pk),
        ("admin/settings/", 1),
    ]
    return next((pk for start, pk in rows if route.startswith(start)), w.page.pk)


def fill(route, w):
    """A real URL for `route`, naming someone else's rows."""
    if "revisions/compare" in route:
        return f"/admin/pages/{w.page.pk}/revisions/compare/earliest...latest/"
    page_type = ContentType.objects.get_for_model(type(w.page.specific))
    values = {
        "page_id": w.page.pk,
        "parent_page_id": w.page.pk,
        "page_to_move_id": w.page.pk,
        "page_pk": w.page.pk,
        "destination_id": w.page.get_parent().pk,
        "image_id": w.image.pk,
        "document_id": w.document.pk,
        "doc_id": w.document.pk,
        "collection_id": Collection.get_first_root_node().pk,
        "redirect_id": w.redirect.pk,
        "revision_id": w.page.latest_revision_id,
        "seat_pk": w.seat.pk,
        "session_pk": w.session.pk,
        "workflow_pk": w.workflow.pk,
        "task_id": w.task.pk,
        "content_type_app_name": page_type.app_label,
        "content_type_model_name": page_type.model,
        "filter_spec": "original",
        "mode": "desktop",
        "action": "delete",
        "action_name": "delete",
        "object_id": str(w.page.pk),
        "uidb64": "MQ",
        "token": "set-password",
    }
    if route.startswith("admin/settings/"):
        values.update(app_name="home", model_name="sitesettings")
    else:
        values.update(app_label="stories", model_name="theme", app_name="stories")

    def value(match):
        name = match.group(1)
        return str(values[name]) if name in values else str(_pk_for(route, w))

    url = re.sub(r"<(?:\w+:)?(\w+)>", value, route)
    return "/" + url.replace("^", "").replace("$", "")


def walk(client, w):
    """GET every admin URL; {route: response}."""
    answers = {}
    # Logging out last: the walk goes on as the same user.
    routes = sorted(admin_routes(), key=lambda route: route == "admin/logout/")
    for route in routes:
        if route == "admin/^.*/$":
            continue
        answers[route] = client.get(fill(route, w))
    return answers


# Coordinators plan courses for their own library (DESIGN.md): the course-planning screens
# without an id (each lists only their library's rows), the directory's organisations and
# locations (shared addresses every library plans with; changing them is refused elsewhere)
# and nothing of Wagtail's editorial admin: no pages, images, documents, snippets, users.
COORDINATOR_ROUTES = SIGNED_IN_ROUTES | {
    # Issue 14: the intake's questions and advice rules (the same for every library) and the
    # evaluation, outcome and repeat participation reports.
    "admin/course-planning/intake/advice-rules/",
    "admin/course-planning/intake/advice-rules/add/",
    "admin/course-planning/intake/advice-rules/choose/",
    "admin/course-planning/intake/advice-rules/choose/chosen-multiple/",
    "admin/course-planning/intake/advice-rules/choose/create/",
    "admin/course-planning/intake/advice-rules/choose/results/",
    "admin/course-planning/intake/advice-rules/results/",
    "admin/course-planning/intake/questions/",
    "admin/course-planning/intake/questions/add/",
    "admin/course-planning/intake/questions/choose/",
    "admin/course-planning/intake/questions/choose/chosen-multiple/",
    "admin/course-planning/intake/questions/choose/create/",
    "admin/course-planning/intake/questions/choose/results/",
    "admin/course-planning/intake/questions/results/",
    "admin/course-planning/reports/evaluations/",
    "admin/course-planning/reports/evaluations/results/",
    "admin/course-planning/reports/outcomes/",
    "admin/course-planning/reports/outcomes/results/",
    "admin/course-planning/reports/repeat-participation/",
    "admin/course-planning/reports/repeat-participation/results/",
    "admin/course-planning/groups/",
    "admin/course-planning/groups/results/",
    "admin/course-planning/groups/new/",
    "admin/course-planning/locations/",
    "admin/course-planning/locations/results/",
    "admin/course-planning/locations/new/",
    "admin/course-planning/locations/inspect/<int:pk>/",
    "admin/course-planning/organisations/",
    "admin/course-planning/organisations/results/",
    "admin/course-planning/organisations/inspect/<int:pk>/",
    "admin/course-planning/people/",
    "admin/course-planning/people/results/",
    "admin/course-planning/invite/",
    "admin/course-planning/log/",
    "admin/course-planning/log/results/",
    "admin/course-planning/reports/occupancy/",
    "admin/course-planning/reports/occupancy/results/",
    "admin/course-planning/reports/companies/",
    "admin/course-planning/reports/companies/results/",
    "admin/course-planning/reports/waiting-lists/",
    "admin/course-planning/reports/waiting-lists/results/",
    "admin/course-planning/reports/attendance/",
    "admin/course-planning/reports/attendance/results/",
    # How the coordinator hears about bookings: their own setting.
    "admin/course-planning/messages/settings/",
}

# Editors ("Redactie") write and translate every page, so every page screen that does not
# publish, delete or move; images, documents, themes and their choosers; the reports about
# pages and workflows; the contact form's submissions (they answer them). Organisations
# only to read (stories name them). No course groups, bookings, people, users or groups, no
# set-up (sites, locales, collections, workflows, redirects, settings). Several of these
# answer a GET with 405: they only take a POST.
EDITOR_ROUTES = SIGNED_IN_ROUTES | {
    "admin/course-planning/organisations/",
    "admin/course-planning/organisations/results/",
    "admin/course-planning/organisations/inspect/<int:pk>/",
    "admin/api/main/^pages/",
    "admin/api/main/^pages/<int:pk>/",
    "admin/api/main/^pages/<int:pk>/action/<str:action_name>/",
    "admin/api/main/^documents/",
    "admin/api/main/^documents/<int:pk>/",
    "admin/api/main/^images/",
    "admin/api/main/^images/<int:pk>/",
    "admin/pages/",
    "admin/pages/<int:parent_page_id>/",
    "admin/pages/<int:parent_page_id>/results/",
    "admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>/<int:parent_page_id>/preview/",
    "admin/pages/usage/<slug:content_type_app_name>/<slug:content_type_model_name>/",
    "admin/pages/usage/<slug:content_type_app_name>/<slug:content_type_model_name>/results/",
    "admin/pages/<int:page_id>/usage/",
    "admin/pages/<int:page_id>/edit/",
    "admin/pages/<int:page_id>/edit/preview/",
    "admin/pages/<int:page_id>/view_draft/",
    "admin/pages/<int:parent_page_id>/add_subpage/",
    "admin/pages/search/",
    "admin/pages/search/results/",
    "admin/pages/<int:page_to_move_id>/set_position/",
    "admin/pages/<int:page_id>/copy/",
    "admin/pages/workflow/confirm_cancellation/<int:page_id>/",
    "admin/pages/<int:page_id>/lock/",
    "admin/pages/<int:page_id>/unlock/",
    "admin/pages/<int:page_id>/revisions/",
    "admin/pages/<int:page_id>/revisions/<int:revision_id>/view/",
    "admin/pages/<int:page_id>/revisions/<int:revision_id>/revert/",
    r"admin/pages/^(?P<pk>\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\d+)\.\.\.(?P<revision_id_b>live|latest|\d+)/$",
    "admin/pages/<int:page_id>/workflow_history/",
    "admin/pages/<int:page_id>/history/",
    "admin/pages/<int:page_id>/history/results/",
    "admin/choose-page/",
    "admin/choose-page/<int:parent_page_id>/",
    "admin/choose-page/search/",
    "admin/choose-page/chosen-multiple/",
    "admin/choose-external-link/",
    "admin/choose-email-link/",
    "admin/choose-phone-link/",
    "admin/choose-anchor-link/",
    "admin/tag-autocomplete/",
    "admin/workflows/enable/<int:pk>/",
    "admin/workflows/remove/<int:page_pk>/",
    "admin/workflows/remove/<int:page_pk>/<int:workflow_pk>/",
    "admin/workflows/tasks/enable/<int:pk>/",
    "admin/reports/workflow/",
    "admin/reports/workflow/results/",
    "admin/reports/workflow_tasks/",
    "admin/reports/workflow_tasks/results/",
    "admin/reports/site-history/",
    "admin/reports/site-history/results/",
    "admin/reports/aging-pages/",
    "admin/reports/aging-pages/results/",
    "admin/reports/page-types-usage/",
    "admin/reports/page-types-usage/results/",
    "admin/editing-sessions/ping/<str:app_label>/<str:model_name>/<str:object_id>/<int:session_id>/",
    "admin/editing-sessions/release/<int:session_id>/",
    "admin/localize/submit/page/<int:page_id>/",
    "admin/localize/submit/snippet/<slug:app_label>/<slug:model_name>/<str:pk>/",
    "admin/localize/translate/<int:translation_id>/strings/<int:string_segment_id>/edit/",
    "admin/localize/translate/<int:translation_id>/overrides/<int:overridable_segment_id>/edit/",
    "admin/localize/translate/<int:translation_id>/pofile/upload/",
    "admin/localize/translate/<int:translation_id>/machine_translate/",
    "admin/localize/translate/<int:translation_id>/disable/",
    "admin/localize/reports/translations/",
    "admin/localize/api/snippets/<slug:app_label>/<slug:model_name>/",
    "admin/localize/api/snippets/<slug:app_label>/<slug:model_name>/<str:pk>/",
    "admin/localize/reports/translations/results/",
    "admin/forms/",
    "admin/forms/results/",
    "admin/embeds/chooser/",
    "admin/embeds/chooser/upload/",
    "admin/snippets/",
    "admin/documents/",
    "admin/documents/results/",
    "admin/documents/add/",
    "admin/documents/edit/<int:document_id>/",
    "admin/documents/delete/<int:document_id>/",
    "admin/documents/multiple/add/",
    "admin/documents/multiple/<int:doc_id>/",
    "admin/documents/multiple/create_from_uploaded_document/<int:uploaded_file_id>/",
    "admin/documents/multiple/<int:doc_id>/delete/",
    "admin/documents/multiple/delete_upload/<int:uploaded_file_id>/",
    "admin/documents/usage/<int:document_id>/",
    "admin/images/",
    "admin/images/results/",
    "admin/images/<int:image_id>/",
    "admin/images/<int:image_id>/delete/",
    "admin/images/<int:image_id>/preview/<str:filter_spec>/",
    "admin/images/add/",
    "admin/images/usage/<int:image_id>/",
    "admin/images/multiple/add/",
    "admin/images/multiple/<int:image_id>/",
    "admin/images/multiple/create_from_uploaded_image/<int:uploaded_file_id>/",
    "admin/images/multiple/<int:image_id>/delete/",
    "admin/images/multiple/delete_upload/<int:uploaded_file_id>/",
    "admin/snippets/stories/theme/",
    "admin/snippets/stories/theme/results/",
    "admin/snippets/stories/theme/add/",
    "admin/snippets/stories/theme/edit/<int:pk>/",
    "admin/snippets/stories/theme/usage/<int:pk>/",
    "admin/snippets/stories/theme/history/<int:pk>/",
    "admin/snippets/stories/theme/history-results/<int:pk>/",
    "admin/snippets/stories/theme/copy/<int:pk>/",
    "admin/snippets/choose/stories/theme/",
    "admin/snippets/choose/stories/theme/results/",
    "admin/snippets/choose/stories/theme/chosen/<str:pk>/",
    "admin/snippets/choose/stories/theme/chosen-multiple/",
    "admin/snippets/choose/stories/theme/create/",
    "admin/documents/chooser/",
    "admin/documents/chooser/results/",
    "admin/documents/chooser/chosen/<str:pk>/",
    "admin/documents/chooser/chosen-multiple/",
    "admin/documents/chooser/create/",
    "admin/images/chooser/",
    "admin/images/chooser/results/",
    "admin/images/chooser/chosen/<str:pk>/",
    "admin/images/chooser/chosen-multiple/",
    "admin/images/chooser/create/",
    "admin/images/chooser/<int:image_id>/select_format/",
}

# Final editors ("Eindredactie") publish, so they also unpublish, delete, move, unschedule,
# set privacy and see which pages are locked.
MODERATOR_ROUTES = EDITOR_ROUTES | {
    "admin/pages/<int:page_id>/delete/",
    "admin/pages/<int:page_id>/unpublish/",
    "admin/pages/<int:page_to_move_id>/move/",
    "admin/pages/<int:page_to_move_id>/move/<int:destination_id>/confirm/",
    "admin/pages/<int:page_id>/privacy/",
    "admin/pages/<int:page_id>/revisions/<int:revision_id>/unschedule/",
    "admin/reports/locked/",
    "admin/reports/locked/results/",
}


def people_of(world):
    return {
        "anonymous": None,
        # Contact persons book in the portal and the API (DESIGN.md); nothing in /admin/.
        "contact person": world.people.contact_promen,
        "coordinator": world.people.coordinator_gouda,
        "editor": world.editor,
        "moderator": world.moderator,
    }


ALLOWED = {
    "anonymous": set(),
    "contact person": set(),
    "coordinator": COORDINATOR_ROUTES,
    "editor": EDITOR_ROUTES,
    "moderator": MODERATOR_ROUTES,
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_every_admin_url_refuses_what_a_role_has_no_business_with(world, role):
    client = Client(raise_request_exception=False)
    user = people_of(world)[role]
    if user is not None:
        client.force_login(user)
    login = reverse("wagtailadmin_login")

    wrong = []
    for route, response in walk(client, world).items():
        status = response.status_code
        if status >= 500:
            wrong.append(f"{status} {route}")
        elif route in PUBLIC_ROUTES - {"admin/test404/", "admin/failwhale/"}:
            continue
        elif role == "anonymous":
            if status != 302 or not response["Location"].startswith(login):
                wrong.append(f"{status} {route} (not sent to the login page)")
        elif route not in ALLOWED[role] and not is_refusal(response):
            wrong.append(f"{status} {route}")
    assert wrong == []


def test_the_walk_reaches_every_part_of_the_admin(world):
    """A walk that silently skipped Wagtail's or our screens would prove nothing."""
    routes = admin_routes()
    assert len(routes) > 250
    for part in ("pages/", "images/", "documents/", "users/", "groups/", "course-planning/"):
        assert any(route.startswith("admin/" + part) for route in routes), part


def test_a_coordinator_no_longer_sees_another_page_in_the_move_confirmation(client, world):
    client.force_login(world.people.coordinator_gouda)
    url = reverse(
        "wagtailadmin_pages:move_confirm", args=[world.page.pk, world.page.get_parent().pk]
    )
    response = client.get(url)
    assert is_refusal(response)
    assert world.page.title not in response.content.decode()


def test_an_editor_who_may_not_move_pages_cannot_open_the_move_confirmation(client, world):
    client.force_login(world.editor)
    url = reverse(
        "wagtailadmin_pages:move_confirm", args=[world.page.pk, world.page.get_parent().pk]
    )
    assert is_refusal(client.get(url))


def test_a_moderator_still_moves_pages(client, world):
    client.force_login(world.moderator)
    url = reverse(
        "wagtailadmin_pages:move_confirm", args=[world.page.pk, world.page.get_parent().pk]
    )
    assert client.get(url).status_code == 200


def test_a_coordinator_still_plans_courses(client, world):
    client.force_login(world.people.coordinator_gouda)
    assert client.get(reverse("course_groups:index")).status_code == 200
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
