"""One-time ZenML set-up for the kit: the repository at the project root and the store."""

from __future__ import annotations

import os
from pathlib import Path

from lib.config import PROJECT_ROOT


def ensure_zenml_ready() -> str:
    """Initialise the ZenML repository if needed; return the store URL.

    The repository is the project root, or ``ZENML_REPOSITORY_PATH`` when set (the tests give
    each process its own, so processes bound to other stores never rewrite the project's).
    """
    from zenml.client import Client

    root = Path(os.environ.get("ZENML_REPOSITORY_PATH") or PROJECT_ROOT)
    if not (root / ".zen").is_dir():
        root.mkdir(parents=True, exist_ok=True)
        Client.initialize(root=root)
    client = Client()
    client.active_stack_model  # noqa: B018 - creates the default stack on first use
    return client.zen_store.url


def describe_state() -> dict[str, str]:
    """Return where the kit keeps its ZenML state, for printing after set-up."""
    return {
        "config": os.environ.get("ZENML_CONFIG_PATH", "(ZenML default)"),
        "store": os.environ.get("ZENML_STORE_URL", "embedded SQLite under the config folder"),
        "repository": str(PROJECT_ROOT),
    }
