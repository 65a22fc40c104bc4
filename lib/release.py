"""Helpers for chapters 05 and 06: show a release across the boundary and trace it back.

The release itself is the platform's (:mod:`governance.release.promote`); this module only
prepares the story and turns results into tables a notebook shows:

- guards that name the chapter to run first;
- :func:`ensure_release_history`: a rollback needs an earlier production version, so on a fresh
  kit the model dev-staging records as live (chapter 03's baseline) is released first, through
  the same gated, signed path;
- tables of the two bars, the gates, a bundle's files, production's versions and ledger;
- :func:`tampered_copy` for the refusals chapter 05 shows;
- :func:`batch_summary`, :func:`plot_drift` and :func:`trace_prediction` for chapter 06.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from lib.notebook import ChapterPrerequisiteError

METRICS: tuple[str, ...] = ("accuracy", "precision", "recall", "f1", "roc_auc")
TAMPERINGS: tuple[str, ...] = ("byte", "rehash")


# -- guards --------------------------------------------------------------------------------


def require_stage_holder(model: str, stage: str, chapter: str) -> Any:
    """Return the version of ``model`` holding ``stage`` in this process's store, or stop.

    Raises:
        ChapterPrerequisiteError: naming ``chapter`` when the model or the stage holder is missing.
    """
    from zenml.client import Client

    client = Client()
    try:
        client.get_model(model)
    except KeyError:
        raise ChapterPrerequisiteError(
            f"Model {model!r} does not exist in this store ({client.zen_store.url}): "
            f"run {chapter} first."
        ) from None
    try:
        return client.get_model_version(model, stage)
    except KeyError:
        raise ChapterPrerequisiteError(
            f"No version of {model!r} holds {stage} in this store: run {chapter} first."
        ) from None


# -- chapter 05 ----------------------------------------------------------------------------


def thresholds_table(candidate: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The staging and production minimums side by side (and the candidate's values)."""
    from governance.policy import load_policy

    policy = load_policy()
    staging, production = policy.thresholds_for("staging"), policy.thresholds_for("production")
    rows = []
    for metric in METRICS:
        if metric not in staging and metric not in production:
            continue
        row = {
            "metric": metric,
            "staging ≥": staging.get(metric),
            "production ≥": production.get(metric),
        }
        if candidate is not None:
            value = candidate.get(metric)
            row["candidate"] = round(float(value), 4) if value is not None else None
        rows.append(row)
    return pd.DataFrame(rows).set_index("metric")


def gates_table(results: Iterable[Any]) -> pd.DataFrame:
    """One row per gate (``CheckResult`` objects or the ledger's gate dicts)."""
    rows = []
    for result in results:
        get = result.get if isinstance(result, Mapping) else lambda k, r=result: getattr(r, k)
        observed = get("observed")
        rows.append(
            {
                "gate": get("name"),
                "observed": round(observed, 4) if isinstance(observed, float) else observed,
                "expected": get("expected"),
                "passed": bool(get("passed")),
            }
        )
    return pd.DataFrame(rows).set_index("gate")


def bundle_table(bundle: str | Path) -> pd.DataFrame:
    """The files of a bundle with their size and the SHA-256 its manifest lists (shortened)."""
    from governance.bundle import MANIFEST, SIGNATURE

    bundle = Path(bundle)
    listed = json.loads((bundle / MANIFEST).read_text())["files"]
    rows = [
        {"file": name, "bytes": (bundle / name).stat().st_size, "sha256": digest[:16] + "…"}
        for name, digest in sorted(listed.items())
    ]
    for name, role in ((MANIFEST, "lists every hash"), (SIGNATURE, "HMAC of the manifest")):
        rows.append({"file": name, "bytes": (bundle / name).stat().st_size, "sha256": role})
    return pd.DataFrame(rows).set_index("file")


def source_links(bundle: str | Path) -> pd.Series:
    """What a bundle says about where it came from: server, version, run, commit, exporter."""
    from governance.bundle import read_json

    source = read_json(bundle, "source.json")
    keys = (
        "label",
        "location",
        "model_version",
        "stage_at_export",
        "training_run_name",
        "training_run_id",
        "git_commit",
        "data_sha256",
        "exported_by",
    )
    return pd.Series({k: source.get(k) for k in keys}, name="source")


def tampered_copy(bundle: str | Path, how: str = "byte", into: str | Path | None = None) -> Path:
    """Copy a bundle and tamper with the copy; the original is untouched.

    Args:
        bundle: The bundle folder.
        how: ``byte`` flips one byte of the model file; ``rehash`` claims a perfect F1 in
            ``metrics.json`` and writes the new file's hash into the manifest, without a new
            signature (what someone without the key could do).
        into: Parent folder of the copy (default: a new temporary folder).
    """
    from governance.bundle import MANIFEST, file_sha256

    if how not in TAMPERINGS:
        raise ValueError(f"how must be one of {', '.join(TAMPERINGS)}; got {how!r}")
    parent = Path(into) if into else Path(tempfile.mkdtemp(prefix="kit-tampered-"))
    copy = Path(shutil.copytree(bundle, parent / f"{Path(bundle).name}-{how}"))
    if how == "byte":
        model_file = copy / "model.pkl"
        data = bytearray(model_file.read_bytes())
        data[len(data) // 2] ^= 0xFF
        model_file.write_bytes(bytes(data))
        return copy
    metrics_file = copy / "metrics.json"
    metrics_file.write_text(json.dumps({**json.loads(metrics_file.read_text()), "f1": 1.0}))
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["files"]["metrics.json"] = file_sha256(metrics_file)
    (copy / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return copy


@dataclass
class ProductionView:
    """Production's versions and ledger, as :func:`production_status` returned them."""

    status: dict[str, Any]

    @property
    def live(self) -> str | None:
        return self.status["production"]

    def versions(self) -> pd.DataFrame:
        """One row per production version: stage, source version, import state, bundle hash."""
        rows = [
            {
                "version": v["version"],
                "stage": v["stage"],
                "source version": v["source_version"],
                "import": v["import_state"],
                "bundle sha256": (v["bundle_sha256"] or "")[:16] + "…",
            }
            for v in self.status["versions"]
        ]
        return pd.DataFrame(rows, columns=["version", "stage", "source version", "import",
                                           "bundle sha256"]).set_index("version")  # fmt: skip

    def ledger(self) -> pd.DataFrame:
        """Production's ledger, oldest first."""
        from governance.ledger import Ledger, LedgerEntry

        entries = [LedgerEntry(**e) for e in self.status["ledger"]]
        frame = Ledger(self.status["model"], entries).to_frame()
        approved = {e.sequence: e.approved_by or "" for e in entries}
        frame["approved by"] = [approved[s] for s in frame.index]
        return frame.drop(columns=["timestamp"])

    def __repr__(self) -> str:
        return (
            f"ProductionView({self.status['model']}: live {self.live}, "
            f"{len(self.status['versions'])} versions, {len(self.status['ledger'])} ledger entries)"
        )

    def _repr_html_(self) -> str:
        problems = self.status["ledger_problems"]
        chain = "intact" if not problems else "; ".join(problems)
        return (
            f"<p><b>{self.status['model']}</b> on production: live version "
            f"<b>{self.live or 'none'}</b>; ledger chain {chain}</p>"
            + self.versions().to_html()
            + f"<p>Production ledger ({len(self.status['ledger'])} entries)</p>"
            + self.ledger().to_html()
        )


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
    from zenml.client import Client

    from governance.promotion import promote
    from governance.release.promote import production_status, promote_across

    status = production_status(model, dest)
    if status["versions"]:
        return {"action": "none", "production": status["production"]}
    client = Client()
    baseline = require_stage_holder(model, "production", "03 · Promote to staging")
    candidate = require_stage_holder(model, "staging", "03 · Promote to staging")
    why = "re-enact the baseline's release into the production side, which starts empty"
    promote(model, baseline.name, "staging", reason=why, source="storyline")
    released = promote_across(model, source, dest, state_dir, version=baseline.name)
    promote(model, candidate.name, "staging", reason="the candidate again", source="storyline")
    assert client.get_model_version(model, "staging").id == candidate.id
    return {"action": "released-baseline", "production": released.production_version}


# -- chapter 06 ----------------------------------------------------------------------------


@dataclass
class BatchSummary:
    """What a batch inference run produced and what it is linked to."""

    run_name: str
    status: str
    model_version: str
    source_version: Any
    rows_scored: int
    malignant_share: float
    drifted: bool
    max_psi: float
    n_alert: int
    linked_to_version: bool
    predictions_uri: str
    gate: dict[str, Any] = field(default_factory=dict)

    def _repr_markdown_(self) -> str:
        return "\n".join(
            [
                f"Run `{self.run_name}` ({self.status}) scored **{self.rows_scored}** rows with "
                f"production version **{self.model_version}** (source version "
                f"{self.source_version}).",
                "",
                f"- predicted malignant: {self.malignant_share:.1%}",
                f"- data-quality gate: {self.gate.get('passed', '?')} of "
                f"{self.gate.get('total', '?')} checks passed",
                f"- drift: max PSI {self.max_psi:.3f}, {self.n_alert} features alerting, "
                f"drifted = **{self.drifted}**",
                f"- predictions linked to the model version: **{self.linked_to_version}**",
            ]
        )


def _output(run: Any, step: str, name: str) -> Any:
    return run.steps[step].outputs[name][0]


def batch_summary(run: Any) -> BatchSummary:
    """Summarise a finished ``batch_inference_pipeline`` run read back from the store."""
    from zenml.client import Client

    client = Client()
    run = client.get_pipeline_run(run.id)
    mv = run.model_version
    predictions = _output(run, "score_batch", "predictions")
    scoring = run.steps["score_batch"].run_metadata.get("batch_scoring", {})
    drift = _output(run, "check_drift", "drift_report").load()
    linked = client.list_artifact_versions(model_version_id=mv.id, size=100).items
    gate_step = "gate_data_quality" if "gate_data_quality" in run.steps else "validate_data_quality"
    checks = run.steps[gate_step].run_metadata
    gate = _gate_counts(checks)
    return BatchSummary(
        run_name=run.name,
        status=run.status.value,
        model_version=mv.name,
        source_version=scoring.get("source_version"),
        rows_scored=int(scoring.get("rows_scored", 0)),
        malignant_share=float(scoring.get("malignant_share", 0.0)),
        drifted=bool(drift["drifted"]),
        max_psi=float(drift["max_psi"]),
        n_alert=int(drift["n_alert"]),
        linked_to_version=predictions.id in {a.id for a in linked},
        predictions_uri=predictions.uri,
        gate=gate,
    )


def _gate_counts(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Count passed checks in a gate step's report metadata, wherever it keeps them."""
    for value in metadata.values():
        if isinstance(value, Mapping) and isinstance(value.get("checks"), Mapping):
            checks = value["checks"]
            return {
                "passed": sum(bool(c.get("passed")) for c in checks.values()),
                "total": len(checks),
            }
    return {}


def predictions_of(run: Any) -> pd.DataFrame:
    """Load the predictions a batch inference run stored."""
    from zenml.client import Client

    return _output(Client().get_pipeline_run(run.id), "score_batch", "predictions").load()


def drift_of(run: Any) -> dict[str, Any]:
    """Load the drift report a batch inference run stored."""
    from zenml.client import Client

    return _output(Client().get_pipeline_run(run.id), "check_drift", "drift_report").load()


def plot_drift(reports: Mapping[str, dict[str, Any]], top: int = 10) -> Figure:
    """Bar chart of PSI per feature for several batches (the ``top`` most drifted features)."""
    first = next(iter(reports.values()))
    thresholds = first["thresholds"]
    frame = pd.DataFrame(
        {label: {k: f["psi"] for k, f in r["features"].items()} for label, r in reports.items()}
    )
    frame = frame.loc[frame.max(axis=1).sort_values(ascending=False).index[:top]]
    import matplotlib.pyplot as plt  # pyplot: a notebook shows the figure when the cell ends

    figure, ax = plt.subplots(figsize=(8, 4))
    frame.iloc[::-1].plot.barh(ax=ax)
    ax.axvline(thresholds["warn_psi"], color="orange", linestyle="--", label="warn")
    ax.axvline(thresholds["alert_psi"], color="red", linestyle="--", label="alert")
    ax.set_xlabel("PSI against the training reference")
    ax.set_title(f"Feature drift: the {len(frame)} most moved features")
    ax.legend(loc="lower right")
    figure.tight_layout()
    return figure


@dataclass
class PredictionTrace:
    """The hops from one batch of predictions back to the training run on dev-staging."""

    hops: list[dict[str, Any]]
    training_run: dict[str, Any]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.hops).set_index("hop")

    def __repr__(self) -> str:
        return self.frame().to_string()

    def _repr_html_(self) -> str:
        return "<p><b>From a prediction back to its training run</b></p>" + self.frame().to_html()


def trace_prediction(run: Any, source: Any) -> PredictionTrace:
    """Walk from a batch run's predictions to the training run on the source side.

    On production (this process): predictions → the step and run that made them → the model
    version the run was linked to → its ``kit_source`` metadata. On dev-staging (a worker
    process, :mod:`governance.release`): the training run named there, its steps and artifacts.
    """
    from zenml.client import Client

    from governance.release.remote import run_on

    client = Client()
    run = client.get_pipeline_run(run.id)
    predictions = _output(run, "score_batch", "predictions")
    step = client.get_run_step(predictions.producer_step_run_id)
    scoring = client.get_pipeline_run(step.pipeline_run_id)
    mv = scoring.model_version
    linked = (mv.run_metadata or {}).get("kit_source") or {}
    bundle = (mv.run_metadata or {}).get("kit_bundle") or {}
    training = run_on(source, "describe_training_run", run_id=linked["training_run_id"])
    hops = [
        {"hop": 1, "side": "production", "what": "predictions artifact",
         "name": f"{predictions.name} v{predictions.version}", "id": str(predictions.id)},
        {"hop": 2, "side": "production", "what": "produced by step / run",
         "name": f"{step.name} / {scoring.name}", "id": str(scoring.id)},
        {"hop": 3, "side": "production", "what": "model version (by stage)",
         "name": f"{mv.model.name} {mv.name}", "id": str(mv.id)},
        {"hop": 4, "side": "boundary", "what": "signed bundle (kit_bundle, kit_source)",
         "name": f"sha256 {str(bundle.get('sha256', ''))[:16]}…, verified={bundle.get('verified')}",
         "id": linked.get("location")},
        {"hop": 5, "side": "dev-staging", "what": "source model version",
         "name": f"{linked.get('model')} v{linked.get('model_version')}",
         "id": linked.get("model_version_id")},
        {"hop": 6, "side": "dev-staging", "what": "training run",
         "name": f"{training['name']} ({training['status']})", "id": training["id"]},
        {"hop": 7, "side": "git", "what": "commit", "name": linked.get("git_commit"),
         "id": ""},
    ]  # fmt: skip
    return PredictionTrace(hops=hops, training_run=training)
