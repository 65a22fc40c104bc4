"""Two real local ZenML servers: start, status and stop; authentication; unreachable servers.

One session starts both servers with ``scripts/servers.py up`` under the test's temporary
state folder, on free loopback ports (see conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import server_processes
from release_helpers import run_script

from governance import servers
from governance.health import free_port
from governance.release.endpoints import Endpoint, endpoint
from governance.release.errors import SideError, UnreachableError
from governance.release.remote import run_on

# one xdist group: both use the session's two servers (tests/release/conftest.py)
pytestmark = [pytest.mark.servers, pytest.mark.xdist_group("release-servers")]


def _secrets(state_dir: Path) -> list[str]:
    folder = state_dir / "secrets"
    return [p.read_text().strip() for p in folder.iterdir() if p.is_file()]


def test_up_status_and_down_are_idempotent_and_print_no_secret(local_servers, state_dir):
    again = local_servers.script("up")
    assert again.returncode == 0
    assert again.stdout.count("already running") == 2
    status = local_servers.script("status")
    assert status.returncode == 0, status.stdout + status.stderr
    for side in servers.SIDES:
        url = local_servers.server(side).url
        assert f"side={side}  state=up  url={url}" in status.stdout
    assert status.stdout.count("db=mariadb") == 2
    assert "auth=password" in status.stdout and "auth=none" in status.stdout
    assert "promoter_key=present" in status.stdout
    for secret in _secrets(state_dir):
        assert secret not in again.stdout + status.stdout + again.stderr + status.stderr
    for side in servers.SIDES:
        store = local_servers.server(side).artifact_path
        assert store.is_absolute() and store.is_relative_to(state_dir)


def test_mariadb_runs_on_loopback_with_its_data_under_state_and_private_passwords(
    local_servers, state_dir
):
    import psutil

    maria = server_processes.mariadb(state_dir)
    assert maria.running() and (maria.data_dir / "mysql").is_dir()
    assert maria.data_dir.is_relative_to(state_dir)
    listening = {
        c.laddr.ip
        for c in psutil.Process(maria.pid()).net_connections("inet")
        if c.status == psutil.CONN_LISTEN
    }
    assert listening == {"127.0.0.1"}
    for side in servers.SIDES:
        secret = state_dir / "secrets" / f"mariadb-{side}-password"
        assert secret.stat().st_mode & 0o777 == 0o600
        server = local_servers.server(side)
        recorded = server.info_path.read_text() + server.log_path.read_text()
        assert secret.read_text().strip() not in recorded
        assert servers.read_info(server).db == "mariadb"
        assert not server.db_path.exists()  # no SQLite file beside a MariaDB server


def test_a_server_on_sqlite_starts_reports_its_database_and_stops(tmp_path):
    """The default database: one side only, in a state folder of its own."""
    db = "sqlite"
    env = {
        "KIT_STATE_DIR": str(tmp_path / "state"),
        servers.PORT_ENV_VARS["dev-staging"]: str(free_port()),
    }
    up = run_script("servers.py", "up", "--side", "dev-staging", env=env)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"on {db}" in up.stdout
        status = run_script("servers.py", "status", "--side", "dev-staging", env=env)
        assert status.returncode == 0 and f"db={db}" in status.stdout, status.stdout
        assert (tmp_path / "state" / "servers" / "dev-staging" / "zenml.db").is_file()
    finally:
        down = run_script("servers.py", "down", env=env)
    assert "dev-staging: stopped" in down.stdout
    after = run_script("servers.py", "status", "--side", "dev-staging", env=env)
    assert after.returncode == 1 and "state=down" in after.stdout


def test_production_requires_credentials_and_the_promoter_uses_an_api_key(
    local_servers, state_dir, tmp_path
):
    url = local_servers.server("production").url
    anonymous = Endpoint("production", url, client_dir=str(tmp_path / "anonymous"))
    with pytest.raises(SideError):
        run_on(anonymous, "describe_store")
    promoter = endpoint(url, "production", state_dir)
    store = run_on(promoter, "describe_store")
    assert store["user"] == servers.PROMOTER_ACCOUNT
    assert store["stack"] == "kit-production"
    assert store["artifact_store"] == str(local_servers.server("production").artifact_path)


def test_an_unreachable_production_server_is_one_clear_error(local_servers, state_dir, tmp_path):
    down = Endpoint("production", "http://127.0.0.1:9", client_dir=str(tmp_path))
    with pytest.raises(
        UnreachableError, match=r"^production server http://127.0.0.1:9 is unreachable$"
    ):
        run_on(down, "describe_store")
