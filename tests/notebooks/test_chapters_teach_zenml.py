"""Chapters teach ZenML's own API: each recaps the ZenML calls it used, and imports few kit names.

Read from the committed notebooks' JSON (no kernel, no ZenML run):

- every chapter ends with a "ZenML calls you used" section;
- each name listed there appears in one of the chapter's code cells (a cell that lists the kit's
  source names what it lists in its comment);
- each chapter lists at least the calls its part of the course must show;
- each chapter imports at most 12 distinct names from ``lib``, ``governance`` and ``workshop``,
  its exercise checks included.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from lib.config import NOTEBOOKS_DIR

pytestmark = pytest.mark.unit

RECAP_HEADING = "## ZenML calls you used"
MAX_KIT_NAMES = 12
KIT_PACKAGES = ("lib", "governance", "workshop")

REQUIRED: dict[str, set[str]] = {
    "01": {"step", "pipeline", "Model", "with_options", "outputs", "load", "log_metadata",
           "run_metadata"},
    "02": {"list_model_versions", "get_model_version", "run_metadata", "list_artifact_versions",
           "list_pipeline_runs", "producer_step_run_id", "get_run_step", "get_pipeline_run"},
    "03": {"set_stage", "ModelStages", "get_model_version"},
    "04": {"ModelStages", "get_model_version", "get_model_artifact", "load", "predict_proba"},
    "05": {"ZENML_STORE_URL", "save_artifact", "link_artifact_to_model", "log_metadata"},
    "06": {"Model", "ModelStages", "with_options", "list_artifact_versions"},
    "07": {"deploy", "list_deployments", "get_deployment"},
}  # fmt: skip
"""Per chapter: the ZenML API names its recap must list, at least."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def chapters() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("0[1-9]_*.ipynb"))


def _cells(chapter: Path) -> list[dict]:
    return json.loads(chapter.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def recap_names(chapter: Path) -> set[str]:
    """The identifiers in the backticked items of the chapter's recap of ZenML calls."""
    for cell in _cells(chapter):
        text = _source(cell)
        if cell["cell_type"] == "markdown" and RECAP_HEADING in text:
            section = text.split(RECAP_HEADING, 1)[1].split("\n## ", 1)[0]
            spans = re.findall(r"`([^`]+)`", section)
            # arguments and subscripts are placeholders: `get_model_version(...)`, `steps[...]`
            spans = [re.sub(r"\[[^\]]*\]|\([^)]*\)|\"[^\"]*\"", " ", s) for s in spans]
            return {name for span in spans for name in _NAME.findall(span)}
    return set()


def code_words(chapter: Path) -> set[str]:
    """Every identifier written in the chapter's code cells."""
    code = "\n".join(_source(c) for c in _cells(chapter) if c["cell_type"] == "code")
    return set(_NAME.findall(code))


def kit_names(chapter: Path) -> set[str]:
    """Distinct names the chapter's code cells import from the kit's own packages."""
    names: set[str] = set()
    for cell in _cells(chapter):
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse(_source(cell))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                KIT_PACKAGES
            ):
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                names |= {
                    alias.name
                    for alias in node.names
                    if alias.name.split(".")[0] in KIT_PACKAGES and alias.name not in KIT_PACKAGES
                }
    return names


@pytest.mark.parametrize("chapter", chapters(), ids=lambda p: p.stem)
def test_every_name_in_the_recap_is_used_in_a_code_cell(chapter):
    listed = recap_names(chapter)
    assert listed, f"{chapter.name} has no '{RECAP_HEADING}' section"
    missing = listed - code_words(chapter)
    assert not missing, f"{chapter.name} recaps names no code cell uses: {sorted(missing)}"


@pytest.mark.parametrize("chapter", chapters(), ids=lambda p: p.stem)
def test_each_chapter_recaps_at_least_the_calls_it_must_show(chapter):
    missing = REQUIRED[chapter.name[:2]] - recap_names(chapter)
    assert not missing, f"{chapter.name} does not show/recap: {sorted(missing)}"


@pytest.mark.parametrize("chapter", chapters(), ids=lambda p: p.stem)
def test_each_chapter_imports_at_most_twelve_kit_names(chapter):
    names = kit_names(chapter)
    assert len(names) <= MAX_KIT_NAMES, f"{chapter.name}: {len(names)} kit names {sorted(names)}"


def test_the_counts_see_what_a_chapter_imports(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "code", "source": ["import lib\n", "from lib.a import b, c\n",
                                             "import governance.x as y\n",
                                             "from zenml import Model"]},
            {"cell_type": "markdown", "source": [f"{RECAP_HEADING}\n\n- `Model(name=...)`, "
                                                 "`run.steps[...].outputs`\n\n## Check yourself"]},
        ]
    }  # fmt: skip
    path = tmp_path / "01_x.ipynb"
    path.write_text(json.dumps(nb))
    assert kit_names(path) == {"lib.a.b", "lib.a.c", "governance.x"}
    assert recap_names(path) == {"Model", "run", "steps", "outputs"}
    assert recap_names(path) - code_words(path) == {"run", "steps", "outputs"}
