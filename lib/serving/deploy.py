"""Deploy, inspect, call and delete the real-time deployment from Python.

These functions talk to the store this process's ZenML client is bound to: run them in a
process bound to the side you serve (``scripts/deploy_realtime.py --side production`` does).

The bearer key the local deployer generates is written to ``state/secrets/deployments/<name>.key``
(git-ignored, owner-only) for ``curl`` and clients; no function here prints or returns it.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from governance.health import free_port, is_healthy, wait_healthy
from governance.secret_files import write_secret
from lib.config import STATE_DIR
from lib.serving.app import FAST_PATH

INVOKE_PATH = "/invoke"
DEFAULT_NAME = "breast-cancer-realtime"


class DeploymentError(RuntimeError):
    """A deployment could not be created, reached or removed."""


@contextmanager
def on_serving_stack():
    """Make the stack with a deployer active for this process, for the block only.

    The stack is chosen through ``ZENML_ACTIVE_STACK_ID`` (read on every use) rather than by
    activating it, which would be written to the repository's configuration for everyone.
    """
    from governance.stacks.local import serving_stack_id

    previous = os.environ.get("ZENML_ACTIVE_STACK_ID")
    os.environ["ZENML_ACTIVE_STACK_ID"] = serving_stack_id()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("ZENML_ACTIVE_STACK_ID", None)
        else:
            os.environ["ZENML_ACTIVE_STACK_ID"] = previous


def key_file(name: str, state_dir: str | Path = STATE_DIR) -> Path:
    """Where the bearer key of deployment ``name`` is kept."""
    return Path(state_dir) / "secrets" / "deployments" / f"{name}.key"


def _save_key(name: str, key: str) -> Path:
    return write_secret(key_file(name), key)


def bearer_key(name: str) -> str:
    """The deployment's bearer key, from the store (falls back to the key file)."""
    from zenml.client import Client

    try:
        key = Client().get_deployment(name).auth_key
    except KeyError:
        key = None
    if not key and key_file(name).is_file():
        key = key_file(name).read_text().strip()
    if not key:
        raise DeploymentError(f"deployment {name!r} has no bearer key")
    return key


def deploy(
    name: str = DEFAULT_NAME,
    stage: str | None = None,
    suffix: str = "",
    port: int | None = None,
    flush_every: int | None = None,
    flush_seconds: float | None = None,
    follow_seconds: float | None = None,
    timeout: int = 180,
) -> dict:
    """Deploy (or redeploy) the real-time pipeline serving ``stage``; wait until it answers.

    The deployment follows the stage: when another version takes it, the running process
    serves that one (see :mod:`lib.serving.follow`). Redeploying an existing name replaces its
    process (new code, new settings). Returns ``name``, ``url``, ``status``, ``model_name``,
    ``model_version`` (served now) and ``stage``.
    """
    from zenml.client import Client

    from governance.policy import load_policy
    from lib.config import model_name
    from lib.pipelines.realtime_inference import serving_pipeline
    from lib.serving.model import NoServingModel, load_serving_model

    stage = stage or load_policy().serving.stage
    try:  # refuse early, with the reason, rather than start a process that cannot serve
        serving = load_serving_model(model_name(suffix), stage)
    except NoServingModel as error:
        raise DeploymentError(str(error)) from error
    # A port the OS hands out, unless asked: two services starting at the same moment could
    # otherwise both see the deployer's first choice (8000) free.
    port = port or free_port()
    pipe = serving_pipeline(
        serving.model_version,
        stage=stage,
        suffix=suffix,
        port=port,
        flush_every=flush_every,
        flush_seconds=flush_seconds,
        follow_seconds=follow_seconds,
    )
    # ZenML needs a value for every pipeline parameter at deploy time; requests must still send
    # their own features (the request model has no default for them).
    with on_serving_stack():
        deployment = pipe.deploy(deployment_name=name, timeout=timeout, features=example_features())
    deployment = Client().get_deployment(deployment.id)
    if not deployment.url or not deployment.auth_key:
        raise DeploymentError(f"deployment {name!r} did not start: status {deployment.status}")
    _save_key(name, deployment.auth_key)
    wait_until_ready(deployment.url, timeout=timeout)
    return {
        "name": name,
        "url": deployment.url,
        "status": str(deployment.status.value if deployment.status else "unknown"),
        "model_name": serving.model_name,
        "model_version": serving.model_version,
        "stage": stage,
    }


def cli_config(
    stage: str | None = None, suffix: str = "", port: int | None = None
) -> tuple[dict, str]:
    """The run-configuration file and stack for the equivalent ``zenml pipeline deploy``.

    Names the version holding ``stage`` now as the snapshot's model, like :func:`deploy`;
    the deployment follows the stage from there. Returns the file's content
    and the name of the stack with the deployer (registered if needed).
    """
    from zenml.client import Client

    from governance.policy import load_policy
    from governance.stacks.local import serving_stack_id
    from lib.config import model_name
    from lib.pipelines.realtime_inference import config_file_content

    stage = stage or load_policy().serving.stage
    try:
        version = Client().get_model_version(model_name(suffix), stage).name
    except KeyError as error:
        raise DeploymentError(
            f"no version of model {model_name(suffix)!r} holds stage {stage!r}"
        ) from error
    content = config_file_content(
        version, example_features(), stage=stage, suffix=suffix, port=port or free_port()
    )
    return content, Client().get_stack(serving_stack_id()).name


def wait_until_ready(url: str, timeout: float = 120) -> None:
    """Poll ``/health`` until the app answers 200."""
    try:
        wait_healthy(url, timeout)
    except TimeoutError as error:
        raise DeploymentError(f"{url} did not become healthy within {timeout:.0f} s") from error


def status(name: str = DEFAULT_NAME) -> dict:
    """Status, URL and health of deployment ``name`` (``DeploymentError`` if it is unknown)."""
    from zenml.client import Client

    try:
        deployment = Client().get_deployment(name)
    except KeyError as error:
        raise DeploymentError(f"no deployment named {name!r}") from error
    healthy = bool(deployment.url) and is_healthy(deployment.url, timeout=5)
    return {
        "name": deployment.name,
        "url": deployment.url or "",
        "status": str(deployment.status.value if deployment.status else "unknown"),
        "healthy": healthy,
        "snapshot": str(deployment.snapshot.id) if deployment.snapshot else "",
    }


def url_of(name: str = DEFAULT_NAME) -> str:
    """The deployment's base URL."""
    found = status(name)
    if not found["url"]:
        raise DeploymentError(f"deployment {name!r} has no URL (status {found['status']})")
    return found["url"]


def call(
    url: str,
    key: str,
    features: dict,
    fast: bool = False,
    timeout: float = 30,
) -> requests.Response:
    """POST one request to ``/invoke`` (a run) or, with ``fast``, ``/predict``."""
    if fast:
        return requests.post(
            f"{url}{FAST_PATH}",
            json=features,
            headers={"Authorization": f"Bearer {key}"},
            timeout=timeout,
        )
    return requests.post(
        f"{url}{INVOKE_PATH}",
        json={"parameters": {"features": features}},
        headers={"Authorization": f"Bearer {key}"},
        timeout=timeout,
    )


def prediction_of(response: requests.Response, fast: bool = False) -> dict:
    """The prediction in a 200 response of either path; ``DeploymentError`` with the reason."""
    if response.status_code != 200:
        raise DeploymentError(f"HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    if fast:
        return body
    if not body.get("success", False):
        raise DeploymentError(f"the run failed: {json.dumps(body.get('error'))[:500]}")
    outputs = body.get("outputs") or {}
    return next(iter(outputs.values())) if len(outputs) == 1 else outputs


def invoke(name: str, features: dict, fast: bool = False) -> dict:
    """Call deployment ``name`` with one patient's features; return the prediction."""
    response = call(url_of(name), bearer_key(name), features, fast=fast)
    return prediction_of(response, fast=fast)


def delete(name: str = DEFAULT_NAME, timeout: int = 60) -> bool:
    """Stop and delete deployment ``name`` (a clean shutdown: the audit buffer is flushed).

    Returns ``False`` when there was nothing to delete.
    """
    from zenml.client import Client

    client = Client()
    try:
        client.get_deployment(name)
    except KeyError:
        return False
    client.delete_deployment(name, timeout=timeout)
    key_file(name).unlink(missing_ok=True)
    return True


def example_features(row: int = 0) -> dict:
    """One real patient's measurements from the dataset, as a request body's ``features``."""
    from lib.data import TARGET, load_frame

    frame = load_frame("original").drop(columns=[TARGET])
    return {k: float(v) for k, v in frame.iloc[row].items()}


def delete_at_exit(name: str = DEFAULT_NAME) -> None:
    """Delete deployment ``name`` once this Python process has ended, however it ends.

    A notebook calls this right after deploying: if a later cell fails and papermill stops the
    kernel, or the kernel is killed, the deployment still goes (with a clean shutdown, so the
    audit buffer is flushed). A small watcher process (:mod:`lib.serving.watch`) waits for this
    process to end and then deletes the deployment; it finds nothing to do if it was already
    deleted. It inherits this process's ZenML binding, so it talks to the same store.
    """
    import subprocess
    import sys

    subprocess.Popen(
        [sys.executable, "-m", "lib.serving.watch", "--pid", str(os.getpid()), "--name", name],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def time_requests(url: str, key: str, features: dict, count: int, fast: bool) -> list[float]:
    """Send the same request ``count`` times over one connection; return each latency (s)."""
    path = FAST_PATH if fast else INVOKE_PATH
    body = features if fast else {"parameters": {"features": features}}
    headers = {"Authorization": f"Bearer {key}"}
    latencies = []
    with requests.Session() as session:
        for _ in range(count):
            started = time.perf_counter()
            response = session.post(f"{url}{path}", json=body, headers=headers, timeout=60)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise DeploymentError(f"{path}: HTTP {response.status_code}")
    return latencies


def latency_table(samples: dict[str, list[float]]):
    """p50 and p95 in milliseconds per path, as a DataFrame."""
    import numpy as np
    import pandas as pd

    return pd.DataFrame(
        {
            label: {
                "requests": len(values),
                "p50 ms": round(1000 * float(np.percentile(values, 50)), 1),
                "p95 ms": round(1000 * float(np.percentile(values, 95)), 1),
            }
            for label, values in samples.items()
        }
    ).T


def flushed_predictions(model_name: str, version: str):
    """Every fast-path answer written to the store for ``model_name`` ``version`` (DataFrame)."""
    import pandas as pd
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    client = Client()
    model_version = client.get_model_version(model_name, version)
    links = depaginate(client.list_model_version_artifact_links, model_version_id=model_version.id)
    frames = [
        link.artifact_version.load()
        for link in links
        if link.artifact_version.artifact.name == "realtime_predictions"
    ]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).sort_values("recorded_at", ignore_index=True)
