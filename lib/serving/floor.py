"""ZenML's own floor for a deployed pipeline: one step that returns its input.

Every ``/invoke`` of any deployment writes a run, a step run and artifact rows. Deploying this
trivial pipeline the same way (local deployer, bearer key) measures that fixed cost on this
machine, so the real-time pipeline's ``/invoke`` latency can be read against it
(``scripts/benchmarks/realtime.py``).
"""

from __future__ import annotations

from typing import Annotated

from zenml import pipeline, step


@step(enable_cache=False)
def echo(value: int) -> Annotated[int, "value"]:
    """Return the input unchanged."""
    return value


@pipeline(enable_cache=False)
def floor_pipeline(value: int = 1) -> int:
    """One step, no model, no hooks."""
    return echo(value)


def deploy_floor(name: str, port: int | None = None, timeout: int = 180) -> dict:
    """Deploy :func:`floor_pipeline` like the real-time one; return ``url`` and ``key``."""
    from zenml.client import Client
    from zenml.deployers.local.local_deployer import LocalDeployerSettings

    from lib.serving.deploy import on_serving_stack, wait_until_ready

    deployer = {"generate_auth_key": True, **({"port": port} if port else {})}
    pipe = floor_pipeline.with_options(settings={"deployer": LocalDeployerSettings(**deployer)})
    with on_serving_stack():
        deployed = pipe.deploy(deployment_name=name, timeout=timeout)
    deployment = Client().get_deployment(deployed.id)
    wait_until_ready(deployment.url, timeout=timeout)
    return {"url": deployment.url, "key": deployment.auth_key}
