"""Per-chapter reveal.js slides via nbconvert's slides exporter (``nbconvert --to slides``).

Chapters carry no hand-made slide metadata: :func:`assign_slide_types` derives
``metadata.slideshow.slide_type`` from the markdown headings, so every chapter gets slides the
day it lands:

- a ``#`` or ``##`` heading starts a new **slide**, a ``###`` heading a **subslide**;
- other cells continue the current slide (``-``) until it would exceed :data:`MAX_LINES` lines,
  then start a **subslide** below it;
- exercise solutions, their check cells and the cell tagged ``record`` are **skipped**: the room
  sees the task, not the answer or the test plumbing.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from lib.config import BUILD_DIR, NOTEBOOKS_DIR, PROJECT_ROOT
from workshop.exercises import SOLUTION_TAG, calls_a_check, chapters
from workshop.record import RECORD_TAG

MAX_LINES = 22
"""Roughly what fits on one slide at the default reveal.js size."""

SLIDES_DIR = BUILD_DIR / "slides"


def _height(cell: nbformat.NotebookNode) -> int:
    lines = cell.source.splitlines() or [""]
    wrapped = sum(1 + len(line) // 90 for line in lines)
    return wrapped + (2 if cell.cell_type == "code" else 1)


def _heading_level(cell: nbformat.NotebookNode) -> int:
    if cell.cell_type != "markdown":
        return 0
    first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
    match = re.match(r"^(#{1,6})\s", first)
    return len(match.group(1)) if match else 0


def assign_slide_types(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` with a slide type on every cell (see the module docstring)."""
    nb = copy.deepcopy(nb)
    used = MAX_LINES  # the first cell always opens a slide
    previous_was_solution = False
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        level = _heading_level(cell)
        skip = SOLUTION_TAG in tags or RECORD_TAG in tags
        if cell.cell_type == "code" and previous_was_solution and calls_a_check(cell.source):
            skip = True
        previous_was_solution = SOLUTION_TAG in tags
        if skip:
            kind = "skip"
        elif level in (1, 2) or (level and used >= MAX_LINES):
            kind, used = "slide", _height(cell)
        elif level == 3:
            kind, used = "subslide", _height(cell)
        elif used + _height(cell) > MAX_LINES:
            kind, used = "subslide", _height(cell)
        else:
            kind, used = "-", used + _height(cell)
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


NODE_MODULES = PROJECT_ROOT / "tools" / "node_modules"
VENDOR = "vendor"
"""The decks' folder holds ``vendor/``: reveal.js, RequireJS and jQuery from npm (tools/)."""
VENDOR_FILES: dict[str, str] = {
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin": "reveal.js/plugin",
    "requirejs/require.js": "require.js",
    "jquery/dist/jquery.min.js": "jquery.min.js",
}


class SlidesError(RuntimeError):
    """The slides cannot be built as asked (a missing local copy of reveal.js, say)."""


def copy_vendor(out_dir: Path, node_modules: Path = NODE_MODULES) -> Path:
    """Copy reveal.js, RequireJS and jQuery from ``node_modules`` into ``out_dir/vendor``.

    The decks reference these copies by relative paths, so they open with no network.
    """
    import shutil

    target = out_dir / VENDOR
    for source, name in VENDOR_FILES.items():
        origin = node_modules / source
        if not origin.exists():
            raise SlidesError(
                f"{origin} is missing: run `make install` (npm installs tools/package.json)"
            )
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, destination)
    return target


def build_slides(
    notebooks: list[Path] | None = None,
    out_dir: Path = SLIDES_DIR,
    executed_dir: Path | None = None,
) -> list[Path]:
    """Write ``<chapter>.slides.html`` for each chapter; return the files written.

    Args:
        notebooks: chapters to convert; every chapter in ``notebooks/`` by default.
        out_dir: where the HTML goes (``state/build/slides``, git-ignored).
        executed_dir: if given, use the executed copy of a chapter from here when it exists
            (``state/build/notebooks`` after ``make kit``), so the slides show outputs.
    """
    from nbconvert import SlidesExporter

    out_dir.mkdir(parents=True, exist_ok=True)
    copy_vendor(out_dir)
    exporter = SlidesExporter(
        reveal_scroll=True,
        reveal_transition="none",
        reveal_url_prefix=f"{VENDOR}/reveal.js",
        require_js_url=f"{VENDOR}/require.js",
        jquery_url=f"{VENDOR}/jquery.min.js",
    )
    written = []
    for chapter in notebooks if notebooks is not None else chapters(NOTEBOOKS_DIR):
        source = chapter
        if executed_dir is not None and (executed_dir / chapter.name).is_file():
            source = executed_dir / chapter.name
        nb = assign_slide_types(nbformat.read(source, as_version=4))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": chapter.stem}})
        target = out_dir / f"{chapter.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written
