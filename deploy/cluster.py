"""Leerplein as a cluster on one machine, over loopback: `make cluster`, `make cluster-stop`.

    Varnish :8500 → HAProxy :8501 → app nodes (gunicorn) :8511, :8512, …
    two task workers (run_worker), one scheduler (run_schedule),
    its own Redis :6390, its own PostgreSQL :5440 (pg_createcluster 15 leerplein-cluster),
    a mail sink :8525 (deploy/mailsink.py) and a file server for uploads :8520.

Every piece runs in a process group of its own, so it can be stopped, killed and started on
its own (the fault tests do). State and logs are in var/cluster/. The command line is a
contract that tests/cluster and bench/cluster_load.py rely on:

    cluster.py up [--nodes N] [--fresh]     start what is not running; wait for /readyz via the LB
    cluster.py down                         stop everything (and the PostgreSQL instance)
    cluster.py status [--json]              each piece: running?, pid, port
    cluster.py node kill|stop|start I       kill = SIGKILL the process group, stop = SIGTERM
    cluster.py worker kill|stop|start I
    cluster.py redis stop|start
    cluster.py postgres restart|stop|start
    cluster.py mail stop|start
    cluster.py mail messages [--json]       the messages the sink received
    cluster.py env                          the app processes' environment, KEY=VALUE lines

Each command exits 0 when done, and otherwise non-zero with a message. Only the standard
library: it runs with the project's virtualenv Python (`.venv/bin/python deploy/cluster.py`).
"""

import argparse
import contextlib
import email
import email.policy
import fcntl
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VAR = Path(os.environ.get("LEERPLEIN_CLUSTER_DIR", ROOT / "var" / "cluster"))
PIDS = VAR / "pids"
LOGS = VAR / "logs"
MAIL = VAR / "mail"
# The file server serves this folder, so /media/… maps to MEDIA_ROOT and nothing else of var/.
UPLOADS = VAR / "uploads"
MEDIA = UPLOADS / "media"
SECRET_FILE = VAR / "secret_key"
NODES_FILE = VAR / "nodes"
PREPARED = VAR / "prepared"
PYTHON = Path(os.environ.get("LEERPLEIN_PYTHON", ROOT / ".venv" / "bin" / "python"))
HOST = "127.0.0.1"


def _port(name: str, default: int) -> int:
    return int(os.environ.get(f"LEERPLEIN_CLUSTER_{name}_PORT", default))


VARNISH_PORT = _port("VARNISH", 8500)
LB_PORT = _port("LB", 8501)
STATS_PORT = _port("STATS", 8509)
NODE_BASE_PORT = _port("NODE_BASE", 8510)  # node I listens on NODE_BASE_PORT + I
MEDIA_PORT = _port("MEDIA", 8520)
MAIL_PORT = _port("MAIL", 8525)
REDIS_PORT = _port("REDIS", 6390)
POSTGRES_PORT = _port("POSTGRES", 5440)
PG_VERSION = "15"
PG_CLUSTER = "leerplein-cluster"
DATABASE = "leerplein"
WORKERS = 2
DEFAULT_NODES = 2
SITE_URL = f"http://{HOST}:{VARNISH_PORT}"
# What the load balancer asks each node (core/health.py): 503 when the node cannot serve.
CHECK_PATH = "/readyz"

START_TIMEOUT = 60  # seconds for a piece to answer after it started
STOP_TIMEOUT = 30  # seconds for a piece to end after SIGTERM before it gets SIGKILL


class ClusterError(Exception):
    """What went wrong, in a sentence the operator can act on."""


# --- the environment --------------------------------------------------------------------


def secret_key() -> str:
    """Generated once and kept, so sessions and signed links survive a restart."""
    if not SECRET_FILE.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.write_text(secrets.token_urlsafe(50))
        SECRET_FILE.chmod(0o600)
    return SECRET_FILE.read_text().strip()


def app_environment() -> dict[str, str]:
    """What every app process (node, worker, scheduler, `manage.py`) runs with."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secret_key(),
        "DATABASE_URL": f"postgres://postgres@{HOST}:{POSTGRES_PORT}/{DATABASE}",
        "REDIS_URL": f"redis://{HOST}:{REDIS_PORT}/0",
        "CACHE_KEY_PREFIX": "leerplein-cluster",
        "SITE_URL": SITE_URL,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        # A browser on http://127.0.0.1:8500 sends that origin; the app believes the request
        # came over HTTPS (Varnish says so, see deploy/varnish/leerplein.vcl).
        "CSRF_TRUSTED_ORIGINS": f"{SITE_URL},http://localhost:{VARNISH_PORT}",
        # Varnish and HAProxy each append the address they saw to X-Forwarded-For.
        "TRUSTED_PROXY_COUNT": "2",
        "FRONTEND_CACHE_URL": f"http://{HOST}:{VARNISH_PORT}",
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(MAIL_PORT),
        "EMAIL_USE_TLS": "",
        "MEDIA_ROOT": str(MEDIA),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        # A mail server that is down for a minute (the fault tests) is tried again within
        # the minute, not after 1 and 5 minutes.
        "EMAIL_RETRY_BASE_SECONDS": "5",
        "PYTHONUNBUFFERED": "1",
    }


def process_environment(node: str | None = None) -> dict[str, str]:
    # A process that dies of a signal or a crash in C code leaves a traceback in its log.
    env = {**os.environ, **app_environment(), "PYTHONFAULTHANDLER": "1"}
    if node:
        env["LEERPLEIN_NODE"] = node
    return env


# --- processes ---------------------------------------------------------------------------


def _state(pid: int) -> str | None:
    """The process's state letter, or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _group_alive(pgid: int) -> bool:
    """Any process of the group still running (not a zombie nobody reaped yet)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def port_open(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def http_status(port: int, path: str, *, host: str | None = None, timeout: float = 3) -> int | None:
    """The status of a GET, or None when nothing answers."""
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        # As if through the TLS terminator, so the production settings do not redirect.
        headers = {"Host": host or f"{HOST}:{VARNISH_PORT}", "X-Forwarded-Proto": "https"}
        conn.request("GET", path, headers=headers)
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return None


def wait_for(what: str, ready, timeout: float = START_TIMEOUT, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.25)
    tail = ""
    if log and log.exists():
        tail = "\n--- last lines of " + str(log) + " ---\n" + log.read_text()[-2500:]
    raise ClusterError(f"{what} did not answer within {timeout:.0f} s.{tail}")


@dataclass
class Piece:
    """A process the cluster starts itself, in a process group of its own."""

    name: str
    command: list[str]
    marker: str  # a word of its command line, so a reused pid is not taken for it
    port: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str | None = None  # an HTTP path that must answer 200 (through its port)
    settle: float = 0  # seconds it must stay up when it has no port to ask
    files: dict[Path, str] = field(default_factory=dict)  # its configuration, written at start

    def outdated(self) -> bool:
        """Running with a configuration that has changed since it started."""
        return self.running() and any(
            not path.exists() or path.read_text() != text for path, text in self.files.items()
        )

    @property
    def pidfile(self) -> Path:
        return PIDS / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        return LOGS / f"{self.name}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text())
        except (OSError, ValueError):
            return None
        if _state(pid) in (None, "Z") or self.marker not in _cmdline(pid):
            return None
        return pid

    def running(self) -> bool:
        return self.pid() is not None

    def start(self):
        if self.running():
            return
        if self.port and port_open(self.port):
            raise ClusterError(
                f"{self.name}: port {self.port} is taken by another program. Stop it, or choose "
                f"another port (LEERPLEIN_CLUSTER_*_PORT)."
            )
        PIDS.mkdir(parents=True, exist_ok=True)
        LOGS.mkdir(parents=True, exist_ok=True)
        for path, text in self.files.items():
            path.write_text(text)
        with self.log.open("a") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC start\n")
            log.flush()
            process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env or None,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pidfile.write_text(str(process.pid))
        self.wait_ready(process)

    def wait_ready(self, process):
        def ready():
            if process.poll() is not None:
                raise ClusterError(
                    f"{self.name} stopped at once (exit {process.returncode}); see {self.log}:\n"
                    + self.log.read_text()[-2500:]
                )
            if self.port and not port_open(self.port):
                return False
            if self.ready_path:
                return http_status(self.port, self.ready_path, host=HOST) == 200
            return True

        wait_for(self.name, ready, log=self.log)
        if self.settle:
            time.sleep(self.settle)
            if process.poll() is not None:
                raise ClusterError(
                    f"{self.name} stopped after starting (exit {process.returncode}); see "
                    f"{self.log}:\n" + self.log.read_text()[-2500:]
                )

    def signal(self, signum: int, *, timeout: float = STOP_TIMEOUT):
        """Send `signum` to the whole group and wait until it has gone; SIGKILL after the
        timeout."""
        pid = self.pid()
        if pid is None:
            return
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while _group_alive(pid):
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                deadline = time.monotonic() + 10
            time.sleep(0.1)
        if self.port:
            wait_for(f"{self.name}'s port {self.port} to close", lambda: not port_open(self.port))

    def stop(self):
        self.signal(signal.SIGTERM)

    def kill(self):
        self.signal(signal.SIGKILL)


# --- the pieces ----------------------------------------------------------------------------


def node_count() -> int:
    try:
        return int(NODES_FILE.read_text())
    except (OSError, ValueError):
        return DEFAULT_NODES


def node(i: int) -> Piece:
    port = NODE_BASE_PORT + i
    env = process_environment(f"node{i}")
    env["GUNICORN_BIND"] = f"{HOST}:{port}"
    return Piece(
        name=f"node{i}",
        command=[
            str(PYTHON),
            "-m",
            "gunicorn",
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "config.wsgi:application",
        ],
        marker="gunicorn",
        port=port,
        env=env,
        ready_path=CHECK_PATH,
    )


def worker(i: int) -> Piece:
    return Piece(
        name=f"worker{i}",
        command=[str(PYTHON), "manage.py", "run_worker"],
        marker="run_worker",
        env=process_environment(f"worker{i}"),
        settle=3,
    )


def scheduler() -> Piece:
    return Piece(
        name="scheduler",
        command=[str(PYTHON), "manage.py", "run_schedule"],
        marker="run_schedule",
        env=process_environment("scheduler"),
        settle=3,
    )


def redis() -> Piece:
    (VAR / "redis").mkdir(parents=True, exist_ok=True)
    return Piece(
        name="redis",
        command=[
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(VAR / "redis"),
            "--maxmemory",
            "256mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ],
        marker="redis-server",
        port=REDIS_PORT,
    )


def mail() -> Piece:
    return Piece(
        name="mail",
        command=[
            str(PYTHON),
            str(DEPLOY / "mailsink.py"),
            "--port",
            str(MAIL_PORT),
            "--folder",
            str(MAIL),
        ],
        marker="mailsink.py",
        port=MAIL_PORT,
    )


def media() -> Piece:
    MEDIA.mkdir(parents=True, exist_ok=True)
    return Piece(
        name="media",
        command=[
            str(PYTHON),
            "-m",
            "http.server",
            str(MEDIA_PORT),
            "--bind",
            HOST,
            "--directory",
            str(UPLOADS),
        ],
        marker="http.server",
        port=MEDIA_PORT,
    )


def haproxy_config(nodes: int) -> str:
    """deploy/haproxy.cfg as it is for two nodes; with more, one `server` line per node."""
    text = (DEPLOY / "haproxy.cfg").read_text()
    line = '    server node2 "${LEERPLEIN_NODE2}" check\n'
    extra = "".join(
        f'    server node{i} "{HOST}:{NODE_BASE_PORT + i}" check\n' for i in range(3, nodes + 1)
    )
    if nodes == 1:
        text = text.replace(line, "")
    return text.replace(line, line + extra)


def haproxy(nodes: int) -> Piece:
    env = {
        **os.environ,
        "LEERPLEIN_LB_BIND": f"{HOST}:{LB_PORT}",
        "LEERPLEIN_LB_STATS": f"{HOST}:{STATS_PORT}",
        "LEERPLEIN_NODE1": f"{HOST}:{NODE_BASE_PORT + 1}",
        "LEERPLEIN_NODE2": f"{HOST}:{NODE_BASE_PORT + 2}",
        "LEERPLEIN_CHECK_HOST": HOST,
        "LEERPLEIN_ERRORFILES": str(DEPLOY / "haproxy"),
    }
    return Piece(
        name="haproxy",
        command=["haproxy", "-db", "-f", str(VAR / "haproxy.cfg")],
        marker="haproxy",
        port=LB_PORT,
        env=env,
        files={VAR / "haproxy.cfg": haproxy_config(nodes)},
    )


def varnish_vcl() -> str:
    """deploy/varnish/leerplein.vcl, with other ports when they were changed."""
    text = (DEPLOY / "varnish" / "leerplein.vcl").read_text()
    text = text.replace('.port = "8501";', f'.port = "{LB_PORT}";')
    return text.replace('.port = "8520";', f'.port = "{MEDIA_PORT}";')


def varnish() -> Piece:
    return Piece(
        name="varnish",
        # -j none: no jail of its own users on loopback, so its work folder can be in var/
        # (a server uses Debian's unit, with the vcache user: deploy/systemd/).
        command=[
            "varnishd",
            "-F",
            "-j",
            "none",
            "-n",
            str(VAR / "varnish"),
            "-a",
            f"{HOST}:{VARNISH_PORT}",
            "-T",
            "none",
            "-f",
            str(VAR / "leerplein.vcl"),
            "-s",
            "malloc,256m",
        ],
        marker="varnishd",
        files={VAR / "leerplein.vcl": varnish_vcl()},
        port=VARNISH_PORT,
    )


def all_pieces(nodes: int) -> list[Piece]:
    """In the order they start; they stop the other way round."""
    return [
        redis(),
        mail(),
        media(),
        *(node(i) for i in range(1, nodes + 1)),
        haproxy(nodes),
        varnish(),
        *(worker(i) for i in range(1, WORKERS + 1)),
        scheduler(),
    ]


# --- PostgreSQL: a cluster of Debian's postgresql-common ------------------------------------


def pg_status() -> dict:
    done = subprocess.run(["pg_lsclusters", "--json"], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        for cluster in json.loads(done.stdout or "[]"):
            if cluster.get("cluster") == PG_CLUSTER and str(cluster.get("version")) == PG_VERSION:
                return cluster
    return {}


def pg_ctl(action: str):
    done = subprocess.run(
        ["pg_ctlcluster", PG_VERSION, PG_CLUSTER, action],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode and not (action == "stop" and "not running" in done.stderr):
        raise ClusterError(f"pg_ctlcluster {action} failed: {done.stdout}{done.stderr}")


def pg_running() -> bool:
    return bool(pg_status().get("running"))


def pg_pid() -> int | None:
    path = Path(pg_status().get("pgdata", "/nonexistent")) / "postmaster.pid"
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def pg_answers() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", HOST, "-p", str(POSTGRES_PORT)], check=False
        ).returncode
        == 0
    )


def postgres_start():
    """Create the instance on first use (trust on loopback only), then start it."""
    if not pg_status():
        print(f"Creating PostgreSQL {PG_VERSION} instance {PG_CLUSTER} on port {POSTGRES_PORT}")
        done = subprocess.run(
            [
                "pg_createcluster",
                PG_VERSION,
                PG_CLUSTER,
                "--port",
                str(POSTGRES_PORT),
                "--start-conf",
                "manual",
                "--",
                "--auth-local=trust",
                "--auth-host=trust",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise ClusterError(f"pg_createcluster failed: {done.stdout}{done.stderr}")
        # Loopback only; room for two nodes' threads, the workers and a test's crowd.
        settings = Path(f"/etc/postgresql/{PG_VERSION}/{PG_CLUSTER}/conf.d/leerplein.conf")
        settings.write_text(f"listen_addresses = '{HOST}'\nmax_connections = 200\n")
    if not pg_running():
        pg_ctl("start")
    wait_for("PostgreSQL", pg_answers)


def postgres_stop():
    if pg_status() and pg_running():
        pg_ctl("stop")


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", "-h", HOST, "-p", str(POSTGRES_PORT), "-U", "postgres", "-d", database]
        + ["-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise ClusterError(f"psql failed: {done.stderr}")
    return done.stdout.strip()


# --- preparing the site ----------------------------------------------------------------------


def manage(*args: str):
    started = time.monotonic()
    done = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=process_environment("setup"),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise ClusterError(
            f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        )
    print(f"  manage.py {' '.join(args):<28} {time.monotonic() - started:5.1f} s")


def prepare(fresh: bool, *, starting_app: bool):
    """The database, static files, catalogues and the demo content: on the first `up`, or
    from scratch with --fresh. Later, when app processes are about to start, the code may be
    newer than the database: its migrations and static files are brought up to date.

    The instance outlives a checkout (it is the machine's); a checkout that has not prepared
    it (no marker in its var/) starts from an empty database, never from another checkout's."""
    if fresh or not PREPARED.exists():
        psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        PREPARED.unlink(missing_ok=True)
        shutil.rmtree(MEDIA, ignore_errors=True)
        # The sink may be running: empty its folder rather than take it away.
        for message in MAIL.glob("*.eml"):
            message.unlink()
    database = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")  # noqa: S608
    if PREPARED.exists() and database:
        if starting_app:
            manage("migrate", "--no-input")
            manage("collectstatic", "--noinput")
        return
    print("Preparing the site (database, static files, catalogues, demo content)")
    if not database:
        psql(f"CREATE DATABASE {DATABASE}")
    MEDIA.mkdir(parents=True, exist_ok=True)
    manage("compile_catalogues")
    manage("migrate", "--no-input")
    manage("collectstatic", "--noinput")
    manage("load_demo", "--force")
    PREPARED.write_text(time.strftime("%Y-%m-%d %H:%M:%S UTC\n", time.gmtime()))


# --- commands --------------------------------------------------------------------------------


def require_programs():
    missing = [
        program
        for program in ("haproxy", "varnishd", "redis-server", "pg_createcluster", "psql")
        if shutil.which(program) is None
    ]
    if missing:
        raise ClusterError(
            f"Missing programs: {', '.join(missing)}. `make cluster` installs Debian's packages "
            "(haproxy, varnish, redis-server, postgresql)."
        )
    if not PYTHON.exists():
        raise ClusterError(f"{PYTHON} is missing: run `make install-dev` first.")


def lb_ready() -> bool:
    return http_status(LB_PORT, CHECK_PATH, host=f"{HOST}:{VARNISH_PORT}") == 200


def lb_server_states() -> dict[str, str]:
    """HAProxy's view of each node (UP, DOWN, …), from its stats page."""
    try:
        conn = http.client.HTTPConnection(HOST, STATS_PORT, timeout=2)
        conn.request("GET", "/;csv")
        rows = conn.getresponse().read().decode().splitlines()
        conn.close()
    except (OSError, http.client.HTTPException):
        return {}
    header = rows[0].lstrip("# ").split(",")
    states = {}
    for row in rows[1:]:
        values = dict(zip(header, row.split(","), strict=False))
        if values.get("pxname") == "app" and values.get("svname", "").startswith("node"):
            states[values["svname"]] = values.get("status", "")
    return states


def wait_until_in_rotation(name: str):
    wait_for(
        f"HAProxy to take {name} in",
        lambda: lb_server_states().get(name, "").startswith("UP"),
        timeout=30,
    )


def up(nodes: int | None, fresh: bool):
    started = time.monotonic()
    require_programs()
    VAR.mkdir(parents=True, exist_ok=True)
    nodes = nodes or node_count()
    if nodes < 1:
        raise ClusterError("--nodes must be 1 or more.")
    previous = node_count()
    if fresh:
        # The database is dropped under them: every app process and the cache go first.
        for piece in reversed(all_pieces(max(nodes, previous))):
            if piece.name not in ("redis", "mail", "media"):
                piece.stop()
    secret_key()
    postgres_start()
    pieces = all_pieces(nodes)
    if not pieces[0].running():
        print("Starting redis")
        pieces[0].start()  # before migrate and load_demo use the cache
    if fresh:
        subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "FLUSHDB"], capture_output=True, check=False
        )
    app = [piece for piece in pieces if piece.name.startswith(("node", "worker", "scheduler"))]
    prepare(fresh, starting_app=any(not piece.running() for piece in app))
    NODES_FILE.write_text(str(nodes))
    for i in range(nodes + 1, max(previous, nodes) + 1):
        node(i).stop()
    for piece in pieces:
        if piece.outdated():  # HAProxy's server lines or a changed VCL
            print(f"Restarting {piece.name} with its new configuration")
            piece.stop()
    for piece in pieces:
        if not piece.running():
            print(f"Starting {piece.name}")
            piece.start()
    wait_for("the site through the load balancer", lb_ready, log=LOGS / "node1.log")
    wait_for(
        "the site through Varnish",
        lambda: http_status(VARNISH_PORT, "/nl/") == 200,
        log=LOGS / "varnish.log",
    )
    print(
        f"Leerplein runs on {SITE_URL}/nl/ ({nodes} app nodes; HAProxy's stats on "
        f"http://{HOST}:{STATS_PORT}/) — ready in {time.monotonic() - started:.0f} s"
    )


def down():
    for piece in reversed(all_pieces(max(node_count(), DEFAULT_NODES))):
        if piece.running():
            print(f"Stopping {piece.name}")
            piece.stop()
    if pg_status() and pg_running():
        print("Stopping PostgreSQL")
        postgres_stop()


def status(as_json: bool) -> dict:
    nodes = node_count()
    in_rotation = lb_server_states()
    report = {
        "postgres": {"running": pg_running(), "pid": pg_pid(), "port": POSTGRES_PORT},
    }
    for piece in all_pieces(nodes):
        entry = {"running": piece.running(), "pid": piece.pid(), "port": piece.port}
        if piece.name in in_rotation:
            entry["load_balancer"] = in_rotation[piece.name]
        report[piece.name] = entry
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        for name, entry in report.items():
            state = "running" if entry["running"] else "stopped"
            extra = f"  (HAProxy: {entry['load_balancer']})" if "load_balancer" in entry else ""
            port = entry["port"] or "-"
            print(f"{name:<10} {state:<8} pid {entry['pid'] or '-':<8} port {port}{extra}")
    return report


def numbered(kind: str, i: int) -> Piece:
    if kind == "node":
        if not 1 <= i <= node_count():
            raise ClusterError(f"There are nodes 1 to {node_count()}; no node {i}.")
        return node(i)
    if not 1 <= i <= WORKERS:
        raise ClusterError(f"There are workers 1 to {WORKERS}; no worker {i}.")
    return worker(i)


def control(piece: Piece, action: str):
    if action == "kill":
        piece.kill()
    elif action == "stop":
        piece.stop()
    elif action == "start":
        if piece.name.startswith("node") and not pg_answers():
            raise ClusterError("PostgreSQL is not running: `cluster.py postgres start` first.")
        piece.start()
        if piece.name.startswith("node") and haproxy(node_count()).running():
            wait_until_in_rotation(piece.name)


def postgres(action: str):
    if action == "start":
        postgres_start()
    elif action == "stop":
        postgres_stop()
    else:
        if not pg_status():
            raise ClusterError("There is no PostgreSQL instance yet: run `cluster.py up`.")
        pg_ctl("restart")
        wait_for("PostgreSQL", pg_answers)


def mail_messages() -> list[dict]:
    messages = []
    for path in sorted(MAIL.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        messages.append(
            {
                "message_id": message.get("Message-ID", ""),
                "to": [str(to) for to in message.get_all("X-Envelope-To", [])],
                "subject": str(message.get("Subject", "")),
                "date": str(message.get("Date", "")),
                "file": path.name,
            }
        )
    return messages


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="cluster.py", description=__doc__.split("\n\n")[0], allow_abbrev=False
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up", help="start what is not running")
    up_parser.add_argument("--nodes", type=int, help=f"app nodes (default {DEFAULT_NODES})")
    up_parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    commands.add_parser("down", help="stop everything")
    status_parser = commands.add_parser("status", help="each piece: running?, pid, port")
    status_parser.add_argument("--json", action="store_true")
    for kind in ("node", "worker"):
        sub = commands.add_parser(kind, help=f"kill, stop or start {kind} I")
        sub.add_argument("action", choices=["kill", "stop", "start"])
        sub.add_argument("number", type=int)
    sub = commands.add_parser("redis", help="stop or start the cluster's Redis")
    sub.add_argument("action", choices=["stop", "start"])
    sub = commands.add_parser("postgres", help="restart, stop or start the cluster's PostgreSQL")
    sub.add_argument("action", choices=["restart", "stop", "start"])
    sub = commands.add_parser("mail", help="stop or start the mail sink, or list its messages")
    sub.add_argument("action", choices=["stop", "start", "messages"])
    sub.add_argument("--json", action="store_true")
    commands.add_parser("env", help="the app processes' environment, as KEY=VALUE lines")
    return parser.parse_args(argv)


@contextlib.contextmanager
def one_at_a_time(args):
    """Commands that start or stop pieces wait for each other (two test sessions may call
    `up` at once); reading commands do not."""
    reading = args.command in ("status", "env") or getattr(args, "action", "") == "messages"
    if reading:
        yield
        return
    VAR.mkdir(parents=True, exist_ok=True)
    with (VAR / "cluster.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        with one_at_a_time(args):
            run(args)
    except ClusterError as error:
        print(f"cluster.py {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cluster.py mail messages | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def run(args):
    if args.command == "up":
        up(args.nodes, args.fresh)
    elif args.command == "down":
        down()
    elif args.command == "status":
        status(args.json)
    elif args.command in ("node", "worker"):
        control(numbered(args.command, args.number), args.action)
    elif args.command == "redis":
        control(redis(), args.action)
    elif args.command == "postgres":
        postgres(args.action)
    elif args.command == "mail":
        if args.action == "messages":
            messages = mail_messages()
            if args.json:
                print(json.dumps(messages, indent=2))
            else:
                for message in messages:
                    print(
                        f"{message['message_id']}\t{','.join(message['to'])}\t{message['subject']}"
                    )
        else:
            control(mail(), args.action)
    elif args.command == "env":
        for key, value in app_environment().items():
            print(f"{key}={value}")


if __name__ == "__main__":
    sys.exit(main())
