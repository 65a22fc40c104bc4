"""Register the local ``dev`` and ``staging`` stacks, re-runnably.

Each stack gets its own local artifact store with an explicit absolute path under the kit's
state folder. ZenML resolves the default local artifact store's folder on the client, so a
second client (another config folder, a notebook kernel, a server) could not load the first
one's artifacts; an explicit path can be loaded by every client on the machine.

Running it again converges: existing components are updated to the expected path, existing
stacks to the expected components, and nothing is created twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zenml.client import Client
from zenml.enums import StackComponentType
from zenml.logger import get_logger

logger = get_logger(__name__)

LOCAL_ENVIRONMENTS: tuple[str, ...] = ("dev", "staging")
ORCHESTRATOR_NAME = "kit-local"


@dataclass(frozen=True)
class StackInfo:
    """What was registered for one environment."""

    environment: str
    stack_name: str
    artifact_store_path: str
    created: bool


def _ensure_component(
    client: Client, name: str, kind: StackComponentType, flavor: str, config: dict
) -> tuple[str, bool]:
    """Create the component or update its configuration; return (id, created)."""
    try:
        existing = client.get_stack_component(kind, name, allow_name_prefix_match=False)
    except KeyError:
        created = client.create_stack_component(
            name=name, flavor=flavor, component_type=kind, configuration=config
        )
        return str(created.id), True
    if existing.flavor_name != flavor:
        raise ValueError(
            f"{kind.value} {name!r} exists with flavor {existing.flavor_name!r}, not {flavor!r}; "
            "rename or delete it first"
        )
    if any(existing.configuration.get(k) != v for k, v in config.items()):
        client.update_stack_component(name, kind, configuration=config)
        logger.info("updated %s %r to %s", kind.value, name, config)
    return str(existing.id), False


def register_local_stacks(
    state_dir: str | Path, environments: tuple[str, ...] = LOCAL_ENVIRONMENTS
) -> list[StackInfo]:
    """Register (or converge) one local stack per environment in the active ZenML store.

    Args:
        state_dir: The kit's state folder; artifact stores go to ``<state_dir>/artifacts/<env>``.
        environments: Which environments to register (``dev`` and ``staging`` by default).

    Returns:
        One :class:`StackInfo` per environment, stacks named ``kit-<env>``.
    """
    client = Client()
    root = Path(state_dir).expanduser().resolve()
    orchestrator_id, _ = _ensure_component(
        client, ORCHESTRATOR_NAME, StackComponentType.ORCHESTRATOR, "local", {}
    )
    infos = []
    for env in environments:
        path = root / "artifacts" / env
        path.mkdir(parents=True, exist_ok=True)
        store_id, _ = _ensure_component(
            client,
            f"kit-{env}-artifacts",
            StackComponentType.ARTIFACT_STORE,
            "local",
            {"path": str(path)},
        )
        components = {
            StackComponentType.ORCHESTRATOR: orchestrator_id,
            StackComponentType.ARTIFACT_STORE: store_id,
        }
        stack_name = f"kit-{env}"
        try:
            stack = client.get_stack(stack_name, allow_name_prefix_match=False)
        except KeyError:
            client.create_stack(name=stack_name, components=components, labels={"kit_env": env})
            created = True
        else:
            current = {kind: str(c[0].id) for kind, c in stack.components.items()}
            if current != components:
                client.update_stack(stack_name, component_updates=components)
                logger.info("updated stack %r to the expected components", stack_name)
            created = False
        infos.append(StackInfo(env, stack_name, str(path), created))
    return infos


DEPLOYER_NAME = "kit-local-deployer"


def serving_stack_id() -> str:
    """Return the id of a stack like the active one plus the local deployer (re-runnable).

    Pipeline deployments need a deployer in the stack. Rather than changing the active stack,
    this registers ``<active>-serving`` with the same orchestrator and artifact store (so the
    deployment loads the same artifacts) and ``kit-local-deployer``. A stack that already has a
    deployer is returned as it is.
    """
    client = Client()
    base = client.active_stack_model
    if base.components.get(StackComponentType.DEPLOYER):
        return str(base.id)
    deployer_id, _ = _ensure_component(
        client, DEPLOYER_NAME, StackComponentType.DEPLOYER, "local", {}
    )
    components = {kind: str(c[0].id) for kind, c in base.components.items()}
    components[StackComponentType.DEPLOYER] = deployer_id
    name = f"{base.name}-serving"
    try:
        stack = client.get_stack(name, allow_name_prefix_match=False)
    except KeyError:
        return str(client.create_stack(name=name, components=components).id)
    current = {kind: str(c[0].id) for kind, c in stack.components.items()}
    if current != components:
        client.update_stack(name, component_updates=components)
    return str(stack.id)
