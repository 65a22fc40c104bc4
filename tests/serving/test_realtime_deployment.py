"""A real ZenML pipeline deployment (local deployer) of the real-time inference pipeline.

One deployment serves the whole module, in file order: answers on both paths, refusals, the
doors (duplicate keys, methods, ``/submit``, the key on every endpoint but ``/health``), a fuzz
run from the service's own OpenAPI document, then the fast path's audit after a clean shutdown,
and last a promotion followed by a redeploy.
"""

from __future__ import annotations

import json
import math
import time

import pytest
import requests
from serving_helpers import free_port, register_version

from lib.serving import deploy as realtime

pytestmark = pytest.mark.deployment

NAME = "rt-tests"
FLUSH_EVERY = 5


@pytest.fixture(scope="module")
def service(serving_model):
    info = realtime.deploy(
        NAME, suffix="rt", port=free_port(), flush_every=FLUSH_EVERY, flush_seconds=600
    )
    key = realtime.bearer_key(NAME)
    try:
        yield {**info, "key": key, "model": serving_model}
    finally:
        realtime.delete(NAME)


def _post(service, path: str, body=None, data: bytes | None = None, key: str | None = "ok"):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {service['key'] if key == 'ok' else key}"
    payload = data if data is not None else json.dumps(body).encode()
    return requests.post(f"{service['url']}{path}", data=payload, headers=headers, timeout=60)


def _healthy(service) -> bool:
    return requests.get(f"{service['url']}/health", timeout=10).status_code == 200


def test_both_paths_answer_with_the_serving_version_and_invoke_leaves_a_linked_run(service):
    from zenml.client import Client

    patient = realtime.example_features(0)
    invoked = realtime.prediction_of(realtime.call(service["url"], service["key"], patient))
    fast = realtime.prediction_of(
        realtime.call(service["url"], service["key"], patient, fast=True), fast=True
    )
    for answer in (invoked, fast):
        assert answer["model_name"] == service["model"] and answer["model_version"] == "v1"
        assert answer["stage"] == "production" and answer["predicted_class"] == "malignant"
    assert fast["p_malignant"] == pytest.approx(invoked["p_malignant"], abs=1e-12)
    run = Client().get_pipeline_run(invoked["request_id"])
    assert run.model_version is not None and run.model_version.name == "v1"
    assert run.status.value == "completed"


BAD_BODIES = {
    "missing field": ("drop", "mean radius", "mean radius"),
    "wrong type": ("set", ("mean texture", "twelve"), "mean texture"),
    "NaN": ("raw", ("worst area", "NaN"), "worst area"),
    "infinity": ("raw", ("worst area", "Infinity"), "worst area"),
    "negative": ("set", ("radius error", -0.5), "radius error"),
    "extra field": ("set", ("patient_name", "x"), "patient_name"),
}


def _bad_body(kind: str) -> bytes:
    action, arg, _ = BAD_BODIES[kind]
    body = realtime.example_features(1)
    if action == "drop":
        del body[arg]
        return json.dumps(body).encode()
    key, value = arg
    if action == "set":
        body[key] = value
        return json.dumps(body).encode()
    body[key] = 0.0
    return json.dumps(body).encode().replace(f'"{key}": 0.0'.encode(), f'"{key}": {value}'.encode())


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
@pytest.mark.parametrize("path", ["/invoke", "/predict"])
def test_bad_input_gets_a_422_naming_the_field(service, kind, path):
    field = BAD_BODIES[kind][2]
    data = _bad_body(kind)
    if path == "/invoke":
        data = b'{"parameters": {"features": ' + data + b"}}"
    response = _post(service, path, data=data)
    assert response.status_code == 422, response.text
    locations = [error["loc"][-1] for error in response.json()["detail"]]
    assert field in locations, response.text
    assert _healthy(service)


@pytest.mark.parametrize("path", ["/invoke", "/predict"])
def test_an_empty_body_and_a_10_mb_body_are_refused_and_the_service_stays_up(service, path):
    empty = _post(service, path, data=b"")
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body"]
    huge = _post(service, path, data=b'{"x": "' + b"a" * (10 * 1024 * 1024) + b'"}')
    assert huge.status_code == 413 and huge.json()["detail"][0]["loc"] == ["body"]
    assert _healthy(service)


@pytest.mark.parametrize("path", ["/invoke", "/predict"])
def test_no_key_or_a_wrong_key_gets_401(service, path):
    body = realtime.example_features(2)
    if path == "/invoke":
        body = {"parameters": {"features": body}}
    assert _post(service, path, body, key=None).status_code == 401
    assert _post(service, path, body, key="not-the-key").status_code == 401


def _with_key(service) -> dict:
    return {"Authorization": f"Bearer {service['key']}"}


def _twice(path: str, where: str) -> tuple[bytes, str]:
    """A body naming one key twice, an invalid value first (JSON allows it; the last one wins)."""
    features = json.dumps(realtime.example_features(1))
    if where == "features":
        features = '{"mean radius": "not a number", ' + features[1:]
        key = "mean radius"
    if path == "/predict":
        return features.encode(), key
    if where == "features":
        return ('{"parameters": {"features": ' + features + "}}").encode(), key
    first = json.dumps({"features": {**realtime.example_features(1), "mean radius": -1.0}})
    body = '{"parameters": ' + first + ', "parameters": {"features": ' + features + "}}"
    return body.encode(), "parameters"


@pytest.mark.parametrize(
    ("path", "where"),
    [("/predict", "features"), ("/invoke", "features"), ("/invoke", "parameters")],
)
def test_a_body_naming_a_key_twice_gets_a_422_naming_the_key(service, path, where):
    data, key = _twice(path, where)
    response = _post(service, path, data=data)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"][-1] == key and error["type"] == "duplicate_key", error
    assert key in error["msg"]
    assert "not a number" not in response.text  # the refused value is not echoed


@pytest.mark.parametrize("path", ["/invoke", "/predict", "/submit"])
def test_get_on_a_prediction_door_is_405(service, path):
    response = requests.get(f"{service['url']}{path}", headers=_with_key(service), timeout=30)
    assert response.status_code == 405, response.text[:300]
    assert response.headers.get("allow") == "POST"


def test_submit_is_refused_and_starts_no_run(service):
    from zenml.client import Client

    runs = Client().list_pipeline_runs(size=1).total
    body = {"parameters": {"features": realtime.example_features(0)}}
    response = _post(service, "/submit", body)
    assert response.status_code == 404, response.text
    assert "/invoke" in response.json()["detail"]
    time.sleep(2)  # a background run would have been created by now
    assert Client().list_pipeline_runs(size=1).total == runs


LOCKED = ["/", "/docs", "/redoc", "/openapi.json", "/info", "/metrics", "/no/such/page"]
LOCKED += ["/assets/dashboard.js", "/invoke", "/predict", "/submit"]


def test_every_endpoint_but_health_needs_the_key(service):
    url = service["url"]
    assert requests.get(f"{url}/health", timeout=30).status_code == 200
    for path in LOCKED:
        for method in ("GET", "POST"):
            for headers in ({}, {"Authorization": "Bearer not-the-key"}):
                response = requests.request(method, f"{url}{path}", headers=headers, timeout=30)
                assert response.status_code == 401, (method, path, response.status_code)
    document = requests.get(f"{url}/openapi.json", headers=_with_key(service), timeout=30)
    assert document.status_code == 200
    for path, operations in document.json()["paths"].items():
        for method in operations:
            response = requests.request(method.upper(), f"{url}{path}", timeout=30)
            expected = 200 if path == "/health" else 401
            assert response.status_code == expected, (method, path, response.status_code)
    info = requests.get(f"{url}/info", headers=_with_key(service), timeout=30)
    assert info.status_code == 200 and info.json()["deployment"]["name"] == NAME


def _strategies(schema: dict):
    """Request bodies drawn from the OpenAPI document's schema: valid, mutated and junk."""
    from hypothesis import strategies as st

    props = schema["properties"]
    valid = st.fixed_dictionaries(
        {
            name: st.floats(rule["minimum"], rule["maximum"], allow_nan=False)
            for name, rule in props.items()
        }
    )
    junk_value = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.text(max_size=20),
        st.none(),
        st.booleans(),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    )

    @st.composite
    def mutated(draw):
        body = dict(draw(valid))
        names = sorted(body)
        for _ in range(draw(st.integers(1, 3))):
            action = draw(st.sampled_from(["drop", "replace", "add"]))
            if action == "drop" and body:
                body.pop(draw(st.sampled_from(sorted(body))), None)
            elif action == "replace":
                body[draw(st.sampled_from(names))] = draw(junk_value)
            else:
                body[draw(st.text(min_size=1, max_size=12))] = draw(junk_value)
        return body

    junk = st.recursive(
        st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=10)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )
    return st.one_of(valid, mutated(), junk)


def _fuzz(service, path: str, examples: int, wrap) -> list[int]:
    from hypothesis import HealthCheck, given, settings

    document = requests.get(
        f"{service['url']}/openapi.json", headers=_with_key(service), timeout=10
    ).json()
    schema = document["components"]["schemas"]["BreastCancerFeatures"]
    statuses: list[int] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(_strategies(schema))
    def call(body):
        response = _post(service, path, data=json.dumps(wrap(body), allow_nan=True).encode())
        statuses.append(response.status_code)
        assert response.status_code < 500, (body, response.text)

    call()
    return statuses


def test_fuzz_from_the_openapi_document_finds_no_server_error(service):
    fast = _fuzz(service, "/predict", 500, lambda body: body)
    invoked = _fuzz(service, "/invoke", 40, lambda body: {"parameters": {"features": body}})
    assert len(fast) >= 500 and len(invoked) >= 40
    assert all(status < 500 for status in fast + invoked)
    assert {200, 422} <= set(fast) and {200, 422} <= set(invoked)
    assert _healthy(service)


def test_the_readme_cli_route_config_then_zenml_pipeline_deploy_serves(service, tmp_path):
    """``deploy_realtime.py config`` + ``zenml pipeline deploy -c`` give the same service."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from lib.config import PROJECT_ROOT

    config = tmp_path / "realtime.yaml"
    script = [sys.executable, str(PROJECT_ROOT / "scripts/deploy_realtime.py")]
    side = ["--side", "dev-staging", "--suffix", "rt", "--stage", "production"]
    written = subprocess.run(
        [*script, "config", "--out", str(config), *side, "--name", "rt-cli"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr[-2000:]
    command = written.stdout.split("\n  ", 1)[1].strip().split()
    assert command[0].startswith("ZENML_CONFIG_PATH=") and command[1:4] == [
        "zenml", "pipeline", "deploy",
    ]  # fmt: skip
    env = {**os.environ, "ZENML_CONFIG_PATH": command[0].split("=", 1)[1]}
    zenml_cli = str(Path(sys.executable).with_name("zenml"))
    deployed = subprocess.run(
        [zenml_cli, *command[2:]],
        capture_output=True, text=True, timeout=300, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-2000:]
        answer = realtime.invoke("rt-cli", realtime.example_features(4), fast=True)
        assert answer["model_version"] == "v1" and answer["model_name"] == service["model"]
        assert realtime.invoke("rt-cli", realtime.example_features(4))["model_version"] == "v1"
    finally:
        realtime.delete("rt-cli")


def test_fast_path_answers_are_flushed_in_batches_and_all_on_a_clean_shutdown(service):
    from zenml.client import Client

    ids = []
    for row in range(FLUSH_EVERY + 2):
        answer = realtime.prediction_of(
            realtime.call(service["url"], service["key"], realtime.example_features(row), True),
            fast=True,
        )
        ids.append(answer["request_id"])
    assert realtime.delete(NAME)  # SIGTERM: the shutdown hook flushes what is left
    mv = Client().get_model_version(service["model"], "v1")
    artifacts = [
        Client().get_artifact_version(a.id)
        for a in Client().list_artifact_versions(artifact="realtime_predictions", size=1000).items
    ]
    linked = [a for a in artifacts if a.id in _linked_ids(mv)]
    records = [r for a in linked for r in a.load().to_dict("records")]
    by_id = {r["request_id"]: r for r in records}
    assert set(ids) <= set(by_id), "a fast-path answer is missing from the audit trail"
    last = by_id[ids[-1]]
    assert last["model_version"] == "v1" and last["mean radius"] == pytest.approx(
        realtime.example_features(FLUSH_EVERY + 1)["mean radius"]
    )
    assert all(not math.isnan(r["p_malignant"]) for r in records)
    assert all(a.run_metadata.get("rows") == len(a.load()) for a in linked)


def _linked_ids(model_version) -> set:
    from zenml.client import Client

    links = (
        Client()
        .list_model_version_artifact_links(model_version_id=model_version.id, size=1000)
        .items
    )
    return {link.artifact_version.id for link in links}


def test_after_a_promotion_a_redeploy_serves_the_new_version(service):
    from zenml.client import Client

    from governance.promotion import promote

    register_version("v2", split_seed=3)  # trained on another split
    promote(service["model"], "v2", "production", reason="serving tests: a better model")
    assert Client().get_model_version(service["model"], "production").name == "v2"
    info = realtime.deploy(NAME, suffix="rt", port=free_port(), flush_every=FLUSH_EVERY)
    started = time.monotonic()
    answer = realtime.invoke(NAME, realtime.example_features(3))
    fast = realtime.invoke(NAME, realtime.example_features(3), fast=True)
    assert info["model_version"] == answer["model_version"] == fast["model_version"] == "v2"
    assert time.monotonic() - started < 60
