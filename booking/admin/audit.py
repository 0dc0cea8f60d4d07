"""What the admin's audit log, reports and invitations share: who may open them, their menu
item, and filters whose choices are limited to what the user may see.

The history itself is read by booking/history.py; exports go through core/exports.py.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.admin.menu import MenuItem

from booking.roles import library_of


def is_planner(user) -> bool:
    """Superusers and library coordinators; SW contact persons and editors are not."""
    return bool(user.is_active and (user.is_superuser or library_of(user) is not None))


class PlannerRequiredMixin:
    """Refuses (403) everyone who does not plan courses."""

    def dispatch(self, request, *args, **kwargs):
        if not is_planner(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PlannerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_planner(request.user)


class ScopedFiltersMixin:
    """Filters on a listing whose choices are limited to what the user may see.

    A typed URL naming another library's group or organisation is refused (404) instead of
    being ignored, so nobody mistakes their own figures for someone else's. Other invalid
    values (a date that does not exist) show their error and no rows.
    """

    scoped_filters: tuple[str, ...] = ()

    @cached_property
    def filters_are_valid(self) -> bool:
        if not self.filters:
            return True
        if self.filters.is_valid():
            return True
        if any(name in self.filters.errors for name in self.scoped_filters):
            raise Http404
        return False

    def filter_queryset(self, queryset):
        if not self.filters_are_valid:
            return queryset.none()
        return super().filter_queryset(queryset)

    @cached_property
    def active_filters(self):
        return super().active_filters if self.filters_are_valid else []
