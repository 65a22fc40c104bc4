"""The papermill runner: order, reports, kernels, and a failing chapter stopping the chain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lib.config import PROJECT_ROOT

pytestmark = pytest.mark.notebook

RUNNER = PROJECT_ROOT / "scripts" / "run_notebooks.py"


def _chapter(folder: Path, name: str, *sources: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {name}")])
    params = nbformat.v4.new_code_cell("GREETING: str = 'hello'")
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    nb.cells.extend(nbformat.v4.new_code_cell(src) for src in sources)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / f"{name}.ipynb")


def _run(notebooks: Path, out: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--notebooks-dir",
            str(notebooks),
            "--output-dir",
            str(out),
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _chapter(folder, "01_first", "print(GREETING)")
    _chapter(folder, "02_broken", "x = 1", "raise RuntimeError('chapter two is broken')")
    _chapter(folder, "03_never", "print('must not run')")
    return folder


def test_a_failing_chapter_stops_the_chain_with_chapter_cell_and_error(chain, tmp_path):
    out = tmp_path / "build"
    result = _run(chain, out)
    assert result.returncode == 1
    assert "01_first" in result.stdout and "02_broken" in result.stdout
    assert "03_never" not in result.stdout, "the chain must stop at the first failure"
    assert "FAILED: 02_broken" in result.stderr
    assert "raise RuntimeError" in result.stderr
    assert "RuntimeError: chapter two is broken" in result.stderr
    assert not (out / "03_never.ipynb").exists()
    # The failing chapter's executed copy and HTML are kept for diagnosis.
    assert (out / "02_broken.html").is_file()


def test_a_range_runs_in_order_and_writes_notebooks_and_html(chain, tmp_path):
    out = tmp_path / "build"
    result = _run(chain, out, "--chapter", "01")
    assert result.returncode == 0, result.stderr
    assert (out / "01_first.ipynb").is_file() and (out / "01_first.html").is_file()
    executed = nbformat.read(out / "01_first.ipynb", as_version=4)
    assert any(
        "hello" in "".join(o.get("text", ""))
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "Executed notebooks and HTML" in result.stdout
    # the summary: a table row per chapter and the total
    assert "| chapter | status | run s | html s |" in result.stdout
    assert "| 01_first | ok | " in result.stdout and "| **total** | 1 chapters |" in result.stdout


def test_an_unknown_profile_is_refused_with_the_known_ones(chain, tmp_path):
    result = _run(chain, tmp_path / "build", "--profile", "nope")
    assert result.returncode != 0
    assert "unknown profile 'nope'" in result.stderr and "default" in result.stderr


def _record(marks: Path, name: str, sleep: float = 0.0) -> str:
    """A cell that writes this kernel's pid, its start and when the cell ended to ``marks``.

    Both times are seconds since boot: the kernel's start from ``/proc/self/stat`` (in clock
    ticks), the cell's end from ``CLOCK_BOOTTIME``. psutil's ``create_time()`` adds the boot time,
    which Linux gives in whole seconds, so it can be up to a second off ``time.time()``.
    """
    return (
        "import json, os, pathlib, time\n"
        f"time.sleep({sleep})\n"
        "ticks = int(pathlib.Path('/proc/self/stat').read_text().rsplit(')', 1)[1].split()[19])\n"
        f"pathlib.Path({str(marks / name)!r}).write_text(json.dumps({{'pid': os.getpid(), "
        "'started': ticks / os.sysconf('SC_CLK_TCK'), "
        "'ended': time.clock_gettime(time.CLOCK_BOOTTIME)}))"
    )


@pytest.mark.parametrize("flags, early", [((), True), (("--cold",), False)], ids=["warm", "cold"])
def test_each_chapter_has_a_kernel_of_its_own_started_during_the_one_before(tmp_path, flags, early):
    """By default the next kernel starts while a chapter runs; ``--cold`` starts it after."""
    folder, marks = tmp_path / "notebooks", tmp_path / "marks"
    folder.mkdir()
    marks.mkdir()
    _chapter(folder, "01_first", _record(marks, "01", sleep=3))
    _chapter(folder, "02_second", _record(marks, "02"))
    result = _run(folder, tmp_path / "build", *flags)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads((marks / name).read_text()) for name in ("01", "02"))
    assert first["pid"] != second["pid"]
    assert second["ended"] > first["ended"], "the second chapter ran before the first ended"
    assert (second["started"] < first["ended"]) is early, (first, second)


def test_without_html_only_the_executed_notebook_is_written(tmp_path):
    """The room benchmark's learners keep their executed notebooks and skip the HTML export."""
    from run_notebooks import run_chapter

    folder, out = tmp_path / "notebooks", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    _chapter(folder, "01_first", "print(GREETING)")
    result = run_chapter(folder / "01_first.ipynb", {"GREETING": "hi"}, out, html=False)
    assert (result.status, result.html_seconds) == ("ok", 0.0)
    assert (out / "01_first.ipynb").is_file() and not (out / "01_first.html").exists()
    assert "hi" in (out / "01_first.ipynb").read_text()
