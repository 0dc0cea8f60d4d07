"""Who may open Wagtail's editorial admin.

Wagtail lets everyone with `wagtailadmin.access_admin` open a good part of its admin by URL:
the page, image and document choosers, the admin API's listings, the move confirmation of any
page, reports and wagtail-localize's translation screens. Those views assume that everyone in
the admin edits content. On Leerplein coordinators are in the admin too, to plan courses, and
they hold no editorial permission at all; typing such a URL showed them page titles, images
and documents.

`EditorialAdminMiddleware` keeps the rule in one place: a signed-in user who holds no
editorial permission (on pages, collections or content models) reaches only the admin views
every admin user needs (home, account, log-out, login and its scripts) and the course planning
(booking/admin, which checks each row against the user's library). Anything else in the admin
answers 403. Wagtail's self-test views for errors are for superusers only, and the workflow
task chooser (which Wagtail leaves unchecked) is for those who may set up workflows.
"""

from django.core.exceptions import PermissionDenied
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy

# Apps whose model permissions are not editorial work: the admin's own gate and the course
# planning, which booking/admin guards by library.
_NOT_EDITORIAL_APPS = {"wagtailadmin", "booking"}

# Admin views (by URL name or namespace) that every admin user needs.
_OPEN_URL_NAMES = {
    "wagtailadmin_home",
    "wagtailadmin_account",
    "wagtailadmin_logout",
    "wagtailadmin_dismissibles",
    "wagtailadmin_login",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}
_OPEN_ROUTE_PREFIXES = (
    "admin/course-planning/",
    "admin/localize/jsi18n/",
)
_SUPERUSER_URL_NAMES = {"wagtailadmin_error_test", "core_task_queue"}
_SUPERUSER_ROUTES = {"admin/test404/"}
# Wagtail views that check no permission of their own, with the permissions their work needs.
_ROUTES_NEEDING = {
    "admin/workflows/task_chooser/": ("wagtailcore.add_workflow", "wagtailcore.change_workflow"),
}


def _has_editorial_permission(user) -> bool:
    """Does `user` hold any permission to work on content (pages, media, snippets, settings)?"""
    if PagePermissionPolicy().user_has_any_permission(
        user, ["add", "change", "publish", "bulk_delete", "lock", "unlock"]
    ):
        return True
    for model in (get_image_model(), get_document_model()):
        policy = CollectionOwnershipPermissionPolicy(model, owner_field_name="uploaded_by_user")
        if policy.user_has_any_permission(user, ["add", "change", "choose", "delete"]):
            return True
    return any(
        permission.split(".", 1)[0] not in _NOT_EDITORIAL_APPS
        for permission in user.get_all_permissions()
    )


class EditorialAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        user = getattr(request, "user", None)
        if match is None or not match.route.startswith("admin/"):
            return None
        if user is None or not user.is_authenticated or user.is_superuser:
            return None  # Wagtail sends anonymous visitors to its login page itself.
        if match.url_name in _SUPERUSER_URL_NAMES or match.route in _SUPERUSER_ROUTES:
            raise PermissionDenied
        if match.url_name in _OPEN_URL_NAMES or match.route.startswith(_OPEN_ROUTE_PREFIXES):
            return None
        if not _has_editorial_permission(user):
            raise PermissionDenied
        for start, permissions in _ROUTES_NEEDING.items():
            if match.route.startswith(start) and not any(map(user.has_perm, permissions)):
                raise PermissionDenied
        return None
