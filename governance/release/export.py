"""The dev-staging side of a release: export a signed bundle, then record where it went.

Runs inside a worker bound to the source store (see :mod:`governance.release.worker`).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zenml.client import Client
from zenml.logger import get_logger

from governance import ledger
from governance.bundle import (
    MODEL_CARD_FIELDS,
    MODEL_FILE,
    bundle_digest,
    dump_model,
    seal,
    signing_key,
    write_json,
)
from governance.checks import GateError, failed, report
from governance.drift import reference_profile
from governance.policy import METRIC_NAMES, load_policy
from governance.release.errors import ReleaseError, UnknownModelError
from governance.release.gates import as_ledger_gates, production_gates

logger = get_logger(__name__)


def json_safe(value: Any) -> Any:
    """Return ``value`` as plain JSON types (unknown objects become strings)."""
    return json.loads(json.dumps(value, default=str))


def find_version(model: str, version: str | None = None, stage: str | None = None) -> Any:
    """Return a model version by number/name or by stage, with a one-line error if absent."""
    client = Client()
    try:
        client.get_model(model)
    except KeyError:
        raise UnknownModelError(f"unknown model {model!r}") from None
    try:
        return client.get_model_version(model, version or stage)
    except KeyError:
        if stage:
            raise UnknownModelError(f"model {model!r} has no version in stage {stage!r}") from None
        raise UnknownModelError(f"model {model!r} has no version {version!r}") from None


def _reference(training_run: Any, artifact_name: str, bins: int) -> dict[str, Any]:
    for step in training_run.steps.values():
        if artifact_name in step.outputs:
            return reference_profile(step.outputs[artifact_name][0].load(), bins)
    raise ReleaseError(
        f"training run {training_run.name} has no {artifact_name!r} artifact: "
        "no drift reference can be built"
    )


def export_version(
    model: str,
    out_dir: str,
    state_dir: str,
    source_label: str,
    source_location: str,
    actor: str,
    version: str | None = None,
    stage: str | None = None,
) -> dict[str, Any]:
    """Check the production gates, then write and sign the bundle of one model version.

    Returns:
        ``bundle`` (its folder), ``bundle_sha256``, ``model``, ``version``, ``gates``.

    Raises:
        UnknownModelError: no such model or version (or nothing in ``stage``).
        GateError: the version does not meet production's bar; nothing is written.
    """
    client = Client()
    mv = find_version(model, version, stage)
    policy = load_policy()
    metadata = json_safe(dict(mv.run_metadata or {}))
    metrics = {k: metadata[k] for k in METRIC_NAMES if k in metadata}
    tags = [t.name for t in mv.tags]
    results = production_gates(model, tags, metrics, ledger.stage_name(mv), policy)
    if failed(results):
        raise GateError(f"production gate (export of {model} v{mv.number})", failed(results))
    key = signing_key(state_dir)

    model_artifact = mv.get_model_artifact("model")
    if model_artifact is None:
        raise ReleaseError(f"{model} v{mv.number} has no model artifact named 'model'")
    training_run = client.get_pipeline_run(model_artifact.producer_pipeline_run_id)
    profile = _reference(
        training_run, policy.production_promotion.reference_artifact, policy.drift.bins
    )
    exported_at = datetime.now(UTC)
    stamp = exported_at.strftime("%Y%m%dT%H%M%S%fZ")
    bundle = Path(out_dir) / f"{model}-v{mv.number}-{stamp}"
    bundle.mkdir(parents=True)
    (bundle / MODEL_FILE).write_bytes(dump_model(model_artifact.load()))  # skops: no code
    registered = client.get_model(model)
    write_json(
        bundle,
        "model_card.json",
        {
            "name": model,
            "tags": [t.name for t in registered.tags],
            **{f: getattr(registered, f, None) for f in MODEL_CARD_FIELDS},
        },
    )
    write_json(
        bundle,
        "version.json",
        {
            "number": mv.number,
            "name": mv.name,
            "description": mv.description,
            "tags": tags,
            "stage": ledger.stage_name(mv),
            "created": mv.created,
            "metadata": metadata,
        },
    )
    write_json(bundle, "metrics.json", metrics)
    write_json(bundle, "reference_profile.json", profile)
    write_json(
        bundle, "gates.json", report(results, stage="production", policy_sha256=policy.sha256)
    )
    entries = [e.model_dump(mode="json") for e in ledger.read_ledger(model)]
    write_json(bundle, "ledger.json", entries)
    source = {
        "label": source_label,
        "location": source_location,
        "store_id": str(client.zen_store.get_store_info().id),
        "model": model,
        "model_version": mv.number,
        "model_version_name": mv.name,
        "model_version_id": str(mv.id),
        "stage_at_export": ledger.stage_name(mv),
        "training_run_id": str(training_run.id),
        "training_run_name": training_run.name,
        "model_artifact_id": str(model_artifact.id),
        "pipeline_run_ids": sorted(str(r.id) for r in mv.pipeline_runs.values()),
        "git_commit": metadata.get("git_commit", "unknown"),
        "data_sha256": metadata.get("data_sha256", ""),
        "exported_at": exported_at.isoformat(),
        "exported_by": actor,
        "policy_sha256": policy.sha256,
    }
    write_json(bundle, "source.json", source)
    seal(
        bundle,
        key,
        {
            "model": model,
            "version": mv.number,
            "source": source_label,
            "exported_at": exported_at.isoformat(),
        },
    )
    logger.info("exported %s v%s to %s", model, mv.number, bundle)
    return {
        "bundle": str(bundle),
        "bundle_sha256": bundle_digest(bundle),
        "model": model,
        "version": mv.number,
        "gates": as_ledger_gates(results),
    }


def _move_to_production(
    model: str,
    version: str,
    actor: str,
    reason: str,
    extra: dict[str, Any],
    decision: str = ledger.PROMOTED,
) -> dict[str, Any]:
    """Record ``version`` as production's holder on this side: ledger first, then the stage."""
    from governance.promotion import sync_stages

    mv = find_version(model, version)
    holder = ledger.read_ledger(model).holders().get("production")
    if holder == mv.name:
        sync_stages(model)  # completes a stage change a crash interrupted
        return {"status": "already-recorded", "version": mv.number}
    entries = ledger.append_change(
        model,
        version=str(mv.number),
        version_id=str(mv.id),
        decision=decision,
        from_stage=ledger.stage_name(mv),
        to_stage="production",
        actor=actor,
        source="cross-workspace",
        reason=reason,
        git_commit=str((mv.run_metadata or {}).get("git_commit", "unknown")),
        previous_holder=holder,
        previous_holder_action="archive" if holder is not None else None,
        **extra,
    )
    sync_stages(model)
    return {"status": "recorded", "version": mv.number, "sequence": entries[0].sequence}


def record_backlink(
    model: str,
    version: str,
    production_version: str,
    dest_label: str,
    dest_location: str,
    bundle_sha256: str,
    actor: str,
    approved_by: str | None = None,
    release_tag: str | None = None,
) -> dict[str, Any]:
    """On the source: note where the version went and mirror its production stage.

    The version's ``kit_production`` metadata names the production server and version; the
    source's own ``production`` stage then says which of its versions is live (chapter 04's
    champion), and the source ledger records it. Re-running changes nothing.
    """
    from zenml import log_metadata

    mv = find_version(model, version)
    log_metadata(
        metadata={
            "kit_production": {
                "server": dest_location,
                "label": dest_label,
                "version": production_version,
                "bundle_sha256": bundle_sha256,
                "recorded_at": time.time(),
            }
        },
        model_version_id=mv.id,
    )
    return _move_to_production(
        model,
        version,
        actor,
        f"exported to {dest_label} as {production_version}",
        {
            "approved_by": approved_by,
            "release_tag": release_tag,
            "bundle_sha256": bundle_sha256,
            "target_server": dest_location,
            "target_version": production_version,
        },
    )


def mirror_stage(
    model: str, version: str, actor: str, reason: str, production_version: str = ""
) -> dict[str, Any]:
    """On the source: make ``version`` the one recorded as live in production (after a rollback)."""
    return _move_to_production(
        model,
        version,
        actor,
        reason,
        {"target_version": production_version or None},
        decision=ledger.ROLLBACK,
    )


def describe_training_run(run_id: str) -> dict[str, Any]:
    """Return a training run's name, status, pipeline, commit and step input/output artifacts."""
    run = Client().get_pipeline_run(run_id)
    steps = {}
    for name, step in run.steps.items():
        steps[name] = {
            "inputs": sorted(step.inputs),
            "outputs": sorted(step.outputs),
            "status": step.status.value,
        }
    return {
        "id": str(run.id),
        "name": run.name,
        "pipeline": run.pipeline.name if run.pipeline else None,
        "status": run.status.value,
        "start_time": run.start_time,
        "model_version": run.model_version.number if run.model_version else None,
        "steps": steps,
    }
