"""The coordinators' screens for who teaches a group: add a trainer or volunteer of the
library to the group, or take them off it. The group's page lists them, with the notes the
trainers wrote about its sessions.

Another library's group (or an assignment of another group) is a 404, by GET and POST alike
(booking.admin.groups.GroupActionView); the service has the last word on who may be added.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking import services
from booking.admin.groups import GroupActionView
from booking.models import TrainerAssignment

NAMESPACE = "booking_trainers"


def name_of(user) -> str:
    return user.get_full_name() or user.get_username()


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return name_of(user)


class AssignTrainerForm(forms.Form):
    trainer = TrainerChoiceField(
        label=gettext_lazy("Trainer or volunteer"),
        queryset=get_user_model().objects.none(),
        help_text=gettext_lazy(
            "People of your library who are marked as trainer under People. "
            "Someone who already teaches this group gets the role you choose."
        ),
        error_messages={
            "required": gettext_lazy("Choose a trainer or volunteer."),
            "invalid_choice": gettext_lazy("Choose a trainer or volunteer from the list."),
        },
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=TrainerAssignment.Kind.choices,
        initial=TrainerAssignment.Kind.TRAINER,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose trainer or volunteer.")},
    )

    def __init__(self, *args, library, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = (
            get_user_model()
            .objects.filter(membership__organisation=library, membership__is_trainer=True)
            .order_by("first_name", "last_name", "username")
        )


class AssignTrainerView(GroupActionView):
    """Add a trainer or volunteer of the group's library to the group."""

    form_class = AssignTrainerForm
    page_title = gettext_lazy("Add a trainer")
    header_icon = "user"
    intro = gettext_lazy(
        "The trainer sees this group's sessions on their phone, with the first names of the "
        "participants, and marks who was there."
    )
    submit_label = gettext_lazy("Add")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "library": self.group.library}

    def get_error_field(self, error):
        return error.argument if error.argument in ("trainer", "kind") else None

    def perform(self, form):
        return services.assign_trainer(
            group=self.group,
            trainer=form.cleaned_data["trainer"],
            kind=form.cleaned_data["kind"],
            by=self.request.user,
        )

    def get_success_message(self, form):
        return _("%(name)s teaches this group now.") % {"name": name_of(self.result.trainer)}


class RemoveTrainerView(GroupActionView):
    """Take a trainer off the group; their notes stay."""

    form_class = forms.Form
    page_title = gettext_lazy("Remove a trainer")
    header_icon = "user"
    submit_label = gettext_lazy("Remove from the group")
    submit_classname = "button no"

    def load_objects(self, **kwargs):
        self.assignment = get_object_or_404(
            TrainerAssignment.objects.select_related("trainer"),
            pk=kwargs["assignment_pk"],
            group=self.group,
        )

    @property
    def name(self):
        return name_of(self.assignment.trainer)

    def get_context_data(self, **kwargs):
        self.intro = _(
            "%(name)s no longer sees this group's sessions. Their notes stay with the group."
        ) % {"name": self.name}
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.unassign_trainer(assignment=self.assignment, by=self.request.user)

    def get_success_message(self, form):
        return _("%(name)s no longer teaches this group.") % {"name": self.name}


URLS = [
    path(
        "course-planning/trainers/",
        include(
            (
                [
                    path("group/<int:pk>/add/", AssignTrainerView.as_view(), name="add"),
                    path(
                        "group/<int:pk>/remove/<int:assignment_pk>/",
                        RemoveTrainerView.as_view(),
                        name="remove",
                    ),
                ],
                NAMESPACE,
            )
        ),
    )
]
