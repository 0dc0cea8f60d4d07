"""Placeholder: filled in by the admin work of issue 3."""

VIEWSETS = []
URLS = []
