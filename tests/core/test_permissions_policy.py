"""Every response tells the browser which powerful features the site never uses."""

import pytest
from django.urls import reverse

from core.headers import PERMISSIONS_POLICY
from tests.booking.factories import UserFactory

pytestmark = pytest.mark.django_db


def policy_of(response):
    return dict(
        directive.strip().split("=", 1) for directive in response["Permissions-Policy"].split(",")
    )


@pytest.mark.parametrize(
    "url",
    ["/", "/robots.txt", "/api/v1/docs", "/api/v1/openapi.json", "/admin/login/", "/nergens/"],
)
def test_every_kind_of_response_carries_the_policy(client, site_tree, url):
    response = client.get(url)
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_camera_microphone_location_payment_and_usb_are_off(client, site_tree):
    policy = policy_of(client.get("/"))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert policy[feature] == "()", feature


def test_only_the_embedded_video_players_may_go_full_screen(client, site_tree):
    policy = policy_of(client.get("/"))
    assert policy["fullscreen"] == (
        '(self "https://www.youtube-nocookie.com" "https://player.vimeo.com")'
    )
    assert policy["autoplay"] == "()"


def test_the_admin_and_the_api_documentation_still_work(client, site_tree):
    client.force_login(UserFactory(username="root", superuser=True))
    admin = client.get(reverse("wagtailadmin_home"))
    docs = client.get("/api/v1/docs")
    assert admin.status_code == 200
    assert docs.status_code == 200
    assert "swagger-ui" in docs.content.decode()
    # Wagtail's "copy" buttons write to the clipboard.
    assert policy_of(admin)["clipboard-write"] == "(self)"
