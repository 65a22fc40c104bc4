"""Chapters and exercises remove the temporary files they make.

A learner runs every chapter many times, and a copied cell goes into other people's code: a
cell that calls ``tempfile.mkdtemp()`` leaves a folder in the system's temporary directory on
every run. Read from the committed notebooks' JSON (no kernel): no code cell calls ``mkdtemp``
or ``mkstemp``, or asks a ``NamedTemporaryFile`` not to delete itself. ``TemporaryDirectory``
in a ``with`` block is the way: it is gone when the block ends.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from lib.config import NOTEBOOKS_DIR
from workshop.exercises import CHAPTER_GLOB, WORKSHOP_DIR

pytestmark = pytest.mark.unit

LEAVES_FILES = {"mkdtemp", "mkstemp"}


def notebooks() -> list[Path]:
    """Every chapter (00 included) and every exercise copy."""
    folders = (NOTEBOOKS_DIR, WORKSHOP_DIR / "exercises")
    return [path for folder in folders for path in sorted(folder.glob(CHAPTER_GLOB))]


def leftover_calls(notebook: Path) -> list[str]:
    """``cell N: call`` for each call in a code cell that leaves a temporary file behind."""
    found = []
    for n, cell in enumerate(json.loads(notebook.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            kept = name == "NamedTemporaryFile" and any(
                k.arg == "delete" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords
            )
            if name in LEAVES_FILES or kept:
                found.append(f"cell {n}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize(
    "notebook", notebooks(), ids=lambda p: f"{p.parent.name}/{p.stem}"
)  # fmt: skip
def test_no_cell_leaves_a_temporary_file_behind(notebook):
    calls = leftover_calls(notebook)
    assert not calls, f"{notebook.name} leaves temporary files: {calls}; use TemporaryDirectory()"


def test_the_scan_sees_each_kind_of_leftover(tmp_path):
    cells = [
        "import tempfile\nfolder = tempfile.mkdtemp()",
        "from tempfile import mkstemp\nhandle, name = mkstemp()",
        "f = tempfile.NamedTemporaryFile(suffix='.csv', delete=False)",
        "with tempfile.TemporaryDirectory() as folder:\n    pass",
        "g = tempfile.NamedTemporaryFile(delete=True)",
    ]
    nb = {"cells": [{"cell_type": "code", "source": [c]} for c in cells]}
    path = tmp_path / "01_x.ipynb"
    path.write_text(json.dumps(nb))
    assert [c.split(":")[0] for c in leftover_calls(path)] == ["cell 0", "cell 1", "cell 2"]
    assert len(notebooks()) >= 10  # the chapters and their exercise copies are all scanned
