"""Champion (production) vs challenger (staging) on the challenger's held-out rows.

    from lib.pipelines import compare_champion_challenger

    report = compare_champion_challenger("breast_cancer_classifier")

The pipeline is static: its body runs once, before any step, to look up the two model versions
in the Model Control Plane; it then passes their stored artifacts (both ``model`` artifacts and
the challenger's ``X_test``/``y_test``) to the steps. Those artifacts become the steps' inputs,
so the run's lineage points at the exact models and rows compared. The run is attached to the
challenger's model version, where the comparison and the recommendation are also logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from zenml import Model, pipeline
from zenml.client import Client

from lib.steps.evaluation.compare_models import compare_models
from lib.steps.evaluation.recommend_promotion import recommend_promotion
from lib.steps.evaluation.score_models import score_models


@pipeline(enable_cache=False)
def champion_challenger_pipeline(
    model_name: str, champion_version: str, challenger_version: str
) -> None:
    """Score both versions on the challenger's held-out rows, compare them, recommend."""
    client = Client()
    champion = client.get_model_version(model_name, champion_version)
    challenger = client.get_model_version(model_name, challenger_version)
    scores, champion_metrics, challenger_metrics = score_models(
        champion.get_model_artifact("model"),
        challenger.get_model_artifact("model"),
        challenger.get_artifact("X_test"),
        challenger.get_artifact("y_test"),
    )
    comparison = compare_models(
        scores,
        champion_metrics,
        challenger_metrics,
        champion_version=champion.name,
        challenger_version=challenger.name,
    )
    recommend_promotion(comparison, challenger_metrics)


@dataclass
class Reasons:
    """A recommendation with the reasons behind it."""

    decision: str
    reasons: list[str]

    def _repr_markdown_(self) -> str:
        return "\n".join(
            [f"**Recommendation: {self.decision}**", ""] + [f"- {r}" for r in self.reasons]
        )


@dataclass
class ChampionChallengerReport:
    """What a comparison found: versions, scores, comparison and recommendation."""

    model_name: str
    champion_version: str | None
    challenger_version: str
    recommendation: dict[str, Any]
    comparison: dict[str, Any] | None = None
    scores: pd.DataFrame | None = None
    run_name: str | None = None

    def summary(self) -> pd.DataFrame:
        """Metric per model and the delta (challenger - champion)."""
        if self.comparison is None:
            return pd.DataFrame()
        c = self.comparison
        return pd.DataFrame(
            {
                f"champion v{self.champion_version}": c["champion"],
                f"challenger v{self.challenger_version}": c["challenger"],
                "delta": c["deltas"],
            }
        ).round(4)

    def reasons(self) -> Reasons:
        """The recommendation and its reasons, displayed as a list."""
        rec = self.recommendation
        return Reasons(rec["decision"], list(rec["reasons"]))

    def key_results(self) -> dict[str, Any]:
        """The numbers a test or a CI job checks: versions, decision, agreement, deltas, p."""
        c = self.comparison or {}
        return {
            "champion": self.champion_version,
            "challenger": self.challenger_version,
            "recommendation": self.recommendation["decision"],
            "reasons": self.recommendation["reasons"],
            "n_rows": c.get("n_rows", 0),
            "agreement": c.get("agreement"),
            "mean_abs_prob_delta": c.get("mean_abs_prob_delta"),
            "deltas": c.get("deltas"),
            "mcnemar_p": c.get("mcnemar", {}).get("p_value"),
        }

    def _repr_markdown_(self) -> str:
        head = f"**{self.model_name}**: challenger v{self.challenger_version} vs "
        if self.comparison is None:
            head += "no champion (nothing holds production)"
            lines = [head]
        else:
            c, m = self.comparison, self.comparison["mcnemar"]
            head += f"champion v{self.champion_version} on {c['n_rows']} held-out rows"
            lines = [
                head,
                "",
                f"- agreement **{c['agreement']:.1%}** ({c['n_disagreements']} rows differ)",
                f"- mean |Δ probability| **{c['mean_abs_prob_delta']:.3f}**, "
                f"max **{c['max_abs_prob_delta']:.3f}**",
                f"- McNemar exact p-value **{m['p_value']:.3g}** (champion alone right on "
                f"{m['champion_only_correct']} rows, challenger alone on "
                f"{m['challenger_only_correct']})",
            ]
        rec = self.recommendation
        lines += ["", f"**Recommendation: {rec['decision']}**", ""]
        lines += [f"- {reason}" for reason in rec["reasons"]]
        return "\n".join(lines)


def compare_champion_challenger(
    model_name: str, champion: str = "production", challenger: str = "staging"
) -> ChampionChallengerReport:
    """Compare the champion with the challenger and return the report.

    Args:
        model_name: The model in the Model Control Plane.
        champion: Version or stage of the champion (default: whatever holds production).
        challenger: Version or stage of the challenger (default: the staging holder).

    With no champion the pipeline does not run: the recommendation rests on the challenger's
    recorded metrics and the production thresholds alone.
    """
    from governance.promotion import version_metrics
    from governance.recommendation import recommend

    client = Client()
    challenger_mv = client.get_model_version(model_name, challenger)
    try:
        champion_mv = client.get_model_version(model_name, champion)
    except KeyError:
        champion_mv = None
    if champion_mv is None:
        recommendation = recommend(version_metrics(challenger_mv), None).to_dict()
        return ChampionChallengerReport(model_name, None, challenger_mv.name, recommendation)

    pipeline_for_version = champion_challenger_pipeline.with_options(
        model=Model(name=model_name, version=challenger_mv.name)
    )
    run = pipeline_for_version(
        model_name=model_name,
        champion_version=champion_mv.name,
        challenger_version=challenger_mv.name,
    )
    run = client.get_pipeline_run(run.id)
    return ChampionChallengerReport(
        model_name=model_name,
        champion_version=champion_mv.name,
        challenger_version=challenger_mv.name,
        recommendation=run.steps["recommend_promotion"].outputs["recommendation"][0].load(),
        comparison=run.steps["compare_models"].outputs["comparison"][0].load(),
        scores=run.steps["score_models"].outputs["scores"][0].load(),
        run_name=run.name,
    )
