"""Where each side of a release lives: a ZenML server URL or a local store folder.

A *side* is ``dev-staging`` or ``production``. Its endpoint is either a server URL (a kit local
server, another OSS server, or a ZenML Pro workspace URL) or the config folder of an embedded
SQLite store. :meth:`Endpoint.environment` returns the ZenML client variables a process needs
to talk to it, so each side gets its own process: the ZenML ``Client`` is a process-wide
singleton bound to one store.

Resolution of a side (first match wins):

1. ``KIT_DEV_STAGING_STORE`` / ``KIT_PRODUCTION_STORE`` (a URL or a folder);
2. mode ``servers``: the kit's local server of that side (``scripts/servers.py up``);
3. mode ``embedded``: production is ``<state>/zenml/production``; dev-staging is the store this
   process was started with (``ZENML_STORE_URL`` or ``ZENML_CONFIG_PATH``).

Credentials: a kit local server is matched by URL and its recorded stack and, on production,
the promoter's API key are used. Any other URL takes ``KIT_<SIDE>_API_KEY`` (for example
``KIT_PRODUCTION_API_KEY``) and, optionally, ``KIT_<SIDE>_STACK_ID``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from governance import servers

MODES: tuple[str, ...] = ("embedded", "servers")
MODE_ENV_VAR = "KIT_MODE"
STORE_ENV_VARS = {"dev-staging": "KIT_DEV_STAGING_STORE", "production": "KIT_PRODUCTION_STORE"}
CLIENT_VARIABLES: tuple[str, ...] = (
    "ZENML_STORE_URL",
    "ZENML_STORE_API_KEY",
    "ZENML_STORE_USERNAME",
    "ZENML_STORE_PASSWORD",
    "ZENML_CONFIG_PATH",
    "ZENML_ACTIVE_STACK_ID",
    "ZENML_ACTIVE_PROJECT_ID",
)


@dataclass(frozen=True)
class Endpoint:
    """One side's store: a server URL or an embedded store folder, with what a client needs."""

    label: str
    location: str
    client_dir: str = ""
    stack_id: str = ""
    secrets: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_server(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    def environment(self) -> dict[str, str]:
        """The ZenML client variables for this side (may hold an API key: never print it)."""
        if not self.is_server:
            return {"ZENML_CONFIG_PATH": self.location}
        env = {"ZENML_STORE_URL": self.location, "ZENML_CONFIG_PATH": self.client_dir}
        if self.stack_id:
            env["ZENML_ACTIVE_STACK_ID"] = self.stack_id
        env.update(self.secrets)
        return env

    def describe(self) -> str:
        """``label (location)`` — no secrets."""
        return f"{self.label} ({self.location})"


def current_mode(mode: str | None = None) -> str:
    """Return the validated mode: ``mode``, else ``KIT_MODE``, else ``embedded``."""
    value = (mode or os.environ.get(MODE_ENV_VAR) or "embedded").strip().lower()
    if value not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {value!r}")
    return value


def side_location(side: str, mode: str | None, state_dir: str | Path) -> str:
    """Return the URL or folder of ``side`` (see the module docstring for the order)."""
    if side not in STORE_ENV_VARS:
        raise ValueError(f"side must be one of {', '.join(STORE_ENV_VARS)}; got {side!r}")
    override = os.environ.get(STORE_ENV_VARS[side], "").strip()
    if override:
        return override
    if current_mode(mode) == "servers":
        return servers.local_server(side, state_dir).url
    if side == "production":
        return str(Path(state_dir).expanduser().resolve() / "zenml" / "production")
    return (
        os.environ.get("ZENML_STORE_URL")
        or os.environ.get("ZENML_CONFIG_PATH")
        or str(Path(state_dir).expanduser().resolve() / "zenml" / "dev-staging")
    )


def endpoint(location: str, label: str, state_dir: str | Path) -> Endpoint:
    """Return the endpoint of a URL or folder, with the credentials this machine holds for it."""
    location = location.strip()
    if not location.startswith(("http://", "https://")):
        return Endpoint(label, str(Path(location).expanduser().resolve()))
    location = location.rstrip("/")
    for side in servers.SIDES:
        server = servers.local_server(side, state_dir)
        info = servers.read_info(server)
        if server.url == location or (info and info.url == location):
            found = {}
            if server.requires_password:
                key = servers.promoter_api_key(state_dir)
                if key:
                    found["ZENML_STORE_API_KEY"] = key
            return Endpoint(
                label,
                location,
                client_dir=str(server.client_dir),
                stack_id=info.stack_id if info else "",
                secrets=found,
            )
    prefix = "KIT_" + label.upper().replace("-", "_")
    found = {}
    if os.environ.get(f"{prefix}_API_KEY"):
        found["ZENML_STORE_API_KEY"] = os.environ[f"{prefix}_API_KEY"]
    digest = hashlib.sha256(location.encode()).hexdigest()[:12]
    client_dir = Path(state_dir).expanduser().resolve() / "clients" / digest
    return Endpoint(
        label,
        location,
        client_dir=str(client_dir),
        stack_id=os.environ.get(f"{prefix}_STACK_ID", ""),
        secrets=found,
    )


def side_endpoint(side: str, mode: str | None, state_dir: str | Path) -> Endpoint:
    """Return the endpoint of ``side`` in ``mode`` (``embedded`` or ``servers``)."""
    return endpoint(side_location(side, mode, state_dir), side, state_dir)


def bind_process(target: Endpoint) -> None:
    """Point this process's ZenML client at ``target``; call it before the first ``Client()``.

    The side this process was started with is kept in ``KIT_DEV_STAGING_STORE`` first (when
    unset), so dev-staging stays reachable from a process bound to production.
    """
    os.environ.setdefault(
        STORE_ENV_VARS["dev-staging"],
        os.environ.get("ZENML_STORE_URL") or os.environ.get("ZENML_CONFIG_PATH") or "",
    )
    if not os.environ[STORE_ENV_VARS["dev-staging"]]:
        del os.environ[STORE_ENV_VARS["dev-staging"]]
    for name in CLIENT_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(target.environment())
