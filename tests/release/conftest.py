"""Fixtures for the release tests: a trained staging version, a production store, servers.

Everything lives under this pytest process's temporary folder (``KIT_STATE_DIR``): both
stores, the servers' databases and artifact stores, the signing key and the API key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import server_processes
from release_helpers import run_script

from governance import servers
from governance.bundle import signing_key
from governance.health import free_port
from governance.release.endpoints import Endpoint, endpoint
from lib.config import STATE_DIR


@pytest.fixture(scope="session")
def state_dir() -> Path:
    """The temporary kit state folder, with a generated signing key in it."""
    signing_key(STATE_DIR, create=True)
    return STATE_DIR


@pytest.fixture(scope="session")
def staged_version(zenml_store, state_dir) -> str:
    """Train one version of MODEL in this process's store (dev-staging) and stage it."""
    from zenml.client import Client

    from governance.environments import governed
    from lib.pipelines import training_model, training_pipeline

    run = governed(training_pipeline.with_options(model=training_model("rel")), "dev")()
    version = Client().get_pipeline_run(run.id).model_version
    version.set_stage("staging", force=True)
    return str(version.number)


@pytest.fixture(scope="session")
def dev_staging(zenml_store, state_dir) -> Endpoint:
    """This process's own store, as the dev-staging side."""
    return endpoint(os.environ["ZENML_CONFIG_PATH"], "dev-staging", state_dir)


@pytest.fixture
def production_store(tmp_path, state_dir) -> Endpoint:
    """A fresh, empty embedded production store for one test."""
    return endpoint(str(tmp_path / "production-store"), "production", state_dir)


@dataclass
class Servers:
    state_dir: Path
    env: dict[str, str]

    def server(self, side: str) -> servers.LocalServer:
        return servers.local_server(
            side, self.state_dir, int(self.env[servers.PORT_ENV_VARS[side]])
        )

    def script(self, *args: str, timeout: int = 300):
        return run_script("servers.py", *args, env=self.env, timeout=timeout)


@pytest.fixture(scope="session")
def local_servers(state_dir) -> Iterator[Servers]:
    """Both kit servers on MariaDB on free loopback ports, started by ``servers.py up``.

    MariaDB is the database a room runs on; ``test_servers.py`` keeps a SQLite case. One
    process per server: the room test covers two (``KIT_SERVER_WORKERS``' default).
    """
    if not server_processes.mariadb_installed():  # .ci/run installs it and fails on a skip
        pytest.skip("needs MariaDB: apt-get install -y mariadb-server")
    env = {
        servers.PORT_ENV_VARS["dev-staging"]: str(free_port()),
        servers.PORT_ENV_VARS["production"]: str(free_port()),
        server_processes.MARIADB_PORT_ENV_VAR: str(free_port()),
    }
    for name, value in env.items():
        os.environ[name] = value  # endpoint() resolves the kit servers' ports from these
    handle = Servers(state_dir, {**env, server_processes.WORKERS_ENV_VAR: "1"})
    result = handle.script("up", "--db", "mariadb")
    if result.returncode != 0:
        handle.script("down")
        pytest.fail(f"servers did not start: {result.stdout}{result.stderr}")
    yield handle
    handle.script("down")
    for name in env:
        os.environ.pop(name, None)
