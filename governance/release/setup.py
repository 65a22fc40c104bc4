"""Set up one side's store for the kit: its stack, and on production the promoter's account.

Runs inside a worker bound to the side (see :mod:`governance.release.worker`), as that side's
administrator.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zenml.client import Client
from zenml.enums import StackComponentType
from zenml.logger import get_logger
from zenml.utils.pagination_utils import depaginate

from governance.secret_files import write_secret

logger = get_logger(__name__)


def describe_store() -> dict[str, Any]:
    """Return what the bound store is: its URL, id, user, active stack and artifact store."""
    client = Client()
    stack = client.active_stack_model
    store = stack.components[StackComponentType.ARTIFACT_STORE][0]
    return {
        "url": client.zen_store.url,
        "store_id": str(client.zen_store.get_store_info().id),
        "user": client.active_user.name,
        "stack": stack.name,
        "artifact_store": store.configuration.get("path") or "(client-side default)",
    }


def _ensure_artifact_store(client: Client, name: str, path: str) -> str:
    try:
        existing = client.get_stack_component(
            StackComponentType.ARTIFACT_STORE, name, allow_name_prefix_match=False
        )
    except KeyError:
        created = client.create_stack_component(
            name=name,
            flavor="local",
            component_type=StackComponentType.ARTIFACT_STORE,
            configuration={"path": path},
        )
        return str(created.id)
    if existing.configuration.get("path") != path:
        client.update_stack_component(
            name, StackComponentType.ARTIFACT_STORE, configuration={"path": path}
        )
    return str(existing.id)


def bootstrap_side(
    stack_name: str,
    artifact_path: str,
    promoter: str = "",
    api_key_path: str = "",
) -> dict[str, Any]:
    """Ensure the side's stack (local orchestrator + artifact store at ``artifact_path``).

    With ``promoter``, also ensure a service account of that name and, when ``api_key_path``
    holds no key yet, create an API key and write it there (mode 0600); the key is never
    returned or logged.

    Returns:
        ``{"stack_id", "stack", "artifact_store", "promoter", "api_key": "created"|"kept"|""}``.
    """
    client = Client()
    Path(artifact_path).mkdir(parents=True, exist_ok=True)
    store_id = _ensure_artifact_store(client, f"{stack_name}-artifacts", artifact_path)
    orchestrator = client.get_stack_component(StackComponentType.ORCHESTRATOR, "default")
    components = {
        StackComponentType.ORCHESTRATOR: str(orchestrator.id),
        StackComponentType.ARTIFACT_STORE: store_id,
    }
    try:
        stack = client.get_stack(stack_name, allow_name_prefix_match=False)
    except KeyError:
        stack = client.create_stack(name=stack_name, components=components)
    else:
        current = {kind: str(c[0].id) for kind, c in stack.components.items()}
        if current != components:
            stack = client.update_stack(stack_name, component_updates=components)
    result = {
        "stack_id": str(stack.id),
        "stack": stack.name,
        "artifact_store": artifact_path,
        "promoter": promoter,
        "api_key": "",
    }
    if promoter:
        try:
            client.get_service_account(promoter, allow_name_prefix_match=False)
        except KeyError:
            client.create_service_account(
                name=promoter, description="Imports signed model bundles into production."
            )
        if api_key_path and not os.path.isfile(api_key_path):
            existing = depaginate(client.list_api_keys, service_account_name_id_or_prefix=promoter)
            key_name = f"promoter-{len(existing) + 1}"
            key = client.create_api_key(promoter, name=key_name, description="kit promoter")
            write_secret(Path(api_key_path), key.key)
            result["api_key"] = "created"
        else:
            result["api_key"] = "kept"
    logger.info("side set up: stack %s, artifact store %s", stack.name, artifact_path)
    return result
