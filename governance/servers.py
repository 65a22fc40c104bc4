"""Two local ZenML servers, ``dev-staging`` and ``production``: their folders, URLs and secrets.

ZenML Pro users keep two workspaces; open-source users keep two servers. This module is the
platform team's description of those two servers on one machine: where each side's files live,
its URL, and the credentials a client of that side uses. Starting and stopping the processes is
the job of ``scripts/server_processes.py`` (driven by ``scripts/servers.py``). Everything lives
under one state folder::

    <state>/servers/<side>/zenml.db        the server's SQLite store (when the database is SQLite)
    <state>/mariadb/                       MariaDB's data folder, socket and log (``--db mariadb``)
    <state>/servers/<side>/artifacts/      the side's artifact store (explicit absolute path)
    <state>/servers/<side>/server.json     url, port, pid, the kit stack's id (no secrets)
    <state>/servers/<side>/server.log      uvicorn's log
    <state>/servers/<side>/client/         ZenML config folder of the kit's clients of that side
    <state>/secrets/                       generated secrets, mode 0600, never printed

``dev-staging`` runs without authentication, like ``zenml login --local``. ``production`` requires
a password (``KIT_PRODUCTION_ADMIN_PASSWORD``, else one generated once into the secrets folder),
and the promoter talks to it with a service account's API key, as CI would.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

# is_healthy and pid_alive are re-exported: a side's callers check its server through here.
from governance.health import is_healthy, pid_alive  # noqa: F401
from governance.secret_files import read_or_create_secret, secrets_dir

SIDES: tuple[str, ...] = ("dev-staging", "production")
DEFAULT_PORTS: dict[str, int] = {"dev-staging": 8271, "production": 8272}
PORT_ENV_VARS: dict[str, str] = {
    "dev-staging": "KIT_DEV_STAGING_PORT",
    "production": "KIT_PRODUCTION_PORT",
}
ADMIN_USER = "admin"
ADMIN_PASSWORD_ENV_VAR = "KIT_PRODUCTION_ADMIN_PASSWORD"
PROMOTER_ACCOUNT = "kit-promoter"
PROMOTER_API_KEY_ENV_VAR = "KIT_PRODUCTION_API_KEY"
DATABASES: tuple[str, ...] = ("sqlite", "mariadb")


@dataclass(frozen=True)
class LocalServer:
    """One local ZenML server of the kit and the files that belong to it."""

    side: str
    state_dir: Path
    port: int

    @property
    def root(self) -> Path:
        return self.state_dir / "servers" / self.side

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.root / "zenml.db"

    @property
    def artifact_path(self) -> Path:
        return self.root / "artifacts"

    @property
    def client_dir(self) -> Path:
        return self.root / "client"

    @property
    def info_path(self) -> Path:
        return self.root / "server.json"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    @property
    def requires_password(self) -> bool:
        return self.side == "production"

    @property
    def stack_name(self) -> str:
        return f"kit-{self.side}"


@dataclass
class ServerInfo:
    """What ``server.json`` records about a running server (never a secret)."""

    side: str
    url: str
    port: int
    pid: int
    auth: str
    artifact_store: str
    stack_id: str = ""
    started_at: float = 0.0
    db: str = "sqlite"


def local_server(side: str, state_dir: str | Path, port: int | None = None) -> LocalServer:
    """Return the kit's local server for ``side``; the port comes from its env var or default."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}; got {side!r}")
    if port is None:
        port = int(os.environ.get(PORT_ENV_VARS[side]) or DEFAULT_PORTS[side])
    return LocalServer(side, Path(state_dir).expanduser().resolve(), port)


# -- secrets ---------------------------------------------------------------------------------


def admin_password(state_dir: str | Path) -> str:
    """Production's admin password: ``KIT_PRODUCTION_ADMIN_PASSWORD``, else a generated one."""
    from_env = os.environ.get(ADMIN_PASSWORD_ENV_VAR, "").strip()
    if from_env:
        return from_env
    return read_or_create_secret(secrets_dir(state_dir) / "production-admin-password")


def promoter_api_key_path(state_dir: str | Path) -> Path:
    """Where ``up`` keeps the promoter's API key for local use."""
    return secrets_dir(state_dir) / "production-promoter-api-key"


def promoter_api_key(state_dir: str | Path) -> str | None:
    """The promoter's API key: ``KIT_PRODUCTION_API_KEY``, else the one ``up`` created."""
    from_env = os.environ.get(PROMOTER_API_KEY_ENV_VAR, "").strip()
    if from_env:
        return from_env
    path = promoter_api_key_path(state_dir)
    return path.read_text().strip() if path.is_file() else None


# -- what a running server recorded ------------------------------------------------------------


def read_info(server: LocalServer) -> ServerInfo | None:
    """Return the recorded ``server.json``, or ``None`` when the server was never started."""
    if not server.info_path.is_file():
        return None
    return ServerInfo(**json.loads(server.info_path.read_text()))


def admin_environment(server: LocalServer) -> dict[str, str]:
    """Client variables to act as the side's admin (holds the password: never print it)."""
    env = {"ZENML_STORE_URL": server.url, "ZENML_CONFIG_PATH": str(server.root / "admin-client")}
    if server.requires_password:
        env["ZENML_STORE_USERNAME"] = ADMIN_USER
        env["ZENML_STORE_PASSWORD"] = admin_password(server.state_dir)
    return env
