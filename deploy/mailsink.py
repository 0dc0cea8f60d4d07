"""A mail server for the cluster on loopback: accepts every message and stores it as a file.

`cluster.py mail stop|start` stops and starts it (the fault tests take the mail server away
and bring it back); `cluster.py mail messages` lists what arrived. Each message is one
`.eml` file in the folder given, written whole before it gets its name, so a reader never
sees half a message. Not for a real server: there the site talks to the organisation's own
mail server (EMAIL_HOST).
"""

import argparse
import itertools
import os
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

_numbers = itertools.count(1)


class Store:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        name = f"{time.time_ns()}-{os.getpid()}-{next(_numbers)}"
        self.folder.mkdir(parents=True, exist_ok=True)  # emptied by `up --fresh`, say
        partial = self.folder / f".{name}.tmp"
        recipients = "".join(f"X-Envelope-To: {to}\r\n" for to in envelope.rcpt_tos)
        partial.write_bytes(recipients.encode() + envelope.original_content)
        partial.rename(self.folder / f"{name}.eml")
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8525)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(Store(args.folder), hostname=args.host, port=args.port)
    controller.start()
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
