"""Run the chapter notebooks in order with papermill; write executed copies and HTML.

    python scripts/run_notebooks.py                     # every chapter, profile "default"
    python scripts/run_notebooks.py --profile ci        # parameters from notebooks/params/ci.yaml
    python scripts/run_notebooks.py --chapter 01        # one chapter
    python scripts/run_notebooks.py --from 02 --to 04   # a range

It stops at the first failing chapter, prints the chapter, the cell and the error, and exits 1.
Executed notebooks and their HTML go to ``state/build/notebooks`` (git-ignored).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import lib  # noqa: F401  (points ZenML at the kit's state before papermill starts kernels)
from lib.config import BUILD_DIR, NOTEBOOKS_DIR, PROJECT_ROOT

PARAMS_DIR = NOTEBOOKS_DIR / "params"


@dataclass
class ChapterResult:
    chapter: str
    status: str
    seconds: float
    output: Path
    error: str = ""


def discover(
    chapter: str | None, first: str | None, last: str | None, folder: Path = NOTEBOOKS_DIR
) -> list[Path]:
    """Return the chapter notebooks (``NN_name.ipynb``) selected by number, in order."""
    notebooks = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if chapter:
        first = last = chapter
    selected = [
        nb
        for nb in notebooks
        if (first is None or nb.name[:2] >= first.zfill(2))
        and (last is None or nb.name[:2] <= last.zfill(2))
    ]
    if not selected:
        raise SystemExit(f"no chapter notebook matches in {folder}")
    return selected


def load_parameters(profile: str) -> dict[str, dict]:
    """Return per-chapter parameters of a profile: ``{chapter stem or "all": {NAME: value}}``."""
    import yaml

    path = PARAMS_DIR / f"{profile}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PARAMS_DIR.glob("*.yaml")))
        raise SystemExit(f"unknown profile {profile!r}: no {path.name} (known: {known})")
    return yaml.safe_load(path.read_text()) or {}


def kernel_config() -> object:
    """Kernels over IPC sockets in the build folder: local only, and no per-chapter TCP warning."""
    from traitlets.config import Config

    sockets = BUILD_DIR / "kernels"
    sockets.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(sockets / "kernel")
    return config


def run_chapter(notebook: Path, parameters: dict, out_dir: Path) -> ChapterResult:
    """Execute one chapter with papermill and export its HTML; never raises on a cell error."""
    import papermill as pm

    output = out_dir / notebook.name
    started = time.perf_counter()
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            config=kernel_config(),
        )
    except pm.PapermillExecutionError as error:
        first_line = next((ln for ln in error.source.splitlines() if ln.strip()), "")
        message = (
            f"cell {error.cell_index} (`{first_line.strip()[:60]}`): {error.ename}: {error.evalue}"
        )
        return ChapterResult(
            notebook.stem, "FAILED", time.perf_counter() - started, output, message
        )
    finally:
        if output.exists():
            export_html(output)
    return ChapterResult(notebook.stem, "ok", time.perf_counter() - started, output)


def export_html(executed: Path) -> Path:
    """Write the HTML rendering of an executed notebook beside it."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(executed))
    html = executed.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def print_summary(results: list[ChapterResult]) -> None:
    """Print one line per chapter: name, status and seconds."""
    print(f"\n{'chapter':<34} {'status':<8} {'seconds':>8}")
    for r in results:
        print(f"{r.chapter:<34} {r.status:<8} {r.seconds:>8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="default", help="parameter file in notebooks/params")
    parser.add_argument("--chapter", help="run only this chapter number, e.g. 01")
    parser.add_argument("--from", dest="first", help="first chapter number of a range")
    parser.add_argument("--to", dest="last", help="last chapter number of a range")
    parser.add_argument("--output-dir", type=Path, default=BUILD_DIR / "notebooks")
    parser.add_argument(
        "--notebooks-dir", type=Path, default=NOTEBOOKS_DIR, help="where the chapters are"
    )
    args = parser.parse_args(argv)

    from tqdm import tqdm

    notebooks = discover(args.chapter, args.first, args.last, args.notebooks_dir)
    profile = load_parameters(args.profile)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    results: list[ChapterResult] = []
    with tqdm(notebooks, unit="chapter", file=sys.stderr) as bar:
        for notebook in bar:
            bar.set_description(notebook.stem)
            params = {**profile.get("all", {}), **profile.get(notebook.stem, {})}
            result = run_chapter(notebook, params, args.output_dir)
            results.append(result)
            if result.status != "ok":
                break
    print_summary(results)
    failed = [r for r in results if r.status != "ok"]
    if failed:
        f = failed[0]
        print(f"\nFAILED: {f.chapter}, {f.error}\nExecuted copy: {f.output}", file=sys.stderr)
        return 1
    where = (
        args.output_dir.relative_to(PROJECT_ROOT)
        if args.output_dir.is_relative_to(PROJECT_ROOT)
        else args.output_dir
    )
    print(f"\nExecuted notebooks and HTML: {where}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
