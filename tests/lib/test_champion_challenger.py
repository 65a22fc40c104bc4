"""The storyline on a real store: baseline in production, refusal, promotion, comparison, audit.

One module-scoped story (three training runs and one comparison run) feeds every test here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from zenml.client import Client

from governance.environments import governed
from governance.ledger import read_ledger
from governance.promotion import PromotionRefused, promote, stage_holders
from lib.config import model_name
from lib.display.lineage import model_version_lineage, upstream_lineage
from lib.display.registry import audit_pack, version_artifacts, version_runs, versions_table
from lib.pipelines import compare_champion_challenger, training_model, training_pipeline
from workshop.story import (
    BASELINE_REASON,
    champion_origin,
    ensure_dev_experiment,
    ensure_production_baseline,
    latest_candidate,
)

pytestmark = pytest.mark.pipeline

LEARNER = "ccstory"
MODEL = model_name(LEARNER)


@pytest.fixture(scope="module")
def story(zenml_store):
    governed(training_pipeline.with_options(model=training_model(LEARNER)), "dev")()
    candidate = latest_candidate(MODEL)
    baseline = ensure_production_baseline(LEARNER)
    experiment = ensure_dev_experiment(LEARNER)
    with pytest.raises(PromotionRefused) as refusal:
        promote(MODEL, experiment.name, "staging", reason="the dev experiment")
    promote(MODEL, candidate.name, "staging", reason="chapter 01's model", actor="ada")
    report = compare_champion_challenger(MODEL)
    return {
        "candidate": candidate.name,
        "baseline": baseline.name,
        "experiment": experiment.name,
        "refusal": str(refusal.value),
        "report": report,
    }


def test_the_baseline_holds_production_through_a_ledger_entry(story):
    assert stage_holders(MODEL) == {
        "staging": [story["candidate"]],
        "production": [story["baseline"]],
    }
    origin = champion_origin(MODEL)
    assert origin.version == story["baseline"]
    assert origin.entry.reason == BASELINE_REASON and origin.entry.decision == "promoted"
    assert "holds production since ledger entry 1" in origin._repr_markdown_()


def test_the_storyline_is_made_once(story):
    table, entries = versions_table(MODEL), len(read_ledger(MODEL))
    assert ensure_production_baseline(LEARNER).name == story["baseline"]
    assert ensure_dev_experiment(LEARNER).name == story["experiment"]
    assert latest_candidate(MODEL).name == story["candidate"]
    assert len(versions_table(MODEL)) == len(table) == 3
    assert len(read_ledger(MODEL)) == entries
    assert sorted(table["stage"]) == ["", "production", "staging"]


def test_the_refusal_names_the_weak_metrics_and_is_on_record(story):
    assert re.search(r"recall minimum: observed 0\.7\d+, expected >= 0\.9", story["refusal"])
    entry = read_ledger(MODEL).for_version(story["experiment"])[-1]
    assert entry.decision == "refused" and "recall minimum" in entry.failed_gates


def test_the_report_compares_two_real_models_on_the_same_rows(story):
    report = story["report"]
    assert (report.champion_version, report.challenger_version) == (
        story["baseline"],
        story["candidate"],
    )
    c = report.comparison
    assert c["n_rows"] == len(report.scores) == 143
    assert 0.9 <= c["agreement"] < 1.0 and c["n_disagreements"] > 0
    assert c["deltas"]["f1"] == pytest.approx(c["challenger"]["f1"] - c["champion"]["f1"])
    assert c["deltas"]["f1"] > 0 and 0 < c["mcnemar"]["p_value"] <= 1
    assert report.recommendation["decision"] == "promote"
    challenger = Client().get_model_version(MODEL, story["candidate"])
    assert challenger.run_metadata["recommendation"]["decision"] == "promote"
    assert "champion_challenger_pipeline" in set(version_runs(MODEL, story["candidate"]).pipeline)


def test_lineage_walks_from_data_and_code_to_predictions(story):
    graph = model_version_lineage(MODEL, story["candidate"])
    assert len(graph.runs()) == 2  # the training run and the comparison run
    assert graph.has_path("dataset", "model") and graph.has_path("model", "scores")
    assert any(label.startswith("code @ ") for label in graph.labels("code"))
    assert f"model (v{story['baseline']})" in graph.labels("model")  # the champion, scored
    assert graph.to_svg().startswith("<svg") and graph._repr_png_()[:4] == b"\x89PNG"

    scores = [a for a in version_artifacts(MODEL, story["candidate"]).artifact if a == "scores"]
    assert scores
    run = Client().get_pipeline_run(story["report"].run_name)
    upstream = upstream_lineage(run.steps["score_models"].outputs["scores"][0].id)
    assert len([label for label in upstream.labels("data") if label == "dataset"]) == 2
    assert len(upstream.labels("code")) >= 1


class _Sections(HTMLParser):
    """Collect the text of each <section id=...> and the data-* attributes' texts."""

    def __init__(self):
        super().__init__()
        self.sections, self.fields, self._section, self._field = {}, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self._section = attrs["id"]
            self.sections[self._section] = ""
        self._field = attrs.get("data-field") or attrs.get("data-metric") or self._field

    def handle_data(self, data):
        if self._section:
            self.sections[self._section] += data
        if self._field:
            self.fields[self._field] = self.fields.get(self._field, "") + data

    def handle_endtag(self, tag):
        self._field = None
        if tag == "section":
            self._section = None


def test_the_audit_pack_holds_card_metrics_gates_ledger_lineage_and_provenance(story, tmp_path):
    version = story["candidate"]
    pack = audit_pack(MODEL, version, tmp_path)
    text = pack.path.read_text()
    parsed = _Sections()
    parsed.feed(text)
    mv = Client().get_model_version(MODEL, version)
    meta = mv.run_metadata

    assert list(parsed.sections) == [
        "model-card",
        "metrics",
        "gates",
        "ledger",
        "comparison",
        "lineage",
        "provenance",
    ]
    assert parsed.fields["purpose"] == mv.model.description
    assert parsed.fields["limitations"] == mv.model.limitations
    for metric in ("accuracy", "recall", "f1", "roc_auc"):
        assert parsed.fields[metric] == f"{meta[metric]:.4f}"
    assert ">= 0.93" in parsed.sections["metrics"] and ">= 0.9" in parsed.sections["metrics"]
    assert "Ledger entry 3: promoted to staging" in parsed.sections["gates"]
    ledger = parsed.sections["ledger"]
    assert BASELINE_REASON in ledger and "chapter 01's model" in ledger and "ada" in ledger
    assert "refused" in ledger and "hash chain intact" in ledger
    assert "Recommendation: promote" in parsed.sections["comparison"]
    assert "<svg" in text and "X_train_balanced" in text  # the lineage drawing, inline
    assert parsed.fields["git_commit"] == meta["git_commit"]
    assert parsed.fields["data_sha256"] == meta["data_sha256"]
    assert parsed.fields["stage"] == "staging"
    assert not re.search(r"<script|<link|src=", text)  # self-contained: nothing to fetch
