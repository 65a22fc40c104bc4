"""Chapters 01-07 against two real local ZenML servers (``-m servers``), as the README runs them.

Starts both servers with ``scripts/servers.py up`` on free ports, then runs
``scripts/servers.py run -- python scripts/run_notebooks.py``: every chapter under papermill,
01-04 training, exploring, promoting and comparing on the dev-staging server, 05 releasing to
the password-protected production server with the promoter's API key, 06 scoring there, 07
deploying the production model as a real-time service bound to the production server. The
tests read what each chapter recorded. No secret may appear in an executed notebook.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import server_processes

from governance import servers
from governance.bundle import signing_key
from governance.health import free_port
from lib.config import PROJECT_ROOT, STATE_DIR
from workshop.record import read_records

pytestmark = pytest.mark.servers

CHAPTERS = (
    "01_train_a_model",
    "02_explore_model_control_plane",
    "03_promote_to_staging",
    "04_champion_vs_challenger",
    "05_promote_to_production",
    "06_batch_inference",
    "07_realtime_inference",
)


def _script(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "servers.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def two_servers(zenml_store):
    """Both servers on MariaDB on free ports; returns ``{side: url}``. Stopped afterwards.

    The chapters run on MariaDB, the database a room uses; the server tests keep a SQLite case.
    One process per server: a second one only shares a room's load (the room test runs two),
    and here it would cost another ZenML start-up per side.
    """
    if not server_processes.mariadb_installed():  # .ci/run installs it and fails on a skip
        pytest.skip("needs MariaDB: apt-get install -y mariadb-server")
    ports = {var: str(free_port()) for var in servers.PORT_ENV_VARS.values()}
    ports[server_processes.MARIADB_PORT_ENV_VAR] = str(free_port())
    ports[server_processes.WORKERS_ENV_VAR] = "1"
    os.environ.update(ports)
    signing_key(STATE_DIR, create=True)
    started = _script("up", "--db", "mariadb")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        status = _script("status")
        assert status.stdout.count("db=mariadb") == 2, status.stdout
        yield {
            side: f"http://127.0.0.1:{ports[var]}" for side, var in servers.PORT_ENV_VARS.items()
        }
    finally:
        _script("down")
        for var in ports:
            os.environ.pop(var, None)


@pytest.fixture(scope="module")
def executed(two_servers, tmp_path_factory) -> Path:
    """Run chapters 01-07 once, in order, through ``scripts/servers.py run``; the output folder.

    Chapter 00 (the laptop check) is left out: it also checks that JupyterLab's port is free,
    which another process on a shared machine may hold. Later chapters have tests of their own.
    """
    out = tmp_path_factory.mktemp("servers-chapters")
    command = [sys.executable, str(PROJECT_ROOT / "scripts" / "run_notebooks.py")]
    chapters = ["--from", CHAPTERS[0][:2], "--to", CHAPTERS[-1][:2]]
    ran = _script("run", "--", *command, *chapters, "--output-dir", str(out), timeout=1800)
    (out / "runner.log").write_text(ran.stdout + ran.stderr)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def records(executed) -> dict[str, dict]:
    return {stem: read_records(executed / f"{stem}.ipynb") for stem in CHAPTERS}


def test_chapters_01_to_04_train_explore_and_stage_on_the_dev_staging_server(records, two_servers):
    trained, explored, staged, compared = (records[stem] for stem in CHAPTERS[:4])
    assert trained["store"] == two_servers["dev-staging"]
    assert trained["refused"] == "GovernanceError" and trained["staging_hooks"] > 0
    candidate = trained["staging_model_version"]

    assert explored["version"] == candidate and explored["lineage_reaches_model"]
    assert explored["lineage_runs"] == [trained["staging_run_name"]]

    baseline = staged["baseline"]
    assert staged["candidate"] == candidate and staged["refusal_type"] == "PromotionRefused"
    assert staged["stages_after"] == {"staging": [candidate], "production": [baseline]}
    assert staged["ledger_problems"] == []

    assert (compared["champion"], compared["challenger"]) == (baseline, candidate)
    assert compared["recommendation"] == "promote"


def test_chapter_05_releases_chapter_03s_candidate_to_the_production_server(records, two_servers):
    staged, released = records["03_promote_to_staging"], records["05_promote_to_production"]
    candidate = staged["candidate"]
    version = f"dev-staging-v{candidate}"
    # production only moves forward: what it held before the release is older than the candidate
    previous = released["rollback"][1]
    assert previous.startswith("dev-staging-v") and int(previous.rsplit("v", 1)[1]) < int(candidate)
    assert released["mode"] == "servers" and released["source_stage"] == "staging"
    assert released["source_version"] == int(candidate)
    assert released["production_version"] == version
    assert released["import_status"] == "imported" and released["history"] == "released-baseline"
    assert released["gates_passed"] is True
    assert "hash mismatch" in released["byte_refusal"]
    assert "manifest was changed" in released["rehash_refusal"]
    assert "not newer than" in released["older_refusal"]  # refused by the production server
    assert "scripts/rollback.py" in released["older_refusal"]
    assert "untrusted key" in released["stranger_refusal"]
    assert released["rollback"] == [version, previous]
    assert released["forward"] == [previous, version]

    production = released["production"]
    assert production["production"] == version and production["ledger_problems"] == []
    live = next(v for v in production["versions"] if v["version"] == version)
    assert (live["import_state"], live["bundle_sha256"]) == ("complete", released["bundle_sha256"])
    release = [e for e in production["ledger"] if e["decision"] != "displaced"][1]
    assert (release["version"], release["bundle_sha256"]) == (version, released["bundle_sha256"])
    assert release["source_server"] == two_servers["dev-staging"]


def test_chapter_06_scores_on_production_and_traces_to_chapter_01s_training_run(
    records, two_servers
):
    trained, released, scored = (
        records["01_train_a_model"],
        records["05_promote_to_production"],
        records["06_batch_inference"],
    )
    version = released["production_version"]
    assert scored["mode"] == "servers"
    assert scored["live_version"] == scored["run_model_version"] == version
    assert scored["rows_scored"] > 0 and scored["linked_to_version"] is True
    assert scored["normal_drifted"] is False and scored["shifted_drifted"] is True
    assert scored["trace_source_model_version"] == released["source_version"]
    assert scored["trace_training_run_name"] == trained["staging_run_name"]
    boundary = next(hop for hop in scored["trace"] if hop["side"] == "boundary")
    assert boundary["id"] == two_servers["dev-staging"]  # the bundle names its source server


def test_chapter_07_serves_the_production_version_from_the_production_server(records, two_servers):
    released, served = records["05_promote_to_production"], records["07_realtime_inference"]
    version = released["production_version"]
    assert served["mode"] == "servers" and served["side"] == "production"
    assert served["served_version"] == served["invoke_run_version"] == version
    assert served["invoke_answer"]["model_version"] == served["fast_answer"]["model_version"]
    assert served["refused_status"] == 422 and served["no_key_status"] == 401
    assert served["doubled_status"] == 422 and served["doubled_fields"] == ["mean radius"]
    assert served["fast_answer_audited"] is True
    assert served["deleted"] is True and served["deployments_left"] == []


def _outputs(notebook: Path) -> list[tuple[int, str]]:
    """(cell index, text) of every output of an executed notebook."""
    import nbformat

    texts = []
    for index, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
        for output in cell.get("outputs", []):
            text = output.get("text") or "\n".join(
                str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")
            )
            texts.append((index, text + str(output.get("evalue", ""))))
    return texts


def test_outputs_are_plain_and_run_logs_short(executed):
    """No colour codes, kernel warnings or repository notices; a pipeline run prints a few lines."""
    runner = (executed / "runner.log").read_text()
    assert "Kernel is running over TCP" not in runner
    assert "\x1b[" not in runner
    for stem in CHAPTERS:
        for index, text in _outputs(executed / f"{stem}.ipynb"):
            where = f"{stem} cell {index}"
            assert "\x1b[" not in text, f"{where}: colour codes"
            assert "is no longer available" not in text, f"{where}: repository notice"
            lines = text.splitlines()
            assert "Using stack:" not in text, f"{where}: ZenML set-up chatter"
            assert not [ln for ln in lines if "Step `" in ln and "has started" in ln], where
            if "Pipeline run has finished" in text or "completed successfully" in text:
                assert len(lines) <= 25, f"{where}: {len(lines)} lines"


def test_no_secret_appears_in_an_executed_notebook(executed):
    folder = STATE_DIR / "secrets"
    secrets = [p.read_text().strip() for p in folder.iterdir() if p.is_file()]
    assert secrets
    texts = [p.read_text() for p in sorted(executed.iterdir()) if p.suffix in (".ipynb", ".html")]
    assert len(texts) == 2 * len(CHAPTERS)
    for secret in secrets:
        assert all(secret not in text for text in texts)
