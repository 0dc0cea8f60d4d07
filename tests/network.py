"""Ports on this machine, for tests that start servers of their own (gunicorn, runserver,
redis-server) or need one that nothing answers on."""

import socket


def free_port() -> int:
    """A port nothing listens on now, for a server the test is about to start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on `port`."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0
