"""Process handling of the kit's local servers: start, stop and set up, on SQLite or MariaDB.

``scripts/servers.py`` is the command line over this module, and the test fixtures drive it
too. Where each side's files live and how a client reaches it is the platform's description in
:mod:`governance.servers`; this module only runs the processes.

With ``db="mariadb"`` the kit starts one MariaDB server of its own (Debian's ``mariadb-server``;
no systemd needed) on 127.0.0.1, with its data folder at ``<state>/mariadb/``. Each side gets
its own database and user; the root and user passwords are generated into ``<state>/secrets/``
(mode 0600) and never printed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from governance import health
from governance.secret_files import read_or_create_secret, secrets_dir
from governance.servers import (
    ADMIN_USER,
    DATABASES,
    PORT_ENV_VARS,
    PROMOTER_ACCOUNT,
    SIDES,
    LocalServer,
    ServerInfo,
    admin_environment,
    admin_password,
    local_server,
    promoter_api_key,
    promoter_api_key_path,
    read_info,
)

START_TIMEOUT_SECONDS = 120.0
MARIADB_PORT_ENV_VAR = "KIT_MARIADB_PORT"
MARIADB_DEFAULT_PORT = 8273
DB_ENV_VAR = "KIT_SERVERS_DB"
WORKERS_ENV_VAR = "KIT_SERVER_WORKERS"
MARIADB_DEFAULT_WORKERS = 2
"""Server processes on MariaDB: one uvicorn process holds Python's GIL, so a room's requests
would be served on one core while the other waits; SQLite always gets one (ZenML documents no
concurrent access for it)."""


class ServerError(RuntimeError):
    """A local server could not be started, reached or set up."""


# -- MariaDB -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MariaDB:
    """The kit's own MariaDB server and its files under ``<state>/mariadb/``."""

    state_dir: Path
    port: int

    @property
    def root(self) -> Path:
        return self.state_dir / "mariadb"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket(self) -> Path:
        return self.root / "mariadb.sock"

    @property
    def pid_file(self) -> Path:
        return self.root / "mariadb.pid"

    @property
    def log_path(self) -> Path:
        return self.root / "mariadb.log"

    def root_password(self) -> str:
        return read_or_create_secret(secrets_dir(self.state_dir) / "mariadb-root-password")

    def user_password(self, side: str) -> str:
        return read_or_create_secret(secrets_dir(self.state_dir) / f"mariadb-{side}-password")

    def pid(self) -> int:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return 0

    def running(self) -> bool:
        return health.pid_alive(self.pid())


def mariadb(state_dir: str | Path) -> MariaDB:
    """The kit's MariaDB; its port comes from ``KIT_MARIADB_PORT`` or 8273."""
    port = int(os.environ.get(MARIADB_PORT_ENV_VAR) or MARIADB_DEFAULT_PORT)
    return MariaDB(Path(state_dir).expanduser().resolve(), port)


def database_name(side: str) -> str:
    """The side's database (and user) name in MariaDB."""
    return "zenml_" + side.replace("-", "_")


def _mariadb_binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        raise ServerError(
            f"{name} not found: install MariaDB with `apt-get install -y mariadb-server`"
        )
    return found


def mariadb_installed() -> bool:
    """True when Debian's ``mariadb-server`` (``mariadbd``, ``mariadb-install-db``) is here."""
    try:
        _mariadb_binary("mariadbd")
        _mariadb_binary("mariadb-install-db")
    except ServerError:
        return False
    return True


def _user_flag() -> list[str]:
    return ["--user=root"] if os.geteuid() == 0 else []


def _connect(db: MariaDB, password: str | None):
    import pymysql

    return pymysql.connect(
        unix_socket=str(db.socket), user="root", password=password or "", autocommit=True
    )


def start_mariadb(db: MariaDB, timeout: float = 60.0) -> bool:
    """Start the kit's MariaDB unless it runs; create each side's database and user.

    Returns True if it was started now. Idempotent: databases and users are created only when
    missing; passwords are the ones in the secrets folder.
    """
    started = False
    if not db.running():
        db.root.mkdir(parents=True, exist_ok=True)
        fresh = not (db.data_dir / "mysql").is_dir()
        if fresh:
            db.data_dir.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    _mariadb_binary("mariadb-install-db"),
                    *_user_flag(),
                    f"--datadir={db.data_dir}",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                ],
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        with open(db.log_path, "ab") as log:
            subprocess.Popen(
                [
                    _mariadb_binary("mariadbd"),
                    "--no-defaults",
                    *_user_flag(),
                    f"--datadir={db.data_dir}",
                    f"--socket={db.socket}",
                    f"--pid-file={db.pid_file}",
                    f"--port={db.port}",
                    "--bind-address=127.0.0.1",
                    "--skip-name-resolve",
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_unicode_ci",
                    "--max-connections=500",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = True
        _wait_for_socket(db, timeout)
        if fresh:
            with _connect(db, None) as connection, connection.cursor() as cursor:
                cursor.execute(
                    "ALTER USER 'root'@'localhost' IDENTIFIED BY %s", (db.root_password(),)
                )
    with _connect(db, db.root_password()) as connection, connection.cursor() as cursor:
        for side in SIDES:
            name = database_name(side)
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
            cursor.execute(
                f"CREATE USER IF NOT EXISTS '{name}'@'127.0.0.1' IDENTIFIED BY %s",
                (db.user_password(side),),
            )
            cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{name}'@'127.0.0.1'")
    return started


def _wait_for_socket(db: MariaDB, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.socket.exists() and db.running():
            return
        if db.pid_file.exists() and not db.running():
            break
        time.sleep(0.2)
    tail = db.log_path.read_text(errors="replace")[-1500:] if db.log_path.is_file() else ""
    raise ServerError(f"MariaDB did not start within {timeout:.0f} s; log tail:\n{tail}")


def stop_mariadb(db: MariaDB, timeout: float = 30.0) -> bool:
    """Stop the kit's MariaDB (the pid it recorded); return True if it ran."""
    pid = db.pid()
    if not health.pid_alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while health.pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if health.pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def store_url(server: LocalServer, db: str) -> str:
    """The server's ``ZENML_STORE_URL`` (holds a password for MariaDB: never print it)."""
    if db == "sqlite":
        return f"sqlite:///{server.db_path}"
    maria = mariadb(server.state_dir)
    name = database_name(server.side)
    return f"mysql://{name}:{maria.user_password(server.side)}@127.0.0.1:{maria.port}/{name}"


# -- the ZenML servers -----------------------------------------------------------------------


def _write_info(server: LocalServer, info: ServerInfo) -> None:
    server.info_path.write_text(json.dumps(asdict(info), indent=2))


def server_environment(server: LocalServer, db: str = "sqlite") -> dict[str, str]:
    """Return the environment of the server process (it holds secrets: never print it)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZENML_", "KIT_PRODUCTION_")) or k == "ZENML_ANALYTICS_OPT_IN"
    }
    env.update(
        {
            "ZENML_SERVER": "true",
            "ZENML_CONFIG_PATH": str(server.root / "server-config"),
            # The state folder may sit inside a ZenML repository (the kit's own does), whose
            # .zen/config.yaml holds a client's active project and stack. ZenML finds it by
            # walking up from the working directory unless given a path: this one has no .zen.
            "ZENML_REPOSITORY_PATH": str(server.root),
            # ZenML resolves sources (a stack component's flavor) from a source root, by default
            # the folder of the main module's file; a second server process, started by
            # multiprocessing, has no such file.
            "ZENML_CUSTOM_SOURCE_ROOT": str(server.root),
            "ZENML_STORE_URL": store_url(server, db),
            "ZENML_LOCAL_STORES_PATH": str(server.artifact_path),
            "ZENML_SERVER_AUTO_ACTIVATE": "true",
            "ZENML_SERVER_ALLOW_LOCAL_FILE_ACCESS": "true",
            "ZENML_SERVER_JWT_SECRET_KEY": read_or_create_secret(
                secrets_dir(server.state_dir) / f"{server.side}-jwt-secret"
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
        env["ZENML_DEFAULT_USER_PASSWORD"] = admin_password(server.state_dir)
    else:
        env["ZENML_SERVER_AUTH_SCHEME"] = "NO_AUTH"
    return env


def server_workers(db: str) -> int:
    """How many server processes: 1 on SQLite; on MariaDB ``KIT_SERVER_WORKERS`` or 2."""
    if db != "mariadb":
        return 1
    value = os.environ.get(WORKERS_ENV_VAR, "").strip() or str(MARIADB_DEFAULT_WORKERS)
    if not value.isdigit() or int(value) < 1:
        raise ServerError(f"{WORKERS_ENV_VAR} must be a whole number >= 1; got {value!r}")
    return int(value)


def initialize_store(server: LocalServer, environment: dict[str, str]) -> None:
    """Migrate the server's database and create its defaults, once, before its processes start.

    Each server process initialises the store as it starts; several doing it at once on a new
    database would run the same migrations and create the same default user and stack together.
    """
    with open(server.log_path, "ab") as log:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from zenml.config.global_config import GlobalConfiguration; "
                "GlobalConfiguration().zen_store",
            ],
            cwd=server.root,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=START_TIMEOUT_SECONDS,
            check=False,
        )
    if done.returncode != 0:
        raise ServerError(
            f"{server.side} server: setting up its database failed (exit {done.returncode}); "
            f"see {server.log_path}"
        )


def recorded_db(server: LocalServer) -> str | None:
    """The database the server last ran on (its store lives there), running or not."""
    info = read_info(server)
    return info.db if info else None


def start(server: LocalServer, db: str | None = None) -> tuple[ServerInfo, bool]:
    """Start the server unless it already answers; return its info and whether it was started.

    ``db`` None keeps the database the server ran on (its store is there), else uses
    :func:`default_db`. The process
    runs in its own session so it outlives the calling script; its pid is recorded in
    ``server.json`` and :func:`stop` ends exactly that process group.
    """
    db = db or recorded_db(server) or default_db()
    if db not in DATABASES:
        raise ServerError(f"db must be one of {', '.join(DATABASES)}; got {db!r}")
    info = read_info(server)
    if info and health.pid_alive(info.pid) and health.is_healthy(info.url):
        if info.db != db:
            raise ServerError(
                f"{server.side} server already runs on {info.db}; "
                f"run `scripts/servers.py down` first to switch it to {db}"
            )
        return info, False
    if info and health.pid_alive(info.pid):
        stop(server)
    if health.is_healthy(server.url):
        raise ServerError(
            f"port {server.port} already answers as a ZenML server that the kit did not start; "
            f"stop it or choose another port with {PORT_ENV_VARS[server.side]}"
        )
    for path in (server.root, server.artifact_path, server.client_dir):
        path.mkdir(parents=True, exist_ok=True)
    environment = server_environment(server, db)
    workers = server_workers(db)
    if workers > 1:
        initialize_store(server, environment)
    with open(server.log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(Path(__file__).resolve().parent),
                "server_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(server.port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=server.root,
            env=environment,
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
        stack_id=info.stack_id if info and info.db == db else "",
        started_at=time.time(),
        db=db,
    )
    _write_info(server, info)
    return info, True


def wait_healthy(server: LocalServer, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Wait until the server answers ``/health``; raise :class:`ServerError` on timeout or exit."""
    info = read_info(server)
    try:
        health.wait_healthy(
            server.url, timeout, still_starting=lambda: not info or health.pid_alive(info.pid)
        )
    except TimeoutError as error:
        raise ServerError(f"{server.side} server did not answer within {timeout:.0f} s") from error
    except RuntimeError as error:
        tail = server.log_path.read_text()[-1500:] if server.log_path.is_file() else ""
        raise ServerError(
            f"{server.side} server exited during start-up; log tail:\n{tail}"
        ) from error


def stop(server: LocalServer, timeout: float = 20.0) -> bool:
    """Stop the server the kit started (its recorded process group); return True if it ran."""
    info = read_info(server)
    if info is None or not health.pid_alive(info.pid):
        return False
    try:
        os.killpg(info.pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while health.pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if health.pid_alive(info.pid):
        os.killpg(info.pid, signal.SIGKILL)
    return True


def record_stack(server: LocalServer, stack_id: str) -> None:
    """Record the id of the side's kit stack in ``server.json`` (clients activate it)."""
    info = read_info(server)
    if info is None:
        raise ServerError(f"{server.side} server has no server.json; start it first")
    info.stack_id = stack_id
    _write_info(server, info)


def rss_bytes(server: LocalServer) -> int:
    """Resident memory of the server's process group now, in bytes (0 when it is down)."""
    import psutil

    info = read_info(server)
    if info is None or not health.pid_alive(info.pid):
        return 0
    try:
        process = psutil.Process(info.pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


# -- the commands of scripts/servers.py --------------------------------------------------------


def default_db() -> str:
    """``KIT_SERVERS_DB`` or ``sqlite``."""
    return (os.environ.get(DB_ENV_VAR) or "sqlite").strip().lower()


def up(state_dir: str | Path, sides: tuple[str, ...] = SIDES, db: str | None = None) -> list[dict]:
    """Start the servers that are not running, wait for them, and set each side up once.

    Idempotent: a server that already answers is left alone; the stack and (on production) the
    promoter's service account and API key are created only when missing.

    Returns:
        One dict per side: ``side``, ``url``, ``started`` (bool), ``stack``, ``api_key``, ``db``.
    """
    from governance.release.endpoints import Endpoint
    from governance.release.remote import run_on

    chosen = [local_server(side, state_dir) for side in sides]
    wanted = {server.side: db or recorded_db(server) or default_db() for server in chosen}
    if "mariadb" in wanted.values():
        start_mariadb(mariadb(state_dir))
    started = {server.side: start(server, wanted[server.side])[1] for server in chosen}
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
                "db": wanted[server.side],
            }
        )
    return results


def down(state_dir: str | Path, sides: tuple[str, ...] = SIDES) -> list[dict]:
    """Stop the servers the kit started, then its MariaDB once no server uses it; idempotent.

    Stores, databases and artifacts are kept.
    """
    rows = [{"side": side, "stopped": stop(local_server(side, state_dir))} for side in sides]
    maria = mariadb(state_dir)
    still_up = [
        side
        for side in SIDES
        if (info := read_info(local_server(side, state_dir)))
        and info.db == "mariadb"
        and health.pid_alive(info.pid)
    ]
    if maria.running() and not still_up:
        rows.append({"side": "mariadb", "stopped": stop_mariadb(maria)})
    return rows


def status(state_dir: str | Path, sides: tuple[str, ...] = SIDES) -> list[dict]:
    """Return each side's URL, pid, health, database, auth and artifact store (never a secret)."""
    rows = []
    for side in sides:
        server = local_server(side, state_dir)
        info = read_info(server)
        running = bool(info and health.pid_alive(info.pid))
        healthy = health.is_healthy(info.url if info else server.url)
        rows.append(
            {
                "side": side,
                "state": "up" if healthy else "down",
                "url": info.url if info else server.url,
                "pid": info.pid if running else None,
                "healthy": healthy,
                "db": info.db if info else "",
                "auth": "password" if server.requires_password else "none",
                "artifact_store": str(server.artifact_path),
                "stack_id": info.stack_id if info else "",
                "promoter_key": (
                    "present" if server.requires_password and promoter_api_key(state_dir) else ""
                ),
            }
        )
    return rows
