"""The apps depend one way, and the booking domain never imports its user interfaces.

`lint-imports` (contracts in pyproject.toml) runs on the real tree in `make test`; these tests
show that the contracts would catch a wrong import, so a passing run means something.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["config", "core", "booking", "stories", "home", "demo"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the project's packages and contracts that a test may break."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(path: Path, line: str):
    path.write_text(path.read_text() + f"\n\ndef _wrong():\n    {line}  # noqa\n")


def test_the_project_keeps_its_contracts(tree):
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        ("core/cache.py", "import home.models", "Apps depend one way"),
        ("booking/services.py", "from stories.models import Theme", "Apps depend one way"),
        ("stories/models.py", "from home.models import HomePage", "Apps depend one way"),
        ("home/models.py", "import demo.loader", "Apps depend one way"),
        ("booking/services.py", "from booking.admin import groups", "never imports its user"),
        ("booking/selectors.py", "import booking.portal.views", "never imports its user"),
        ("booking/models/groups.py", "from booking.api import api", "never imports its user"),
    ],
)
def test_a_wrong_import_breaks_a_contract(tree, module, wrong_import, contract):
    """Even inside a function, where Python would only notice the loop at run time."""
    _append(tree / module, wrong_import)
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout
    assert "BROKEN" in result.stdout
