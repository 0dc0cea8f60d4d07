from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "evaluation"

urlpatterns = [
    path(
        pgettext_lazy("url", "group/<int:pk>/"),
        views.OpenEvaluationView.as_view(),
        name="open",
    ),
    path("<str:token>/", views.EvaluationFormView.as_view(), name="form"),
]
