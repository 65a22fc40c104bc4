"""A room on one MariaDB-backed server: the room benchmark at N = 3, the board, the reset.

One module-scoped run of ``scripts/benchmarks/room.py --learners 3 --db mariadb`` with one more
learner whose chapter 01 run fails, its server left up; then the cohort board (script and
instructor notebook) is read against those learners, and ``reset_workshop.py --cohort``
empties the server and leaves it up. The timing bound is reported, not asserted: the machine
is shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import server_processes

from lib.config import PROJECT_ROOT
from workshop.record import read_records

pytestmark = pytest.mark.servers

LEARNERS = 3
FAILING = "stuck"
SCRIPTS = PROJECT_ROOT / "scripts"


def _run(env: dict, *command: str, timeout: int = 600) -> subprocess.CompletedProcess:
    # Other server tests export their servers' ports; the room's own come from ``env``.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("KIT_") and k.endswith("_PORT")) and not k.startswith("ZENML_STORE")
    }
    return subprocess.run(
        [sys.executable, *command],
        env={**inherited, **env},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> dict:
    if not server_processes.mariadb_installed():  # .ci/run installs it and fails on a skip
        pytest.skip("needs MariaDB: apt-get install -y mariadb-server")
    work = tmp_path_factory.mktemp("room")
    report_path = work / "report.json"
    ran = _run(
        {},
        str(SCRIPTS / "benchmarks" / "room.py"),
        "--learners",
        str(LEARNERS),
        "--db",
        "mariadb",
        "--fail-learner",
        FAILING,
        "--solo-runs",
        "1",
        "--state-dir",
        str(work / "state"),
        "--json",
        str(report_path),
        "--keep-up",
        timeout=3600,
    )
    print(ran.stdout)
    assert report_path.is_file(), ran.stdout[-3000:] + ran.stderr[-3000:]
    report = json.loads(report_path.read_text())
    yield report
    _run(report["environment"], str(SCRIPTS / "servers.py"), "down", timeout=300)


def test_three_learners_at_once_finish_with_no_failed_cell_and_exact_state(room):
    assert room["db"] == "mariadb" and room["learners"] == LEARNERS
    assert room["failed_cells"] == []
    assert room["end_state_problems"] == {f"l{i:02d}": [] for i in range(1, LEARNERS + 1)}
    for chapter in ("01", "02", "03", "04"):
        figures = room["chapters"][chapter]
        assert figures["runs"] == LEARNERS and figures["p95"] >= figures["p50"] > 0
    assert room["server_peak_rss_mb"] > 50 and room["mariadb_peak_rss_mb"] > 10


def test_the_board_shows_each_learner_and_the_one_whose_run_failed(room):
    failing = room["fail_learner_runs"]
    assert [r["chapter"] for r in failing] == ["01"], room["fail_learner_log"]
    assert "classifier must be one of" in failing[0]["error"], room["fail_learner_log"]
    board = room["board"]
    assert set(board) == {"solo", FAILING, *(f"l{i:02d}" for i in range(1, LEARNERS + 1))}
    done = board["l01"]
    assert done["chapters"] == ["01", "03", "04"]
    assert "staging" in done["versions"].values() and "production" in done["versions"].values()
    assert done["idle_seconds"] is not None and done["idle_seconds"] >= 0
    stuck = board[FAILING]
    assert stuck["chapters"] == [] and stuck["last_failed_run"]
    assert "classifier must be one of" in stuck["last_error"]
    printed = _run(room["environment"], str(SCRIPTS / "cohort.py"), "--url", room["server_url"])
    assert printed.returncode == 0, printed.stderr
    table = printed.stdout.splitlines()
    start = next(i for i, line in enumerate(table) if line.startswith("learner "))
    lines = {line.split()[0]: line for line in table[start + 1 :] if line.strip()}
    assert set(lines) == set(board)
    assert "01,03,04" in lines["l02"] and "classifier must be one of" in lines[FAILING]


def test_the_instructor_notebook_draws_the_same_board(room, tmp_path):
    import papermill as pm

    out = tmp_path / "cohort_board.ipynb"
    env_before = dict(os.environ)
    os.environ.update(room["environment"])
    try:
        pm.execute_notebook(
            str(PROJECT_ROOT / "workshop" / "cohort_board.ipynb"),
            str(out),
            parameters={"SERVER_URL": room["server_url"]},
            kernel_name="python3",
            cwd=str(PROJECT_ROOT / "workshop"),
            progress_bar=False,
        )
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    records = read_records(out)
    assert sorted(records["learners"]) == sorted(room["board"])
    assert records["chapters"]["l03"] == ["01", "03", "04"]
    assert "classifier must be one of" in records["failed"][FAILING]
    outputs = [o for c in json.loads(out.read_text())["cells"] for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the progress chart


def test_the_cohort_reset_empties_the_server_and_leaves_it_up(room):
    env = room["environment"]
    dry = _run(env, str(SCRIPTS / "reset_workshop.py"), "--cohort", "--dry-run")
    assert dry.returncode == 0 and "would delete" in dry.stdout, dry.stdout + dry.stderr
    reset = _run(env, str(SCRIPTS / "reset_workshop.py"), "--cohort", timeout=900)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert f"dev-staging: deleted {LEARNERS + 2} models" in reset.stdout
    assert "the server stays up" in reset.stdout
    status = _run(env, str(SCRIPTS / "servers.py"), "status", "--side", "dev-staging")
    assert status.returncode == 0 and "state=up" in status.stdout
    board = _run(env, str(SCRIPTS / "cohort.py"), "--url", room["server_url"], "--json")
    assert board.returncode == 0 and json.loads(board.stdout) == []
    assert Path(env["KIT_STATE_DIR"], "servers", "dev-staging", "server.json").is_file()
