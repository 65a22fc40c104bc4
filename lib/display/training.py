"""Chapter 01: what a finished training run did, read back from the ZenML store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay

from governance.policy import METRIC_NAMES
from lib.data import VARIANTS, load_frame, minority_share
from lib.display.common import step_output


@dataclass
class TrainingSummary:
    """What one training run produced: the model version, its branches and its metrics."""

    model_name: str
    model_version: str
    run_name: str
    smote: dict[str, Any]
    pca: dict[str, Any]
    metrics: dict[str, float]
    tags: list[str] = field(default_factory=list)

    @classmethod
    def from_run(cls, run: Any) -> TrainingSummary:
        """Build the summary from a pipeline run response of ``training_pipeline``."""
        from zenml.client import Client

        run = Client().get_pipeline_run(run.id)
        mv = run.model_version
        return cls(
            model_name=mv.model.name,
            model_version=mv.name,
            run_name=run.name,
            smote=step_output(run, "check_and_apply_smote", "smote_report").load(),
            pca=step_output(run, "check_and_apply_pca", "pca_report").load(),
            metrics=step_output(run, "evaluate_model", "metrics").load(),
            tags=sorted(t.name for t in mv.tags),
        )

    @property
    def branches(self) -> dict[str, bool]:
        """Which preprocessing branches ran."""
        return {"smote": bool(self.smote["smote_applied"]), "pca": bool(self.pca["pca_applied"])}

    def reasons(self) -> list[str]:
        """One sentence per branch saying whether it ran and why."""
        share, limit = self.smote["minority_share_before"], self.smote["smote_threshold"]
        smote = (
            f"SMOTE **ran**: the minority class was {share:.1%}, under {limit:.0%}."
            if self.branches["smote"]
            else f"SMOTE skipped: the minority class was {share:.1%}, not under {limit:.0%}."
        )
        n, cap = self.pca["n_features"], self.pca["pca_max_features"]
        pca = (
            f"PCA **ran**: {n} features is more than {cap}; kept {self.pca['pca_components']} "
            f"components explaining {self.pca['pca_explained_variance']:.1%} of the variance."
            if self.branches["pca"]
            else f"PCA skipped: {n} features is not more than {cap}."
        )
        return [smote, pca]

    def _repr_markdown_(self) -> str:
        metrics = " · ".join(f"{k} **{self.metrics[k]:.3f}**" for k in METRIC_NAMES)
        lines = [
            f"**{self.model_name}** version **{self.model_version}** (run `{self.run_name}`)",
            "",
            *[f"- {reason}" for reason in self.reasons()],
            "",
            f"Held-out metrics: {metrics}",
            "",
            f"Tags: {', '.join(f'`{t}`' for t in self.tags)}",
        ]
        return "\n".join(lines)


def variant_table(smote_threshold: float = 0.30, max_features: int = 50) -> pd.DataFrame:
    """One row per data variant: rows, features, minority share and the branches it triggers."""
    rows = []
    for variant in VARIANTS:
        frame = load_frame(variant)
        share = minority_share(frame["target"])
        n_features = frame.shape[1] - 1
        rows.append(
            {
                "variant": variant,
                "rows": len(frame),
                "features": n_features,
                "minority share": round(share, 3),
                "SMOTE?": share < smote_threshold,
                "PCA?": n_features > max_features,
            }
        )
    return pd.DataFrame(rows).set_index("variant")


def plot_confusion_matrix(model: Any, features: pd.DataFrame, target: pd.Series) -> Figure:
    """Plot the confusion matrix on labelled data (0 = malignant, 1 = benign)."""
    display = ConfusionMatrixDisplay.from_estimator(
        model, features, target, display_labels=["malignant", "benign"], colorbar=False
    )
    display.ax_.set_title("Held-out confusion matrix")
    return display.figure_


def version_metadata(model: str, version: str) -> pd.DataFrame:
    """Return a model version's metadata as a sorted two-column table."""
    from zenml.client import Client

    mv = Client().get_model_version(model, version)
    table = pd.Series(dict(mv.run_metadata), name="value").sort_index().to_frame()
    table.index.name = "key"
    return table
