"""The doors' checks, the registry of loaded models and grouped audit flushes, without ZenML runs.

The middlewares are exercised through Starlette's in-process test client on a tiny app; the
real deployment answers the same way (``test_realtime_deployment.py``).
"""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from lib.serving.audit import PredictionBuffer
from lib.serving.doors import BodyChecks, RequireKey, body_problem
from lib.serving.model import LoadedModels, NoServingModel, ServingModel

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (b'{"a": 1, "a": 2}', ["body", "a"]),
        (b'{"parameters": {"features": {"x": "bad", "y": 1, "x": 2}}}',
         ["body", "parameters", "features", "x"]),
        (b'{"p": {"f": 1}, "p": {"f": 2}}', ["body", "p"]),
        (b'[{"ok": 1}, {"k": 1, "k": 1}]', ["body", "1", "k"]),
    ],
)  # fmt: skip
def test_a_duplicate_key_is_named_with_its_path(body, loc):
    problem = body_problem(body)
    assert problem["loc"] == loc and problem["type"] == "duplicate_key"
    assert repr(loc[-1]) in problem["msg"]


@pytest.mark.parametrize("body", [b'{"a": {"b": 1}, "b": 2}', b"not json", b"", b"[1, 1]"])
def test_a_body_without_duplicates_or_not_json_passes(body):
    assert body_problem(body) is None


def test_deep_nesting_is_refused_before_it_costs_anything():
    assert body_problem(b"[" * 40 + b"]" * 40)["type"] == "too_deep"
    assert body_problem(b"[" * 100_000 + b"]" * 100_000)["type"] == "too_deep"
    assert body_problem(b"[" * 10 + b"]" * 10) is None


def test_a_wide_object_is_checked_in_linear_time():
    import time

    body = json.dumps({f"k{i}": i for i in range(20_000)}).encode()
    started = time.perf_counter()
    assert body_problem(body) is None
    assert time.perf_counter() - started < 1.0


async def _echo(request):
    return JSONResponse(await request.json())


async def _health(request):
    return JSONResponse({"ok": True})


def _client() -> TestClient:
    app = Starlette(routes=[Route("/echo", _echo, methods=["POST"]), Route("/health", _health)])
    app.add_middleware(BodyChecks, max_bytes=2048)
    app.add_middleware(RequireKey, key="s3cret", open_paths=("/health",))
    return TestClient(app)


def test_the_middlewares_refuse_in_order_and_pass_the_same_bytes_on():
    client = _client()
    key = {"Authorization": "Bearer s3cret"}
    assert client.get("/health").status_code == 200
    assert client.post("/echo", content=b'{"a": 1}').status_code == 401
    assert (
        client.post("/echo", content=b"{}", headers={"Authorization": "Bearer no"}).status_code
        == 401
    )
    wrong = client.post("/echo", content=b"{}", headers={"Authorization": "Basic s3cret"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert client.post("/echo", content=b'{"a": 1}', headers=key).json() == {"a": 1}
    twice = client.post("/echo", content=b'{"a": 1, "a": 2}', headers=key)
    assert twice.status_code == 422 and twice.json()["detail"][0]["loc"] == ["body", "a"]
    big = client.post("/echo", content=b'{"a": "' + b"x" * 4096 + b'"}', headers=key)
    assert big.status_code == 413
    assert client.get("/echo", headers=key).status_code == 405


def test_require_key_refuses_to_exist_without_a_key():
    with pytest.raises(ValueError, match="needs a key"):
        RequireKey(app=None, key="")


def _serving(version: str) -> ServingModel:
    return ServingModel(None, "m", version, f"id-{version}", "production")


def test_the_registry_swaps_in_one_step_and_keeps_replaced_versions_for_runs_under_way():
    loaded = LoadedModels(keep=2)
    with pytest.raises(NoServingModel):
        _ = loaded.serving
    assert loaded.register(_serving("1")) is None
    assert loaded.register(_serving("2")).model_version == "1"
    assert loaded.serving.model_version == "2" and loaded.version("1").model_version == "1"
    loaded.register(_serving("3"))
    with pytest.raises(NoServingModel, match="'1' is not loaded"):
        loaded.version("1")
    assert loaded.register(_serving("2")).model_version == "3"
    assert loaded.version("3").model_version == "3"


class _Sink:
    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[dict]] = []
        self.fail_on = fail_on

    def __call__(self, records: list[dict]) -> str:
        if records[0]["model_version"] == self.fail_on:
            raise ConnectionError("store unreachable")
        self.batches.append(records)
        return str(len(self.batches))


def test_a_batch_spanning_a_swap_is_written_once_per_version_in_order():
    sink = _Sink()
    buffer = PredictionBuffer(sink, flush_every=1000, flush_seconds=60, group_by="model_version")
    for i, version in enumerate(["1", "1", "2", "2", "2"]):
        buffer.add({"request_id": str(i), "model_version": version})
    assert buffer.close() == 5
    assert [[r["request_id"] for r in b] for b in sink.batches] == [["0", "1"], ["2", "3", "4"]]


def test_a_failed_version_group_is_kept_with_everything_after_it():
    sink = _Sink(fail_on="2")
    buffer = PredictionBuffer(sink, flush_every=1000, flush_seconds=60, group_by="model_version")
    for i, version in enumerate(["1", "2", "3"]):
        buffer.add({"request_id": str(i), "model_version": version})
    assert buffer.flush() == 1 and buffer.pending == 2
    sink.fail_on = None
    assert buffer.close() == 2
    assert [[r["request_id"] for r in b] for b in sink.batches] == [["0"], ["1"], ["2"]]
