"""What the tests of the coordinators' admin share."""

from django.urls import reverse
from wagtail.users.models import UserProfile


def is_refusal(response) -> bool:
    """The admin said no: a 403 or 404, or Wagtail's answer to PermissionDenied (a redirect to
    the admin's home page or to the login page)."""
    if response.status_code in (403, 404):
        return True
    home, login = reverse("wagtailadmin_home"), reverse("wagtailadmin_login")
    location = response.get("Location", "")
    return response.status_code == 302 and (location == home or location.startswith(login))


def refused(client, url, data=None, method="get") -> bool:
    """Does the admin refuse this request?"""
    return is_refusal(getattr(client, method)(url, data or {}))


def group_url(name, *args):
    """An address of the coordinators' course-group screens."""
    return reverse(f"course_groups:{name}", args=args)


def speak(language, *users):
    """Wagtail's admin speaks each user's chosen language."""
    for user in users:
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
