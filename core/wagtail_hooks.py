"""The task queue for the operator, in the Wagtail admin: Settings → Task queue.

Superusers only: the page shows which background work waits or failed across the whole
site. Others get Wagtail's own answer (a redirect to the dashboard with "no permission").
The same figures as `manage.py task_queue` (core/worker.py `queue_summary`); a failure shows
its task, time and exception class, never the task's arguments or traceback, which can hold
people's details.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.worker import queue_summary, uses_database_queue


def is_operator(user) -> bool:
    return bool(user.is_active and user.is_superuser)


class TaskQueueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "core/task_queue.html"
    page_title = _("Task queue")
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        if not is_operator(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            summary=queue_summary(), database_queue=uses_database_queue(), **kwargs
        )


class OperatorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_operator(request.user)


@hooks.register("register_admin_urls")
def register_task_queue_url():
    return [path("task-queue/", TaskQueueView.as_view(), name="core_task_queue")]


@hooks.register("register_settings_menu_item")
def register_task_queue_menu_item():
    return OperatorMenuItem(
        _("Task queue"), reverse("core_task_queue"), icon_name="list-ol", order=900
    )
