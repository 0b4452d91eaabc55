"""The ``stancekb generate`` command: a synthetic KB of any size (``stancekb.generate``), with a progress bar.

Registered in ``stancekb.cli``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stancekb.cli import err, user_errors
from stancekb.generate import write_synthetic_kb


def generate_command(
    triples: Annotated[int, typer.Option("--triples", min=1, help="At least this many triples (whole sources).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write: .nq (N-Quads) or .trig (TriG).")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed and size give the same bytes.")] = 0,
) -> None:
    """Write a synthetic KB (the reference graph and invented sources, all valid) for benchmarks and tests."""
    columns = (TextColumn("Generating"), BarColumn(), MofNCompleteColumn(), TextColumn("triples"), TimeElapsedColumn())
    with user_errors(), Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("generate", total=triples)
        written = write_synthetic_kb(
            output, triples, seed, progress=lambda done: progress.update(task, completed=done, total=max(done, triples))
        )
    err.print(f"wrote {written} triples to {output} (seed {seed})", highlight=False)
