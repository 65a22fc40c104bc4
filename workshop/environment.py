"""The setup check behind ``scripts/check_env.py`` and ``notebooks/00_setup_check.ipynb``.

Each check returns one row: OK or FAIL, a detail, and on FAIL a one-line fix. Nothing here
prints a secret: store and server URLs are shown without user, password or query string, and
environment variables are named, never echoed.
"""

from __future__ import annotations

import html
import importlib
import importlib.metadata
import os
import re
import shutil
import socket
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lib.config import PROJECT_ROOT, STATE_DIR

JUPYTERLAB_PORT = 8888
"""``make lab``'s JupyterLab."""

SERVER_URL_VARIABLES: tuple[str, ...] = (
    "ZENML_STORE_URL",
    "KIT_DEV_STAGING_STORE",
    "KIT_PRODUCTION_STORE",
)
"""Environment variables that may name a ZenML server; each http(s) one set is health-checked."""


def kit_ports() -> dict[str, int]:
    """Loopback ports the kit's own processes listen on; each must be free or held by the kit."""
    from governance.servers import SIDES, local_server

    ports = {"JupyterLab, make lab": JUPYTERLAB_PORT}
    for side in SIDES:
        ports[f"{side} server"] = local_server(side, STATE_DIR).port
    return ports


def _kit_server_pids() -> set[int]:
    from governance.servers import SIDES, local_server, read_info

    pids = set()
    for side in SIDES:
        info = read_info(local_server(side, STATE_DIR))
        if info is not None:
            pids.add(info.pid)
    return pids


MIN_FREE_DISK_GB = 2.0
"""ZenML stores, artifacts and executed notebooks for a full workshop fit well inside this."""

HEALTH_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Check:
    """One row of the setup check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    @property
    def status(self) -> str:
        return "OK" if self.ok else "FAIL"


@dataclass
class EnvironmentReport:
    """All rows of the setup check, printable as a table and renderable in a notebook."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def table(self) -> str:
        """Return the OK/FAIL table as plain text, then one ``fix:`` line per failure."""
        width = max(len(c.name) for c in self.checks)
        lines = [f"{'check':<{width}}  status  detail"]
        lines += [f"{c.name:<{width}}  {c.status:<6}  {c.detail}" for c in self.checks]
        for c in self.failures:
            lines.append(f"FAIL {c.name} — fix: {c.fix}")
        return "\n".join(lines)

    def as_records(self) -> dict[str, str]:
        """Return ``{check name: "OK" | "FAIL"}`` for :func:`workshop.record.record`."""
        return {c.name: c.status for c in self.checks}

    def raise_for_failures(self) -> None:
        """Raise ``RuntimeError`` naming each failed check and its fix; silent when all pass."""
        if self.failures:
            lines = "\n".join(f"{c.name}: {c.fix}" for c in self.failures)
            raise RuntimeError(f"setup check failed ({len(self.failures)}):\n{lines}")

    def _repr_html_(self) -> str:
        rows = []
        for c in self.checks:
            colour = "#1a7f37" if c.ok else "#cf222e"
            fix = f"<br><i>fix:</i> {html.escape(c.fix)}" if not c.ok else ""
            rows.append(
                f"<tr><td>{html.escape(c.name)}</td>"
                f'<td style="color:{colour};font-weight:bold">{c.status}</td>'
                f'<td style="text-align:left">{html.escape(c.detail)}{fix}</td></tr>'
            )
        head = "<tr><th>check</th><th>status</th><th>detail</th></tr>"
        return f"<table>{head}{''.join(rows)}</table>"

    def to_dict(self) -> list[dict[str, str | bool]]:
        return [asdict(c) for c in self.checks]


def redact_url(url: str) -> str:
    """Return ``url`` without user, password, query or fragment (safe to print)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|AUTH_KEY|SIGNING|WEBHOOK", re.I)
"""Environment variables whose values must never appear in the report."""


def scrub(text: str) -> str:
    """Remove URL credentials and the value of every secret-looking variable from ``text``."""
    text = re.sub(r"(\w+://)[^/@\s]+@", r"\1", text)
    for variable, value in os.environ.items():
        if SECRET_NAME.search(variable) and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def _guarded(name: str, fix: str, fn: Callable[[], Check]) -> Check:
    try:
        return fn()
    except Exception as error:  # noqa: BLE001 - any crash is a FAIL row, never a traceback
        return Check(name, False, f"{type(error).__name__}: {_first_line(error)}", fix)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:160] if text else ""


def _pyproject() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]


def check_python() -> Check:
    """The running Python satisfies ``requires-python``."""
    required = _pyproject()["requires-python"].removeprefix(">=").strip()
    want = tuple(int(p) for p in required.split("."))
    have = sys.version_info[: len(want)]
    detail = f"{sys.version.split()[0]} (needs >= {required})"
    fix = f"install Python {required} or newer, then recreate .venv (rm -rf .venv && make install)"
    return Check("Python version", have >= want, detail, fix)


def pinned_requirements() -> dict[str, str]:
    """Return ``{distribution: version}`` for every ``==`` pin in pyproject (dev extras too)."""
    project = _pyproject()
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins = {}
    for requirement in requirements:
        if "==" in requirement:
            name, version = requirement.split("==", 1)
            pins[name.split("[")[0].strip()] = version.split(";")[0].strip()
    return pins


def check_packages() -> Check:
    """Every pinned package is installed at exactly its pinned version."""
    wrong = []
    pins = pinned_requirements()
    for name, version in sorted(pins.items()):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{name} missing (want {version})")
            continue
        if installed != version:
            wrong.append(f"{name} {installed} (want {version})")
    detail = f"{len(pins)} pins match pyproject.toml" if not wrong else "; ".join(wrong)
    fix = "reinstall the pinned versions: make install (or .venv/bin/pip install -e '.[dev]')"
    return Check("pinned packages", not wrong, detail, fix)


def check_imports() -> Check:
    """``import lib, governance`` works and both come from this checkout."""
    name = "import lib, governance"
    fix = "install this checkout in editable mode: .venv/bin/pip install -e '.[dev]'"
    modules = [importlib.import_module(m) for m in ("lib", "governance")]
    elsewhere = [
        f"{m.__name__} from {Path(m.__file__).parent}"
        for m in modules
        if not Path(m.__file__).resolve().is_relative_to(PROJECT_ROOT)
    ]
    if elsewhere:
        return Check(name, False, "imported from another copy: " + "; ".join(elsewhere), fix)
    return Check(name, True, f"both from {PROJECT_ROOT}", fix)


def check_repository() -> Check:
    """``zenml init`` has run at the repository ZenML uses (the project root by default)."""
    root = Path(os.environ.get("ZENML_REPOSITORY_PATH") or PROJECT_ROOT)
    ok = (root / ".zen").is_dir()
    detail = f"{root / '.zen'}" + ("" if ok else " missing")
    return Check("ZenML repository initialised", ok, detail, "run make setup")


def configured_servers() -> dict[str, str]:
    """Return ``{label: url}`` for the servers in use: ``KIT_MODE=servers`` and server URLs."""
    servers = {}
    if os.environ.get("KIT_MODE", "").strip().lower() == "servers":
        from governance.servers import SIDES, local_server

        for side in SIDES:
            servers[f"{side} (KIT_MODE=servers)"] = local_server(side, STATE_DIR).url
    for variable in SERVER_URL_VARIABLES:
        url = os.environ.get(variable, "").strip()
        if url.startswith(("http://", "https://")):
            servers[variable] = url
    return servers


def server_health(url: str, timeout: float = HEALTH_TIMEOUT_S) -> tuple[bool, str]:
    """GET ``<url>/health``; return (healthy, a printable detail)."""
    target = url.rstrip("/") + "/health"
    try:
        with urllib.request.urlopen(target, timeout=timeout) as response:  # noqa: S310
            return response.status == 200, f"{redact_url(url)} answers /health ({response.status})"
    except urllib.error.HTTPError as error:
        return False, f"{redact_url(url)} answered /health with {error.code}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"{redact_url(url)} unreachable ({reason})"


def check_servers() -> list[Check]:
    """Each configured server answers its health endpoint; none configured is embedded mode."""
    servers = configured_servers()
    if not servers:
        return [Check("servers", True, "none configured (embedded mode: local SQLite stores)")]
    checks = []
    for label, url in servers.items():
        healthy, detail = server_health(url)
        if "KIT_MODE" in label:
            fix = "start the servers: make servers-up (or unset KIT_MODE for embedded mode)"
        else:
            fix = f"start the server behind {label} or unset it (workshop/README.md, two servers)"
        checks.append(Check(f"server {label}", healthy, detail, fix))
    return checks


def check_store(servers_ok: bool = True) -> Check:
    """The active ZenML store answers (skipped with a FAIL when its server is down)."""
    name = "ZenML store reachable"
    url = os.environ.get("ZENML_STORE_URL", "")
    if url.startswith(("http://", "https://")) and not servers_ok:
        return Check(name, False, f"{redact_url(url)} is down", "start that server first")
    from zenml.client import Client

    store = Client().zen_store
    info = store.get_store_info()
    if store.url.startswith(("http://", "https://")):
        where = f"server {redact_url(store.url)}"
    else:
        where = f"SQLite {store.url.removeprefix('sqlite:///')}"
    return Check(name, True, f"{where} (ZenML {info.version})")


@dataclass(frozen=True)
class PortOwner:
    pid: int | None
    name: str
    ours: bool


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Return True unless something listens on ``host:port``.

    ``SO_REUSEADDR`` makes the test bind succeed past connections left in TIME_WAIT (a server
    that just stopped), which a server starting now would bind past too.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _is_kit_process(proc) -> bool:
    """A process belongs to the kit when its command line, folder or state point into the repo."""
    import psutil

    root = str(PROJECT_ROOT)
    try:
        if any(root in part for part in proc.cmdline()):
            return True
        cwd = proc.cwd()
        if cwd and Path(cwd).resolve().is_relative_to(PROJECT_ROOT):
            return True
        environ = proc.environ()
    except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess, OSError):
        return False
    state = str(STATE_DIR)
    return any(state in environ.get(v, "") for v in ("ZENML_CONFIG_PATH", "ZENML_STORE_URL"))


def port_owner(port: int) -> PortOwner | None:
    """Return who listens on ``port`` (when the OS lets us see it), or None when nobody is seen."""
    import psutil

    try:
        connections = psutil.net_connections(kind="inet")
    except (psutil.AccessDenied, OSError):
        connections = []
        for proc in psutil.process_iter():
            try:
                connections += [c._replace(pid=proc.pid) for c in proc.net_connections("inet")]
            except (psutil.AccessDenied, psutil.NoSuchProcess, OSError):
                continue
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is None:
                return PortOwner(None, "a process of another user", False)
            try:
                proc = psutil.Process(conn.pid)
                ours = conn.pid in _kit_server_pids() or _is_kit_process(proc)
                return PortOwner(conn.pid, proc.name(), ours)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                return PortOwner(conn.pid, "unknown", False)
    return None


def check_ports(ports: dict[str, int] | None = None) -> list[Check]:
    """Each kit port is free, or held by one of the kit's own processes."""
    checks = []
    for purpose, port in (ports or kit_ports()).items():
        name = f"port {port} ({purpose})"
        if port_is_free(port):
            checks.append(Check(name, True, "free"))
            continue
        owner = port_owner(port)
        if owner is None:
            fix = f"stop the program holding port {port} (lsof -i :{port} names it)"
            checks.append(Check(name, False, "taken by a process this user cannot see", fix))
        elif owner.ours:
            checks.append(Check(name, True, f"ours: {owner.name} (pid {owner.pid})"))
        else:
            who = f"{owner.name} (pid {owner.pid})" if owner.pid else owner.name
            fix = f"stop {who}, which holds port {port} the kit needs for {purpose}"
            checks.append(Check(name, False, f"taken by {who}", fix))
    return checks


def check_disk(minimum_gb: float = MIN_FREE_DISK_GB) -> Check:
    """The disk holding the state folder has room for stores, artifacts and executed notebooks."""
    folder = STATE_DIR
    while not folder.exists():
        folder = folder.parent
    free_gb = shutil.disk_usage(folder).free / 1024**3
    detail = f"{free_gb:.1f} GB free under {folder} (needs {minimum_gb:g})"
    fix = f"free at least {minimum_gb:g} GB on that disk (make reset-workshop clears kit state)"
    return Check("free disk", free_gb >= minimum_gb, detail, fix)


def check_kernel() -> Check:
    """A ``python3`` Jupyter kernel exists and its Python can import the kit."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    name = "Jupyter kernel python3"
    fix = "register this environment's kernel: .venv/bin/python -m ipykernel install --sys-prefix"
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check(name, False, "no kernel named python3", fix)
    python = spec.argv[0]
    if python in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        python = sys.executable  # jupyter_client launches these with its own interpreter
    if Path(python).resolve() == Path(sys.executable).resolve():
        return Check(name, True, f"runs {python}")
    result = subprocess.run(
        [python, "-c", "import lib, governance"], capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        return Check(name, False, f"runs {python}, which cannot import lib", fix)
    return Check(name, True, f"runs {python}")


def run_checks(ports: dict[str, int] | None = None) -> EnvironmentReport:
    """Run every setup check; never raises (a crashing check is a FAIL row)."""
    report = EnvironmentReport()
    add = report.checks.append
    add(_guarded("Python version", "install a supported Python", check_python))
    add(_guarded("pinned packages", "make install", check_packages))
    add(_guarded("import lib, governance", "make install", check_imports))
    add(_guarded("Jupyter kernel python3", "make install", check_kernel))
    add(_guarded("ZenML repository initialised", "make setup", check_repository))
    try:
        servers = check_servers()
    except Exception as error:  # noqa: BLE001
        servers = [Check("servers", False, _first_line(error), "check the server URL variables")]
    report.checks += servers
    servers_ok = all(c.ok for c in servers)
    add(_guarded("ZenML store reachable", "run make setup", lambda: check_store(servers_ok)))
    try:
        report.checks += check_ports(ports)
    except Exception as error:  # noqa: BLE001
        report.checks.append(Check("ports", False, _first_line(error), "check the ports by hand"))
    add(_guarded("free disk", "free some disk space", check_disk))
    report.checks = [Check(c.name, c.ok, scrub(c.detail), scrub(c.fix)) for c in report.checks]
    return report
