"""Writing test data where the live server sees it."""

import threading

from django.db import connections


def committed(function):
    """Run `function` so that the live server sees what it writes, and return its result.

    On in-memory SQLite the live server shares the test's connection, so the test's own
    transaction will do. Elsewhere (PostgreSQL) the server has a connection of its own and
    only sees committed rows: run it in a thread with its own, autocommitting connection.
    """
    if connections["default"].vendor == "sqlite":
        return function()
    outcome = {}

    def target():
        try:
            outcome["result"] = function()
        except BaseException as error:  # handed to the test's thread below
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")
