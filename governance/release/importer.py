"""The production side of a release: verify, gate, register, promote, record — idempotently.

Runs inside a worker bound to the production store. The order is the safety argument:

1. **Verify** every hash and the signature (:func:`governance.bundle.verify_bundle`) — nothing
   is written, and nothing in the bundle is read as data, before this passes.
2. **Gate** again with production's policy (this side's copy of the policy decides).
3. **Register** the version under a name derived from the source (``dev-staging-v7``): the store
   refuses a second version of that name, so of two racing imports exactly one creates it.
   The version is marked ``kit_import_state = started`` with its owner (host and pid).
4. Save the model, the drift reference and the bundle record, linked to the version; log all
   the source's metadata plus ``kit_source`` (server, version, runs, commit).
5. **Promote**: ``set_stage("production", force=True)`` archives the previous holder (never
   deletes it); append the import to the production ledger; mark ``complete``.

A rerun after a crash finds the unfinished version: if its owner is gone (or its lease expired)
it is removed, with its artifacts, and the import starts again; if the ledger already holds the
promotion, the import is just marked complete. The same bundle twice gives one version.
"""

from __future__ import annotations

import os
import pickle
import socket
import time
from pathlib import Path
from typing import Any

from zenml import Model, link_artifact_to_model, log_metadata, save_artifact
from zenml.client import Client
from zenml.enums import ArtifactType
from zenml.exceptions import EntityExistsError
from zenml.logger import get_logger

from governance import ledger
from governance.bundle import bundle_digest, key_id, read_json, signing_key, verify_bundle
from governance.checks import GateError, failed
from governance.health import pid_alive
from governance.policy import load_policy
from governance.release.errors import ImportConflictError
from governance.release.gates import as_ledger_gates, production_gates

logger = get_logger(__name__)

STATE_KEY = "kit_import_state"
OWNER_KEY = "kit_import_owner"
STARTED_KEY = "kit_import_started"
PREVIOUS_KEY = "kit_import_previous"
PAUSE_AT_ENV_VAR = "KIT_RELEASE_PAUSE_AT"
PAUSE_FILE_ENV_VAR = "KIT_RELEASE_PAUSE_FILE"


def production_name(source: dict[str, Any]) -> str:
    """The production version name of a source version: ``<source label>-v<number>``."""
    return f"{source['label']}-v{source['model_version']}"


def _checkpoint(phase: str) -> None:
    """Test seam: pause at ``phase`` while the pause file exists (fault tests stop a server)."""
    if os.environ.get(PAUSE_AT_ENV_VAR) != phase:
        return
    pause_file = Path(os.environ[PAUSE_FILE_ENV_VAR])
    pause_file.write_text(str(os.getpid()))
    while pause_file.exists():
        time.sleep(0.1)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_gone(owner: str | None, started: float | None, lease: float) -> bool:
    if started is not None and time.time() - started > lease:
        return True
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    return host == socket.gethostname() and not pid_alive(int(pid))


def _version(model: str, name: str) -> Any | None:
    try:
        return Client().get_model_version(model, name)
    except KeyError:
        return None


def _holder(model: str) -> Any | None:
    try:
        return Client().get_model_version(model, "production")
    except KeyError:
        return None


def _remove_unfinished(mv: Any) -> None:
    """Delete an unfinished import: the version, then the artifact versions it had linked."""
    client = Client()
    artifacts = client.list_artifact_versions(model_version_id=mv.id, size=100).items
    client.delete_model_version(mv.id)
    for artifact in artifacts:
        try:
            client.delete_artifact_version(
                artifact.id, delete_metadata=True, delete_from_artifact_store=True
            )
        except Exception as error:  # noqa: BLE001 - an orphan artifact is harmless; say so
            logger.warning(
                "could not delete artifact %s of an unfinished import: %s", artifact.id, error
            )
    logger.warning("removed unfinished import %s of %s", mv.name, mv.model.name)


def _already(mv: Any, source: dict[str, Any], digest: str) -> dict[str, Any]:
    linked = (mv.run_metadata or {}).get("kit_source") or {}
    if linked.get("model_version_id") != source["model_version_id"]:
        raise ImportConflictError(
            f"production already holds {mv.model.name} {mv.name} from another source version "
            f"({linked.get('model_version_id')}); refusing to overwrite it"
        )
    return {
        "status": "already-imported",
        "model": mv.model.name,
        "version": mv.name,
        "stage": ledger.stage_name(mv),
        "bundle_sha256": (mv.run_metadata or {}).get("kit_bundle", {}).get("sha256", digest),
    }


def _settle_existing(model: str, name: str, source: dict, digest: str, lease: float) -> Any:
    """Resolve a version that already has this import's name; return it if finished, else None.

    Waits while another live import is finishing it; removes it if that import died.
    """
    deadline = time.monotonic() + lease
    while True:
        mv = _version(model, name)
        if mv is None:
            return None
        metadata = mv.run_metadata or {}
        state = metadata.get(STATE_KEY)
        if state == "complete":
            return mv
        in_ledger = any(
            e.version == name and e.changes_stage and e.to_stage == "production"
            for e in ledger.read_ledger(model)
        )
        if in_ledger and ledger.stage_name(mv) == "production":
            log_metadata(metadata={STATE_KEY: "complete"}, model_version_id=mv.id)
            return _version(model, name)
        started = metadata.get(STARTED_KEY)
        if _owner_gone(metadata.get(OWNER_KEY), started, lease) or time.monotonic() > deadline:
            _remove_unfinished(mv)
            return None
        time.sleep(0.5)


def _ensure_model(card: dict[str, Any]) -> None:
    client = Client()
    try:
        client.get_model(card["name"])
    except KeyError:
        fields = {
            k: card.get(k)
            for k in (
                "description",
                "audience",
                "use_cases",
                "limitations",
                "trade_offs",
                "ethics",
                "license",
            )
        }
        try:
            client.create_model(name=card["name"], tags=card.get("tags") or None, **fields)
        except EntityExistsError:
            pass


def import_bundle(
    bundle: str,
    state_dir: str,
    actor: str,
    approved_by: str | None = None,
    release_tag: str | None = None,
) -> dict[str, Any]:
    """Verify, gate and register a bundle as production's live version (see module docstring).

    Returns:
        ``status`` (``imported`` or ``already-imported``), ``model``, ``version`` (the
        production version name), ``previous`` (the archived holder), ``bundle_sha256``,
        ``ledger_sequence``.

    Raises:
        BundleError: a hash, the signature or the key does not match — nothing was written.
        GateError: production's gates refuse the version — nothing was written.
        ImportConflictError: the production name is taken by another source version.
    """
    manifest = verify_bundle(bundle, signing_key(state_dir))
    digest = bundle_digest(bundle)
    card = read_json(bundle, "model_card.json")
    version = read_json(bundle, "version.json")
    metrics = read_json(bundle, "metrics.json")
    source = read_json(bundle, "source.json")
    model = card["name"]
    policy = load_policy()
    results = production_gates(model, version["tags"], metrics, source["stage_at_export"], policy)
    if failed(results):
        raise GateError(
            f"production gate (import of {model} v{source['model_version']})", failed(results)
        )
    name = production_name(source)
    lease = policy.production_promotion.import_lease_seconds
    _ensure_model(card)

    carried_previous = None
    while True:
        existing = _version(model, name)
        if existing is not None:
            carried_previous = (existing.run_metadata or {}).get(PREVIOUS_KEY, carried_previous)
            finished = _settle_existing(model, name, source, digest, lease)
            if finished is not None:
                return _already(finished, source, digest)
        try:
            mv = Client().create_model_version(
                model_name_or_id=model,
                name=name,
                description=f"Imported from {source['label']} v{source['model_version']}. "
                + (version.get("description") or ""),
                tags=sorted({*version["tags"], "imported", f"source:{source['label']}"}),
            )
        except EntityExistsError:
            continue  # another import created it first: settle it on the next pass
        break

    holder = _holder(model)
    previous = holder.name if holder is not None else carried_previous
    log_metadata(
        metadata={
            STATE_KEY: "started",
            OWNER_KEY: _owner(),
            STARTED_KEY: time.time(),
            PREVIOUS_KEY: previous or "",
        },
        model_version_id=mv.id,
    )
    _checkpoint("registered")
    target = Model(name=model, version=name)
    with open(Path(bundle) / "model.pkl", "rb") as handle:
        trained = pickle.load(handle)  # noqa: S301 - verified and signed above
    link_artifact_to_model(
        save_artifact(trained, name="model", artifact_type=ArtifactType.MODEL, tags=["imported"]),
        model=target,
    )
    link_artifact_to_model(
        save_artifact(read_json(bundle, "reference_profile.json"), name="reference_profile"),
        model=target,
    )
    record = {
        "manifest": manifest,
        "source": source,
        "gates_at_export": read_json(bundle, "gates.json"),
        "source_ledger": read_json(bundle, "ledger.json"),
    }
    link_artifact_to_model(save_artifact(record, name="release_bundle"), model=target)
    log_metadata(
        metadata={
            **version["metadata"],
            "kit_source": source,
            "kit_bundle": {
                "sha256": digest,
                "key_id": manifest["key_id"],
                "files": len(manifest["files"]),
                "format": manifest["format"],
                "verified": True,
            },
        },
        model_version_id=mv.id,
    )
    _checkpoint("artifacts-saved")
    Client().get_model_version(model, name).set_stage("production", force=True)
    entry = ledger.append_entry(
        model,
        version=name,
        version_id=str(mv.id),
        decision=ledger.PROMOTED,
        from_stage="none",
        to_stage="production",
        actor=actor,
        source="cross-workspace",
        reason=f"imported from {source['label']} v{source['model_version']}",
        gates=as_ledger_gates(results),
        git_commit=source.get("git_commit", "unknown"),
        data_sha256=source.get("data_sha256", ""),
        policy_sha256=policy.sha256,
        previous_holder=previous,
        previous_holder_action="archive" if previous else None,
        approved_by=approved_by,
        release_tag=release_tag,
        bundle_sha256=digest,
        signing_key_id=key_id(signing_key(state_dir)),
        source_server=source["location"],
        source_version=str(source["model_version"]),
        source_model_version_id=source["model_version_id"],
        source_training_run_id=source["training_run_id"],
    )
    log_metadata(metadata={STATE_KEY: "complete"}, model_version_id=mv.id)
    logger.info("imported %s %s into production (previous: %s)", model, name, previous)
    return {
        "status": "imported",
        "model": model,
        "version": name,
        "previous": previous,
        "bundle_sha256": digest,
        "ledger_sequence": entry.sequence,
    }


def production_status(model: str) -> dict[str, Any]:
    """Return production's live version, every version (stage, source, state) and the ledger."""
    client = Client()
    try:
        client.get_model(model)
    except KeyError:
        return {
            "model": model,
            "production": None,
            "versions": [],
            "ledger": [],
            "holders": {},
            "ledger_problems": [],
        }
    versions = []
    for mv in client.list_model_versions(model=model, size=100, sort_by="asc:number").items:
        metadata = mv.run_metadata or {}
        source = metadata.get("kit_source") or {}
        versions.append(
            {
                "version": mv.name,
                "stage": ledger.stage_name(mv),
                "source_version": source.get("model_version"),
                "source": source.get("location"),
                "import_state": metadata.get(STATE_KEY),
                "bundle_sha256": (metadata.get("kit_bundle") or {}).get("sha256"),
            }
        )
    holder = _holder(model)
    history = ledger.read_ledger(model)
    return {
        "model": model,
        "production": holder.name if holder else None,
        "versions": versions,
        "ledger": [e.model_dump(mode="json") for e in history],
        "holders": history.holders(),
        "ledger_problems": history.verify(),
    }
