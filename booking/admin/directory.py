"""The directory: organisations, locations and people (who works where).

Superusers manage all of it. Coordinators see every organisation and location, add and edit
their own library's locations (as `selectors.locations_editable_by` says) and see the people
of their own library. A permission policy per model, registered with Wagtail, says which rows
someone may see or change; the listings, the edit, delete and inspect screens and Wagtail's
own actions all ask it, so a typed URL for another library's row is not found (404).
"""

from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from booking.models import Location, Membership, Organisation
from booking.roles import library_of

# -- who may do what to which rows -------------------------------------------------------------


class LibraryScopedPolicy(ModelPermissionPolicy):
    """Django's model permissions say what someone may do; this policy adds to which rows.

    `superuser_actions` are for superusers only, whatever permissions a group grants.
    `library_actions` apply, for everyone else, only to rows whose `library_field` is the
    library the user coordinates courses for.
    """

    superuser_actions: frozenset[str] = frozenset()
    library_actions: frozenset[str] = frozenset()
    library_field = "organisation"

    def user_has_permission(self, user, action):
        if action in self.superuser_actions and not user.is_superuser:
            return False
        return super().user_has_permission(user, action)

    def _is_scoped(self, user, action) -> bool:
        return not user.is_superuser and action in self.library_actions

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if not self._is_scoped(user, action):
            return True
        library = library_of(user)
        owner = getattr(instance, f"{self.library_field}_id")
        return library is not None and owner == library.pk

    def instances_user_has_any_permission_for(self, user, actions):
        rows = self.model._default_manager
        allowed = [action for action in actions if self.user_has_permission(user, action)]
        if not allowed:
            return rows.none()
        if not all(self._is_scoped(user, action) for action in allowed):
            return rows.all()
        library = library_of(user)
        if library is None:
            return rows.none()
        return rows.filter(**{self.library_field: library})


class OrganisationPolicy(LibraryScopedPolicy):
    superuser_actions = frozenset({"add", "change", "delete"})


class LocationPolicy(LibraryScopedPolicy):
    library_actions = frozenset({"change", "delete"})


class MembershipPolicy(LibraryScopedPolicy):
    superuser_actions = frozenset({"add", "change", "delete"})
    library_actions = frozenset({"view"})


# Registered when the admin loads this module (booking/wagtail_hooks.py imports it), before
# Wagtail would make a plain policy for these models.
register_permission_policy(Organisation, OrganisationPolicy(Organisation))
register_permission_policy(Location, LocationPolicy(Location))
register_permission_policy(Membership, MembershipPolicy(Membership))


# -- views that only find rows the user may reach ----------------------------------------------


def _reachable(view, action):
    return view.permission_policy.instances_user_has_permission_for(view.request.user, action)


class IndexView(generic.IndexView):
    related = ()

    def get_base_queryset(self):
        rows = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["view", "change", "delete"]
        )
        return rows.select_related(*self.related)

    def _may(self, action, instance) -> bool:
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, action, instance
        )

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if self._may("change", instance) else None

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if self._may("delete", instance) else None


class EditView(generic.EditView):
    def get_queryset(self):
        return _reachable(self, "change")


class DeleteView(generic.DeleteView):
    def get_queryset(self):
        return _reachable(self, "delete")

    def form_valid(self, form):
        # Groups and bookings keep their organisation and place (PROTECT): refuse, not crash.
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                gettext("%(thing)s is still used, for example by a course group, so it stays.")
                % {"thing": capfirst(str(self.object))},
            )
            return redirect(self.index_url_name)


class InspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(_reachable(self, "view"), pk=self.pk)


# Who edited a row, and which groups use it, is for those who look after the row.
class ScopedHistoryView(HistoryView):
    def get_base_object_queryset(self):
        return _reachable(self, "change")


class ScopedUsageView(UsageView):
    def get_base_object_queryset(self):
        return _reachable(self, "change")


class DirectoryViewSet(ModelViewSet):
    """A directory listing whose every screen looks rows up through the model's policy."""

    icon = "group"
    index_view_class = IndexView
    edit_view_class = EditView
    delete_view_class = DeleteView
    inspect_view_class = InspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    related: tuple[str, ...] = ()

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(related=self.related, **kwargs)


# -- locations: a coordinator's new or edited place belongs to their library -------------------


class LibraryLocationForm:
    """For coordinators, the only organisation to choose is their own library."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.request.user
        if not user.is_superuser:
            library = library_of(user)
            field = form.fields["organisation"]
            field.queryset = Organisation.objects.filter(pk=library.pk if library else None)
            field.empty_label = None
        return form


class LocationCreateView(LibraryLocationForm, generic.CreateView):
    pass


class LocationEditView(LibraryLocationForm, EditView):
    pass


# -- the viewsets ------------------------------------------------------------------------------


class OrganisationViewSet(DirectoryViewSet):
    model = Organisation
    name = "booking_organisations"
    url_prefix = "course-planning/organisations"
    menu_label = _("Organisations")
    menu_order = 210
    icon = "group"
    list_display = ["name", "kind", "municipality", "province"]
    list_filter = ["kind", "province"]


class LocationViewSet(DirectoryViewSet):
    model = Location
    name = "booking_locations"
    url_prefix = "course-planning/locations"
    menu_label = _("Locations")
    menu_order = 200
    icon = "site"
    add_view_class = LocationCreateView
    edit_view_class = LocationEditView
    related = ("organisation",)
    list_display = ["name", "kind", "organisation", "city"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name", "street_address", "city"]


def _person(membership) -> str:
    return get_user_display_name(membership.user)


class MembershipViewSet(DirectoryViewSet):
    model = Membership
    name = "booking_people"
    url_prefix = "course-planning/people"
    menu_label = _("People")
    menu_order = 220
    icon = "user"
    related = ("user", "organisation")
    list_display = [
        "user",
        Column("name", label=_("Name"), accessor=_person),
        "organisation",
        "phone",
        "language",
    ]
    list_filter = ["organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]


VIEWSETS = [LocationViewSet(), OrganisationViewSet(), MembershipViewSet()]
