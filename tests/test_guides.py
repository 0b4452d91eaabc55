"""The guides in docs/ are followed literally, on a copy of the project, so that they cannot go stale.

A guide marks what the runner does with the info string of its fenced blocks:

- ```` ```sh test ````: a shell block, run with bash (``set -e``) in the copy's root; it must exit 0, or the
  code given as ```` ```sh test exit=1 ````;
- ```` ```text output ```` right after a shell block: each of its non-blank lines must occur in that block's
  output (standard output and error together), as a substring of one line;
- ```` ```LANG file=PATH ````: the block's text is written to PATH (relative to the copy's root, folders made);
  ```` ```LANG append=PATH ```` appends it.

Other blocks are left alone. The copy holds the project's files (not .git, .venv or caches); its ``.venv``
is a link to the project's, and ``PYTHONPATH`` points at a package tree of links into the copy, so that
``.venv/bin/stancekb`` runs the copy's code and sees the files a guide writes. The project's neighbour
``../shared`` (the source texts) is linked beside the copy. To add a guide, add it to ``GUIDES``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DOCS = PROJECT / "docs"

GUIDES: dict[str, Path] = {
    "adding-a-module": DOCS / "adding-a-module.md",
    "adding-a-source": DOCS / "adding-a-source.md",
    "querying": DOCS / "querying.md",
}
"""The guides a test follows, by name."""

NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache", "var", "node_modules", "*.egg-info")
PACKAGE_FOLDERS = {"api": "api", "ontology": "ontology", "shapes": "shapes"}
"""Sub-packages of ``stancekb`` that live outside kb/ (pyproject.toml's package-dir), by name under stancekb/."""
STEP_TIMEOUT = 600

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass
class Step:
    """One thing a guide says to do: run a shell block, or write (or append to) a file."""

    line: int
    action: str
    body: str
    path: str = ""
    exit_code: int = 0
    output: str = ""

    def describe(self, guide: str) -> str:
        return f"{guide} line {self.line} ({self.action}{' ' + self.path if self.path else ''})"


def steps(markdown: str) -> list[Step]:
    """The steps of a guide, in order; an output block is attached to the shell step before it."""
    found: list[Step] = []
    for match in FENCE.finditer(markdown):
        words = match.group(1).split()
        options = dict(word.split("=", 1) for word in words[1:] if "=" in word)
        line = markdown.count("\n", 0, match.start()) + 1
        body = match.group(2)
        if words[:2] == ["sh", "test"]:
            found.append(Step(line, "run", body, exit_code=int(options.get("exit", "0"))))
        elif words[:2] == ["text", "output"]:
            assert found and found[-1].action == "run", f"line {line}: an output block must follow a shell block"
            found[-1].output = body
        elif "file" in options:
            found.append(Step(line, "write", body, path=options["file"]))
        elif "append" in options:
            found.append(Step(line, "append", body, path=options["append"]))
    return found


def project_copy(root: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the project under ``root``, and the environment that makes its commands run the copy's code."""
    copy = root / PROJECT.name
    shutil.copytree(PROJECT, copy, ignore=NOT_COPIED, symlinks=True)
    (copy / ".venv").symlink_to(PROJECT / ".venv")
    shared = PROJECT.parent / "shared"
    if shared.is_dir():
        (root / "shared").symlink_to(shared)
    package = root / "site" / "stancekb"
    package.mkdir(parents=True)
    for entry in (copy / "kb").iterdir():
        (package / entry.name).symlink_to(entry)
    for name, folder in PACKAGE_FOLDERS.items():
        (package / name).symlink_to(copy / folder)
    env = {**os.environ, "PYTHONPATH": str(root / "site"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("STANCEKB_STORE", None)
    return copy, env


def run_step(step: Step, copy: Path, env: dict[str, str], guide: str) -> None:
    """Do one step in the copy; fail the test, with the step's place and output, if it does not work out."""
    if step.action in ("write", "append"):
        target = copy / step.path
        assert copy in target.resolve().parents, f"{step.describe(guide)}: writes outside the project"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a" if step.action == "append" else "w", encoding="utf-8") as handle:
            handle.write(step.body)
        return
    completed = subprocess.run(
        ["bash", "-e", "-c", step.body],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == step.exit_code, (
        f"{step.describe(guide)}: exit {completed.returncode}, expected {step.exit_code}\n{step.body}\n{output}"
    )
    lines = output.splitlines()
    for wanted in (line.strip() for line in step.output.splitlines()):
        assert not wanted or any(wanted in line for line in lines), (
            f"{step.describe(guide)}: the output has no line with {wanted!r}\n{output}"
        )


def test_steps_are_parsed_with_their_options() -> None:
    markdown = "```sh test exit=1\nfalse\n```\n```text output\nerr\n```\n```turtle file=a/b.ttl\nx\n```\n"
    parsed = steps(markdown + "```json append=c.json\n{}\n```\n```sh\nnot run\n```\n")
    assert [(s.action, s.path, s.exit_code, s.output) for s in parsed] == [
        ("run", "", 1, "err\n"),
        ("write", "a/b.ttl", 0, ""),
        ("append", "c.json", 0, ""),
    ]


def test_the_copy_runs_its_own_code(tmp_path: Path) -> None:
    copy, env = project_copy(tmp_path)
    where = subprocess.run(
        [str(copy / ".venv" / "bin" / "python"), "-c", "import stancekb.modules as m; print(m.modules_folder())"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip() == str(tmp_path / "site" / "stancekb" / "ontology" / "modules")


@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_guide_steps_work_on_a_copy_of_the_project(guide: str, tmp_path: Path) -> None:
    guide_steps = steps(GUIDES[guide].read_text(encoding="utf-8"))
    assert any(step.action == "run" for step in guide_steps), f"{guide} has no ```sh test block"
    copy, env = project_copy(tmp_path)
    for step in guide_steps:
        run_step(step, copy, env, guide)
