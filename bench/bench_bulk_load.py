"""Loading big files into an on-disk Oxigraph store: stancekb.bulk against load_files' rdflib path, same run.

Cases (``--cases``): a synthetic KB into an empty store (``100k-empty``, ``1m-empty``) and a further file of new
synthetic sources (the next numbers after the KB's last) into a store holding the 1M KB (``1m+10k``,
``1m+100k``). Each load runs in a child process of its own (``child`` sub-command), on a fresh copy of the
store, and is stopped at ``--timeout``; the parent records wall and CPU time of each stage, peak RSS (the
child's VmHWM, polled), the load average before and after, and what a stopped run had reached.

- ``native``: ``stancekb.bulk.load_files_natively`` (Oxigraph parses, the gate it picks, commit with Oxigraph terms).
- ``baseline``: what ``load_files`` does today on that store: ``read_graphs`` (Oxigraph parses, terms converted
  to rdflib), ``validate_graph_write`` (the incremental gate), ``replace_graphs`` (terms converted back).

    .venv/bin/python bench/bench_bulk_load.py --kb-100k /tmp/t8-100k.nq --kb-1m /tmp/t8-1m.nq \\
        --json bench/results/bulk_load.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

SCRIPT = Path(__file__).resolve()
CASES = ("100k-empty", "1m-empty", "1m+10k", "1m+100k")
PATHS = ("native", "baseline")


def stamp(stage: str, **fields: object) -> None:
    """One progress line for the parent: the stage, wall and CPU time since the start, and any fields."""
    line = {"stage": stage, "wall": time.perf_counter() - START[0], "cpu": time.process_time() - START[1], **fields}
    print(json.dumps(line), flush=True)


START = (time.perf_counter(), time.process_time())


def child(path: str, folder: Path, files: list[Path]) -> None:
    """Load the files into the on-disk store in the folder, the native way or the baseline way."""
    from stancekb.bulk import load_files_natively
    from stancekb.load import read_graphs, validate_graph_write
    from stancekb.store import OxigraphStore

    store = OxigraphStore(f"oxigraph:{folder}")
    stamp("opened", quads_before=len(store))
    if path == "native":
        report = load_files_natively(
            store, files, progress=lambda stage, done, total: stamp(stage, done=done, total=total)
        )
        committed, graphs = report.committed, report.graphs
    else:
        rdflib_graphs = read_graphs(files)
        stamp("parsed", triples=sum(len(graph) for graph in rdflib_graphs.values()))
        validation = validate_graph_write(store, rdflib_graphs, replace=True)
        stamp("validated", conforms=validation.conforms)
        committed = validation.conforms
        if committed:
            store.replace_graphs(rdflib_graphs)
        graphs = {name: len(graph) for name, graph in rdflib_graphs.items()}
    quads = len(store)
    store.close()
    stamp("done", committed=committed, graphs=len(graphs), triples=sum(graphs.values()), quads_after=quads)


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else None


def run(path: str, template: Path | None, files: list[Path], work: Path, timeout: float) -> dict[str, object]:
    """One load in a child process on a fresh copy of the template store (or an empty one); its record."""
    folder = work / f"store-{path}"
    shutil.rmtree(folder, ignore_errors=True)
    if template is not None:
        shutil.copytree(template, folder)
    log = work / f"{path}.log"
    load_before = os.getloadavg()
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(SCRIPT), "child", path, str(folder), *map(str, files)], stdout=out, stderr=out
        )
        peak: float | None = None
        while process.poll() is None and time.perf_counter() - started < timeout:
            peak = max(peak or 0.0, peak_rss_mib(process.pid) or 0.0)
            time.sleep(0.5)
        timed_out = process.poll() is None
        if timed_out:
            peak = max(peak or 0.0, peak_rss_mib(process.pid) or 0.0)
            process.kill()
        process.wait()
    stages = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    record: dict[str, object] = {
        "path": path,
        "wall_s": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(peak or 0.0, 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "exit": process.returncode,
        "timed_out": timed_out,
        "stages": stages,
    }
    if stages:
        record["cpu_s"] = round(stages[-1]["cpu"], 2)
        record["reached"] = stages[-1]["stage"]
    if process.returncode not in (0, None) and not timed_out:
        record["error"] = log.read_text()[-2000:]
    shutil.rmtree(folder, ignore_errors=True)
    return record


def further_file(kb_file: Path, size: int, triples: int, work: Path) -> Path:
    """An N-Quads file of new synthetic sources, numbered after the KB's last, of at least ``triples`` triples."""
    from stancekb.generate import SyntheticKB

    path = work / f"further-{triples}.nq"
    if path.exists():
        return path
    numbers = re.findall(rb"graph/synthetic-(\d+)>", kb_file.read_bytes()[-2_000_000:])
    number = max(int(n) for n in numbers) + 1
    kb = SyntheticKB(size, 0)
    quads: list[ox.Quad] = []
    while len(quads) < triples:
        quads += kb.source(number).quads
        number += 1
    ox.serialize(quads, path, ox.RdfFormat.N_QUADS)
    return path


def template_store(kb_file: Path, work: Path) -> Path:
    """An on-disk store holding the KB (bulk-loaded once: the starting point of the ``1m+`` cases)."""
    folder = work / "template-1m"
    if not folder.exists():
        store = ox.Store(str(folder))
        store.bulk_load(path=kb_file, format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb-100k", type=Path, default=Path("/tmp/t8-100k.nq"))
    parser.add_argument("--kb-1m", type=Path, default=Path("/tmp/t8-1m.nq"))
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--timeout", type=float, default=1500.0, help="seconds a load may take before it is stopped")
    parser.add_argument("--work", type=Path, default=Path("/tmp/t5-bench"))
    parser.add_argument("--json", type=Path, default=SCRIPT.parent / "results" / "bulk_load.json")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = json.loads(args.json.read_text()) if args.json.exists() else {}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    for case in args.cases.split(","):
        if case.endswith("-empty"):
            template, files = None, [args.kb_100k if case == "100k-empty" else args.kb_1m]
        else:
            template = template_store(args.kb_1m, args.work)
            files = [further_file(args.kb_1m, 1_000_000, 10_000 if case == "1m+10k" else 100_000, args.work)]
        for path in args.paths.split(","):
            record = run(path, template, files, args.work, args.timeout)
            record.update(case=case, files=[str(f) for f in files], commit=commit.stdout.strip(), nproc=os.cpu_count())
            print(json.dumps({k: v for k, v in record.items() if k != "stages"}), flush=True)
            results[f"{case}/{path}"] = record
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], Path(sys.argv[3]), [Path(name) for name in sys.argv[4:]])
    else:
        main()
