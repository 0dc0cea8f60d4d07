"""What every portal page shares: who may open it, for which organisation, and that it is
never cached."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from booking import policies
from booking.errors import BookingError, DeadlinePassed
from booking.models import CourseGroup
from booking.roles import company_of
from booking.selectors import bookings_visible_to, seats_visible_to


@method_decorator(never_cache, name="dispatch")
class PortalMixin:
    """Signed-in contact persons of an SW company or a referral partner only; everyone else
    signs in first or is told (403) that the portal is for those organisations.

    `self.organisation` is the user's own organisation: the portal never takes it from the
    request.
    """

    portal_section = ""
    # The URL name of each section's own page; pages below it mark the section "true".
    SECTION_PAGES = {
        "overview": "overview",
        "groups": "find_groups",
        "calendar": "calendar",
        "api_keys": "api_keys",
        "webhooks": "webhooks",
    }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.organisation = company_of(request.user)
        if self.organisation is None:
            return TemplateResponse(request, "booking/portal/not_for_you.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def bookings(self):
        """The bookings this page may show: the user's own organisation's, even for a
        superuser who also books for a company."""
        return bookings_visible_to(self.request.user).filter(organisation=self.organisation)

    def seats(self):
        return seats_visible_to(self.request.user).filter(booking__organisation=self.organisation)

    def change_state(self, group: CourseGroup) -> "ChangeState":
        return change_state(group, organisation=self.organisation, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        match = self.request.resolver_match
        on_section_page = match and match.url_name == self.SECTION_PAGES.get(self.portal_section)
        context.update(
            organisation=self.organisation,
            portal_section=self.portal_section,
            portal_current="page" if on_section_page else "true",
        )
        return context


@dataclass(frozen=True)
class ChangeState:
    """Whether a contact person may still change the seats of a group, and if not, why.

    After the cancellation deadline the library can still help: `call_library` says to show
    its phone number and e-mail address.
    """

    allowed: bool
    message: str = ""
    call_library: bool = False


def change_state(group: CourseGroup, *, organisation, user, now=None) -> ChangeState:
    """What `policies.check_can_change_seats` says, which the services ask again on POST."""
    error = policies.refusal(
        policies.check_can_change_seats, group, organisation=organisation, by=user, now=now
    )
    if error is None:
        return ChangeState(True)
    return ChangeState(False, error.summary, call_library=isinstance(error, DeadlinePassed))


class ActionView(PortalMixin, TemplateView):
    """A page with one form that changes something through booking/services.py.

    GET shows the form (a confirmation step for cancelling) and changes nothing; a valid
    POST calls `perform`, which returns the success message and where to go next. A
    BookingError becomes an error in the form, with the service's message, and nothing
    changes.
    """

    form_class = None

    def get_object(self):
        raise NotImplementedError

    def get_form_kwargs(self):
        return {}

    def get_form(self, data=None):
        return self.form_class(data, **self.get_form_kwargs())

    def perform(self, form) -> tuple[str, str]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                message, url = self.perform(form)
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, message)
                return redirect(url)
        return self.render_to_response(self.get_context_data(form=form))
