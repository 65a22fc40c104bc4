"""Chapter 02: the Model Control Plane as tables and plots the OSS dashboard has no pages for.

Each helper makes the ``Client()`` calls the chapter shows first (``list_model_versions``,
``list_artifact_versions``, ``list_pipeline_runs``), through every page of results, and
tabulates what they return: a model's versions, one version's artifacts and runs, its metrics
against the policy, and its audit pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from zenml.client import Client
from zenml.utils.pagination_utils import depaginate

from governance.policy import METRIC_NAMES, load_policy
from lib.config import BUILD_DIR

GATED_METRICS: tuple[str, ...] = tuple(
    m for m in METRIC_NAMES if m in load_policy().thresholds_for("staging")
)
"""The metrics the staging gate checks, in the policy's order: the columns the tables show."""


def _role(tags: list[Any]) -> str:
    return next((t.name.split(":", 1)[1] for t in tags if t.name.startswith("role:")), "")


def versions_table(model: str) -> pd.DataFrame:
    """One row per version: stage, gated metrics, how it was trained, its role and commit.

    Narrow enough for a laptop's notebook pane; ``version_metadata`` in chapter 01 shows all.
    """
    rows = []
    for mv in depaginate(Client().list_model_versions, model=model, sort_by="asc:number"):
        meta = mv.run_metadata or {}
        rows.append(
            {
                "version": mv.name,
                "stage": mv.stage or "",
                **{m: round(float(meta[m]), 4) if m in meta else None for m in GATED_METRICS},
                "classifier": str(meta.get("classifier", "")).replace("_", " "),
                "variant": meta.get("variant", ""),
                "smote": meta.get("smote_applied"),
                "pca": meta.get("pca_applied"),
                "role": _role(mv.tags),
                "commit": str(meta.get("git_commit", ""))[:7],
            }
        )
    return pd.DataFrame(rows).set_index("version") if rows else pd.DataFrame()


def version_artifacts(model: str, version: str) -> pd.DataFrame:
    """The artifacts linked to a version: name, version, type, data type, producing step, run."""
    client = Client()
    mv = client.get_model_version(model, str(version))
    rows, run_names = [], {}
    linked = depaginate(
        client.list_artifact_versions, model_version_id=mv.id, sort_by="asc:created", hydrate=True
    )
    for av in linked:
        run_id = av.producer_pipeline_run_id
        if run_id and run_id not in run_names:
            run_names[run_id] = client.get_pipeline_run(run_id, hydrate=False).name
        rows.append(
            {
                "artifact": av.artifact.name,
                "version": av.version,
                "type": str(getattr(av.type, "value", av.type)),
                "data type": av.data_type.attribute if av.data_type else "",
                "run": run_names.get(run_id, ""),
            }
        )
    return pd.DataFrame(rows, columns=["artifact", "version", "type", "data type", "run"])


def version_runs(model: str, version: str) -> pd.DataFrame:
    """The pipeline runs linked to a version (training, comparisons, inference), oldest first."""
    client = Client()
    mv = client.get_model_version(model, str(version))
    runs = depaginate(client.list_pipeline_runs, model_version_id=mv.id, sort_by="asc:created")
    rows = [
        {
            "run": run.name,
            "pipeline": run.pipeline.name if run.pipeline else "",
            "status": str(getattr(run.status, "value", run.status)),
            "started": run.start_time.strftime("%Y-%m-%d %H:%M:%S") if run.start_time else "",
            "id": str(run.id),
        }
        for run in runs
    ]
    return pd.DataFrame(rows, columns=["run", "pipeline", "status", "started", "id"])


def plot_version_metrics(model: str) -> Figure:
    """Plot each version's gated metrics with the policy's staging and production minimums."""
    from governance.policy import load_policy

    table = versions_table(model)
    policy = load_policy()
    fig, axes = plt.subplots(1, len(GATED_METRICS), figsize=(12, 3), sharey=True)
    for ax, metric in zip(axes, GATED_METRICS, strict=True):
        values = table[metric].astype(float)
        colours = ["#e67e22" if s == "production" else "#5dade2" for s in table["stage"]]
        ax.bar([f"v{v}" for v in table.index], values, color=colours)
        for stage, style in (("staging", ":"), ("production", "--")):
            limit = policy.thresholds_for(stage).get(metric)
            if limit is not None:
                ax.axhline(limit, color="#c0392b", ls=style, lw=1, label=f"{stage} min")
        ax.set(title=metric, xlabel="version", ylim=(0.7, 1.0))
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle(f"{model}: held-out metrics per version (orange: production)", fontsize=10)
    fig.tight_layout()
    return fig


@dataclass
class AuditPackFile:
    """Where an audit pack was written, and what it covers."""

    path: Path
    model: str
    version: str

    def _repr_markdown_(self) -> str:
        size = self.path.stat().st_size / 1024
        return (
            f"Audit pack for **{self.model} v{self.version}**: `{self.path}` ({size:.0f} KiB, one "
            "self-contained HTML file: model card, metrics against the policy, gate results, "
            "promotion ledger, champion/challenger, lineage graph, git commit and data hash)"
        )


def audit_pack(model: str, version: str, output_dir: str | Path | None = None) -> AuditPackFile:
    """Write the audit pack of a version (with its lineage graph) and return where it is.

    Args:
        model: The model name.
        version: The version name or number (or a stage).
        output_dir: Folder for the HTML; defaults to ``state/build/audit``.
    """
    from governance.audit import write_audit_pack
    from lib.display.lineage import model_version_lineage

    mv = Client().get_model_version(model, str(version))
    folder = Path(output_dir) if output_dir else BUILD_DIR / "audit"
    svg = model_version_lineage(model, mv.name).to_svg()
    path = write_audit_pack(model, mv.name, folder / f"{model}_v{mv.name}.html", lineage_svg=svg)
    return AuditPackFile(path=path, model=model, version=mv.name)
