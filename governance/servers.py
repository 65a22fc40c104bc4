"""Two local ZenML servers, ``dev-staging`` and ``production``: layout, secrets, start and stop.

ZenML Pro users keep two workspaces; open-source users keep two servers. This module is the
platform team's description of those two servers on one machine, and the process handling that
``scripts/servers.py`` (and the test fixtures) drive. Everything lives under one state folder::

    <state>/servers/<side>/zenml.db        the server's SQLite store
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
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

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
START_TIMEOUT_SECONDS = 120.0


class ServerError(RuntimeError):
    """A local server could not be started, reached or set up."""


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


def local_server(side: str, state_dir: str | Path, port: int | None = None) -> LocalServer:
    """Return the kit's local server for ``side``; the port comes from its env var or default."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}; got {side!r}")
    if port is None:
        port = int(os.environ.get(PORT_ENV_VARS[side]) or DEFAULT_PORTS[side])
    return LocalServer(side, Path(state_dir).expanduser().resolve(), port)


# -- secrets ---------------------------------------------------------------------------------


def secrets_dir(state_dir: str | Path) -> Path:
    """The git-ignored folder holding generated secrets (mode 0700)."""
    path = Path(state_dir).expanduser().resolve() / "secrets"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """Return the secret stored at ``path``, generating it (mode 0600) on first use."""
    if path.is_file():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value)
    return value


def write_secret(path: Path, value: str) -> None:
    """Write ``value`` to ``path`` with mode 0600, replacing any previous value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value)


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


# -- process handling --------------------------------------------------------------------------


def read_info(server: LocalServer) -> ServerInfo | None:
    """Return the recorded ``server.json``, or ``None`` when the server was never started."""
    if not server.info_path.is_file():
        return None
    return ServerInfo(**json.loads(server.info_path.read_text()))


def _write_info(server: LocalServer, info: ServerInfo) -> None:
    server.info_path.write_text(json.dumps(asdict(info), indent=2))


def pid_alive(pid: int) -> bool:
    """Return True if a process with ``pid`` exists (and is not a zombie)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return status != "Z"


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    """Return True if ``<url>/health`` answers 200 within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def server_environment(server: LocalServer) -> dict[str, str]:
    """Return the environment of the server process (it holds secrets: never print it)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZENML_", "KIT_PRODUCTION_")) or k == "ZENML_ANALYTICS_OPT_IN"
    }
    state = server.state_dir
    env.update(
        {
            "ZENML_SERVER": "true",
            "ZENML_CONFIG_PATH": str(server.root / "server-config"),
            # The state folder may sit inside a ZenML repository (the kit's own does), whose
            # .zen/config.yaml holds a client's active project and stack. ZenML finds it by
            # walking up from the working directory unless given a path: this one has no .zen.
            "ZENML_REPOSITORY_PATH": str(server.root),
            "ZENML_STORE_URL": f"sqlite:///{server.db_path}",
            "ZENML_LOCAL_STORES_PATH": str(server.artifact_path),
            "ZENML_SERVER_AUTO_ACTIVATE": "true",
            "ZENML_SERVER_ALLOW_LOCAL_FILE_ACCESS": "true",
            "ZENML_SERVER_JWT_SECRET_KEY": read_or_create_secret(
                secrets_dir(state) / f"{server.side}-jwt-secret"
            ),
            "ZENML_ANALYTICS_OPT_IN": "false",
            "ZENML_ENABLE_RICH_TRACEBACK": "false",
            "ZENML_LOGGING_COLORS_DISABLED": "true",
            "ZENML_AUTO_OPEN_DASHBOARD": "false",
        }
    )
    if server.requires_password:
        env["ZENML_SERVER_AUTH_SCHEME"] = "OAUTH2_PASSWORD_BEARER"
        env["ZENML_DEFAULT_USER_NAME"] = ADMIN_USER
        env["ZENML_DEFAULT_USER_PASSWORD"] = admin_password(state)
    else:
        env["ZENML_SERVER_AUTH_SCHEME"] = "NO_AUTH"
    return env


def start(server: LocalServer) -> tuple[ServerInfo, bool]:
    """Start the server unless it already answers; return its info and whether it was started.

    The process runs in its own session so it outlives the calling script; its pid is recorded
    in ``server.json`` and :func:`stop` ends exactly that process group.
    """
    info = read_info(server)
    if info and pid_alive(info.pid) and is_healthy(info.url):
        return info, False
    if info and pid_alive(info.pid):
        stop(server)
    if is_healthy(server.url):
        raise ServerError(
            f"port {server.port} already answers as a ZenML server that the kit did not start; "
            f"stop it or choose another port with {PORT_ENV_VARS[server.side]}"
        )
    for path in (server.root, server.artifact_path, server.client_dir):
        path.mkdir(parents=True, exist_ok=True)
    with open(server.log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "zenml.zen_server.zen_server_api:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(server.port),
                "--log-level",
                "warning",
            ],
            cwd=server.root,
            env=server_environment(server),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    info = ServerInfo(
        side=server.side,
        url=server.url,
        port=server.port,
        pid=process.pid,
        auth="password" if server.requires_password else "none",
        artifact_store=str(server.artifact_path),
        stack_id=info.stack_id if info else "",
        started_at=time.time(),
    )
    _write_info(server, info)
    return info, True


def wait_healthy(server: LocalServer, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Wait until the server answers ``/health``; raise :class:`ServerError` on timeout or exit."""
    info = read_info(server)
    deadline = time.monotonic() + timeout
    while not is_healthy(server.url):
        if info and not pid_alive(info.pid):
            tail = server.log_path.read_text()[-1500:] if server.log_path.is_file() else ""
            raise ServerError(f"{server.side} server exited during start-up; log tail:\n{tail}")
        if time.monotonic() > deadline:
            raise ServerError(f"{server.side} server did not answer within {timeout:.0f} s")
        time.sleep(0.5)


def stop(server: LocalServer, timeout: float = 20.0) -> bool:
    """Stop the server the kit started (its recorded process group); return True if it ran."""
    info = read_info(server)
    if info is None or not pid_alive(info.pid):
        return False
    try:
        os.killpg(info.pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_alive(info.pid):
        os.killpg(info.pid, signal.SIGKILL)
    return True


def record_stack(server: LocalServer, stack_id: str) -> None:
    """Record the id of the side's kit stack in ``server.json`` (clients activate it)."""
    info = read_info(server)
    if info is None:
        raise ServerError(f"{server.side} server has no server.json; start it first")
    info.stack_id = stack_id
    _write_info(server, info)


def admin_environment(server: LocalServer) -> dict[str, str]:
    """Client variables to act as the side's admin (holds the password: never print it)."""
    env = {"ZENML_STORE_URL": server.url, "ZENML_CONFIG_PATH": str(server.root / "admin-client")}
    if server.requires_password:
        env["ZENML_STORE_USERNAME"] = ADMIN_USER
        env["ZENML_STORE_PASSWORD"] = admin_password(server.state_dir)
    return env


# -- the three commands of scripts/servers.py ----------------------------------------------------


def up(state_dir: str | Path, sides: tuple[str, ...] = SIDES) -> list[dict]:
    """Start the servers that are not running, wait for them, and set each side up once.

    Idempotent: a server that already answers is left alone; the stack and (on production) the
    promoter's service account and API key are created only when missing.

    Returns:
        One dict per side: ``side``, ``url``, ``started`` (bool), ``stack``, ``api_key``.
    """
    from governance.release.endpoints import Endpoint
    from governance.release.remote import run_on

    chosen = [local_server(side, state_dir) for side in sides]
    started = {server.side: start(server)[1] for server in chosen}
    results = []
    for server in chosen:
        wait_healthy(server)
        admin = admin_environment(server)
        target = Endpoint(
            f"{server.side} (admin)",
            server.url,
            client_dir=admin["ZENML_CONFIG_PATH"],
            secrets={
                k: v
                for k, v in admin.items()
                if k.startswith("ZENML_STORE_") and k != "ZENML_STORE_URL"
            },
        )
        setup = run_on(
            target,
            "bootstrap_side",
            stack_name=server.stack_name,
            artifact_path=str(server.artifact_path),
            promoter=PROMOTER_ACCOUNT if server.requires_password else "",
            api_key_path=str(promoter_api_key_path(state_dir)) if server.requires_password else "",
        )
        record_stack(server, setup["stack_id"])
        results.append(
            {
                "side": server.side,
                "url": server.url,
                "started": started[server.side],
                "stack": setup["stack"],
                "api_key": setup["api_key"],
            }
        )
    return results


def down(state_dir: str | Path, sides: tuple[str, ...] = SIDES) -> list[dict]:
    """Stop the servers the kit started; idempotent. Stores and artifacts are kept."""
    return [{"side": side, "stopped": stop(local_server(side, state_dir))} for side in sides]


def status(state_dir: str | Path, sides: tuple[str, ...] = SIDES) -> list[dict]:
    """Return each side's URL, pid, health, auth and artifact store (never a secret)."""
    rows = []
    for side in sides:
        server = local_server(side, state_dir)
        info = read_info(server)
        running = bool(info and pid_alive(info.pid))
        rows.append(
            {
                "side": side,
                "url": info.url if info else server.url,
                "pid": info.pid if running else None,
                "healthy": is_healthy(info.url if info else server.url),
                "auth": "password" if server.requires_password else "none",
                "artifact_store": str(server.artifact_path),
                "stack_id": info.stack_id if info else "",
                "promoter_key": (
                    "present" if server.requires_password and promoter_api_key(state_dir) else ""
                ),
            }
        )
    return rows
