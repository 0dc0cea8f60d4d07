import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_site_search_finds_pages_in_the_visitors_language(client, site_tree):
    response = client.get("/nl/zoeken/?q=Cuijk")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Taalles in Cuijk" in html
    assert "1 resultaat" in html


def test_site_search_with_nothing_found_or_silly_input_is_friendly(client, site_tree):
    assert "We hebben niets gevonden" in client.get("/nl/zoeken/?q=zzzqqq").content.decode()
    response = client.get("/nl/zoeken/?q=" + "a" * 5000 + "&page=xyz")
    assert response.status_code == 200
    assert "eerste 100 tekens" in response.content.decode()
    assert client.get("/en/search/?q=Cuijk").status_code == 200


def test_every_public_url_carries_its_language(client, site_tree):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/nl/"


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable." in result.stderr
