"""A coordinator edits a group every second while visitors read (`bench/run.py --only edits`).

The home page and a story page are read under load twice: on a quiet site, and while another
process saves an open course group once a second through `booking.services.save_group` (a
new trainer name: the group stays public, so each save refreshes what shows it, the home
page). The figures are the share of answers served from the page cache ("hit", or "stale"
while one worker renders the new copy) and the requests per second, edits against quiet.
"""

import subprocess
import sys
import time
from pathlib import Path

from loadgen import Request, run_load

ROOT = Path(__file__).resolve().parent.parent
HIT_RATE = 0.95
SHARE_OF_QUIET = 0.80

# Edits one open group of the demo once a second until killed; prints "ready" first.
EDITOR = """
import sys, time
from booking import services
from booking.models import CourseGroup
from django.contrib.auth import get_user_model
from booking.roles import coordinates
group = CourseGroup.objects.filter(status=CourseGroup.Status.OPEN).order_by("pk").first()
coordinator = next(u for u in get_user_model().objects.order_by("pk") if coordinates(u, group))
print("ready", group.pk, flush=True)
edits = 0
while True:
    started = time.monotonic()
    group = CourseGroup.objects.get(pk=group.pk)
    group.trainer = f"Trainer {edits % 7}"
    services.save_group(group=group, by=coordinator, reason="Bench: a new trainer")
    edits += 1
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
"""


def _cached_share(result) -> float:
    return (result.cache.get("hit", 0) + result.cache.get("stale", 0)) / max(1, result.requests)


def _load(port, path, args, tag):
    return run_load(
        "127.0.0.1",
        port,
        Request(path, headers={"X-Bench": f"edits-{tag}"}),
        connections=args.connections,
        seconds=args.seconds,
        max_requests=args.max_requests,
    )


def measure_edits(env: dict, args, serving, urls: dict) -> dict:
    """Quiet and edited figures for the home page and a story page."""
    pages = {"home": urls["home"], "story": urls["story"]}
    rows = {}
    with serving(env) as port:
        for name, path in pages.items():
            _load(port, path, args, f"{name}-warmup")  # fills the caches
            rows[name] = {"path": path, "quiet": _load(port, path, args, f"{name}-quiet")}
        editor = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", EDITOR],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            for line in editor.stdout:
                if line.startswith("ready"):
                    break
            else:
                sys.exit("The editing process stopped before it was ready.")
            started = time.monotonic()
            for name, path in pages.items():
                rows[name]["edits"] = _load(port, path, args, f"{name}-edits")
            edit_seconds = time.monotonic() - started
        finally:
            editor.terminate()
            editor.wait(timeout=10)
    result = {"edit_seconds": round(edit_seconds, 1), "pages": {}}
    for name, row in rows.items():
        quiet, edits = row["quiet"], row["edits"]
        result["pages"][name] = {
            "path": row["path"],
            "quiet": {"rps": round(quiet.rps, 1), "cached": round(_cached_share(quiet), 4)},
            "edits": {
                "rps": round(edits.rps, 1),
                "cached": round(_cached_share(edits), 4),
                "page_cache": dict(edits.cache),
                "errors": edits.errors,
            },
        }
    return result


def check_edit_targets(result: dict) -> list[dict]:
    targets = []
    for name, page in result["pages"].items():
        quiet, edits = page["quiet"], page["edits"]
        share = edits["rps"] / quiet["rps"] if quiet["rps"] else 0.0
        label = {"home": "Home page", "story": "Story"}[name]
        targets.append(
            {
                "target": f"{label} while a group is edited every second: over "
                f"{HIT_RATE:.0%} from the page cache",
                "figure": f"{edits['cached']:.2%} ({edits['page_cache']})",
                "passed": edits["cached"] > HIT_RATE and not edits["errors"],
            }
        )
        targets.append(
            {
                "target": f"{label} while a group is edited every second: at least "
                f"{SHARE_OF_QUIET:.0%} of the quiet req/s",
                "figure": f"{share:.0%} ({edits['rps']:.0f} of {quiet['rps']:.0f} req/s)",
                "passed": share >= SHARE_OF_QUIET,
            }
        )
    return targets


def edits_summary(result: dict) -> str:
    if "skipped" in result:
        return f"Not measured: {result['skipped']}."
    lines = [
        "| page | quiet req/s | quiet cached | with edits req/s | with edits cached |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, page in result["pages"].items():
        quiet, edits = page["quiet"], page["edits"]
        lines.append(
            f"| {name} (`{page['path']}`) | {quiet['rps']:.0f} | {quiet['cached']:.2%} | "
            f"{edits['rps']:.0f} | {edits['cached']:.2%} |"
        )
    return "\n".join(lines)
