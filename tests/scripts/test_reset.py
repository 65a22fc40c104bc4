"""``make reset`` (scripts/reset.py) empties the kit's state folder and refuses any other."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lib.config import PROJECT_ROOT

pytestmark = pytest.mark.pipeline  # runs scripts/reset.py


def _reset(state_dir) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "reset.py")],
        capture_output=True,
        text=True,
        env={**os.environ, "KIT_STATE_DIR": str(state_dir)},
        timeout=120,
    )


def test_a_state_dir_outside_the_repository_is_refused_and_untouched(tmp_path):
    victim = tmp_path / "not-kit-state"
    victim.mkdir()
    (victim / "thesis.tex").write_text("years of work")
    result = _reset(victim)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "outside the repository" in result.stderr
    assert (victim / "thesis.tex").read_text() == "years of work"


def test_home_or_root_is_refused(tmp_path):
    for folder in ("/", PROJECT_ROOT):
        assert _reset(folder).returncode == 2


def test_a_marked_state_dir_is_emptied(tmp_path):
    from workshop.reset import STATE_MARKER

    state = tmp_path / "state"
    (state / "zenml").mkdir(parents=True)
    (state / STATE_MARKER).write_text("")
    (state / "zenml" / "store.db").write_text("x")
    result = _reset(state)
    assert result.returncode == 0, result.stderr
    assert not (state / "zenml").exists()
