"""Local dev and staging stacks: registered for real, explicit paths, re-runnable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from zenml import pipeline, step
from zenml.client import Client
from zenml.enums import StackComponentType

from governance.stacks import register_local_stacks

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[2]


@step
def make_number() -> int:
    return 42


@pipeline(enable_cache=False)
def tiny_pipeline() -> None:
    make_number()


def test_registering_twice_converges_and_artifacts_land_under_the_explicit_path(
    zenml_store, tmp_path
):
    first = register_local_stacks(tmp_path / "state")
    assert [(i.stack_name, i.created) for i in first] == [("kit-dev", True), ("kit-staging", True)]
    client = Client()
    ids = {i.stack_name: client.get_stack(i.stack_name).id for i in first}

    again = register_local_stacks(tmp_path / "state")
    assert [i.created for i in again] == [False, False]
    assert {i.stack_name: client.get_stack(i.stack_name).id for i in again} == ids

    staging = client.get_stack("kit-staging")
    store = staging.components[StackComponentType.ARTIFACT_STORE][0]
    expected = (tmp_path / "state" / "artifacts" / "staging").resolve()
    assert store.configuration["path"] == str(expected) and expected.is_absolute()

    previous = client.active_stack_model.name
    client.activate_stack("kit-staging")
    try:
        run = tiny_pipeline()
    finally:
        client.activate_stack(previous)
    output = client.get_pipeline_run(run.id).steps["make_number"].outputs["output"][0]
    assert output.uri.startswith(str(expected))
    assert output.load() == 42


def test_a_moved_state_folder_is_converged_not_duplicated(zenml_store, tmp_path):
    register_local_stacks(tmp_path / "old")
    register_local_stacks(tmp_path / "new")
    store = Client().get_stack_component(StackComponentType.ARTIFACT_STORE, "kit-dev-artifacts")
    assert store.configuration["path"] == str((tmp_path / "new" / "artifacts" / "dev").resolve())
    names = [c.name for c in Client().list_stack_components(name="kit-dev-artifacts").items]
    assert names == ["kit-dev-artifacts"]


def test_the_script_registers_and_a_rerun_changes_nothing(zenml_store, tmp_path):
    state = tmp_path / "script-state"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "register_stacks.py")],
        env={**os.environ, "KIT_STATE_DIR": str(state)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "kit-dev:" in result.stdout and "kit-staging:" in result.stdout
    assert str(state / "artifacts" / "staging") in result.stdout
    rerun = register_local_stacks(state)  # what the script calls, with the same state folder
    assert [i.created for i in rerun] == [False, False]
