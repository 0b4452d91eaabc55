"""Lint, format and type checks run with the test suite, so that CI and a developer run the same commands.

The configuration is pyproject.toml's ([tool.ruff], [tool.mypy]); these tests fail on any finding.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def package_tree(target: Path) -> Path:
    """Lay out the ``stancekb`` package as links, following pyproject's package-dir, for mypy to read.

    mypy cannot follow setuptools' editable-install finder, and the package's folders (kb/, api/, ...) do
    not carry its name, so the type check runs over this tree of links to the real files.
    """
    package_dirs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for package, folder in package_dirs.items():
        destination = target.joinpath(*package.split("."))
        destination.mkdir(parents=True, exist_ok=True)
        for source in (ROOT / folder).glob("*.py"):
            (destination / source.name).symlink_to(source)
    return target


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a checker from the project root and capture its report."""
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("command", [["ruff", "check", "."], ["ruff", "format", "--check", "."]], ids=" ".join)
def test_ruff(command: list[str]) -> None:
    completed = run([sys.executable, "-m", *command], cwd=ROOT)
    assert completed.returncode == 0, f"{' '.join(command)} found problems:\n{completed.stdout}\n{completed.stderr}"


def test_mypy(tmp_path: Path) -> None:
    tree = package_tree(tmp_path / "tree")
    config = ROOT / "pyproject.toml"
    completed = run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "-p",
            "stancekb",
        ],
        cwd=tree,
    )
    assert completed.returncode == 0, f"mypy found problems:\n{completed.stdout}\n{completed.stderr}"
