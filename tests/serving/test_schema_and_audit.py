"""The request model and the fast path's audit buffer, without a deployment."""

from __future__ import annotations

import math
import threading
import time

import pytest
from pydantic import ValidationError

from lib.serving.audit import AuditBackpressure, PredictionBuffer
from lib.serving.schema import BreastCancerFeatures, feature_names

pytestmark = pytest.mark.unit


def _patient() -> dict:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    return dict(zip(data.feature_names, data.data[0].tolist(), strict=True))


def _refusal(body: dict) -> list[tuple]:
    with pytest.raises(ValidationError) as caught:
        BreastCancerFeatures.model_validate(body)
    return [error["loc"] for error in caught.value.errors()]


def test_the_30_fields_are_scikit_learns_names_with_the_policys_ranges():
    from sklearn.datasets import load_breast_cancer

    from governance.policy import load_policy

    assert feature_names() == list(load_breast_cancer().feature_names)
    schema = BreastCancerFeatures.model_json_schema()
    assert list(schema["properties"]) == feature_names() and len(schema["required"]) == 30
    rules = load_policy().data_quality.columns
    for name, field in schema["properties"].items():
        assert (field["minimum"], field["maximum"]) == (rules[name].min, rules[name].max)
        assert field["description"]
    assert "pixels" in schema["properties"]["mean radius"]["description"]
    assert schema["additionalProperties"] is False


def test_a_real_patient_is_accepted_and_dumps_back_under_scikit_learn_names():
    patient = _patient()
    features = BreastCancerFeatures.model_validate(patient)
    assert features.model_dump() == patient


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"drop": "mean radius"}, "mean radius"),
        ({"set": ("mean texture", "twelve")}, "mean texture"),
        ({"set": ("mean area", "12.5")}, "mean area"),
        ({"set": ("worst area", math.nan)}, "worst area"),
        ({"set": ("worst area", math.inf)}, "worst area"),
        ({"set": ("radius error", -0.1)}, "radius error"),
        ({"set": ("mean smoothness", 3.0)}, "mean smoothness"),
        ({"set": ("patient_name", "x")}, "patient_name"),
        ({"set": ("mean_radius", 17.0)}, None),
    ],
)
def test_bad_fields_are_refused_naming_the_field(change, field):
    body = _patient()
    if "drop" in change:
        del body[change["drop"]]
    else:
        key, value = change["set"]
        body[key] = value
    locations = _refusal(body)
    if field is None:  # the same feature under both names
        assert locations == [()]
    else:
        assert locations == [(field,)]


def test_an_empty_body_names_every_missing_field():
    assert len(_refusal({})) == 30


class ListSink:
    """A real sink writing batches to a list; can be told to fail."""

    def __init__(self) -> None:
        self.batches: list[list[dict]] = []
        self.fail = False

    def __call__(self, records: list[dict]) -> str:
        if self.fail:
            raise OSError("store unreachable")
        self.batches.append(records)
        return f"batch-{len(self.batches)}"


def _wait(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_a_full_batch_is_flushed_by_the_background_thread():
    sink = ListSink()
    buffer = PredictionBuffer(sink, flush_every=5, flush_seconds=60)
    for i in range(5):
        buffer.add({"request_id": str(i)})
    _wait(lambda: sink.batches)
    for i in range(5, 8):
        buffer.add({"request_id": str(i)})
    time.sleep(0.3)
    assert [len(batch) for batch in sink.batches] == [5]  # three wait: neither full nor old
    assert buffer.close() == 3
    ids = [r["request_id"] for batch in sink.batches for r in batch]
    assert ids == [str(i) for i in range(8)]
    assert all("recorded_at" in r for batch in sink.batches for r in batch)


def test_an_old_record_is_flushed_after_flush_seconds():
    sink = ListSink()
    buffer = PredictionBuffer(sink, flush_every=1000, flush_seconds=0.2)
    buffer.add({"request_id": "a"})
    _wait(lambda: sink.batches)
    assert [[r["request_id"] for r in batch] for batch in sink.batches] == [["a"]]
    assert buffer.close() == 0


def test_close_writes_everything_left_and_refuses_later_records():
    sink = ListSink()
    buffer = PredictionBuffer(sink, flush_every=1000, flush_seconds=60)
    for i in range(7):
        buffer.add({"request_id": str(i)})
    assert buffer.close() == 7
    assert [r["request_id"] for r in sink.batches[0]] == [str(i) for i in range(7)]
    with pytest.raises(AuditBackpressure):
        buffer.add({"request_id": "late"})


def test_a_failed_write_keeps_its_records_in_order_for_the_next_flush():
    sink = ListSink()
    sink.fail = True
    buffer = PredictionBuffer(sink, flush_every=1000, flush_seconds=60)
    buffer.add({"request_id": "1"})
    buffer.add({"request_id": "2"})
    assert buffer.flush() == 0 and buffer.failures == 1 and buffer.pending == 2
    buffer.add({"request_id": "3"})
    sink.fail = False
    assert buffer.close() == 3
    assert [r["request_id"] for r in sink.batches[0]] == ["1", "2", "3"]


def test_requests_are_refused_rather_than_left_untraced_when_the_store_stays_down():
    sink = ListSink()
    sink.fail = True
    buffer = PredictionBuffer(sink, flush_every=2, flush_seconds=60, max_pending=4)
    for i in range(4):
        buffer.add({"request_id": str(i)})
    with pytest.raises(AuditBackpressure, match="wait for the audit store"):
        buffer.add({"request_id": "4"})
    sink.fail = False
    buffer.close()
    assert sorted(r["request_id"] for b in sink.batches for r in b) == ["0", "1", "2", "3"]


def test_concurrent_adds_lose_nothing():
    sink = ListSink()
    # room for every record: on a busy machine the flusher may not run before 700 are added,
    # and the backpressure that bound would raise is tested above, not here
    buffer = PredictionBuffer(sink, flush_every=7, flush_seconds=0.05, max_pending=800)

    def add(worker: int) -> None:
        for i in range(200):
            buffer.add({"request_id": f"{worker}-{i}"})

    threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    buffer.close()
    ids = [r["request_id"] for b in sink.batches for r in b]
    assert len(ids) == len(set(ids)) == 800
