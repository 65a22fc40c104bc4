"""A running deployment follows its stage: a release and a rollback while requests run.

One real deployment (local deployer) serves production of a model of its own. While clients
keep calling both doors, a new version is promoted to production through the kit's gates, then
production is rolled back with the kit's rollback. The deployment must serve each new holder
within 30 s, with no failed request; every answer names one of the two versions; every answer
to a request sent after a swap's ledger entry names that swap's version; each ``/invoke`` run is
linked to the version that answered it, and each fast answer is audited under that version.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from serving_helpers import free_port, register_version

from lib.serving import deploy as realtime

pytestmark = pytest.mark.deployment

SUFFIX = "follow"
NAME = "rt-follow"
FOLLOW_SECONDS = 2.0
WITHIN = timedelta(seconds=30)
SLOW_ANSWER = timedelta(seconds=90)  # an /invoke on a busy machine; not part of the 30 s
PATHS = ("/predict", "/invoke")


@pytest.fixture(scope="module")
def following(zenml_store):
    from governance.promotion import promote

    model = register_version("v1", suffix=SUFFIX)
    promote(model, "v1", "production", reason="serving tests: the version served first")
    register_version("v2", split_seed=3, suffix=SUFFIX)
    info = realtime.deploy(
        NAME,
        suffix=SUFFIX,
        port=free_port(),
        flush_every=20,
        flush_seconds=600,
        follow_seconds=FOLLOW_SECONDS,
    )
    try:
        yield {**info, "key": realtime.bearer_key(NAME), "model": model, "answers": []}
    finally:
        realtime.delete(NAME)


class Traffic:
    """Clients calling both doors in a loop; every answer (or failure) is kept with its time."""

    def __init__(self, url: str, key: str, fast_clients: int = 2, invoke_clients: int = 1):
        self.url, self.key = url, key
        self.answers: list[dict] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, args=(fast, row), daemon=True)
            for row, fast in enumerate([True] * fast_clients + [False] * invoke_clients)
        ]

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _loop(self, fast: bool, row: int) -> None:
        features = realtime.example_features(row)
        while not self._stop.is_set():
            sent = datetime.now(UTC)
            answer = {"path": PATHS[0] if fast else PATHS[1], "sent": sent, "status": None}
            try:
                response = realtime.call(self.url, self.key, features, fast=fast, timeout=120)
                answer["received"] = datetime.now(UTC)
                answer["status"] = response.status_code
                prediction = realtime.prediction_of(response, fast=fast)
                answer["version"] = prediction["model_version"]
                answer["request_id"] = prediction["request_id"]
            except (requests.RequestException, realtime.DeploymentError) as error:
                answer["error"] = str(error)[:300]
            with self._lock:
                self.answers.append(answer)
            if fast:
                time.sleep(0.05)

    def wait_for(self, version: str, since: datetime) -> datetime:
        """Wait until both doors answer a request sent after ``since`` with ``version``.

        Generous: the 30 s are checked on the recorded swaps; this only waits for answers.
        """
        deadline = time.monotonic() + (WITHIN + SLOW_ANSWER).total_seconds()
        while time.monotonic() < deadline:
            with self._lock:
                seen = {
                    a["path"]: a["sent"]
                    for a in self.answers
                    if a["sent"] > since and a.get("version") == version
                }
            if set(seen) == set(PATHS):
                return max(seen.values())
            time.sleep(0.2)
        raise AssertionError(f"{version} not served on both doors after {since}")


def _when(entry) -> datetime:
    """When the swap was recorded (the ledger entry's time)."""
    return datetime.fromisoformat(entry.timestamp)


def _since(entry) -> datetime:
    """When the swap happened in the deployment (before it was recorded)."""
    return datetime.fromisoformat(entry.model_extra["served_since"])


def test_a_release_and_a_rollback_are_served_within_30_s_and_no_request_fails(following):
    from zenml.client import Client

    from governance.ledger import SERVED, read_ledger
    from governance.promotion import promote
    from governance.release.rollback import rollback

    model = following["model"]
    with Traffic(following["url"], following["key"]) as traffic:
        traffic.wait_for("v1", datetime.now(UTC) - WITHIN)
        releasing = datetime.now(UTC)  # the deployment may swap before promote() returns
        promote(model, "v2", "production", reason="serving tests: a release while requests run")
        released = datetime.now(UTC)
        traffic.wait_for("v2", released)
        rolling = datetime.now(UTC)
        back = rollback(model, actor="serving tests", reason="serving tests: roll back under load")
        rolled = datetime.now(UTC)
        traffic.wait_for("v1", rolled)
        time.sleep(1)
    answers = following["answers"] = traffic.answers
    assert back["to"] == "v1"

    failed = [a for a in answers if a["status"] != 200 or "version" not in a]
    assert not failed, failed[:5]
    assert {a["version"] for a in answers} == {"v1", "v2"}

    swaps = [
        e
        for e in read_ledger(model)
        if e.decision == SERVED and (e.model_extra or {}).get("deployment") == NAME
    ]
    assert [(e.previous_holder, e.version) for e in swaps] == [("v1", "v2"), ("v2", "v1")]
    assert releasing < _when(swaps[0]) < released + WITHIN
    assert rolling < _when(swaps[1]) < rolled + WITHIN
    assert all(e.to_stage == "production" for e in swaps)

    assert all(_since(e) <= _when(e) for e in swaps)
    for answer in answers:
        # sent after a recorded swap: that swap's version, unless a later swap had happened
        # by the time the answer came back
        recorded = [e for e in swaps if _when(e) < answer["sent"]]
        allowed = {recorded[-1].version if recorded else "v1"}
        allowed |= {e.version for e in swaps[len(recorded) :] if _since(e) < answer["received"]}
        assert answer["version"] in allowed, (answer, [(e.version, e.timestamp) for e in swaps])

    invoked = [a for a in answers if a["path"] == "/invoke"]
    assert {a["version"] for a in invoked} == {"v1", "v2"}
    for answer in invoked:
        run = Client().get_pipeline_run(answer["request_id"])
        assert run.model_version.name == answer["version"], answer


def test_each_fast_answer_is_audited_under_the_version_that_gave_it(following):
    answers = following["answers"]
    assert answers, "runs after the release test"
    assert realtime.delete(NAME)  # a clean shutdown: the buffer is written
    for version in ("v1", "v2"):
        audited = realtime.flushed_predictions(following["model"], version)
        assert set(audited["model_version"]) == {version}
        given = [a for a in answers if a["path"] == "/predict" and a["version"] == version]
        missing = [a for a in given if a["request_id"] not in set(audited["request_id"])]
        assert not missing, (
            f"{len(missing)} of {len(given)} fast answers of {version} are not audited, sent "
            f"{missing[0]['sent']} to {missing[-1]['sent']}; answers ended {answers[-1]['sent']}"
        )
