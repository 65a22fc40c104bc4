"""What a chapter records for the tests that run it.

A chapter ends with one short cell, tagged ``record``, that calls :func:`record` with its key
objects; a chapter with an entry in :data:`RESULTS` has them turned into the values its tests
read (plain JSON), so the cell stays one short call. The values travel in the executed notebook
as a cell output of their own MIME type, so tests read them back with :func:`read_records`
instead of scraping printed text. The exercise and slide generators leave the cell out;
JupyterLab shows it collapsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

RECORD_MIME = "application/vnd.zenml-kit.record+json"
RECORD_TAG = "record"


def _training(model_name: str, run: Any, staged: Any, refusal: Any) -> dict[str, Any]:
    """Chapter 01: the dev run, the governed staging run and the refusal."""
    from zenml.client import Client

    from lib.display.training import TrainingSummary

    client = Client()
    dev, governed = TrainingSummary.from_run(run), TrainingSummary.from_run(staged)
    return {
        "store": client.zen_store.url,
        "model_name": model_name,
        "model_version": dev.model_version,
        "branches": dev.branches,
        "metrics": dev.metrics,
        "staging_model_version": governed.model_version,
        "staging_run_name": governed.run_name,
        "staging_branches": governed.branches,
        "refused": refusal.error_type,
        "refusal_message": refusal.message,
        "dev_hooks": client.list_hook_invocations(pipeline_run_id=run.id).total,
        "staging_hooks": client.list_hook_invocations(pipeline_run_id=staged.id).total,
    }


def _explore(
    model_name: str, version: str, table: Any, linked: list, lineage: Any, upstream: Any,
    ledger: Any, pack: Any,
) -> dict[str, Any]:  # fmt: skip
    """Chapter 02: what the explorer found about one version."""
    return {
        "model_name": model_name,
        "version": version,
        "n_versions": len(table),
        "stages": table["stage"].to_dict(),
        "n_artifacts": len(linked),
        "lineage_runs": lineage.runs(),
        "lineage_reaches_model": lineage.has_path("dataset", "model"),
        "upstream_kinds": sorted(set(upstream.nodes_frame().kind)),
        "ledger_entries": len(ledger),
        "audit_pack": str(pack.path),
    }


def _promote(
    model_name: str, candidate: Any, baseline: Any, experiment: Any, refusal: Any,
    before: dict, after_refusal: dict,
) -> dict[str, Any]:  # fmt: skip
    """Chapter 03: the stages around a refusal and a promotion, and the ledger."""
    from governance.ledger import read_ledger
    from governance.promotion import stage_holders

    ledger = read_ledger(model_name)
    return {
        "model_name": model_name,
        "candidate": candidate.name,
        "baseline": baseline.name,
        "experiment": experiment.name,
        "refusal_type": refusal.error_type,
        "refusal_message": refusal.message,
        "stages_before": before,
        "stages_after_refusal": after_refusal,
        "stages_after": stage_holders(model_name),
        "ledger_length": len(ledger),
        "ledger_problems": ledger.verify(),
        "decisions": [[e.sequence, e.version, e.decision, e.to_stage] for e in ledger],
    }


def _release(
    model_name: str, mode: str, exported: dict, imported: dict, manifest: dict, gates: list,
    history: dict, byte_refusal: Any, rehash_refusal: Any, older_refusal: Any,
    stranger_refusal: Any, rolled_back: dict, rolled_forward: dict, final: Any, candidate: Any,
) -> dict[str, Any]:  # fmt: skip
    """Chapter 05: the export, the refused copies, the import and the rollback round trip."""
    from governance.release.endpoints import current_mode

    return {
        "model_name": model_name,
        "mode": current_mode(mode),
        "source_version": int(exported["version"]),
        "production_version": imported["version"],
        "import_status": imported["status"],
        "bundle_sha256": exported["bundle_sha256"],
        "verified_files": len(manifest["files"]),
        "gates_passed": all(g.passed for g in gates),
        "history": history["action"],
        "byte_refusal": byte_refusal.message,
        "rehash_refusal": rehash_refusal.message,
        "older_refusal": older_refusal.message,
        "older_refusal_type": older_refusal.error_type,
        "stranger_refusal": stranger_refusal.message,
        "rollback": [rolled_back["from"], rolled_back["to"]],
        "forward": [rolled_forward["from"], rolled_forward["to"]],
        "production": final.status,
        "source_stage": str(candidate.stage),
    }


def _batch(
    model_name: str, mode: str, live: Any, run: Any, drifted_run: Any, gate_refusal: Any,
    trace: Any,
) -> dict[str, Any]:  # fmt: skip
    """Chapter 06: the scored batch, its drift, the refused batch and the trace to training."""
    from governance.release.endpoints import current_mode
    from lib.display.batch import batch_summary
    from lib.display.common import step_output

    summary = batch_summary(run)
    normal = step_output(run, "check_drift", "drift_report").load()
    drifted = step_output(drifted_run, "check_drift", "drift_report").load()
    return {
        "model_name": model_name,
        "mode": current_mode(mode),
        "live_version": live.name,
        "source_version": live.run_metadata["kit_source"]["model_version"],
        "rows_scored": summary.rows_scored,
        "linked_to_version": summary.linked_to_version,
        "run_model_version": summary.model_version,
        "gate": summary.gate,
        "normal_drifted": normal["drifted"],
        "shifted_drifted": drifted["drifted"],
        "shifted_alerting": sorted(
            k for k, f in drifted["features"].items() if f["status"] == "alert"
        ),
        "gate_refusal": gate_refusal.message,
        "trace_training_run_id": trace.training_run["id"],
        "trace_training_run_name": trace.training_run["name"],
        "trace_source_model_version": trace.training_run["model_version"],
        "trace": trace.hops,
    }


RESULTS: dict[str, Callable[..., dict[str, Any]]] = {
    "01": _training,
    "02": _explore,
    "03": _promote,
    "05": _release,
    "06": _batch,
}
"""Per chapter: how the objects its record cell passes become the values its tests read."""


def record(chapter: str = "", **values: Any) -> None:
    """Record a chapter's results in the notebook's output for tests to read back.

    Args:
        chapter: The chapter number (``"01"``); with an entry in :data:`RESULTS`, ``values``
            are the objects that function takes. Otherwise ``values`` are recorded as given.
        **values: JSON-serialisable results (anything else is recorded as its ``str``).
    """
    from IPython.display import display

    if chapter in RESULTS:
        values = RESULTS[chapter](**values)
    payload = json.loads(json.dumps(values, default=str))
    display(
        {RECORD_MIME: payload, "text/plain": f"recorded: {', '.join(sorted(payload))}"},
        raw=True,
    )


def read_records(notebook: str | Path) -> dict[str, Any]:
    """Return every value recorded in an executed notebook (later records win)."""
    nb = json.loads(Path(notebook).read_text())
    values: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                values.update(data[RECORD_MIME])
    return values
