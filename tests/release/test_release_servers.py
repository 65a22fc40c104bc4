"""Importing into a real production server: racing imports and a server stopped mid-import.

Uses the session's two local servers (see conftest.py); bundles come from this process's store.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import server_processes
from boundary_helpers import resign
from release_helpers import MODEL

from governance.bundle import signing_key
from governance.release.endpoints import Endpoint, endpoint
from governance.release.errors import UnreachableError
from governance.release.importer import PAUSE_AT_ENV_VAR, PAUSE_FILE_ENV_VAR
from governance.release.promote import export_bundle, import_bundle, production_status

# one xdist group: both use the session's two servers (tests/release/conftest.py)
pytestmark = [pytest.mark.servers, pytest.mark.xdist_group("release-servers")]


def _export_as(label: str, dev_staging: Endpoint, version: str, state_dir: Path) -> str:
    source = Endpoint(label, dev_staging.location)
    return export_bundle(MODEL, source, state_dir, version=version)["bundle"]


def _staged(version: str) -> None:
    from zenml.client import Client

    Client().get_model_version(MODEL, version).set_stage("staging", force=True)


def test_two_racing_imports_leave_exactly_one_production_version(
    local_servers, staged_version, dev_staging, state_dir
):
    _staged(staged_version)
    bundle = _export_as("race", dev_staging, staged_version, state_dir)
    production = endpoint(local_servers.server("production").url, "production", state_dir)
    outcomes: list = []

    def importing() -> None:
        try:
            outcomes.append(import_bundle(bundle, production, state_dir)["status"])
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            outcomes.append(error)

    threads = [threading.Thread(target=importing) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert sorted(map(str, outcomes)) == ["already-imported", "imported"]
    status = production_status(MODEL, production)
    race = [v for v in status["versions"] if v["version"] == f"race-v{staged_version}"]
    assert len(race) == 1 and race[0]["import_state"] == "complete"
    assert status["production"] == f"race-v{staged_version}"
    assert [e["version"] for e in status["ledger"]].count(f"race-v{staged_version}") == 1


def test_production_stopped_mid_import_then_a_rerun_completes_cleanly(
    local_servers, staged_version, dev_staging, state_dir, tmp_path
):
    _staged(staged_version)
    # production only moves forward: the crash bundle carries a newer source version than the
    # race bundle the previous test imported from the same store
    number = int(staged_version) + 100
    bundle = resign(
        _export_as("crash", dev_staging, staged_version, state_dir),
        tmp_path / "crash-bundle",
        signing_key(state_dir),
        version=number,
    )
    server = local_servers.server("production")
    production = endpoint(server.url, "production", state_dir)
    pause = tmp_path / "pause"
    outcome: dict = {}

    def importing() -> None:
        try:
            import_bundle(
                bundle,
                production,
                state_dir,
                extra_env={PAUSE_AT_ENV_VAR: "registered", PAUSE_FILE_ENV_VAR: str(pause)},
            )
        except Exception as error:  # noqa: BLE001 - asserted below
            outcome["error"] = error

    worker = threading.Thread(target=importing)
    worker.start()
    deadline = time.monotonic() + 300
    while not pause.exists():
        assert time.monotonic() < deadline, "the import never reached its pause point"
        time.sleep(0.2)
    assert server_processes.stop(server)
    pause.unlink()
    worker.join(timeout=300)
    assert isinstance(outcome.get("error"), UnreachableError)
    assert "stopped answering during import" in str(outcome["error"])

    assert local_servers.script("up", "--side", "production").returncode == 0
    rerun = import_bundle(bundle, production, state_dir)
    assert rerun["status"] == "imported"
    assert any("removed it" in note for note in rerun["recovered"]), rerun["recovered"]
    status = production_status(MODEL, production)
    crash = [v for v in status["versions"] if v["version"] == f"crash-v{number}"]
    assert len(crash) == 1 and crash[0]["import_state"] == "complete"
    assert all(v["import_state"] == "complete" for v in status["versions"])
    assert status["production"] == f"crash-v{number}"
    assert status["ledger_problems"] == []
