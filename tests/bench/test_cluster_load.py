"""The client and report of `make cluster-bench` (bench/cluster_load.py), without a cluster.

The client's retries decide what the fault tests count as "failed before retry" and "failed
after retry", so they are checked here against a small server on loopback.
"""

import importlib.util
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@contextmanager
def bench_on_path():
    """bench/ is a folder of scripts that import each other by plain name: put it on the path
    for the block only, and forget its modules afterwards, so they never stand in for others."""
    before = set(sys.modules)
    sys.path.insert(0, str(BENCH))
    try:
        yield
    finally:
        sys.path.remove(str(BENCH))
        for name in set(sys.modules) - before:
            if (
                getattr(sys.modules[name], "__file__", "")
                and str(BENCH) in sys.modules[name].__file__
            ):
                del sys.modules[name]


def bench_module(name):
    with bench_on_path():
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


cluster_load = bench_module("cluster_load")


class Flaky(BaseHTTPRequestHandler):
    """/flaky: 503 with Retry-After twice, then 200 with a Secure session cookie.
    /broken: 500. /echo: the Cookie header it got."""

    protocol_version = "HTTP/1.1"
    calls = 0

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/flaky":
            type(self).calls += 1
            if type(self).calls <= 2:
                return self.answer(503, b"busy", {"Retry-After": "1"})
            return self.answer(200, b"ok", {"Set-Cookie": "sessionid=abc; Secure; HttpOnly"})
        if self.path == "/broken":
            return self.answer(500, b"oops")
        return self.answer(200, (self.headers.get("Cookie") or "").encode())

    def answer(self, status, body, headers=()):
        self.send_response(status)
        for name, value in dict(headers).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Flaky.calls = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_a_503_is_retried_and_the_secure_cookie_kept(server):
    recorder = cluster_load.Recorder()
    client = cluster_load.Client(server, recorder, retries=(0.01, 0.01, 0.01))

    answer = client.get("page", "/flaky")
    echoed = client.get("page", "/echo")
    client.close()

    assert answer.status == 200
    assert [f.what for f in recorder.failures] == ["503", "503"]
    assert all(f.retry_after for f in recorder.failures)
    assert recorder.records[0].attempts == 3
    # A TLS terminator would carry the Secure cookie; the client sends it back over loopback.
    assert echoed.text == "sessionid=abc"
    totals = cluster_load.summarise(recorder, 1.0)["totals"]
    assert totals["failed_attempts"] == 2
    assert totals["failed_after_retry"] == 0
    assert totals["errors"] == 0


def test_a_500_is_an_error_and_not_retried(server):
    recorder = cluster_load.Recorder()
    client = cluster_load.Client(server, recorder, retries=(0.01,))

    assert client.get("page", "/broken").status == 500
    client.close()

    totals = cluster_load.summarise(recorder, 1.0)["totals"]
    assert recorder.records[0].attempts == 1
    assert totals["status_500"] == 1
    assert totals["errors"] == 1


def test_no_answer_at_all_counts_as_failed_after_retry():
    recorder = cluster_load.Recorder()
    with ThreadingHTTPServer(("127.0.0.1", 0), Flaky) as closed:
        port = closed.server_address[1]
    client = cluster_load.Client(port, recorder, retries=(0.01, 0.01))

    assert client.get("page", "/").status == 0

    totals = cluster_load.summarise(recorder, 1.0)["totals"]
    assert totals["failed_attempts"] == 3
    assert totals["failed_after_retry"] == 1


def test_only_loopback_is_loaded():
    with pytest.raises(ValueError, match="only talks to this machine"):
        cluster_load.Client(80, cluster_load.Recorder(), host="example.org")


def test_a_form_is_sent_as_a_browser_sends_it():
    html = """
    <form method="post" action="/logout/"><input name="csrfmiddlewaretoken" value="t"></form>
    <form method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="trainer" value="Anna">
      <input type="checkbox" name="public" checked>
      <input type="checkbox" name="archived">
      <input type="radio" name="every" value="1"><input type="radio" name="every" value="2" checked>
      <select name="level">
        <option value="1">1</option><option value="2" selected>2</option>
      </select>
      <select name="course"><option value="7">Klik</option></select>
      <textarea name="notes">Tekst</textarea>
      <input name="disabled" value="x" disabled>
      <button type="submit" name="action" value="save">Save</button>
    </form>"""

    fields, action = cluster_load.find_form(html, cluster_load.has_field("trainer"))

    assert action == ""
    assert fields == {
        "csrfmiddlewaretoken": "t",
        "trainer": "Anna",
        "public": "on",
        "every": "2",
        "level": "2",
        "course": "7",
        "notes": "Tekst",
    }


def test_the_cluster_section_is_replaced_in_place_and_survives_make_bench(tmp_path, monkeypatch):
    report = tmp_path / "performance.md"
    report.write_text("# Performance\n\n## Results\n\nfigures\n\n## Measured by hand\n\nkept\n")
    monkeypatch.setattr(cluster_load, "REPORT", report)

    cluster_load.write_section("## Cluster\n\nfirst run\n")
    report.write_text(report.read_text() + "\n### Faults\n\nnode kill: 0 failed\n")
    cluster_load.write_section("## Cluster\n\nsecond run\n")

    text = report.read_text()
    assert text.count("## Cluster") == 1
    assert "second run" in text and "first run" not in text
    assert text.count("node kill: 0 failed") == 1
    assert text.index("second run") < text.index("node kill: 0 failed")
    assert text.index("## Measured by hand") < text.index("## Cluster")

    run = bench_module("run")
    monkeypatch.setattr(run, "REPORT", report)
    kept = run.hand_measured_sections()
    assert "## Measured by hand" in kept and "second run" in kept

    # Without the hand-measured section, `make bench` still keeps the cluster's.
    report.write_text("# Performance\n\n## Results\n\nfigures\n\n## Cluster\n\nthird run\n")
    assert "third run" in run.hand_measured_sections()


def test_the_section_says_which_figures_came_through_which_entry():
    recorder = cluster_load.Recorder()
    for kind, status, cache in (("visitor:home", 200, "HIT"), ("contact:reserve", 302, "PASS")):
        recorder.add(cluster_load.Record(kind, 0.0, 0.01, status, 1, ok=True, cache=cache), [])
    cpu = {"cores": 2, "machine_busy": 0.97, "cores_used": {"node": 1.2, "postgres": 0.3}}
    runs = [
        {"label": label, "entry": entry, "nodes": nodes, "cpu": cpu, "summary": summary}
        for label, entry, nodes, summary in (
            ("Mixed load", "Varnish", 2, cluster_load.summarise(recorder, 1.0)),
            ("Straight, 2 nodes", "HAProxy", 2, cluster_load.summarise(recorder, 1.0)),
            ("Straight, 1 node", "HAProxy", 1, cluster_load.summarise(recorder, 2.0)),
        )
    ]
    report = {"date": "today", "machine": "2 cores", "processes": 6, "runs": runs}

    text = cluster_load.markdown_section(report)

    assert text.startswith("## Cluster\n")
    assert "| Mixed load | Varnish | 2 |" in text
    assert "two app nodes served 2 req/s and one node 1 req/s (2.00×)" in text
    assert "| Straight, 1 node | 97% | 1.20 | 0.30 |" in text
    assert "| visitor:home | 1 | 1.0 | 10.0 | 10.0 | 0 | HIT 1 |" in text
