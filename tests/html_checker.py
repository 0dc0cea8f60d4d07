"""Checks that pages are valid HTML.

Two kinds of check:

- `markup_problems(html)`: the mistakes this site has made before, found in Python without
  extra tools: a `datetime` attribute that is not a valid HTML date, time or duration (six
  digits of a second's fraction), and a form with an empty `action`.
- `nu_errors(pages)`: the Nu HTML Checker (vnu.jar from the `vnu-jar` npm package) over many
  pages in one Java run. `nu_checker_missing()` says why it cannot run (no Java, no jar), so
  a test can skip with that reason. The jar is found at $VNU_JAR, else in the project's
  node_modules.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The valid values of `datetime` (HTML Living Standard, "the time element"): a month, date,
# yearless date, time, local or global date and time, time-zone offset, week, year or duration.
_YEAR = r"\d{4,}"
_MONTH = rf"{_YEAR}-(0[1-9]|1[0-2])"
_DATE = rf"{_MONTH}-(0[1-9]|[12]\d|3[01])"
_YEARLESS = r"(--)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_TIME = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?"
_OFFSET = r"(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)"
_LOCAL = rf"{_DATE}[T ]{_TIME}"
_WEEK = rf"{_YEAR}-W(0[1-9]|[1-4]\d|5[0-3])"
_ISO_DURATION = r"P(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,3})?S)?)?"
_DURATION = r"\s*(\d+(\.\d{1,3})?\s*[WDHMSwdhms]\s*)+"
_VALID_DATETIME = re.compile(
    "|".join(
        f"(?:{part})"
        for part in (
            _MONTH,
            _DATE,
            _YEARLESS,
            _TIME,
            _LOCAL,
            _OFFSET,
            rf"{_LOCAL}{_OFFSET}",
            _WEEK,
            _YEAR,
            rf"(?!P$){_ISO_DURATION}",
            _DURATION,
        )
    )
)


def is_valid_datetime(value: str) -> bool:
    """Whether `value` may stand in a `datetime` attribute."""
    return bool(_VALID_DATETIME.fullmatch(value))


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.datetimes: list[str] = []
        self.form_actions: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "datetime" in attributes:
            self.datetimes.append(attributes["datetime"] or "")
        if tag == "form":
            self.form_actions.append(attributes.get("action"))


def datetime_values(html: str) -> list[str]:
    parser = _Attributes()
    parser.feed(html)
    return parser.datetimes


def form_actions(html: str) -> list[str | None]:
    """Each form's `action`, None where the form has none (it submits to its own page)."""
    parser = _Attributes()
    parser.feed(html)
    return parser.form_actions


def markup_problems(html: str) -> list[str]:
    """What the Nu HTML Checker would call an error among the mistakes looked for here."""
    problems = [
        f"bad datetime value {value!r}"
        for value in datetime_values(html)
        if not is_valid_datetime(value) or "." in value
    ]
    problems += [
        "form with an empty action"
        for action in form_actions(html)
        if action is not None and not action.strip()
    ]
    return problems


# -- the Nu HTML Checker -------------------------------------------------------------------------


def vnu_jar() -> Path | None:
    candidates = [os.environ.get("VNU_JAR"), ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def nu_checker_missing() -> str:
    """Why the Nu HTML Checker cannot run here, or "" when it can."""
    if not shutil.which("java"):
        return "the Nu HTML Checker needs Java (`java` is not on the PATH)"
    if vnu_jar() is None:
        return (
            "the Nu HTML Checker is not installed: `npm install vnu-jar` in the project, "
            "or set VNU_JAR to the path of vnu.jar"
        )
    return ""


def nu_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """The checker's errors for each page ({name: html}), as "line N: message" texts.

    All pages go to one Java process: starting the JVM costs more than checking a page.
    """
    with tempfile.TemporaryDirectory(prefix="nu-check-") as folder:
        files = {}
        for number, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        result = subprocess.run(  # noqa: S603 - a fixed command on files we wrote
            [
                shutil.which("java") or "java",
                "-jar",
                str(vnu_jar()),
                "--errors-only",
                "--format",
                "json",
                "--exit-zero-always",
                *(str(Path(folder) / file) for file in files),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"the Nu HTML Checker failed: {result.stderr[-2000:]}")
        # With --format json the report is written to stderr.
        messages = json.loads(result.stderr or result.stdout)["messages"]
    errors: dict[str, list[str]] = {name: [] for name in pages}
    for message in messages:
        # The checker names a file by a URL of its own making ("file:/tmp/…/page-0.html").
        url = message.get("url", "")
        name = files.get(url.rsplit("/", 1)[-1], url or "?")
        where = f"line {message['lastLine']}: " if "lastLine" in message else ""
        errors.setdefault(name, []).append(f"{where}{message['message']}")
    return {name: found for name, found in errors.items() if found}
