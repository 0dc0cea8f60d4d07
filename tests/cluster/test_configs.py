"""The configuration files in deploy/ are valid for the programs that read them, for any
number of nodes, and the orchestrator reads back what the mail sink stored."""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_cluster_module():
    spec = importlib.util.spec_from_file_location("cluster", ROOT / "deploy" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cluster = load_cluster_module()


@pytest.mark.parametrize("nodes", [1, 2, 3])
def test_haproxy_accepts_its_configuration_for_any_number_of_nodes(tmp_path, nodes):
    config = tmp_path / "haproxy.cfg"
    config.write_text(cluster.haproxy_config(nodes))
    piece = cluster.haproxy(nodes)
    done = subprocess.run(
        ["haproxy", "-c", "-f", str(config)], env=piece.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = config.read_text().splitlines()
    assert len([line for line in lines if line.strip().startswith("server ")]) == nodes


def test_varnish_compiles_the_vcl(tmp_path):
    vcl = tmp_path / "leerplein.vcl"
    vcl.write_text(cluster.varnish_vcl())
    done = subprocess.run(
        ["varnishd", "-C", "-j", "none", "-n", str(tmp_path / "work"), "-f", str(vcl)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_503_page_is_a_whole_http_response_in_both_languages():
    raw = (ROOT / "deploy" / "haproxy" / "503.http").read_bytes()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.0 503 Service Unavailable"
    assert b"Retry-After: 30" in lines
    assert "Probeer het over een minuut opnieuw" in body.decode()
    assert "Please try again in a minute" in body.decode()


def test_the_mail_sink_messages_are_read_back(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "MAIL", tmp_path)
    (tmp_path / "1-1-1.eml").write_bytes(
        b"X-Envelope-To: yvonne@promen.test\r\nMessage-ID: <abc@leerplein.nl>\r\n"
        b"Subject: =?utf-8?q?Plaatsen_bevestigd?=\r\n\r\nHallo"
    )
    (tmp_path / ".2-1-1.tmp").write_bytes(b"half a message")
    assert cluster.mail_messages() == [
        {
            "message_id": "<abc@leerplein.nl>",
            "to": ["yvonne@promen.test"],
            "subject": "Plaatsen bevestigd",
            "date": "",
            "file": "1-1-1.eml",
        }
    ]


def test_every_app_process_gets_the_production_environment():
    env = cluster.app_environment()
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["SITE_URL"] == env["FRONTEND_CACHE_URL"] == "http://127.0.0.1:8500"
    assert env["TRUSTED_PROXY_COUNT"] == "2"
    assert len(env["SECRET_KEY"]) >= 50
    assert shutil.which("haproxy") and shutil.which("varnishd")
