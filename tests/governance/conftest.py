"""Fixtures for governance tests: policy copies, a real webhook receiver, a real Pushgateway."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from governance.health import free_port

# A temporary store when the suite-level conftest has not chosen one (this file runs first
# when tests/governance is collected on its own).
if "ZENML_CONFIG_PATH" not in os.environ:
    os.environ["ZENML_CONFIG_PATH"] = tempfile.mkdtemp(prefix="kit-governance-zenml-")
os.environ.setdefault("ZENML_ANALYTICS_OPT_IN", "false")
os.environ.setdefault("ZENML_ENABLE_RICH_TRACEBACK", "false")


@dataclass
class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 recording every POST it receives."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0

    def payloads(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.requests]


def _serve(receiver_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver_factory)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def webhook_receiver():
    """Start a Slack-like webhook receiver on a free loopback port; yield its handle."""
    box: dict[str, WebhookReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            receiver = box["receiver"]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            receiver.requests.append({"path": self.path, "json": parsed, "raw": body})
            if receiver.delay:
                time.sleep(receiver.delay)
            try:
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first: what a slow receiver test wants

        def log_message(self, *args):  # keep test output quiet
            pass

    server, thread = _serve(Handler)
    host, port = server.server_address[:2]
    box["receiver"] = WebhookReceiver(url=f"http://{host}:{port}/services/T000/B000/secret-token")
    yield box["receiver"]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_url():
    """A loopback URL where nothing listens (a receiver that is down)."""
    return f"http://127.0.0.1:{free_port()}/hooks/down"


@pytest.fixture(scope="session")
def pushgateway(tmp_path_factory):
    """Run the real ``prometheus-pushgateway`` on loopback for the session; yield its URL.

    Metrics are kept in memory (Debian's default persistence file would carry metrics from an
    earlier session into this one), and the routes sit under a random prefix so a test can
    never read another process's gateway that happens to hold the port.
    """
    binary = shutil.which("prometheus-pushgateway")
    if binary is None:
        pytest.skip("prometheus-pushgateway not installed (apt-get install prometheus-pushgateway)")
    port = free_port()
    prefix = f"kit-{uuid.uuid4().hex[:12]}"
    url = f"http://127.0.0.1:{port}/{prefix}"
    log = tmp_path_factory.mktemp("pushgateway") / "pushgateway.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                binary,
                f"--web.listen-address=127.0.0.1:{port}",
                f"--web.route-prefix=/{prefix}",
                "--persistence.file=",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(f"{url}/-/ready", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"prometheus-pushgateway did not start: {log.read_text()[-500:]}")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def read_gateway_metrics(url: str) -> dict[tuple[str, frozenset], float]:
    """Return ``{(metric, labels): value}`` parsed from a Pushgateway's ``/metrics``."""
    from prometheus_client.parser import text_string_to_metric_families

    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def _gateway_values(url: str, **labels: str) -> dict[str, float]:
    wanted = set(labels.items())
    return {
        name: value
        for (name, sample_labels), value in read_gateway_metrics(url).items()
        if name.startswith("kit_") and wanted <= set(sample_labels)
    }


@pytest.fixture
def gateway_values():
    """Return ``read(url, **labels) -> {metric: value}`` for ``kit_*`` samples with ``labels``."""
    return _gateway_values
