"""The coordinators' admin: a "Cursusplanning" menu with groups, people, places, reports and
the audit log. Each part lives in booking/admin/ and is listed here once."""

from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html_join
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permission_policies.pages import PagePermissionPolicy

from booking.admin import (
    alerts,
    certificates,
    demand,
    directory,
    groups,
    history,
    invitations,
    reports,
    trainers,
)
from booking.admin import intake as intake_admin
from booking.admin import messages as group_messages

page_permission_policy = PagePermissionPolicy()

intake_admin.register()


class CoursePlanning(ViewSetGroup):
    menu_label = "Cursusplanning"
    menu_icon = "calendar-alt"
    menu_order = 150
    items = (
        *groups.VIEWSETS,
        *directory.VIEWSETS,
        *invitations.VIEWSETS,
        *history.VIEWSETS,
        *reports.VIEWSETS,
    )


@hooks.register("register_admin_viewset")
def register_course_planning():
    return CoursePlanning()


@hooks.register("register_admin_urls")
def register_booking_admin_urls():
    return [*groups.URLS, *history.URLS, *reports.URLS, *alerts.URLS]


@hooks.register("register_admin_urls")
def register_message_admin_urls():
    return group_messages.URLS


@hooks.register("register_admin_urls")
def register_demand_admin_urls():
    return demand.URLS


@hooks.register("register_admin_urls")
def register_trainer_admin_urls():
    return trainers.URLS


@hooks.register("register_admin_urls")
def register_certificate_admin_urls():
    return certificates.URLS


@hooks.register("construct_homepage_panels")
def add_demand_panel(request, panels):
    demand.add_dashboard_panels(request, panels)


@hooks.register("register_account_menu_item")
def notification_settings_menu_item(request):
    return group_messages.account_menu_item(request)


@hooks.register("construct_homepage_panels")
def add_dashboard_panels(request, panels):
    groups.add_dashboard_panels(request, panels)


@hooks.register("insert_global_admin_css")
def course_planning_css():
    return format_html_join(
        "\n",
        '<link rel="stylesheet" href="{}">',
        [(static("css/admin/course-planning.css"),), (static("css/admin/reports.css"),)],
    )


@hooks.register("construct_reports_menu")
def hide_translation_report_from_non_editors(request, menu_items):
    """wagtail-localize shows its translations report to everyone in the admin; it is about
    pages, so people who may not edit any page (coordinators) do not need it."""
    if not page_permission_policy.user_has_any_permission(
        request.user, ["add", "change", "publish"]
    ):
        report = reverse("wagtail_localize:translations_report")
        menu_items[:] = [item for item in menu_items if item.url != report]
