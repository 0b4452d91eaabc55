"""The publishing commands of ``stancekb``: ``docs`` (the ontology's documentation) and ``release VERSION``.

They register themselves on ``stancekb.cli.app`` when this module is imported, which ``stancekb.cli`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stancekb.cli import StoreOption, app, err, fail, opened_store, out, settings_for, user_errors
from stancekb.ontodocs import write_docs
from stancekb.release import ReleaseError, release


@app.command("docs")
def docs_command(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write ontology.html and ontology.svg into.")
    ] = Path("docs/ontology"),
) -> None:
    """Write the ontology's HTML documentation (every term) and its diagram of the main classes."""
    with user_errors():
        for path in write_docs(output):
            err.print(f"wrote {path}", highlight=False)


@app.command("release")
def release_command(
    ctx: typer.Context,
    version: Annotated[str, typer.Argument(help="The release's version, such as 1.0.0.")],
    into: Annotated[Path, typer.Option("--into", help="The folder of releases.")] = Path("releases"),
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="The release to compare with (default: the latest below VERSION in --into)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Write a release: versioned ontology, dumps, docs, description and change log, in INTO/VERSION."""
    settings = settings_for(ctx, store=store)
    with user_errors(), opened_store(settings) as opened:
        try:
            with err.status(f"Writing release {version}"):
                made = release(opened, version, into, base_url=settings.base_url, previous=previous)
        except ReleaseError as error:
            fail(str(error))
    changes = made.changes
    since = f"since {changes.previous}" if changes.previous else "(first release)"
    out.print(f"release {made.version} written to {made.folder} {since}", highlight=False)
    out.print(f"terms: {len(changes.terms_added)} added, {len(changes.terms_removed)} removed", highlight=False)
    for change in changes.graphs:
        out.print(
            f"<{change.graph}>: {len(change.added)} statements added, {len(change.removed)} removed", highlight=False
        )
