"""Placeholder: filled in by the admin work of issue 3 (history timelines, audit log)."""

from django.http import Http404
from django.urls import include, path

VIEWSETS = []


def _not_yet(request, pk):
    raise Http404


URLS = [
    path(
        "course-planning/history/",
        include(
            (
                [
                    path("group/<int:pk>/", _not_yet, name="group"),
                    path("booking/<int:pk>/", _not_yet, name="booking"),
                ],
                "booking_history",
            )
        ),
    )
]
