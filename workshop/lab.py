"""The learner's JupyterLab: the repository's root, so ``notebooks/`` and ``workshop/exercises/``
are both in the file browser, with JupyterLab's news and update pop-ups turned off.

``scripts/lab.py`` (``make lab``) starts it; the browser tests start the same command.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from lib.config import PROJECT_ROOT, STATE_DIR

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
SETTINGS_DIR = STATE_DIR / "lab" / "settings"
WORKSPACES_DIR = STATE_DIR / "lab" / "workspaces"

# User settings JupyterLab reads at start: no news opt-in pop-up, no update check.
LAB_SETTINGS: dict[str, dict] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def write_settings(settings_dir: Path = SETTINGS_DIR, extra: dict[str, dict] | None = None) -> Path:
    """Write the lab's user settings (plus ``extra`` files) into ``settings_dir``."""
    for relative, values in {**LAB_SETTINGS, **(extra or {})}.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))
    return settings_dir


def lab_command(
    root_dir: Path = PROJECT_ROOT,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str = "",
    open_browser: bool = True,
    default_path: str = "notebooks",
) -> list[str]:
    """The ``jupyter lab`` command line; an empty ``token`` lets Jupyter generate one."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root_dir}",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if default_path:
        command.append(f"--LabApp.default_url=/lab/tree/{default_path}")
    if token:
        command.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def lab_environment(
    settings_dir: Path = SETTINGS_DIR, workspaces_dir: Path = WORKSPACES_DIR
) -> dict[str, str]:
    """The environment JupyterLab runs with: the kit's settings and workspaces folders."""
    return {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(workspaces_dir),
    }
