"""The ``stancekb source`` commands (new, draft, check, evaluate) and ``stancekb diff``.

Thin doors onto ``stancekb.sources``, ``stancekb.draft`` and ``stancekb.diff``; registered in ``stancekb.cli``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rdflib import RDF, Dataset, Graph

from stancekb.cli import StoreOption, _check_text, err, fail, opened_store, out, settings_for, user_errors
from stancekb.diff import diff, read_version, render
from stancekb.draft import draft, evaluate
from stancekb.load import read_graphs
from stancekb.namespaces import SKB
from stancekb.sources import ActorIndex, NewSource, SourceError, SourceIris, read_text, scaffold, store_actors, to_trig
from stancekb.validate import union_graph

app = typer.Typer(
    help="Add a source: scaffold its graph, draft it from the text, check its anchors.", no_args_is_help=True
)

SOURCES_FOLDER = Path("kb/data/sources")
"""Where a new source's file goes by default: the project's sources folder, from the project's root."""

TitleOption = Annotated[str | None, typer.Option("--title", help="The article's title (default: its first line).")]
PublisherOption = Annotated[
    str | None, typer.Option("--publisher", help="The outlet: a label of a known actor, an IRI, or a new name.")
]
SlugOption = Annotated[str | None, typer.Option("--slug", help="The source's name in IRIs (default: from the title).")]
ContributorOption = Annotated[
    list[str] | None, typer.Option("--contributor", help="An author or contributor; may be repeated.")
]
IssuedOption = Annotated[
    str | None, typer.Option("--issued", help="Publication date, YYYY-MM-DD, if the source gives it.")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="The TriG file to write (default: kb/data/sources/SLUG.trig).")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]


def _new_source(
    text_file: Path,
    title: str | None,
    publisher: str | None,
    slug: str | None,
    contributors: list[str] | None,
    issued: str | None,
) -> NewSource:
    """The options of ``new`` and ``draft`` as a ``NewSource``, or exit 2 naming the bad one."""
    try:
        text = read_text(text_file)
        source = NewSource(
            text=text,
            title=title or text.split("\n", 1)[0].strip(),
            publisher=publisher or "",
            slug=slug,
            contributors=contributors or [],
            issued=_date(issued),
        )
        source.iris  # noqa: B018 - refuses a bad slug
    except SourceError as error:
        fail(str(error))
    if not source.title:
        fail(f"{text_file}: no --title given and the text's first line is empty")
    return source


def _date(value: str | None) -> date | None:
    """An ``--issued`` date."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise SourceError(f"--issued {value!r}: not a date, use YYYY-MM-DD") from None


def _target(output: Path | None, iris: SourceIris, force: bool) -> Path:
    """Where a new source's TriG goes; never over an existing file unless told to (checked before any work)."""
    target = output or SOURCES_FOLDER / f"{iris.slug}.trig"
    if not target.parent.is_dir():
        fail(f"{target.parent}: no such folder (run from the project's root, or give --output)")
    if target.exists() and not force:
        fail(f"{target} exists: give another --output or --slug, or --force to overwrite it")
    return target


def _build(
    ctx: typer.Context,
    store: str | None,
    source: NewSource,
    output: Path | None,
    force: bool,
    build: Callable[[NewSource, ActorIndex], Dataset],
) -> Graph:
    """Build a source's graph with the store's actors and write it as TriG; return the graph."""
    target = _target(output, source.iris, force)
    with user_errors(), opened_store(settings_for(ctx, store=store)) as opened:
        dataset = build(source, store_actors(opened))
    target.write_bytes(to_trig(dataset, source.iris.graph))
    err.print(f"wrote {target} (graph <{source.iris.graph}>)", highlight=False)
    return dataset.graph(source.iris.graph)


@app.command("new")
def new_command(
    ctx: typer.Context,
    text: Annotated[Path, typer.Option("--text", help="The article's text, UTF-8.")],
    title: TitleOption = None,
    publisher: Annotated[
        str, typer.Option("--publisher", help="The outlet: a known actor's label, an IRI, or a new name.")
    ] = "",
    slug: SlugOption = None,
    contributor: ContributorOption = None,
    issued: IssuedOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
    store: StoreOption = None,
) -> None:
    """Scaffold a new source's graph: its document (title, publisher, SHA-256, length), its now, a title anchor."""
    if not publisher:
        fail("give --publisher: a source document needs one (a known actor's label, an IRI, or a new outlet's name)")
    _build(ctx, store, _new_source(text, title, publisher, slug, contributor, issued), output, force, scaffold)


@app.command("draft")
def draft_command(
    ctx: typer.Context,
    article: Annotated[Path, typer.Argument(help="The article's text, UTF-8.")],
    title: TitleOption = None,
    publisher: PublisherOption = None,
    slug: SlugOption = None,
    contributor: ContributorOption = None,
    issued: IssuedOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
    store: StoreOption = None,
) -> None:
    """Draft a source's graph from its text: quotes, speakers, roles, mentioned actors, marked unreviewed."""
    source = _new_source(article, title, publisher, slug, contributor, issued)
    graph = _build(ctx, store, source, output, force, draft)
    quotes = len(set(graph.subjects(RDF.type, SKB.Quote)))
    err.print(f"draft: {quotes} quote(s); the graph is marked unreviewed (bibo:status draft)", highlight=False)


@app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(help="A source's TriG file.")],
    text: Annotated[Path, typer.Option("--text", help="The article's text, UTF-8.")],
) -> None:
    """Check every quote and offset of a source's graph against its text (matched by SHA-256); exit 1 on failure."""
    with user_errors():
        matched = _check_text(list(read_graphs([file]).values()), text, out)
    if not matched:
        raise typer.Exit(1)


@app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    drafted: Annotated[Path, typer.Argument(help="A draft made by `stancekb source draft`.")],
    curated: Annotated[Path, typer.Argument(help="The curated graph of the same text.")],
    store: StoreOption = None,
) -> None:
    """Score a draft against a curated graph: quotes (exact, overlap), speakers, mentioned actors."""
    with user_errors(), opened_store(settings_for(ctx, store=store)) as opened:
        draft_graphs, curated_graphs = read_graphs([drafted]), read_graphs([curated])
        actors = store_actors(opened)
    for name, score in evaluate(
        union_graph(draft_graphs.values()), union_graph(curated_graphs.values()), actors
    ).items():
        out.print(score.line(name), highlight=False)


def diff_command(
    old: Annotated[
        str, typer.Argument(help="The old version: an RDF file, a folder of them, or a store (oxigraph:PATH).")
    ],
    new: Annotated[str, typer.Argument(help="The new version, the same way.")],
) -> None:
    """List the statements removed (-) and added (+) in each graph; exit 0 if none, 1 if some, 2 on trouble."""
    with user_errors():
        before, after = read_version(old), read_version(new)
    changes, names = diff(before, after)
    typer.echo(render(changes, before, after, names), nl=False)
    if changes:
        raise typer.Exit(1)
