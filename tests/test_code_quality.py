"""Lint, format and type checks run with the test suite, so that CI and a developer run the same commands.

The configuration is pyproject.toml's ([tool.ruff], [tool.mypy]); these tests fail on any finding.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", "."],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", "."],
    "mypy": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("name", CHECKS)
def test_code_passes(name: str) -> None:
    completed = subprocess.run(CHECKS[name], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, f"{name} found problems:\n{completed.stdout}\n{completed.stderr}"
