"""Champion vs challenger on the same labelled rows (plain functions, no ZenML).

The champion is the version in production, the challenger the staging candidate. Both score the
same held-out rows; these functions measure how far apart they are.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from scipy.stats import binomtest
from sklearn.pipeline import Pipeline

from governance.policy import METRIC_NAMES
from lib.modeling import POSITIVE_LABEL, malignant_probability


def model_features(model: Pipeline, features: pd.DataFrame) -> pd.DataFrame:
    """Return the columns ``model`` was trained on, in its order (extra columns are dropped).

    Raises:
        ValueError: if a column the model needs is missing.
    """
    wanted = list(getattr(model, "feature_names_in_", features.columns))
    missing = [c for c in wanted if c not in features.columns]
    if missing:
        raise ValueError(
            f"the comparison data lacks {len(missing)} column(s) the model needs: {missing[:3]}"
        )
    return features[wanted]


def score_frame(
    champion: Pipeline, challenger: Pipeline, features: pd.DataFrame, target: pd.Series
) -> pd.DataFrame:
    """Score both models on the same rows: label, probabilities and predicted classes."""
    champion_x = model_features(champion, features)
    challenger_x = model_features(challenger, features)
    return pd.DataFrame(
        {
            "y_true": target.astype("int64"),
            "p_champion": malignant_probability(champion, champion_x),
            "p_challenger": malignant_probability(challenger, challenger_x),
            "pred_champion": champion.predict(champion_x).astype("int64"),
            "pred_challenger": challenger.predict(challenger_x).astype("int64"),
        },
        index=features.index,
    )


def mcnemar_exact(champion_only_correct: int, challenger_only_correct: int) -> float:
    """Return the two-sided exact McNemar p-value for the two discordant counts.

    Under the null hypothesis both models make as many errors, so each discordant row is a fair
    coin toss: the test is a two-sided binomial test of one count out of both, with p = 0.5.
    With no discordant rows there is no evidence either way, and the p-value is 1.
    """
    b, c = int(champion_only_correct), int(challenger_only_correct)
    if b + c == 0:
        return 1.0
    return float(binomtest(b, b + c, 0.5).pvalue)


def compare_scores(
    scores: pd.DataFrame,
    champion_metrics: dict[str, float],
    challenger_metrics: dict[str, float],
) -> dict[str, Any]:
    """Return agreement, probability differences, metric deltas and McNemar's test."""
    delta = (scores["p_challenger"] - scores["p_champion"]).abs()
    champion_right = scores["pred_champion"] == scores["y_true"]
    challenger_right = scores["pred_challenger"] == scores["y_true"]
    b = int((champion_right & ~challenger_right).sum())
    c = int((~champion_right & challenger_right).sum())
    return {
        "n_rows": int(len(scores)),
        "agreement": float((scores["pred_champion"] == scores["pred_challenger"]).mean()),
        "n_disagreements": int((scores["pred_champion"] != scores["pred_challenger"]).sum()),
        "mean_abs_prob_delta": float(delta.mean()),
        "max_abs_prob_delta": float(delta.max()),
        "champion": {m: float(champion_metrics[m]) for m in METRIC_NAMES},
        "challenger": {m: float(challenger_metrics[m]) for m in METRIC_NAMES},
        "deltas": {
            m: float(challenger_metrics[m]) - float(champion_metrics[m]) for m in METRIC_NAMES
        },
        "mcnemar": {
            "champion_only_correct": b,
            "challenger_only_correct": c,
            "p_value": mcnemar_exact(b, c),
        },
    }


def disagreements(scores: pd.DataFrame | None) -> pd.DataFrame:
    """Return the rows where the models predict different classes, largest |Δp| first."""
    if scores is None:
        return pd.DataFrame()
    rows = scores[scores["pred_champion"] != scores["pred_challenger"]].copy()
    rows["abs_delta"] = (rows["p_challenger"] - rows["p_champion"]).abs()
    rows["truth"] = rows["y_true"].map({POSITIVE_LABEL: "malignant"}).fillna("benign")
    return rows.sort_values("abs_delta", ascending=False)


def _no_champion(fig: Figure, ax: Any) -> Figure:
    ax.text(0.5, 0.5, "no champion: nothing to compare", ha="center", va="center")
    ax.axis("off")
    return fig


def plot_probabilities(scores: pd.DataFrame | None) -> Figure:
    """Scatter each row's P(malignant) from both models; disagreements are ringed."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    if scores is None:
        return _no_champion(fig, ax)
    for label, name, colour in ((POSITIVE_LABEL, "malignant", "#c0392b"), (1, "benign", "#2e86c1")):
        part = scores[scores["y_true"] == label]
        ax.scatter(part["p_champion"], part["p_challenger"], s=18, alpha=0.6, c=colour, label=name)
    split = scores[scores["pred_champion"] != scores["pred_challenger"]]
    ax.scatter(
        split["p_champion"], split["p_challenger"], s=120, facecolors="none",
        edgecolors="black", linewidths=1.4, label="models disagree",
    )  # fmt: skip
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.axvline(0.5, color="grey", lw=0.5)
    ax.set(xlabel="champion P(malignant)", ylabel="challenger P(malignant)", xlim=(-0.02, 1.02))
    ax.set(ylim=(-0.02, 1.02), title="Where the two models disagree")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_metric_deltas(comparison: dict[str, Any] | None) -> Figure:
    """Bar chart of challenger minus champion, per metric, labelled with the values."""
    fig, ax = plt.subplots(figsize=(6, 3))
    if comparison is None:
        return _no_champion(fig, ax)
    deltas = pd.Series(comparison["deltas"])
    colours = ["#27ae60" if v >= 0 else "#c0392b" for v in deltas]
    bars = ax.barh(deltas.index, deltas.values, color=colours)
    ax.bar_label(bars, labels=[f"{v:+.3f}" for v in deltas], padding=3, fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    span = max(0.01, float(deltas.abs().max()) * 1.6)
    ax.set(xlim=(-span, span), xlabel="challenger − champion", title="Metric deltas")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig
