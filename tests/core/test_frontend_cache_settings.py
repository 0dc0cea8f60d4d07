"""Production settings configure the front-end cache purge from the environment, off by
default."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json, django.conf; from django.conf import settings; "
    "print(json.dumps(settings.WAGTAILFRONTENDCACHE))"
)


def production(**environment):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FRONTEND_CACHE", "CLOUDFLARE", "CLOUDFRONT"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="frontend-cache-test-" + "k3y" * 20,
        LEERPLEIN_SINGLE_PROCESS_TRIAL="1",
        **environment,
    )
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-W", "ignore", "-c", PRINT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_no_front_end_cache_unless_configured():
    done = production()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {}


def test_varnish_cloudflare_and_cloudfront_from_the_environment():
    done = production(
        FRONTEND_CACHE_URL="http://127.0.0.1:6081",
        CLOUDFLARE_ZONE_ID="zone",
        CLOUDFLARE_BEARER_TOKEN="token",
        CLOUDFRONT_DISTRIBUTION_ID="E2EXAMPLE",
    )
    assert done.returncode == 0, done.stderr
    backends = json.loads(done.stdout)
    assert backends["http"]["LOCATION"] == "http://127.0.0.1:6081"
    assert backends["cloudflare"]["ZONEID"] == "zone"
    assert backends["cloudfront"]["DISTRIBUTION_ID"] == "E2EXAMPLE"


def test_cloudflare_without_a_token_stops_with_a_message():
    done = production(CLOUDFLARE_ZONE_ID="zone")
    assert done.returncode != 0
    assert "CLOUDFLARE_BEARER_TOKEN" in done.stderr
