"""The intake's questions and advice rules in the admin, for coordinators: translatable
snippets (wagtail-localize offers "Translate" on each), grouped in an "Intake" menu.

Questions and rules are the same for every library, like the course pages they point to, so
they are not scoped to a library; coordinators get the model permissions (booking/roles.py).
Their screens live under the course planning's address, the part of the admin coordinators
may open (home/admin_access.py); for the same reason a rule picks its question and course from
a plain list, not from Wagtail's page chooser, which is editorial.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.models import Locale
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from booking.models import AdviceRule, CoursePage, IntakeQuestion


class AdviceRuleForm(WagtailAdminModelForm):
    """Questions and courses of the rule's own language only, so each appears once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = self.instance.locale if self.instance.locale_id else Locale.get_default()
        self.fields["when_no_to"].queryset = IntakeQuestion.objects.filter(locale=locale)
        self.fields["course"].queryset = CoursePage.objects.filter(
            locale=locale, alias_of__isnull=True
        ).order_by("title")


class _ForThoseWhoEditThem:
    """Wagtail's snippet chooser answers anyone who may open the admin; these lists are for
    those with a permission on the model (coordinators), like the snippet's own screens."""

    def dispatch(self, request, *args, **kwargs):
        policy = ModelPermissionPolicy(self.model_class)
        if not policy.user_has_any_permission(request.user, ["add", "change", "delete", "view"]):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IntakeChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("ChooseView", (_ForThoseWhoEditThem, chooser.ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (_ForThoseWhoEditThem, chooser.ChooseResultsView), {}
    )
    chosen_view_class = type("ChosenView", (_ForThoseWhoEditThem, chooser.SnippetChosenView), {})
    chosen_multiple_view_class = type(
        "ChosenMultipleView", (_ForThoseWhoEditThem, chooser.SnippetChosenMultipleView), {}
    )
    create_view_class = type("CreateView", (_ForThoseWhoEditThem, chooser.SnippetCreateView), {})


class IntakeQuestionViewSet(SnippetViewSet):
    model = IntakeQuestion
    base_url_path = "course-planning/intake/questions"
    chooser_base_url_path = "course-planning/intake/questions/choose"
    chooser_viewset_class = IntakeChooserViewSet
    icon = "help"
    list_display = ["question", "sort_order"]
    list_filter = ["locale"]
    ordering = ["sort_order", "pk"]
    search_fields = ["question"]


class AdviceRuleViewSet(SnippetViewSet):
    model = AdviceRule
    base_url_path = "course-planning/intake/advice-rules"
    chooser_base_url_path = "course-planning/intake/advice-rules/choose"
    chooser_viewset_class = IntakeChooserViewSet
    edit_handler = ObjectList(
        [
            FieldPanel("when_no_to", widget=forms.Select),
            FieldPanel("course", widget=forms.Select),
            FieldPanel("level"),
            FieldPanel("reason"),
            FieldPanel("sort_order"),
        ],
        base_form_class=AdviceRuleForm,
    )
    icon = "tick"
    list_display = ["reason", "when_no_to", "course", "level", "sort_order"]
    list_filter = ["locale"]
    ordering = ["sort_order", "pk"]


class IntakeViewSetGroup(SnippetViewSetGroup):
    items = (IntakeQuestionViewSet, AdviceRuleViewSet)
    menu_label = _("Intake")
    menu_icon = "help"
    menu_order = 160


def register() -> None:
    """Registers both snippets with Wagtail (called once, from booking/wagtail_hooks.py)."""
    register_snippet(IntakeViewSetGroup)
