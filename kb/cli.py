"""The ``stancekb`` command: validate, query, load, stats, export and serve, each a thin door onto the library.

Results and reports go to standard output, progress and errors to standard error. Bad input ends with one
line naming the file, the line and the problem, and exit code 2; data that fails a check exits with 1.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from pyshacl.errors import ReportableRuntimeError
from rdflib import Graph, URIRef
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.status import Status
from rich.table import Table

from stancekb.anchors import AnchorError, check_anchors
from stancekb.export import FORMATS as EXPORT_FORMATS
from stancekb.export import ExportError, export
from stancekb.load import LoadReport, load_files, load_packaged_kb, read_graphs, stored_graphs
from stancekb.module_check import Whole, check_modules
from stancekb.modules import ModuleError, module_at
from stancekb.namespaces import SPARQL_PREFIXES
from stancekb.rdfio import RdfInputError
from stancekb.reason import ReasonerError, reason
from stancekb.resources import kb_files
from stancekb.results import FORMATS, ResultFormatError, prefixed, render_table, serialise
from stancekb.settings import Settings
from stancekb.shacl_sparql import validate_graph, validate_store
from stancekb.stats import statistics
from stancekb.store import QuerySyntaxError, Store, StoreError, open_store
from stancekb.validate import ValidationReport, validate_shacl

app = typer.Typer(
    name="stancekb",
    help="StanceKB: a knowledge base of who stands where, as linked data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

IN_MEMORY_LOCATIONS = frozenset({"memory:", "oxigraph:"})
"""Store locations that hold nothing yet when opened: the packaged KB is loaded into them first."""

MAX_MESSAGE = 240
"""Longest error line printed (Oxigraph lists every token it expected)."""

USER_ERRORS = (
    RdfInputError,
    StoreError,
    ReasonerError,
    ResultFormatError,
    ExportError,
    ValidationError,
    OSError,
    ModuleError,
    ReportableRuntimeError,  # pySHACL: shapes it cannot load
)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store location: memory:, oxigraph: (in memory) or oxigraph:PATH (on disk). "
        "Default: the STANCEKB_STORE setting.",
        show_default=False,
    ),
]


class ReportFormat(enum.StrEnum):
    """How ``validate`` writes the SHACL report."""

    text = "text"
    turtle = "turtle"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to standard error and exit."""
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    lines = str(error).strip().splitlines()
    line = lines[0] if lines else type(error).__name__
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 1] + "…"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors bad input causes into one line and exit code 2, never a traceback."""
    try:
        yield
    except USER_ERRORS as error:
        fail(_one_line(error))


def settings_for(ctx: typer.Context, **overrides: Any) -> Settings:
    """The settings of the run, with the options a command was given in place of their defaults."""
    base: Settings = ctx.obj
    given = {name: value for name, value in overrides.items() if value is not None}
    with user_errors():
        return Settings.model_validate({**base.model_dump(), **given})


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    """Open the store; an in-memory one gets the packaged knowledge base first."""
    store = open_store(settings.store)
    store.allow_network = settings.allow_service
    try:
        if settings.store in IN_MEMORY_LOCATIONS:
            with err.status("Loading the packaged knowledge base"):
                load_packaged_kb(store)
        yield store
    finally:
        store.close()


def kb_graphs(settings: Settings) -> dict[URIRef, Graph]:
    """The KB to check in full: the packaged files for an in-memory store, else every graph the store holds."""
    if settings.store in IN_MEMORY_LOCATIONS:
        return read_graphs(kb_files())
    with opened_store(settings) as opened:
        return stored_graphs(opened)


@app.callback()
def main(ctx: typer.Context, store: StoreOption = None) -> None:
    """StanceKB: a knowledge base of who stands where, as linked data."""
    with user_errors():
        ctx.obj = Settings() if store is None else Settings(store=store)


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Data files to check, with the KB as context: the packaged KB, or what a store on disk (--store) "
            "holds (default: the KB alone)."
        ),
    ] = None,
    text: Annotated[
        list[Path] | None,
        typer.Option("--text", help="A source text whose quotes and offsets to check; may be repeated."),
    ] = None,
    no_reason: Annotated[bool, typer.Option("--no-reason", help="Skip the OWL reasoner.")] = False,
    module: Annotated[
        list[Path] | None,
        typer.Option("--module", help="Also check the ontology module in this folder (or .ttl file); may be repeated."),
    ] = None,
    report: Annotated[
        ReportFormat, typer.Option("--report", help="SHACL report: readable text, or the report graph in Turtle.")
    ] = ReportFormat.text,
    pyshacl: Annotated[
        bool, typer.Option("--pyshacl", help="Validate a store with pySHACL, not with the shapes compiled to SPARQL.")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Check syntax, SHACL shapes, OWL consistency, (with --text) the text anchors, then each ontology module.

    Exit 1 on any failure.
    """
    say = out if report is ReportFormat.text else err
    failed = False
    packaged = Whole("the core with every packaged module")
    with user_errors():
        extra_modules = [module_at(path) for path in module or []]
        settings = settings_for(ctx, store=store)
        in_store_only = not (files or text or pyshacl or not no_reason or settings.store in IN_MEMORY_LOCATIONS)
        if in_store_only:  # SHACL alone on a store: its own engine, nothing read into rdflib
            data: list[Graph] = []
            with opened_store(settings) as opened, err.status("Validating with SHACL") as status:
                say.print(f"syntax: {len(opened.named_graphs())} graph(s), {len(opened)} triples", highlight=False)
                shacl = validate_store(opened, progress=_shape_progress(status))
        else:
            with err.status("Parsing"):
                graphs = kb_graphs(settings)
                graphs.update(read_graphs(files or []))
            data = list(graphs.values())
            say.print(f"syntax: {len(graphs)} graph(s), {sum(map(len, data))} triples", highlight=False)
            with err.status("Validating with SHACL") as status:
                shacl = _shacl_step(settings, data, files_given=bool(files), pyshacl=pyshacl, status=status)
        failed |= not shacl.conforms
        packaged = replace(packaged, conforms=shacl.conforms)
        if report is ReportFormat.turtle:
            typer.echo(prefixed(shacl.report_graph).serialize(format="turtle"))
        else:
            out.print(shacl.text(prefixed(Graph())), markup=False, highlight=False)
        if not no_reason:
            with err.status("Reasoning with HermiT"):
                owl = reason(data)
            failed |= not owl.consistent
            packaged = replace(packaged, consistent=owl.consistent)
            say.print(
                f"reasoner: {'consistent' if owl.consistent else 'INCONSISTENT'} "
                f"({len(owl.inferred)} triples inferred; {owl.dropped} triples with literals outside the "
                "OWL 2 datatype map left out)",
                highlight=False,
            )
        for path in text or []:
            failed |= not _check_text(data, path, say)
        with err.status("Checking the ontology modules"):
            # what the run above passed holds for the packaged modules only if it checked the packaged KB
            packaged_kb = settings.store in IN_MEMORY_LOCATIONS
            module_reports = check_modules(
                extra_modules, reasoner=not no_reason, packaged=packaged if packaged_kb else None
            )
        for module_report in module_reports:
            failed |= not module_report.ok
            say.print("\n".join(module_report.lines()), markup=False, highlight=False)
    if failed:
        raise typer.Exit(1)


def _shacl_step(
    settings: Settings, data: list[Graph], *, files_given: bool, pyshacl: bool, status: Status
) -> ValidationReport:
    """SHACL: a store by its own engine (``stancekb.shacl_sparql``), the packaged KB or ``--pyshacl`` by pySHACL."""
    if pyshacl or settings.store in IN_MEMORY_LOCATIONS:
        return validate_shacl(data)
    if files_given:
        return validate_graph(data)
    with opened_store(settings) as opened:
        return validate_store(opened, progress=_shape_progress(status))


def _shape_progress(status: Status) -> Callable[[int, int], None]:
    """Show how many shapes the compiled validation has run on the status line."""
    return lambda done, total: status.update(f"Validating with SHACL: shape {done} of {total}")


def _check_text(data: list[Graph], path: Path, say: Console) -> bool:
    """Check the anchors on the text's document; print each failure; True if all match."""
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        fail(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
    try:
        anchors = check_anchors(data, content)
    except AnchorError as error:
        say.print(f"anchors: {path}: {error}", markup=False, highlight=False)
        return False
    say.print(
        f"anchors: {path}: {anchors.checked} selectors of {anchors.document.n3()} checked, "
        f"{len(anchors.failures)} failure(s)",
        markup=False,
        highlight=False,
    )
    for failure in anchors.failures:
        say.print(f"  {failure.describe()}", markup=False, highlight=False)
    return not anchors.failures


@app.command()
def query(
    ctx: typer.Context,
    sparql: Annotated[
        str | None,
        typer.Argument(
            metavar="QUERY_OR_@FILE", help="A SPARQL query, or @FILE to read it from FILE.", show_default=False
        ),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from this file.")] = None,
    format: Annotated[str, typer.Option("--format", help=f"table, or one of: {', '.join(FORMATS)}.")] = "table",
    store: StoreOption = None,
) -> None:
    """Run a SPARQL query; the project's prefixes (skb:, skr:, org:, ...) are declared for it."""
    if (sparql is None) == (file is None):
        fail("give a query (or @FILE) or --file, one of them")
    if sparql is not None and sparql.startswith("@"):
        file = Path(sparql[1:])
    with user_errors():
        text = file.read_text(encoding="utf-8") if file is not None else str(sparql)
        with opened_store(settings_for(ctx, store=store)) as opened:
            try:
                result = opened.query(f"{SPARQL_PREFIXES} {text}")
            except QuerySyntaxError as error:
                fail(f"{file or 'query'}: {_one_line(error)}")
        if format == "table":
            out.print(render_table(result))
        else:
            typer.echo(serialise(result, format), nl=False)


@app.command()
def load(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="RDF files (.ttl .trig .nt .nq .rdf .owl .xml .jsonld).")],
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="Named graph for triples outside any named graph (default: graph/FILE-STEM)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Load files through the gate (parse, SHACL, one transaction); each graph given replaces the stored one."""
    settings = settings_for(ctx, store=store)
    report = _load(settings, files, URIRef(graph) if graph else None)
    if report.validation is not None and not report.validation.conforms:
        out.print(report.validation.text(prefixed(Graph())), markup=False, highlight=False)
        fail(f"nothing was written to {settings.store}: the data does not conform to the shapes", 1)
    out.print(_loaded_table(report))
    if settings.store in IN_MEMORY_LOCATIONS:
        err.print(f"note: {settings.store} is in memory: nothing persists after this command", highlight=False)


LOAD_STAGES = {"parse": "Parsing files", "validate": "Validating shapes", "commit": "Committing"}


def _load(settings: Settings, files: list[Path], graph: URIRef | None) -> LoadReport:
    """Load through the gate, progress on stderr; the store is closed (and released) before the outcome is reported."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with user_errors(), opened_store(settings) as opened, Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def show(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(LOAD_STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return load_files(opened, files, default_graph=graph, progress=show)


def _loaded_table(report: LoadReport) -> Table:
    table = Table("graph", "triples", title="loaded")
    for name, count in sorted(report.graphs.items()):
        table.add_row(name, str(count))
    return table


@app.command()
def stats(ctx: typer.Context, store: StoreOption = None) -> None:
    """Counts: triples per graph, instances per class, stances per polarity, and more."""
    with user_errors(), opened_store(settings_for(ctx, store=store)) as opened:
        for title, result in statistics(opened).items():
            out.print(render_table(result, title=title))


@app.command("export")
def export_command(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(EXPORT_FORMATS)}.")] = "trig",
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="Export only this named graph (default: the whole dataset and its description)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: standard output).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Dump the dataset (or one graph) in a standard RDF format: sorted, byte-identical for the same KB."""
    settings = settings_for(ctx, store=store)
    with user_errors(), opened_store(settings) as opened:
        with err.status(f"Exporting as {format}"):
            dump = export(opened, format, URIRef(graph) if graph else None, base_url=settings.base_url)
        if output is None:
            typer.echo(dump.decode("utf-8"), nl=False)
        else:
            output.write_bytes(dump)
            err.print(f"wrote {len(dump)} bytes to {output}", highlight=False)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.", show_default=False)] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on.", show_default=False)] = None,
    update_token: Annotated[
        str | None,
        typer.Option(
            "--update-token", help="Bearer token that enables writes (default: read-only).", show_default=False
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Serve the SPARQL endpoint and the REST API over HTTP."""
    settings = settings_for(ctx, store=store, host=host, port=port, update_token=update_token)
    if settings.base_url == Settings.model_fields["base_url"].default:
        # links and the service description name the address actually served, unless a base URL is set
        settings = settings.model_copy(update={"base_url": f"http://{settings.host}:{settings.port}"})
    try:
        from stancekb.api.main import run  # lazily: the server's dependencies load only when serving
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("stancekb.api"):
            raise
        fail("the HTTP server (stancekb.api.main) is not installed")
    run(settings)


# Commands kept in their own module (they import the helpers above, hence at the end).
from stancekb.cli_source import app as source_app  # noqa: E402
from stancekb.cli_source import diff_command  # noqa: E402

app.add_typer(source_app, name="source")
app.command("diff")(diff_command)

from stancekb.draw import draw as draw_command  # noqa: E402

app.command("draw")(draw_command)


import stancekb.publish_cli  # noqa: E402, F401 - registers the docs and release commands on app
from stancekb.cli_generate import generate_command  # noqa: E402

app.command("generate")(generate_command)
