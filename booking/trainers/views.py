"""The trainers' pages, phone first: my sessions, one session's attendance and notes, and the
private calendar address with the feed behind it.

Only signed-in trainers and volunteers (roles.trains_for) open them; anyone else signs in
first or is told (403) that the pages are for trainers. A trainer only ever finds the
sessions of the groups they are assigned to: another group's session is a 404, by GET and
POST alike. Every change goes through booking.services, whose refusal is shown on the form.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from booking import evaluations, policies, services
from booking.calendar import trainer_calendar
from booking.errors import BookingError
from booking.models import Attendance, CourseGroup, Seat, Session, SessionNote, TrainerCalendar
from booking.roles import trains_for
from booking.selectors import course_titles
from core.site_url import absolute_url

from .forms import AttendanceForm, SessionNoteForm

RECENT = datetime.timedelta(weeks=4)


@method_decorator(never_cache, name="dispatch")
class TrainerMixin:
    """Signed-in trainers and volunteers only. `self.library` is the library they teach for."""

    trainer_section = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.library = trains_for(request.user)
        if self.library is None:
            return TemplateResponse(request, "booking/trainer/not_for_you.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def sessions(self):
        """The sessions of the groups this trainer teaches (never a draft's)."""
        return (
            Session.objects.filter(
                group__library=self.library,
                group__trainer_assignments__trainer=self.request.user,
            )
            .exclude(group__status=CourseGroup.Status.DRAFT)
            .select_related("group__course", "group__location")
            .order_by("date", "starts_at", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(library=self.library, trainer_section=self.trainer_section)
        return context


def _with_titles(sessions):
    sessions = list(sessions)
    titles = course_titles(session.group.course for session in sessions)
    for session in sessions:
        session.course_title = titles[session.group.course_id]
    return sessions


class MySessionsView(TrainerMixin, TemplateView):
    """Today's and coming sessions first, then those of the last four weeks, newest first."""

    template_name = "booking/trainer/my_sessions.html"
    trainer_section = "sessions"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        sessions = _with_titles(self.sessions().filter(date__gte=today - RECENT))
        context.update(
            today=today,
            coming=[session for session in sessions if session.date >= today],
            recent=[session for session in reversed(sessions) if session.date < today],
        )
        return context


class SessionView(TrainerMixin, TemplateView):
    """One session: who has a seat (first names only), their attendance, and notes for the
    coordinator. POST saves the attendance through services.record_attendance."""

    template_name = "booking/trainer/session.html"
    trainer_section = "sessions"

    def dispatch(self, request, *args, **kwargs):
        self.pk = kwargs["pk"]
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def session(self):
        session = get_object_or_404(self.sessions(), pk=self.pk)
        session.course_title = course_titles([session.group.course])[session.group.course_id]
        return session

    @cached_property
    def seats(self):
        return list(
            Seat.objects.confirmed()
            .filter(booking__group=self.session.group_id)
            .order_by("first_name", "pk")
        )

    @cached_property
    def refusal(self):
        return policies.refusal(
            policies.check_can_record_attendance,
            self.session.group,
            session_date=self.session.date,
            by=self.request.user,
        )

    def attendance_form(self, data=None):
        marks = dict(self.session.attendance.values_list("seat_id", "status"))
        return AttendanceForm(data, seats=self.seats, marks=marks)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        form = self.attendance_form(request.POST)
        if self.refusal is None and form.is_valid():
            try:
                services.record_attendance(
                    session=self.session,
                    present_seat_ids=form.ids_with(Attendance.Status.PRESENT),
                    excused_seat_ids=form.ids_with(Attendance.Status.EXCUSED),
                    by=request.user,
                )
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The attendance is saved."))
                return redirect(session_url(self.session))
        return self.render_to_response(self.get_context_data(attendance_form=form), status=400)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("attendance_form", self.attendance_form())
        kwargs.setdefault("note_form", SessionNoteForm())
        context = super().get_context_data(**kwargs)
        context.update(
            session=self.session,
            group=self.session.group,
            seats=self.seats,
            refusal=self.refusal.message if self.refusal else "",
            notes=SessionNote.objects.filter(
                session=self.session, author=self.request.user
            ).order_by("-created_at", "-pk"),
            note_url=reverse("trainers:session_note", kwargs={"pk": self.session.pk}),
            # At the last lesson the trainer hands round the evaluation (booking/evaluation/).
            can_evaluate=policies.allows(evaluations.check_can_evaluate, self.session.group),
            evaluation_url=reverse("evaluation:open", args=[self.session.group_id]),
        )
        return context


class SessionNoteView(SessionView):
    """POST writes a note about the session (services.write_session_note); GET goes back to
    the session's page, where the note form is."""

    def get(self, request, *args, **kwargs):
        return redirect(session_url(self.session))

    def post(self, request, *args, **kwargs):
        form = SessionNoteForm(request.POST)
        if form.is_valid():
            try:
                services.write_session_note(
                    session=self.session, text=form.cleaned_data["text"], by=request.user
                )
            except BookingError as error:
                form.add_error("text" if error.argument == "text" else None, error.message)
            else:
                messages.success(request, _("Your note is saved. The coordinator can read it."))
                return redirect(session_url(self.session))
        return self.render_to_response(self.get_context_data(note_form=form), status=400)


def session_url(session) -> str:
    return reverse("trainers:session", kwargs={"pk": session.pk})


def feed_url(calendar) -> str:
    return absolute_url(reverse("trainers:calendar_feed", kwargs={"token": calendar.token}))


class CalendarView(TrainerMixin, TemplateView):
    """The trainer's own calendar address; POST makes one if there is none yet."""

    template_name = "booking/trainer/calendar.html"
    trainer_section = "calendar"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        calendar = TrainerCalendar.objects.filter(trainer=self.request.user).first()
        context.update(calendar=calendar, feed_url=feed_url(calendar) if calendar else "")
        return context

    def post(self, request, *args, **kwargs):
        if not TrainerCalendar.objects.filter(trainer=request.user).exists():
            services.renew_trainer_calendar(trainer=request.user)
            messages.success(request, _("Your calendar address is ready. Add it to your calendar."))
        return redirect("trainers:calendar")


class RenewCalendarView(TrainerMixin, TemplateView):
    """A new secret address: the old one stops working at once. GET asks to confirm."""

    template_name = "booking/trainer/calendar_renew.html"
    trainer_section = "calendar"

    def get(self, request, *args, **kwargs):
        if not TrainerCalendar.objects.filter(trainer=request.user).exists():
            return redirect("trainers:calendar")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        services.renew_trainer_calendar(trainer=request.user)
        messages.success(
            request,
            _(
                "You have a new calendar address. The old address no longer works. Add the "
                "new address to your calendar app."
            ),
        )
        return redirect("trainers:calendar")


class CalendarFeedView(View):
    """The calendar behind the secret address. Calendar apps cannot sign in: the token is
    the key, and an unknown token (or one of someone who no longer teaches) is not found."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, token):
        calendar = TrainerCalendar.objects.select_related("trainer").filter(token=token).first()
        if calendar is None or trains_for(calendar.trainer) is None:
            raise Http404
        response = HttpResponse(
            trainer_calendar(calendar.trainer), content_type="text/calendar; charset=utf-8"
        )
        # The address is a secret: shared caches (proxies, the page cache) must not keep it.
        patch_cache_control(response, private=True)
        return response
