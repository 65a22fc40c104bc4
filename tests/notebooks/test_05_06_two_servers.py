"""Chapters 05 and 06 against two real local ZenML servers (``-m servers``).

Starts both servers with ``scripts/servers.py up`` on free ports, makes what chapters 01 and 03
leave behind on the dev-staging server (through ``scripts/servers.py run``), then runs the two
chapters with ``MODE="servers"``. Production requires a password; the release uses the
promoter's API key. No secret may appear in an executed notebook.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from governance import servers
from governance.bundle import signing_key
from lib.config import PROJECT_ROOT, STATE_DIR

pytestmark = [pytest.mark.servers, pytest.mark.notebook]

LEARNER = "srv"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _script(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "servers.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def two_servers(zenml_store):
    """Both servers on free ports (the kernels inherit the port variables), then stopped."""
    ports = {var: str(_free_port()) for var in servers.PORT_ENV_VARS.values()}
    os.environ.update(ports)
    signing_key(STATE_DIR, create=True)
    started = _script("up")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield ports
    finally:
        _script("down")
        for var in ports:
            os.environ.pop(var, None)


def _secrets() -> list[str]:
    folder = STATE_DIR / "secrets"
    return [p.read_text().strip() for p in folder.iterdir() if p.is_file()]


def test_chapters_05_and_06_release_and_score_across_two_servers(
    two_servers, run_chapter, tmp_path
):
    prep = _script(
        "run", "--", sys.executable, str(PROJECT_ROOT / "tests/notebooks/release_chain.py"), LEARNER
    )
    assert prep.returncode == 0, prep.stdout[-2000:] + prep.stderr[-2000:]

    released = run_chapter("05_promote_to_production", LEARNER=LEARNER, MODE="servers")
    assert released["mode"] == "servers"
    version = released["production_version"]
    assert released["import_status"] == "imported" and released["history"] == "released-baseline"
    assert "hash mismatch" in released["byte_refusal"]
    assert "manifest was changed" in released["rehash_refusal"]
    assert released["rollback"][0] == version and released["forward"] == released["rollback"][::-1]
    production = released["production"]
    assert production["production"] == version and production["ledger_problems"] == []
    live = next(v for v in production["versions"] if v["version"] == version)
    assert (live["import_state"], live["bundle_sha256"]) == ("complete", released["bundle_sha256"])
    assert production["ledger"][1]["source_server"].startswith("http://127.0.0.1:")

    scored = run_chapter("06_batch_inference", LEARNER=LEARNER, MODE="servers", N_ROWS=500)
    assert scored["live_version"] == scored["run_model_version"] == version
    assert scored["rows_scored"] == 500 and scored["linked_to_version"] is True
    assert scored["normal_drifted"] is False and scored["shifted_drifted"] is True
    assert scored["trace_source_model_version"] == released["source_version"]
    assert scored["trace"][3]["id"].startswith("http://127.0.0.1:")  # the source server

    executed = [(tmp_path / f"{stem}.ipynb").read_text() for stem in
                ("05_promote_to_production", "06_batch_inference")]  # fmt: skip
    for secret in _secrets():
        assert all(secret not in text for text in executed)
