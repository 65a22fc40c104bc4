"""Run the chapter notebooks in order with papermill; write executed copies and HTML.

    python scripts/run_notebooks.py                     # every chapter, profile "default"
    python scripts/run_notebooks.py --profile ci        # parameters from notebooks/params/ci.yaml
    python scripts/run_notebooks.py --chapter 01        # one chapter
    python scripts/run_notebooks.py --from 02 --to 04   # a range

It stops at the first failing chapter, prints the chapter, the cell and the error, and exits 1.
Executed notebooks and their HTML go to ``state/build/notebooks`` (git-ignored). The summary is
a table of each chapter's seconds (running it, then writing its HTML) and the total; each
executed copy also holds every cell's own duration (``metadata.papermill.duration``).

While one chapter runs, the next chapter's kernel starts and imports ZenML, pandas and
scikit-learn (``WARM_IMPORTS``: imports only, no ZenML client and no store, so nothing a
chapter binds first is bound early), so a chapter does not wait for its kernel, as a learner
who opens a notebook in JupyterLab does not; a finished chapter's kernel shuts down (its
atexit handlers stop its release workers) while the next runs. ``--cold`` starts each kernel
when its chapter runs instead, and stops it before the next one starts.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import lib  # noqa: F401  (points ZenML at the kit's state before papermill starts kernels)
from lib.config import BUILD_DIR, NOTEBOOKS_DIR, PROJECT_ROOT

PARAMS_DIR = NOTEBOOKS_DIR / "params"
WARM_IMPORTS = "import lib, zenml.client, pandas, sklearn, matplotlib"
KERNEL_START_TIMEOUT = 120.0


@dataclass
class ChapterResult:
    chapter: str
    status: str
    seconds: float
    output: Path
    error: str = ""
    html_seconds: float = 0.0


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


_SOCKETS: Path | None = None
_KERNEL_NUMBERS = itertools.count(1)


def kernel_config() -> object:
    """Kernels over IPC sockets: local only, and no per-chapter TCP warning.

    The sockets live in a short folder of this process's own (a Unix socket path is limited to
    about 100 characters, and runners started at the same time must not pick the same names).
    Each kernel gets its own socket prefix in it: jupyter_client picks IPC names by looking for
    files that exist, and a kernel creates its files only once it runs, so two kernels starting
    together (the next chapter's, while one runs) would otherwise share sockets and read each
    other's messages.
    """
    import atexit
    import shutil
    import tempfile

    from traitlets.config import Config

    global _SOCKETS
    if _SOCKETS is None:
        _SOCKETS = Path(tempfile.mkdtemp(prefix="kit-kernels-"))
        atexit.register(shutil.rmtree, _SOCKETS, ignore_errors=True)
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(_SOCKETS / f"k{next(_KERNEL_NUMBERS)}")
    return config


class WarmKernel:
    """A python3 kernel started (in a thread) in ``cwd`` that imports ``WARM_IMPORTS``."""

    def __init__(self, cwd: Path) -> None:
        from jupyter_client import AsyncKernelManager

        self.manager = AsyncKernelManager(kernel_name="python3", config=kernel_config())
        self.client = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, args=(str(cwd),), daemon=True)
        self._thread.start()

    def _start(self, cwd: str) -> None:
        from jupyter_client import BlockingKernelClient

        try:
            asyncio.run(self.manager.start_kernel(cwd=cwd))
            client = BlockingKernelClient()
            client.load_connection_info(self.manager.get_connection_info())
            client.start_channels(hb=False)
            client.kernel_info()
            client.get_shell_msg(timeout=KERNEL_START_TIMEOUT)  # the kernel answers
            client.execute(WARM_IMPORTS, silent=True, store_history=False)
            self.client = client
        except BaseException as error:  # noqa: BLE001 - the chapter then starts its own kernel
            self.error = error

    def ready(self) -> object | None:
        """The started kernel's manager, or ``None`` if it could not start."""
        self._thread.join(KERNEL_START_TIMEOUT)
        if self.client is None or self._thread.is_alive():
            self.shutdown()
            return None
        return self.manager

    def shutdown_later(self) -> None:
        """Shut the kernel down in a thread; :meth:`shutdown` waits for it."""
        self._closing = threading.Thread(target=self.shutdown, daemon=True)
        self._closing.start()

    def wait_closed(self) -> None:
        closing = getattr(self, "_closing", None)
        if closing is not None:
            closing.join(60)

    def shutdown(self) -> None:
        """Ask the kernel to exit (its atexit handlers run), then free its files."""
        self._thread.join(KERNEL_START_TIMEOUT)
        process = getattr(self.manager.provisioner, "process", None)
        if self.client is not None:
            try:
                self.client.shutdown()
                if process is not None:
                    process.wait(timeout=30)
            except Exception:  # noqa: BLE001 - killed below
                pass
            self.client.stop_channels()
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        try:
            asyncio.run(self.manager.cleanup_resources())
        except Exception:  # noqa: BLE001 - connection files only
            pass


def run_chapter(
    notebook: Path,
    parameters: dict,
    out_dir: Path,
    kernel: WarmKernel | None = None,
    html: bool = True,
) -> ChapterResult:
    """Execute one chapter with papermill and export its HTML; never raises on a cell error.

    With ``kernel`` (a :class:`WarmKernel` for this chapter), papermill runs in that kernel
    and it is shut down afterwards; otherwise papermill starts and stops its own. With
    ``html=False`` only the executed notebook is written (``html_seconds`` is then 0).
    """
    import papermill as pm

    output = out_dir / notebook.name
    started = time.perf_counter()
    manager = kernel.ready() if kernel is not None else None
    extra = {"km": manager} if manager is not None else {}
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            start_timeout=int(KERNEL_START_TIMEOUT),  # papermill's 60 s is short on a busy room
            config=kernel_config(),
            **extra,
        )
    except pm.PapermillExecutionError as error:
        first_line = next((ln for ln in error.source.splitlines() if ln.strip()), "")
        message = (
            f"cell {error.cell_index} (`{first_line.strip()[:60]}`): {error.ename}: {error.evalue}"
        )
        ran = time.perf_counter() - started
        return ChapterResult(notebook.stem, "FAILED", ran, output, message, _html(output, html))
    finally:
        if kernel is not None:
            kernel.shutdown_later()
    ran = time.perf_counter() - started
    return ChapterResult(notebook.stem, "ok", ran, output, html_seconds=_html(output, html))


def _html(executed: Path, wanted: bool) -> float:
    """Export ``executed`` to HTML if wanted and it exists; return the seconds it took."""
    if not wanted:
        return 0.0
    started = time.perf_counter()
    if executed.exists():
        export_html(executed)
    return time.perf_counter() - started


def export_html(executed: Path) -> Path:
    """Write the HTML rendering of an executed notebook beside it."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(executed))
    html = executed.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def summary_table(results: list[ChapterResult]) -> str:
    """A Markdown table: one row per chapter (status, seconds to run, seconds of HTML), a total."""
    lines = [
        "| chapter | status | run s | html s |",
        "|---|---|---:|---:|",
        *(
            f"| {r.chapter} | {r.status} | {r.seconds:.1f} | {r.html_seconds:.1f} |"
            for r in results
        ),
        f"| **total** | {len(results)} chapters | {sum(r.seconds for r in results):.1f} | "
        f"{sum(r.html_seconds for r in results):.1f} |",
    ]
    return "\n".join(lines)


def print_summary(results: list[ChapterResult]) -> None:
    """Print the table of each chapter's time (see :func:`summary_table`)."""
    print("\n" + summary_table(results))


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
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start each chapter's kernel when the chapter runs, not during the one before",
    )
    args = parser.parse_args(argv)

    from tqdm import tqdm

    notebooks = discover(args.chapter, args.first, args.last, args.notebooks_dir)
    profile = load_parameters(args.profile)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    results: list[ChapterResult] = []
    warm = (lambda nb: None) if args.cold else (lambda nb: WarmKernel(nb.parent))
    used: list[WarmKernel] = []
    kernel = warm(notebooks[0])
    with tqdm(notebooks, unit="chapter", file=sys.stderr) as bar:
        for index, notebook in enumerate(bar):
            bar.set_description(notebook.stem)
            params = {**profile.get("all", {}), **profile.get(notebook.stem, {})}
            following = notebooks[index + 1] if index + 1 < len(notebooks) else None
            current, kernel = kernel, warm(following) if following else None
            used.extend([current] if current else [])
            result = run_chapter(notebook, params, args.output_dir, current)
            results.append(result)
            if result.status != "ok":
                break
    if kernel is not None:
        kernel.shutdown()
    for finished in used:
        finished.wait_closed()
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
