"""Production settings refuse a half set-up, and say what to set.

Each test starts Python with config.settings.production in an environment it controls, as a
process manager would; none of them needs PostgreSQL or Redis to be running, since neither
the settings nor `check --deploy` connect to them. Media in S3-compatible storage is tested
against moto's S3 server on this machine.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.checks import Error, Warning
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from moto.server import ThreadedMotoServer
from wagtail.documents import get_document_model

from core import checks
from tests.factories import ImageFactory

ROOT = Path(__file__).resolve().parents[2]
# Well-formed addresses where nothing listens (port 9 is "discard"): a test that passes with
# them shows that nothing connected.
POSTGRES = "postgres://check@127.0.0.1:9/check"
REDIS = "redis://127.0.0.1:9/0"
SETUP = "import django; django.setup()"


def run(*args: str, settings="config.settings.production", **environment: str):
    """`python *args` in ROOT with only the environment a deployment would give it."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": "a-long-random-production-key-" + "x" * 30,
        "ALLOWED_HOSTS": "leerplein.nl",
        "SITE_URL": "https://leerplein.nl",
        **environment,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_without_database_url_it_stops_and_says_to_set_postgresql():
    result = run("-c", SETUP, REDIS_URL=REDIS)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL is not set" in result.stderr
    assert "DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME" in result.stderr
    assert "REDIS_URL is not set" not in result.stderr


def test_without_redis_url_it_stops_and_says_to_set_redis():
    result = run("-c", SETUP, DATABASE_URL=POSTGRES)
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr
    assert "REDIS_URL=redis://HOST:6379/0" in result.stderr
    assert "DATABASE_URL" not in result.stderr


def test_without_site_url_it_stops_and_says_to_set_the_public_address():
    result = run("-c", SETUP, DATABASE_URL=POSTGRES, REDIS_URL=REDIS, SITE_URL="")
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr
    assert "SITE_URL=https://leerplein.nl" in result.stderr


@pytest.mark.parametrize(
    ("site_url", "message"),
    [("http://127.0.0.1:8000", "core.W010"), ("https://leerplein.nl/site/", "core.E010")],
)
def test_check_deploy_names_a_site_url_readers_cannot_use(site_url, message):
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DATABASE_URL=POSTGRES,
        REDIS_URL=REDIS,
        SITE_URL=site_url,
    )
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_a_sqlite_database_is_refused():
    result = run("-c", SETUP, DATABASE_URL="sqlite:////tmp/leerplein.sqlite3", REDIS_URL=REDIS)
    assert result.returncode != 0
    assert "DATABASE_URL points to django.db.backends.sqlite3, not to PostgreSQL" in result.stderr


def test_everything_missing_is_named_at_once_with_the_trial_switch():
    result = run("-c", SETUP)
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    assert "REDIS_URL is not set" in result.stderr
    assert "LEERPLEIN_SINGLE_PROCESS_TRIAL=1" in result.stderr


def test_with_both_services_check_deploy_is_clean():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DATABASE_URL=POSTGRES,
        REDIS_URL=REDIS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_trial_switch_starts_on_sqlite_and_says_so_everywhere():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        LEERPLEIN_SINGLE_PROCESS_TRIAL="1",
        DATABASE_URL="sqlite:////tmp/leerplein-trial.sqlite3",
    )
    # It starts: a warning is not a failure at the default level...
    assert result.returncode == 0, result.stdout + result.stderr
    # ...but the start warns, and so does check --deploy, once, and nothing else.
    assert "this is a trial in a single process" in result.stderr
    assert "database: sqlite3, cache: local memory, per process" in result.stderr
    assert "core.W001" in result.stderr
    assert "single-process trial" in result.stderr
    assert "core.E" not in result.stderr
    assert "System check identified 1 issue" in result.stdout + result.stderr


def test_the_trial_does_not_pass_for_production():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LEERPLEIN_SINGLE_PROCESS_TRIAL="1",
    )
    assert result.returncode != 0
    assert "core.W001" in result.stderr


def test_an_unknown_media_storage_is_refused():
    result = run("-c", SETUP, DATABASE_URL=POSTGRES, REDIS_URL=REDIS, MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert "MEDIA_STORAGE='ftp' is not known" in result.stderr


def test_s3_media_storage_names_every_missing_setting():
    result = run(
        "-c",
        SETUP,
        DATABASE_URL=POSTGRES,
        REDIS_URL=REDIS,
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="leerplein-media",
    )
    assert result.returncode != 0
    assert (
        "MEDIA_STORAGE=s3 needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
        "AWS_S3_ENDPOINT_URL or AWS_S3_REGION_NAME." in result.stderr
    )


def test_development_settings_start_without_any_service_and_are_not_deployable():
    started = run("manage.py", "check", settings="config.settings.dev")
    assert started.returncode == 0, started.stdout + started.stderr

    deploy = run(
        "manage.py", "check", "--deploy", "--tag", "services", settings="config.settings.dev"
    )
    assert deploy.returncode != 0
    assert "core.E001" in deploy.stderr and "not PostgreSQL" in deploy.stderr
    assert "core.E002" in deploy.stderr and "REDIS_URL" in deploy.stderr
    assert "core.E005" in deploy.stderr and "run_worker" in deploy.stderr


# --- the system checks, one by one --------------------------------------------------------


def test_a_per_process_cache_is_reported():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        [error] = checks.check_cache_is_shared()
    assert isinstance(error, Error) and error.id == "core.E002"
    assert "REDIS_URL" in error.hint


def test_the_shared_redis_cache_passes():
    redis = {"default": {"BACKEND": "core.cache_backends.PooledRedisCache", "LOCATION": REDIS}}
    with override_settings(CACHES=redis):
        assert checks.check_cache_is_shared() == []


def test_the_trial_replaces_the_database_and_cache_checks_with_one_warning():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(SINGLE_PROCESS_TRIAL=True, CACHES=locmem):
        assert checks.check_cache_is_shared() == []
        assert checks.check_database_is_postgresql() == []
        [warning] = checks.check_single_process_trial()
    assert isinstance(warning, Warning) and warning.id == "core.W001"


def test_tasks_run_inside_the_request_are_reported():
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate):
        [error] = checks.check_task_backend()
    assert error.id == "core.E005"
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database):
        assert checks.check_task_backend() == []


def test_incomplete_s3_settings_are_reported():
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "leerplein-media", "access_key": "key"},
        }
    }
    with override_settings(STORAGES=storages):
        [error] = checks.check_media_storage()
    assert error.id == "core.E004"
    assert "AWS_SECRET_ACCESS_KEY, AWS_S3_ENDPOINT_URL or AWS_S3_REGION_NAME" in error.msg


def test_a_relative_media_root_is_reported():
    with override_settings(MEDIA_ROOT="media"):
        [error] = checks.check_media_storage()
    assert error.id == "core.E003"


# --- media in S3-compatible storage (moto's S3 server) --------------------------------------

BUCKET = "leerplein-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 server on a free local port with an empty bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - moto accepts any key
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def s3_client(s3_endpoint):
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
    )


SAVE_A_FILE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.storage import default_storage
name = default_storage.save("documents/leesplan.txt", ContentFile(b"Klik & Tik"))
print(json.dumps({
    "name": name,
    "url": default_storage.url(name),
    "storage": settings.STORAGES["default"],
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
}))
"""


@pytest.fixture(scope="module")
def production_s3(s3_endpoint):
    """What config.settings.production makes of MEDIA_STORAGE=s3, after saving one file."""
    result = run(
        "-c",
        SAVE_A_FILE,
        DATABASE_URL=POSTGRES,
        REDIS_URL=REDIS,
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",  # noqa: S106
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_saves_media_in_the_bucket(production_s3, s3_client, s3_endpoint):
    name = production_s3["name"]
    stored = s3_client.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert stored == b"Klik & Tik"
    # A plain address in the bucket, which a browser and a CDN can keep.
    assert production_s3["url"] == f"{s3_endpoint}/{BUCKET}/{name}"
    # Pages may show images from there.
    assert s3_endpoint in production_s3["img_src"]


def test_the_bucket_never_overwrites_an_upload_with_the_same_name(production_s3, s3_client):
    with override_settings(STORAGES={"default": production_s3["storage"]}):
        again = default_storage.save("documents/leesplan.txt", ContentFile(b"Digisterker"))
    assert again != production_s3["name"]
    first = s3_client.get_object(Bucket=BUCKET, Key=production_s3["name"])["Body"].read()
    assert first == b"Klik & Tik"


@pytest.mark.django_db
def test_wagtail_images_renditions_and_documents_land_in_the_bucket(
    production_s3, s3_client, s3_endpoint
):
    def in_bucket(key):
        return s3_client.head_object(Bucket=BUCKET, Key=key)["ContentLength"] > 0

    with override_settings(STORAGES={"default": production_s3["storage"]}):
        image = ImageFactory(title="Cursus in de bibliotheek")
        rendition = image.get_rendition("width-100")
        document = get_document_model().objects.create(
            title="Lesplan", file=ContentFile(b"Les 1: de muis", name="lesplan.txt")
        )

        for stored in (image.file, rendition.file, document.file):
            assert in_bucket(stored.name)
            assert stored.url == f"{s3_endpoint}/{BUCKET}/{stored.name}"


@pytest.mark.parametrize(
    "key",
    ["x", "a" * 49, "abcd" * 20],
    ids=["one character", "49 characters", "four different characters"],
)
def test_a_weak_secret_key_is_refused_with_what_to_use_instead(key):
    result = run("-c", SETUP, DATABASE_URL=POSTGRES, REDIS_URL=REDIS, SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr
    assert "at least 50 random characters" in result.stderr


def test_a_long_random_secret_key_is_accepted():
    key = "k" + "".join(chr(ord("a") + i % 26) for i in range(49))
    assert run("-c", SETUP, DATABASE_URL=POSTGRES, REDIS_URL=REDIS, SECRET_KEY=key).returncode == 0
