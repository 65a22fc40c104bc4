"""The environment a kit server process starts with, checked without starting a server."""

from __future__ import annotations

import subprocess
import sys

import pytest
import server_processes

from governance import servers

FIND_REPOSITORY = "from zenml.client import Client; print(Client.find_repository())"
SOURCE_ROOT = "from zenml.utils import source_utils as s; print(s.get_source_root())"


def _print_in_server_environment(server: servers.LocalServer, code: str) -> str:
    """Run ``code`` with ``python -c`` (a main module with no file) as the server would start."""
    server.root.mkdir(parents=True, exist_ok=True)
    ran = subprocess.run(
        [sys.executable, "-c", code],
        cwd=server.root,
        env=server_processes.server_environment(server),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip()


@pytest.mark.pipeline  # starts an interpreter that imports ZenML
@pytest.mark.parametrize("side", servers.SIDES)
def test_a_server_started_inside_a_zenml_repository_does_not_read_it(side, tmp_path):
    """``state/`` sits inside the kit's repository, whose ``.zen/config.yaml`` holds the active
    project and stack of whichever *client* last used it. A server that found that file would
    take those ids as its own; on production, an API-key login then fails with "No active user
    found". The server must not find a repository from its working directory."""
    (tmp_path / ".zen").mkdir()
    (tmp_path / ".zen" / "config.yaml").write_text(
        "active_project_id: 00000000-0000-0000-0000-000000000001\n"
        "active_stack_id: 00000000-0000-0000-0000-000000000002\n"
    )
    server = servers.local_server(side, tmp_path / "state", port=1)
    assert _print_in_server_environment(server, FIND_REPOSITORY) == "None"


@pytest.mark.unit
def test_one_server_process_on_sqlite_and_two_on_mariadb_unless_told(monkeypatch):
    monkeypatch.delenv(server_processes.WORKERS_ENV_VAR, raising=False)
    assert server_processes.server_workers("sqlite") == 1
    assert server_processes.server_workers("mariadb") == 2
    monkeypatch.setenv(server_processes.WORKERS_ENV_VAR, "3")
    assert server_processes.server_workers("mariadb") == 3
    assert server_processes.server_workers("sqlite") == 1  # no concurrent access on SQLite
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(server_processes.WORKERS_ENV_VAR, bad)
        with pytest.raises(server_processes.ServerError, match="KIT_SERVER_WORKERS"):
            server_processes.server_workers("mariadb")


@pytest.mark.pipeline
def test_a_second_server_process_resolves_sources_without_a_main_file(tmp_path):
    """uvicorn starts its extra workers with multiprocessing, whose main module has no file;
    ZenML then cannot work out a source root, and creating a stack component fails."""
    server = servers.local_server("dev-staging", tmp_path / "state", port=1)
    assert _print_in_server_environment(server, SOURCE_ROOT) == str(server.root)
