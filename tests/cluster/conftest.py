"""Tests against the cluster on loopback (deploy/cluster.py): `make cluster-test`.

Collected only with LEERPLEIN_CLUSTER_TESTS=1 (tests/conftest.py). The session fixture
`cluster` starts what is not running (`cluster.py up`) and gives the tests its addresses, its
environment and a way to run `manage.py` against its database.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "deploy" / "cluster.py"
UP_TIMEOUT = 900  # a first `up` prepares the database and the demo content
HOST = "127.0.0.1"


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.cluster)


def cluster_cli(*args: str, timeout: float = 180, check: bool = True) -> str:
    """Run `cluster.py ARGS` and return what it printed; fails the test when it fails."""
    done = subprocess.run(
        [sys.executable, str(CLUSTER), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode:
        pytest.fail(f"cluster.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Cluster:
    env: dict[str, str]
    status: dict
    entry: str = f"http://{HOST}:8500"  # Varnish
    load_balancer: str = f"http://{HOST}:8501"
    nodes: list[str] = field(default_factory=list)  # each node's own address

    @property
    def host(self) -> str:
        """The Host header visitors send (SITE_URL's), which Varnish hashes and Wagtail purges."""
        return self.entry.removeprefix("http://")

    def manage(self, *args: str, timeout: float = 120) -> str:
        """`manage.py ARGS` against the cluster's database; its standard output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **self.env, "LEERPLEIN_NODE": "test"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> object:
        """Run Python in `manage.py shell` against the cluster; the JSON its last line prints."""
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    cluster_cli("up", timeout=UP_TIMEOUT)
    env = dict(line.split("=", 1) for line in cluster_cli("env").splitlines() if "=" in line)
    status = json.loads(cluster_cli("status", "--json"))
    nodes = [
        f"http://{HOST}:{entry['port']}"
        for name, entry in sorted(status.items())
        if name.startswith("node") and entry["running"]
    ]
    return Cluster(env=env, status=status, nodes=nodes)
