"""What chapters 01 and 03 leave behind, made by calling the functions they call (faster).

Chapters 05 and 06 need, on dev-staging: a candidate version in ``staging`` and the storyline's
baseline in ``production`` (the model live when the story starts). Chapter 06 also needs a
release on the production side, which :func:`release` makes. The embedded-mode tests of those
chapters use these; the two-server test runs chapters 01-04 themselves.
"""

from __future__ import annotations

import lib  # noqa: F401  (kit defaults before ZenML loads)

BASELINE_TAG = "role:baseline"


def stage_candidate(learner: str) -> dict[str, str]:
    """Train a candidate and a baseline; baseline to production, candidate to staging."""
    from zenml.client import Client

    from governance.environments import governed
    from governance.promotion import promote
    from lib.config import model_name
    from lib.pipelines import DEFAULT_TAGS, training_model, training_pipeline
    from lib.setup import ensure_zenml_ready

    ensure_zenml_ready()
    name = model_name(learner)
    baseline_model = training_model(learner, tags=[*DEFAULT_TAGS, BASELINE_TAG])
    baseline_run = governed(training_pipeline.with_options(model=baseline_model), "dev")(
        classifier="random_forest", smote_threshold=0.5
    )
    baseline = Client().get_pipeline_run(baseline_run.id).model_version
    promote(name, baseline.name, "production", reason="baseline", source="storyline")
    run = governed(training_pipeline.with_options(model=training_model(learner)), "dev")()
    candidate = Client().get_pipeline_run(run.id).model_version
    promote(name, candidate.name, "staging", reason="chapter 03 stand-in", source="test")
    return {"model": name, "baseline": baseline.name, "candidate": candidate.name}


def release(learner: str, source, dest, state_dir) -> str:
    """Release the staging candidate to production (as chapter 05 does); return its name."""
    from governance.release.promote import promote_across
    from lib.config import model_name

    result = promote_across(model_name(learner), source, dest, state_dir, stage="staging")
    return result.production_version
