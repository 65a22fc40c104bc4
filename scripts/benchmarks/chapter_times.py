"""Benchmark: each chapter's papermill time divided by floors measured in the same run.

- **import floor**: a notebook that only imports zenml and lib and connects the client, the
  cost every chapter pays before doing any work;
- **ZenML floor** (chapter 01): the same notebook, then one pipeline run of no-op steps for
  each run chapter 01 made, with as many steps as that run had: what ZenML itself costs for
  chapter 01's work. Goal: chapter 01 <= 1.3x this floor (the kit adds at most 30 %).

Ratios, not seconds, are what to compare across machines.

    python scripts/benchmarks/chapter_times.py [--repeat 2] [--chapter 01]

It runs against a temporary ZenML store, never the kit's own ``state/``. The last line printed
is the results as JSON (read by ``scripts/benchmarks/run_all.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

FLOOR_CELLS = [
    "import lib\nimport zenml\nfrom zenml.client import Client",
    "Client().active_stack_model.name",
]


NOOP_CELL = """from zenml import pipeline, step


@step(enable_cache=False)
def noop(x: int) -> int:
    return x


def refuse() -> None:
    raise RuntimeError("refused, as a governance init hook refuses")"""


def _pipeline_cell(steps: int) -> str:
    body = "\n".join(["    x = noop(0)", *["    x = noop(x)"] * (steps - 1)])
    return f"@pipeline(enable_cache=False)\ndef zenml_floor_{steps}() -> None:\n{body}"


def zenml_floor_cells(steps_per_run: list[int]) -> list[str]:
    """The import floor, then one run of ``n`` chained no-op steps for each run chapter 01 made.

    A run with no steps (an init hook refused it) becomes a run refused by an init hook, of a
    pipeline as long as the longest one.
    """
    longest = max(steps_per_run)
    sizes = sorted({n or longest for n in steps_per_run})
    runs = []
    for n in steps_per_run:
        if n:
            runs.append(f"zenml_floor_{n}()")
        else:
            runs.append(
                f"try:\n    zenml_floor_{longest}.with_options(on_init=refuse)()\n"
                "except Exception:\n    pass  # refused, as chapter 01 shows"
            )
    return [*FLOOR_CELLS, NOOP_CELL, *map(_pipeline_cell, sizes), *runs]


def make_floor_notebook(folder: Path, cells: list[str] = FLOOR_CELLS, name: str = "") -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / f"{name or 'import_floor'}.ipynb"
    nbformat.write(nb, path)
    return path


def time_notebook(path: Path, out_dir: Path, cwd: Path) -> float:
    import papermill as pm

    started = time.perf_counter()
    pm.execute_notebook(
        str(path),
        str(out_dir / path.name),
        kernel_name="python3",
        cwd=str(cwd),
        progress_bar=False,
    )
    return time.perf_counter() - started


def run_ids() -> set:
    """Ids of every pipeline run in this store."""
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    return {run.id for run in depaginate(Client().list_pipeline_runs)}


def steps_per_run(ids: set) -> list[int]:
    """How many steps each of these runs has (a run its init hook refused has none), by start."""
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    runs = sorted((Client().get_pipeline_run(i) for i in ids), key=lambda r: r.created)
    return [len(depaginate(Client().list_run_steps, pipeline_run_id=r.id)) for r in runs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per notebook (median kept)")
    parser.add_argument("--chapter", help="only this chapter number, e.g. 01")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    scratch = Path(tempfile.mkdtemp(prefix="kit-bench-"))
    os.environ["ZENML_CONFIG_PATH"] = str(scratch / "zenml")
    os.environ["KIT_STATE_DIR"] = str(scratch / "state")
    os.environ.pop("ZENML_STORE_URL", None)
    import lib  # noqa: F401
    from lib.config import NOTEBOOKS_DIR
    from lib.setup import ensure_zenml_ready

    ensure_zenml_ready()
    pattern = f"{args.chapter.zfill(2)}_*.ipynb" if args.chapter else "[0-9][0-9]_*.ipynb"
    chapters = sorted(NOTEBOOKS_DIR.glob(pattern))
    floor_nb = make_floor_notebook(scratch)
    out = scratch / "out"
    out.mkdir()

    # Warm the caches once so neither side pays first-import costs alone; the first pass over
    # the chapters also counts chapter 01's runs and steps for its ZenML floor.
    time_notebook(floor_nb, out, NOTEBOOKS_DIR)
    floors, zenml_floors, times = [], [], {c.stem: [] for c in chapters}
    zenml_nb = None
    for _ in range(args.repeat):
        floors.append(time_notebook(floor_nb, out, NOTEBOOKS_DIR))
        for chapter in chapters:
            before = run_ids() if zenml_nb is None else set()
            times[chapter.stem].append(time_notebook(chapter, out, NOTEBOOKS_DIR))
            if chapter.stem.startswith("01_") and zenml_nb is None:
                steps = steps_per_run(run_ids() - before)
                print(f"chapter 01 made {len(steps)} runs with {steps} steps", flush=True)
                zenml_nb = make_floor_notebook(scratch, zenml_floor_cells(steps), "zenml_floor")
        if zenml_nb is not None:
            zenml_floors.append(time_notebook(zenml_nb, out, NOTEBOOKS_DIR))
    floor = statistics.median(floors)
    zenml_floor = statistics.median(zenml_floors) if zenml_floors else None
    print(f"\nimport floor: {floor:.1f} s (median of {args.repeat})")
    if zenml_floor:
        print(f"ZenML floor for chapter 01's runs (imports included): {zenml_floor:.1f} s")
    print(f"{'chapter':<34} {'seconds':>8} {'x import':>9} {'x ZenML':>8}")
    results = {"import_floor": floor, "zenml_floor": zenml_floor, "chapters": {}}
    for stem, values in times.items():
        seconds = statistics.median(values)
        versus_zenml = ""
        if zenml_floor and stem.startswith("01_"):
            versus_zenml = f"{seconds / zenml_floor:>8.2f}  (goal <= 1.3)"
        print(f"{stem:<34} {seconds:>8.1f} {seconds / floor:>9.2f} {versus_zenml}")
        results["chapters"][stem] = seconds
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
