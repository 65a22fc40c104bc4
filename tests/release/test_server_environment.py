"""The environment a kit server process starts with, checked without starting a server."""

from __future__ import annotations

import subprocess
import sys

import pytest
import server_processes

from governance import servers

pytestmark = pytest.mark.pipeline  # starts an interpreter that imports ZenML

FIND_REPOSITORY = "from zenml.client import Client; print(Client.find_repository())"


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
    server.root.mkdir(parents=True)
    found = subprocess.run(
        [sys.executable, "-c", FIND_REPOSITORY],
        cwd=server.root,
        env=server_processes.server_environment(server),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "None"
