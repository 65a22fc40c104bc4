"""scripts/check_env.py and its checks: OK/FAIL rows, the exit code, fixes, and no secrets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from governance.health import free_port
from lib.config import PROJECT_ROOT
from workshop.environment import check_packages, check_ports, pinned_requirements, redact_url

SCRIPT = PROJECT_ROOT / "scripts" / "check_env.py"


def _check_env(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def _health_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering /health like a ZenML server."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(b'"OK"')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.pipeline
def test_ready_machine_prints_an_all_ok_table_and_exits_zero(zenml_store):
    with _health_server() as url:
        result = _check_env(KIT_PRODUCTION_STORE=url)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if "  OK  " in line]
    for name in (
        "Python version",
        "pinned packages",
        "import lib, governance",
        "ZenML repository initialised",
        "ZenML store reachable",
        "server KIT_PRODUCTION_STORE",
        "port 8271",
        "free disk",
    ):
        assert any(row.startswith(name) for row in rows), (name, result.stdout)
    assert "FAIL" not in result.stdout


@pytest.mark.pipeline  # starts a subprocess
def test_a_server_down_fails_with_a_one_line_fix_and_never_prints_secrets():
    password, token = "s3cr3t-Passw0rd", "zenkey_abcdefghijklmnop"
    dead = f"http://admin:{password}@127.0.0.1:{free_port()}"
    result = _check_env(
        ZENML_STORE_URL=dead,
        ZENML_STORE_PASSWORD=password,
        ZENML_STORE_API_KEY=token,
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert password not in output and token not in output
    fixes = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    assert any("server ZENML_STORE_URL" in f and "fix: start the server" in f for f in fixes)
    assert all(len(f) < 200 for f in fixes)


@pytest.mark.pipeline  # starts a subprocess
def test_a_port_held_by_another_program_fails_and_our_own_is_ok(tmp_path):
    ours = socket.socket()
    ours.bind(("127.0.0.1", 0))
    ours.listen()
    foreign_port = free_port()
    # The base interpreter, started outside the repository, stands in for another program.
    python = Path(sys.base_prefix) / "bin" / Path(sys.executable).name
    code = (
        "import socket, time; s = socket.socket(); "
        f"s.bind(('127.0.0.1', {foreign_port})); s.listen(); print('up', flush=True); "
        "time.sleep(60)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENML_", "KIT_"))}
    foreign = subprocess.Popen(
        [str(python), "-c", code], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert foreign.stdout.readline().strip() == "up"
        rows = check_ports({"ours": ours.getsockname()[1], "theirs": foreign_port})
    finally:
        foreign.kill()
        foreign.wait()
        ours.close()
    by_purpose = {row.name.split("(")[1].rstrip(")"): row for row in rows}
    assert by_purpose["ours"].ok and "ours" in by_purpose["ours"].detail
    assert not by_purpose["theirs"].ok
    assert f"pid {foreign.pid}" in by_purpose["theirs"].detail
    assert by_purpose["theirs"].fix.startswith("stop ")


@pytest.mark.unit
def test_pins_come_from_pyproject_and_match_this_environment():
    pins = pinned_requirements()
    assert pins["zenml"] == "0.98.0"
    assert "pytest" in pins  # dev extras count too
    assert check_packages().ok


@pytest.mark.unit
def test_urls_are_shown_without_credentials():
    assert redact_url("https://u:p@host:8080/x?token=t") == "https://host:8080/x"


@pytest.mark.unit
def test_a_port_left_in_time_wait_by_a_stopped_server_counts_as_free():
    import psutil

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side closes first: its port is left in TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    left = [
        c
        for c in psutil.net_connections(kind="tcp")
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_TIME_WAIT
    ]
    assert left, "the connection should still be in TIME_WAIT"
    [row] = check_ports({"a server that just stopped": port})
    assert row.ok, row


@pytest.mark.pipeline
def test_help_prints_usage_and_runs_no_check():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "usage:" in result.stdout
    assert "free disk" not in result.stdout  # the check table was not printed
