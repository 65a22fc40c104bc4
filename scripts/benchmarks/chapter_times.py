"""Benchmark: each chapter's papermill time divided by an "import floor" measured in the same run.

The floor notebook only imports zenml and lib and connects the client: the cost every chapter
pays before doing any work. Ratios, not seconds, are what to compare across machines.

    python scripts/benchmarks/chapter_times.py [--repeat 2] [--chapter 01]

It runs against a temporary ZenML store, never the kit's own ``state/``.
"""

from __future__ import annotations

import argparse
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


def make_floor_notebook(folder: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in FLOOR_CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "import_floor.ipynb"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per notebook (median kept)")
    parser.add_argument("--chapter", help="only this chapter number, e.g. 01")
    args = parser.parse_args(argv)

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

    # Warm the caches once so neither side pays first-import costs alone.
    time_notebook(floor_nb, out, NOTEBOOKS_DIR)
    floors, times = [], {c.stem: [] for c in chapters}
    for _ in range(args.repeat):
        floors.append(time_notebook(floor_nb, out, NOTEBOOKS_DIR))
        for chapter in chapters:
            times[chapter.stem].append(time_notebook(chapter, out, NOTEBOOKS_DIR))
    floor = statistics.median(floors)
    print(f"\nimport floor: {floor:.1f} s (median of {args.repeat})")
    print(f"{'chapter':<34} {'seconds':>8} {'x floor':>8}")
    for stem, values in times.items():
        seconds = statistics.median(values)
        print(f"{stem:<34} {seconds:>8.1f} {seconds / floor:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
