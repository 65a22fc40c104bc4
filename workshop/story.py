"""The course's storyline: the model already in production, a dev experiment, the candidate.

Chapter 03 needs a production model (the champion chapter 04 compares against) and a version
that fails the staging gates (to show a refusal). Both are trained with the kit's own training
pipeline and marked with a ``role:`` tag, and both are made once: running the chapter again
finds and reuses them, so it ends in the same state.

- **baseline** (``role:baseline``): a random forest on SMOTE-balanced training rows, on the same
  split as chapter 01's model. It is put in production through the same gated, ledgered
  :func:`governance.promotion.promote` as everything else, with a reason saying it is the model
  already live when the story starts.
- **experiment** (``role:experiment``): a quick dev run on 10 % of the ``imbalanced`` data with
  SMOTE switched off. ``dev`` does not enforce the performance gate, so it registered; its
  recall is far under the staging bar.
- **candidate**: the newest version without a ``role:`` tag, i.e. chapter 01's model.
- **release history** (chapter 05): a rollback needs an earlier production version, so on a
  fresh production side the baseline is released first, through the same gated, signed path.

Chapters 03 and 05 call these in cells the learner sees, and say in words what they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zenml.client import Client
from zenml.utils.pagination_utils import depaginate

from lib.pipelines.training import DEFAULT_TAGS, training_model, training_pipeline

ROLE_PREFIX = "role:"
BASELINE_TAG, EXPERIMENT_TAG = "role:baseline", "role:experiment"
BASELINE_REASON = (
    "Baseline: the model already live in production when the story starts "
    "(a random forest trained on SMOTE-balanced rows)."
)
BASELINE_PARAMS: dict[str, Any] = {"classifier": "random_forest", "smote_threshold": 0.5}
"""SMOTE below 50 % minority share: oversamples the original data's 37 % malignant rows."""
EXPERIMENT_PARAMS: dict[str, Any] = {
    "variant": "imbalanced",
    "test_size": 0.9,
    "smote_threshold": 0.0,
}
"""Train on 10 % of the imbalanced data, SMOTE off: a model too weak for staging."""


def _tags(version: Any) -> set[str]:
    return {t.name for t in version.tags}


def versions_with_tag(model: str, tag: str) -> list[Any]:
    """Return the versions of ``model`` carrying ``tag``, newest first."""
    try:
        found = depaginate(
            Client().list_model_versions, model=model, tags=[tag], sort_by="desc:number"
        )
    except KeyError:
        return []
    return [v for v in found if tag in _tags(v)]


def train_role(model_suffix: str, tag: str, **params: Any) -> Any:
    """Train one version with the kit's training pipeline in ``dev``, tagged with ``tag``."""
    from governance.environments import governed

    model = training_model(model_suffix, tags=[*DEFAULT_TAGS, tag])
    run = governed(training_pipeline.with_options(model=model), "dev")(**params)
    return Client().get_pipeline_run(run.id).model_version


def ensure_production_baseline(learner: str = "", random_state: int = 42) -> Any:
    """Return the version holding production; train and promote the baseline if none does.

    Args:
        learner: The learner suffix of the model name (``""`` for the kit's model).
        random_state: Seed of the split and the forest; keep chapter 01's so both models are
            evaluated on the same held-out rows.
    """
    from governance.promotion import promote
    from lib.config import model_name

    name = model_name(learner)
    try:
        return Client().get_model_version(name, "production")
    except KeyError:
        pass
    existing = versions_with_tag(name, BASELINE_TAG)
    baseline = existing[0] if existing else None
    if baseline is None:
        baseline = train_role(learner, BASELINE_TAG, random_state=random_state, **BASELINE_PARAMS)
    promote(name, baseline.name, "production", reason=BASELINE_REASON, source="storyline")
    return Client().get_model_version(name, "production")


def ensure_dev_experiment(learner: str = "") -> Any:
    """Return the weak dev experiment version, training it the first time."""
    from lib.config import model_name

    existing = versions_with_tag(model_name(learner), EXPERIMENT_TAG)
    return existing[0] if existing else train_role(learner, EXPERIMENT_TAG, **EXPERIMENT_PARAMS)


def prepare_story(learner: str = "", random_state: int = 42) -> tuple[Any, Any]:
    """Return the storyline's ``(production holder, dev experiment)``, making them the first time.

    The baseline is trained and promoted to production (:func:`ensure_production_baseline`), and
    the weak experiment trained in dev (:func:`ensure_dev_experiment`), each only once.
    """
    return ensure_production_baseline(learner, random_state), ensure_dev_experiment(learner)


def latest_candidate(model: str, version: str = "") -> Any:
    """Return ``version`` of ``model``, or by default chapter 01's newest trained version.

    That is the newest version with a ``model`` artifact, no ``role:`` tag and not in production
    (a run refused before its first step still gets a version number, but no model; a version
    released to production by chapter 05 is no longer a candidate).

    Raises:
        ChapterPrerequisiteError: when the model has no version at all (run chapter 01).
        LookupError: when no version was given and no version qualifies.
    """
    from workshop.guards import require_model_version

    require_model_version(model, "01 · Train a model")
    client = Client()
    if version:
        return client.get_model_version(model, version)
    for candidate in depaginate(client.list_model_versions, model=model, sort_by="desc:number"):
        if candidate.stage == "production" or any(
            tag.startswith(ROLE_PREFIX) for tag in _tags(candidate)
        ):
            continue
        if candidate.get_model_artifact("model") is not None:
            return candidate
    raise LookupError(f"{model} has no trained version without a role tag: run chapter 01")


@dataclass
class ChampionOrigin:
    """How the champion got to production, as the ledger tells it."""

    model: str
    version: str | None
    entry: Any | None

    def _repr_markdown_(self) -> str:
        if self.version is None:
            return f"No version of **{self.model}** holds production: there is no champion."
        if self.entry is None:
            return (
                f"**{self.model} v{self.version}** holds production, but the ledger has no entry "
                "putting it there (it was staged outside the kit)."
            )
        e = self.entry
        return (
            f"**{self.model} v{self.version}** holds production since ledger entry {e.sequence} "
            f"({e.timestamp[:19]} UTC, by `{e.actor}`, source `{e.source}`):\n\n> {e.reason}"
        )


def champion_origin(model: str) -> ChampionOrigin:
    """Return the production holder and the ledger entry that promoted it there."""
    from governance.ledger import read_ledger

    try:
        champion = Client().get_model_version(model, "production")
    except KeyError:
        return ChampionOrigin(model, None, None)
    entry = read_ledger(model).last_promotion(champion.name, "production")
    return ChampionOrigin(model, champion.name, entry)


def ensure_release_history(
    model: str, source: Any, dest: Any, state_dir: str | Path
) -> dict[str, Any]:
    """Make sure production has held a version before, so a rollback has somewhere to go.

    Production is new on a fresh kit. The model dev-staging records as live in production (the
    storyline's baseline, chapter 03) is then released first, through the same path as any
    release: staged on dev-staging (gated, in the ledger), exported, verified, imported; the
    staging candidate is staged again afterwards. Run in a process bound to dev-staging.

    Returns:
        ``{"action": "none" | "released-baseline", "production": <live version>}``.
    """
    from governance.promotion import promote
    from governance.release.promote import production_status, promote_across
    from governance.release.remote import start
    from workshop.guards import require_stage

    start(source)  # dev-staging's worker starts ZenML while production answers the status
    status = production_status(model, dest)
    if status["versions"]:
        return {"action": "none", "production": status["production"]}
    baseline = require_stage(model, "production", "03 · Promote to staging")
    candidate = require_stage(model, "staging", "03 · Promote to staging")
    earlier = baseline
    if int(baseline.number) > int(candidate.number):
        # production only moves forward: what it held before must be older than the candidate,
        # so the candidate's own earlier run (chapter 01's dev run) plays the earlier release
        older = [
            v
            for v in depaginate(Client().list_model_versions, model=model)
            if v.number < candidate.number and not (v.run_metadata or {}).get("kit_production")
        ]
        if not older:
            raise RuntimeError(f"{model}: no version older than v{candidate.name} to release first")
        earlier = max(older, key=lambda v: v.number)
    why = "re-enact an earlier release into the production side, which starts empty"
    promote(model, earlier.name, "staging", reason=why, source="storyline")
    released = promote_across(model, source, dest, state_dir, version=earlier.name)
    promote(model, candidate.name, "staging", reason="the candidate again", source="storyline")
    if Client().get_model_version(model, "staging").id != candidate.id:
        raise RuntimeError(f"{model}: staging no longer holds v{candidate.name} after the re-run")
    return {"action": "released-baseline", "production": released.production_version}
