"""The evaluation form participants fill in on a tablet or a phone, without logging in, and
the page for coordinators and trainers that opens it (booking/evaluations.py)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView

from booking import evaluations
from booking.errors import BookingError
from booking.models import CourseGroup
from booking.policies import check_can_open_evaluation, refusal

from .forms import EvaluationForm

THANKS = "thanks"


class EvaluationFormView(FormView):
    template_name = "booking/evaluation/form.html"
    form_class = EvaluationForm

    def dispatch(self, request, *args, token, **kwargs):
        self.group = evaluations.group_of_token(token)
        if self.group is None:
            raise Http404
        self.closed = refusal(evaluations.check_can_evaluate, self.group)
        return super().dispatch(request, *args, token=token, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.closed:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            evaluations.submit_evaluation(
                group=self.group,
                score=form.cleaned_data["score"],
                answers=form.answers(),
            )
        except BookingError as error:
            form.add_error(error.argument if error.argument in form.fields else None, str(error))
            return self.form_invalid(form)
        return redirect(f"{self.request.path}?{THANKS}=1")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            group=self.group,
            closed=self.closed,
            thanks=THANKS in self.request.GET and not self.closed,
            **kwargs,
        )


class OpenEvaluationView(LoginRequiredMixin, TemplateView):
    """For the group's coordinators and trainers: the address of the evaluation, to open on
    the tablet or show the group, and how many filled it in."""

    template_name = "booking/evaluation/open.html"

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        group = get_object_or_404(CourseGroup.objects.with_dates(), pk=pk)
        if refusal(check_can_open_evaluation, group, by=request.user):
            # Nobody learns from the answer whether another library's group exists.
            raise Http404
        self.group = group
        return super().dispatch(request, *args, pk=pk, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            group=self.group,
            address=evaluations.evaluation_address(self.group),
            closed=refusal(evaluations.check_can_evaluate, self.group),
            answers=self.group.evaluations.count(),
            **kwargs,
        )
