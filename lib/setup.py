"""One-time ZenML set-up for the kit: the repository at the project root and the store."""

from __future__ import annotations

import os

from lib.config import PROJECT_ROOT


def ensure_zenml_ready() -> str:
    """Initialise the ZenML repository at the project root if needed; return the store URL."""
    from zenml.client import Client

    if not (PROJECT_ROOT / ".zen").is_dir():
        Client.initialize(root=PROJECT_ROOT)
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
