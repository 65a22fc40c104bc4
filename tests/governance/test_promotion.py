"""Promotion: policy gates, one ledger entry per decision, stages that follow the ledger."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zenml.client import Client

from governance.ledger import append_entry, read_ledger
from governance.policy import Thresholds, load_policy
from governance.promotion import (
    PromotionRefused,
    evaluate_gates,
    promote,
    resolve_actor,
    stage_holders,
    sync_stages,
)

TAGS = ["use_case:breast_cancer", "owner_team:ml-platform"]
GOOD = {"accuracy": 0.97, "precision": 0.96, "recall": 0.96, "f1": 0.96, "roc_auc": 0.99}


@dataclass
class _Model:
    name: str


@dataclass
class _Tag:
    name: str


@dataclass
class VersionRecord:
    """What a model version holds for the gates: name, tags and metadata (no artifacts)."""

    model: _Model
    tags: list[_Tag]
    run_metadata: dict[str, Any] = field(default_factory=dict)

    def get_artifact(self, name: str) -> None:
        return None


def _record(metrics: dict[str, float], tags=TAGS, quality=True) -> VersionRecord:
    meta = {**metrics, "data_quality": {"passed": quality}}
    return VersionRecord(_Model("breast_cancer_classifier"), [_Tag(t) for t in tags], meta)


def _policy_with(metric: str, minimum: float):
    policy = load_policy()
    performance = {"staging": Thresholds(**{metric: minimum}), "production": Thresholds(f1=0.5)}
    return policy.model_copy(update={"performance": performance})


@pytest.mark.unit
@settings(max_examples=60, deadline=None)
@given(
    metric=st.sampled_from(["accuracy", "precision", "recall", "f1", "roc_auc"]),
    minimum=st.floats(min_value=0.01, max_value=1.0, allow_nan=False),
)
def test_a_gate_passes_exactly_at_its_threshold_and_fails_just_under(metric, minimum):
    policy = _policy_with(metric, minimum)
    at = {name: gate.passed for name, gate in _gates(metric, minimum, policy)}
    under = {name: gate.passed for name, gate in _gates(metric, math.nextafter(minimum, 0), policy)}
    assert at[f"{metric} minimum"] is True
    assert under[f"{metric} minimum"] is False
    assert all(passed for name, passed in under.items() if name != f"{metric} minimum")


def _gates(metric, value, policy):
    return [(g.name, g) for g in evaluate_gates(_record({metric: value}), "staging", policy)]


@pytest.mark.unit
def test_every_failing_gate_is_reported_with_its_value_and_threshold():
    record = _record({**GOOD, "recall": 0.8, "f1": 0.85}, tags=TAGS[:1], quality=False)
    failures = [g for g in evaluate_gates(record, "staging", load_policy()) if not g.passed]
    assert [g.name for g in failures] == [
        "recall minimum",
        "f1 minimum",
        "tag owner_team:<value>",
        "training data-quality gate",
    ]
    assert failures[0].observed == 0.8 and failures[0].expected == ">= 0.9"


@pytest.mark.unit
def test_actor_is_explicit_then_kit_actor_then_ci_then_os_user(monkeypatch):
    monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    monkeypatch.setenv("KIT_ACTOR", "release-bot")
    assert resolve_actor("alice") == ("alice", "explicit")
    assert resolve_actor() == ("release-bot", "env")
    monkeypatch.delenv("KIT_ACTOR")
    assert resolve_actor() == ("octocat", "ci")
    for name in ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILD_REQUESTEDFOR"):
        monkeypatch.delenv(name, raising=False)
    who, how = resolve_actor()
    assert how == "local" and who


@pytest.mark.unit
def test_one_function_decides_the_actor_on_both_sides_of_a_release(monkeypatch):
    """The release path has no actor rule of its own: it asks promotion.resolve_actor."""
    import inspect

    import governance.release.promote as release_promote

    assert not hasattr(release_promote, "default_actor")
    assert "resolve_actor" in inspect.getsource(release_promote)
    monkeypatch.setenv("KIT_ACTOR", "release-bot")
    monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    assert release_promote._actor(None) == resolve_actor()[0] == "release-bot"


def _new_version(model: str, metrics: dict[str, float], tags=TAGS) -> str:
    """Register a model version holding metrics, tags and a passed data-quality verdict."""
    from zenml import log_metadata

    client = Client()
    try:
        client.get_model(model)
    except KeyError:
        client.create_model(name=model)
    mv = client.create_model_version(model_name_or_id=model, tags=list(tags))
    log_metadata(
        metadata={**metrics, "git_commit": "abc123", "data_quality": {"passed": True}},
        model_version_id=mv.id,
    )
    return mv.name


@pytest.fixture
def model(zenml_store) -> str:
    return f"breast_cancer_classifier_p{uuid.uuid4().hex[:8]}"


@pytest.mark.pipeline
def test_a_refusal_is_recorded_and_changes_no_stage(model):
    champion = _new_version(model, GOOD)
    candidate = _new_version(model, GOOD)
    weak = _new_version(model, {**GOOD, "recall": 0.75, "f1": 0.84})
    promote(model, champion, "production", reason="baseline")
    promote(model, candidate, "staging", reason="candidate")
    before = stage_holders(model)

    with pytest.raises(PromotionRefused) as refusal:
        promote(model, weak, "staging", reason="try the weak one", actor="bob")

    message = str(refusal.value)
    assert "recall minimum: observed 0.75, expected >= 0.9" in message
    assert "f1 minimum: observed 0.84, expected >= 0.9" in message
    assert stage_holders(model) == before == {"staging": [candidate], "production": [champion]}
    entry = read_ledger(model).entries[-1]
    assert (entry.decision, entry.version, entry.actor) == ("refused", weak, "bob")
    assert (entry.from_stage, entry.to_stage) == ("none", "staging")
    assert entry.failed_gates == ["recall minimum", "f1 minimum"]
    assert entry.previous_holder is None and entry.reason == "try the weak one"
    assert entry.policy_sha256 == load_policy().sha256 and entry.git_commit == "abc123"


@pytest.mark.pipeline
def test_a_promotion_archives_the_previous_holder_and_records_it(model):
    first, second = _new_version(model, GOOD), _new_version(model, GOOD)
    promote(model, first, "staging", reason="first")
    decision = promote(model, second, "staging", reason="second", release_tag="v0.2")
    assert decision.promoted
    assert stage_holders(model)["staging"] == [second]
    assert Client().get_model_version(model, first).stage == "archived"
    entry = decision.entry
    assert (entry.previous_holder, entry.previous_holder_action) == (first, "archive")
    assert entry.release_tag == "v0.2" and entry.sequence == 2
    assert "Promoted" in decision._repr_markdown_()


RACER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import lib
    from zenml.client import Client
    Client().active_stack_model
    from governance.promotion import promote
    model, version, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    (folder / f"ready-{version}").touch()
    deadline = time.monotonic() + 120
    while len(list(folder.glob("ready-*"))) < 2:
        if time.monotonic() > deadline:
            sys.exit("the other racer never got ready")
        time.sleep(0.002)
    decision = promote(model, version, "staging", reason="race", actor=f"racer-{version}")
    print("SEQUENCE", decision.entry.sequence)
    """
)


@pytest.mark.pipeline
def test_two_promotions_racing_leave_one_holder_and_both_decisions(model, tmp_path):
    a, b = _new_version(model, GOOD), _new_version(model, GOOD)
    racer = tmp_path / "racer.py"
    racer.write_text(RACER)
    # Each racer gets its own (empty) repository path, so neither rewrites the project's
    # .zen/config.yaml while the other reads it.
    env = {**os.environ, "ZENML_REPOSITORY_PATH": str(tmp_path)}
    racers = [
        subprocess.Popen(
            [sys.executable, str(racer), model, version, str(tmp_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for version in (a, b)
    ]
    outputs = [r.communicate(timeout=240) for r in racers]
    assert [r.returncode for r in racers] == [0, 0], [err[-2000:] for _, err in outputs]

    ledger = read_ledger(model)
    promoted = [e.version for e in ledger if e.decision == "promoted"]
    assert sorted(promoted) == sorted([a, b])
    assert ledger.verify() == []
    winner = promoted[-1]
    loser = a if winner == b else b
    # only the version the later promotion replaced can get a "displaced" entry of its own
    assert {e.version for e in ledger if e.decision == "displaced"} <= {loser}
    assert stage_holders(model)["staging"] == [winner]
    # The loser never holds staging. Whether the store shows it "archived" or with no stage
    # depends on which sync ran first (it may never have been set); the ledger says both.
    assert Client().get_model_version(model, loser).stage in (None, "archived")


@pytest.mark.pipeline
def test_a_stale_stage_write_is_undone_by_the_ledger(model):
    """The interleaving a race can produce: A decides first, B promotes, then A's write lands."""
    a, b = _new_version(model, GOOD), _new_version(model, GOOD)
    append_entry(model, version=a, decision="promoted", to_stage="staging", actor="a")
    promote(model, b, "staging", reason="b, decided second")
    Client().get_model_version(model, a).set_stage("staging", force=True)  # A's late write
    assert stage_holders(model)["staging"] == [a]
    assert sync_stages(model) == {"staging": b}
    assert stage_holders(model)["staging"] == [b]


@pytest.mark.pipeline
def test_demote_sends_the_old_champion_back_to_staging(model, edit_policy):
    edit_policy({"promotion.on_replace.production": "demote"})
    champion, candidate = _new_version(model, GOOD), _new_version(model, GOOD)
    promote(model, champion, "production", reason="the old champion")
    promote(model, candidate, "staging", reason="the candidate")
    decision = promote(model, candidate, "production", reason="the candidate wins")
    assert decision.entry.previous_holder_action == "demote"
    assert stage_holders(model) == {"staging": [champion], "production": [candidate]}
