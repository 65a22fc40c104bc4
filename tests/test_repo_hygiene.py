"""Repository hygiene: lint, stripped notebooks with their tags, packaging files that agree."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from lib.config import NOTEBOOKS_DIR, PROJECT_ROOT

REQUIRED_PACKAGES = {
    "zenml[server]",
    "scikit-learn",
    "imbalanced-learn",
    "pandas",
    "pyarrow",
    "matplotlib",
    "jupyterlab",
    "papermill",
    "nbconvert",
    "ipykernel",
}


def _tracked_notebooks() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.split()
    files = [PROJECT_ROOT / f for f in out] or sorted(PROJECT_ROOT.glob("**/*.ipynb"))
    return [f for f in files if ".venv" not in f.parts and "state" not in f.parts]


def _name(requirement: str) -> str:
    for sep in ("==", ">=", "<=", "~=", "<", ">"):
        requirement = requirement.split(sep)[0]
    return requirement.strip().lower()


@pytest.mark.pipeline  # starts a subprocess
def test_ruff_passes_on_code_and_notebooks():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.pipeline  # starts a subprocess
def test_committed_notebooks_have_no_outputs():
    dirty = []
    for nb_path in _tracked_notebooks():
        nb = json.loads(nb_path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell.get("outputs") or cell.get("execution_count"):
                dirty.append(f"{nb_path.relative_to(PROJECT_ROOT)} cell {i}")
    assert not dirty, f"strip outputs with `make strip`: {dirty}"


@pytest.mark.unit
def test_every_chapter_has_exactly_one_parameters_cell_first_after_header():
    chapters = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    assert chapters, "no chapter notebooks found"
    for nb_path in chapters:
        cells = json.loads(nb_path.read_text())["cells"]
        tagged = [i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", [])]
        assert len(tagged) == 1, f"{nb_path.name}: {len(tagged)} parameters cells"
        assert cells[0]["cell_type"] == "markdown", f"{nb_path.name}: header must come first"


@pytest.mark.unit
def test_pyproject_pins_the_packages_the_kit_needs():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pinned = {_name(d): d for d in project["dependencies"]}
    assert REQUIRED_PACKAGES <= set(pinned), REQUIRED_PACKAGES - set(pinned)
    assert pinned["zenml[server]"] == "zenml[server]==0.98.0"
    assert all("==" in pinned[p] for p in REQUIRED_PACKAGES), "pin what you test"


@pytest.mark.unit
def test_environment_yml_agrees_with_pyproject():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[-1] == project["requires-python"].removeprefix(">=")
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    # The pip section installs the project itself, so the dependencies cannot drift apart.
    assert pip_section == ['-e ".[dev]"'], pip_section
    assert "dev" in project["optional-dependencies"]
