"""gunicorn settings of an app node, for `make cluster` and for a real server (systemd).

Every value can be changed from the environment, so one file serves both. The request log is
the app's own (one JSON line per request, with the load balancer's request id), so gunicorn
writes no access log of its own.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gthread: a worker waiting on PostgreSQL or the mail server still answers other requests.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes this long is stuck; the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM the requests in hand may finish; the load balancer has stopped sending new ones
# by the time its health check sees the port close.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# A worker is replaced after this many requests (with jitter, so not all at once): a slow leak
# in a library never grows without end.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10

# Only the load balancer may say which scheme the client used (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
proc_name = os.environ.get("LEERPLEIN_NODE", "leerplein")
# No control socket file in the project folder.
control_socket_disable = True
