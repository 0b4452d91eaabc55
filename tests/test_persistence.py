"""Persistence of ``oxigraph:PATH``: data survives a restart, and a load killed with SIGKILL is all or nothing.

Each load runs the installed command in a process of its own (``stancekb --store oxigraph:PATH load FILE``);
the test then reopens the store and compares its quads with what it held before and what the file holds.
To kill a load while it writes, the file is made of a few triples with very long literals: parsing and
validating it is quick, and writing it takes long enough for the kill to land inside the write, which the
test detects from the store's files growing on disk.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from stancekb.load import read_graphs
from stancekb.store import Quad, open_store

STANCEKB = str(Path(sys.executable).with_name("stancekb"))
EX = "https://example.org/persist/"
SMALL_GRAPH = URIRef(f"{EX}graph/small")
BIG_GRAPH = URIRef(f"{EX}graph/big")
BIG_TRIPLES = 12
BIG_LITERAL = 1_000_000
"""Characters in each literal of the big file: 12 MB to write in all."""
GROWTH = 1_000_000
"""Bytes the store's files must grow by before the test decides that the write has begun."""


def folder_size(folder: Path) -> int:
    """Bytes in the files of a folder (RocksDB's write-ahead log and tables)."""
    total = 0
    for path in folder.rglob("*"):
        with suppress(FileNotFoundError):  # RocksDB removes files as it compacts
            total += path.stat().st_size if path.is_file() else 0
    return total


def contents(folder: Path) -> set[Quad]:
    """The quads of the store in the folder, read by reopening it."""
    store = open_store(f"oxigraph:{folder}")
    try:
        return set(store.quads())
    finally:
        store.close()


def load(folder: Path, file: Path) -> subprocess.CompletedProcess[str]:
    """``stancekb --store oxigraph:FOLDER load FILE`` to its end."""
    return subprocess.run(
        [STANCEKB, "--store", f"oxigraph:{folder}", "load", str(file)], capture_output=True, text=True, check=False
    )


def big_file(path: Path, letter: str) -> Path:
    """An N-Quads file of a few triples with very long literals, in one new graph."""
    with path.open("w", encoding="utf-8") as out:
        for number in range(BIG_TRIPLES):
            text = letter * (BIG_LITERAL - 10) + f"{number:010d}"
            out.write(f'<{EX}s{number}> <{EX}text> "{text}" <{BIG_GRAPH}> .\n')
    return path


@pytest.fixture(scope="module")
def initial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Quad]]:
    """A store on disk holding one small graph, loaded by the command, and its content read back."""
    root = tmp_path_factory.mktemp("persistence")
    small = root / "small.trig"
    small.write_text(
        f'<{SMALL_GRAPH}> {{ <{EX}a> <{EX}p> "one" , "two"@en ; <{EX}q> [ <{EX}r> 3 ] . }}\n', encoding="utf-8"
    )
    folder = root / "store"
    done = load(folder, small)
    assert done.returncode == 0, done.stderr
    return folder, contents(folder)


def test_data_survives_a_restart(initial: tuple[Path, set[Quad]]) -> None:
    """What one process loaded, another finds after reopening: the same quads, and the same answer to a query."""
    folder, content = initial
    assert {(s, p, o) for s, p, o, g in content if g == SMALL_GRAPH and isinstance(o, Literal)} == {
        (URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal("one")),
        (URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal("two", lang="en")),
        (next(s for s, p, _, _ in content if p == URIRef(f"{EX}r")), URIRef(f"{EX}r"), Literal(3)),
    }
    assert len(content) == 4
    query = subprocess.run(
        [STANCEKB, "--store", f"oxigraph:{folder}", "query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert query.returncode == 0 and query.stdout.split() == ["n", "4"], query.stderr
    assert contents(folder) == content  # reading does not change it


def killed_load(folder: Path, file: Path, delay: float) -> bool:
    """Load the file with ``stancekb load`` and kill it with SIGKILL ``delay`` seconds after its write begins.

    Returns whether the process was still running when it was killed (False: it had already finished).
    """
    command = [STANCEKB, "--store", f"oxigraph:{folder}", "load", str(file)]
    return kill_while_writing(
        folder, lambda: subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), delay
    )


def kill_while_writing(folder: Path, start_load: Callable[[], subprocess.Popen[bytes]], delay: float) -> bool:
    """Start a load into the store in the folder, SIGKILL it ``delay`` s after its files grow; whether it still ran."""
    start = folder_size(folder)
    process = start_load()
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and folder_size(folder) < start + GROWTH and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(delay)
        running = process.poll() is None
        process.send_signal(signal.SIGKILL)
    finally:
        process.communicate()
    return running


def assert_killed_loads_leave_all_or_none(
    tmp_path: Path, start: Path, file: Path, kill: Callable[[Path, Path, float], bool]
) -> set[Quad]:
    """Kill loads of the big file into copies of the store at ``start``: each holds what it held, or that and it all.

    Returns what the store holds after a load that completes.
    """
    before = contents(start)
    (graph,) = read_graphs([file]).values()
    after = {quad for quad in before if quad[3] != BIG_GRAPH} | {(s, p, o, BIG_GRAPH) for s, p, o in graph}
    outcomes = []
    for run, delay in enumerate([0.0, 0.1]):
        target = tmp_path / f"run-{run}"
        shutil.copytree(start, target)
        running = kill(target, file, delay)
        found = contents(target)
        assert found in (before, after), f"run {run}: {len(found)} quads, neither {len(before)} nor {len(after)}"
        outcomes.append((running, "all" if found == after else "none"))
    print(f"killed while running, outcome: {outcomes}")
    assert any(running for running, _ in outcomes), "no kill landed while the load was running"
    return after


@pytest.mark.parametrize("replacing", [False, True], ids=["new-graph", "replacing-a-graph"])
def test_a_load_killed_while_writing_leaves_all_of_the_file_or_none(
    initial: tuple[Path, set[Quad]], tmp_path: Path, replacing: bool
) -> None:
    """SIGKILL during the write: reopened, the store holds what it held before, or that and the whole file."""
    folder, _ = initial
    start = tmp_path / "start"
    shutil.copytree(folder, start)
    if replacing:  # the big graph is there already, with other text: the load replaces it
        assert load(start, big_file(tmp_path / "old.nq", "o")).returncode == 0
    file = big_file(tmp_path / "big.nq", "x")
    after = assert_killed_loads_leave_all_or_none(tmp_path, start, file, killed_load)
    done = tmp_path / "finished"
    shutil.copytree(start, done)
    assert load(done, file).returncode == 0 and contents(done) == after
