"""The production side of a release: verify, gate, register, record, then promote.

Runs inside a worker bound to the production store. It receives the bundle **as bytes** (the
caller read each file once); it never opens a bundle folder. The order is the safety argument:

1. **Verify** the signature with production's trusted *public* keys and every hash, on the
   bytes received (:func:`governance.bundle.verify_files`); the model file must name only
   trusted types. Nothing is written before this passes.
2. **Gate** again with production's policy, and **forward only**: the version must be newer
   than every version production imported from that source, and exported within
   ``production_promotion.max_bundle_age``. The way back is ``scripts/rollback.py``.
3. **Settle** unfinished imports of the model left by a crash (:func:`recover`): one whose
   owner process is gone is completed when its ledger entry exists, else removed — at once,
   with a message. Only an owner on another host is waited for (up to the lease).
4. **Register** the version (``dev-staging-v7``); its description names the owner (host and
   pid) from the first write, so even a crash right after creating it is recognisable.
5. Save the model (loaded from the verified skops bytes), the drift reference and the bundle
   record, linked to the version; log the source's metadata plus ``kit_source``.
6. **Ledger first, then the stage**: append the promotion (and the displaced version's own
   entry), then make the stages match the ledger, then mark the import ``complete``.

The same bundle twice gives one version.
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zenml import Model, link_artifact_to_model, log_metadata, save_artifact
from zenml.client import Client
from zenml.enums import ArtifactType
from zenml.exceptions import EntityExistsError
from zenml.logger import get_logger
from zenml.utils.pagination_utils import depaginate

from governance import ledger
from governance.bundle import MODEL_CARD_FIELDS, from_wire, trusted_keys, verify_files
from governance.checks import GateError, failed
from governance.health import pid_alive
from governance.policy import Policy, load_policy
from governance.promotion import sync_stages
from governance.release.errors import ImportConflictError, StaleBundleError
from governance.release.gates import as_ledger_gates, production_gates

logger = get_logger(__name__)

STATE_KEY = "kit_import_state"
OWNER_KEY = "kit_import_owner"
STARTED_KEY = "kit_import_started"
PAUSE_AT_ENV_VAR = "KIT_RELEASE_PAUSE_AT"
PAUSE_FILE_ENV_VAR = "KIT_RELEASE_PAUSE_FILE"
PHASES: tuple[str, ...] = ("verified", "created", "registered", "artifacts-saved", "recorded",
                           "staged")  # fmt: skip
"""The importer's pause points, in order (fault tests pause or kill the worker there)."""
OWNER_MARK = "Import owner: "
CLOCK_SKEW_SECONDS = 300.0
ROLLBACK_HINT = "to go back to an earlier version, use scripts/rollback.py"


def production_name(source: dict[str, Any]) -> str:
    """The production version name of a source version: ``<source label>-v<number>``."""
    return f"{source['label']}-v{source['model_version']}"


def _checkpoint(phase: str) -> None:
    """Test seam: pause at ``phase`` while the pause file exists (fault tests act meanwhile)."""
    if os.environ.get(PAUSE_AT_ENV_VAR) != phase:
        return
    pause_file = Path(os.environ[PAUSE_FILE_ENV_VAR])
    pause_file.write_text(str(os.getpid()))
    while pause_file.exists():
        time.sleep(0.1)


_ACTIVE_IMPORTS: set[str] = set()
"""Owners of the imports running in this process (a long-lived worker runs many in turn)."""


def _owner() -> str:
    """``host:pid/token``: the process, and which of its imports (a worker outlives one)."""
    return f"{socket.gethostname()}:{os.getpid()}/{uuid.uuid4().hex[:8]}"


def _owner_of(mv: Any) -> str | None:
    owner = (mv.run_metadata or {}).get(OWNER_KEY)
    if owner:
        return str(owner)
    match = re.search(re.escape(OWNER_MARK) + r"(\S+?)\.?$", mv.description or "")
    return match.group(1) if match else None


def _owner_alive(owner: str) -> bool | None:
    """True/False for an owner on this host; None when it runs elsewhere (cannot tell)."""
    host, _, process = owner.rpartition(":")
    pid = process.partition("/")[0]
    if host != socket.gethostname():
        return None
    if pid == str(os.getpid()):
        return owner in _ACTIVE_IMPORTS  # this very worker: alive only while it runs that import
    try:
        return pid_alive(int(pid))
    except ValueError:
        return False


def _version(model: str, name: str) -> Any | None:
    try:
        return Client().get_model_version(model, name)
    except KeyError:
        return None


def _remove_unfinished(mv: Any) -> None:
    """Delete an unfinished import: the version, then the artifact versions it had linked."""
    client = Client()
    artifacts = depaginate(client.list_artifact_versions, model_version_id=mv.id)
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


def _unfinished(model: str) -> list[Any]:
    """Versions of ``model`` that an import created and did not mark complete."""
    found = []
    for mv in depaginate(Client().list_model_versions, model=model):
        if (mv.run_metadata or {}).get(STATE_KEY) == "complete":
            continue
        if _owner_of(mv) or (mv.run_metadata or {}).get(STATE_KEY):
            found.append(mv)
    return found


def recover(model: str, actor: str, lease: float) -> list[str]:
    """Settle every unfinished import of ``model``; return one message per version settled.

    - its promotion is in the ledger → the import got past its record: the stages are made to
      match the ledger and it is marked complete;
    - else its owner process is gone (same host) → it is removed with its artifacts, and an
      ``aborted`` entry says so; no wait;
    - else its owner is alive, or on another host → wait for it, up to the lease.
    """
    messages: list[str] = []
    try:
        Client().get_model(model)
    except KeyError:
        return messages
    deadline = time.monotonic() + lease
    while True:
        pending = _unfinished(model)
        if not pending:
            return messages
        waiting = []
        history = ledger.read_ledger(model)
        for mv in pending:
            owner = _owner_of(mv) or "unknown"
            recorded = any(
                e.changes_stage and e.version_id == str(mv.id) for e in history.for_version(mv.name)
            )
            if recorded:
                sync_stages(model)
                log_metadata(metadata={STATE_KEY: "complete"}, model_version_id=mv.id)
                messages.append(
                    f"found {mv.name} interrupted after its ledger entry (owner {owner}): "
                    "completed its stage change"
                )
                logger.warning(messages[-1])
                continue
            alive = _owner_alive(owner) if owner != "unknown" else False
            started = float((mv.run_metadata or {}).get(STARTED_KEY) or mv.created.timestamp())
            expired = time.time() - started > lease
            if alive is False or expired or time.monotonic() > deadline:
                why = "its owner is gone" if alive is False else "its lease expired"
                _remove_unfinished(mv)
                ledger.append_entry(
                    model,
                    version=mv.name,
                    version_id=str(mv.id),
                    decision=ledger.ABORTED,
                    from_stage="none",
                    to_stage="none",
                    actor=actor,
                    source="cross-workspace",
                    reason=f"unfinished import by {owner} removed: {why}",
                )
                messages.append(f"found unfinished import {mv.name} by {owner}; {why}: removed it")
                logger.warning(messages[-1])
                continue
            waiting.append(mv)
        if waiting:
            time.sleep(0.5)


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


def _same_source(entry: ledger.LedgerEntry, source: dict[str, Any]) -> bool:
    extra = entry.model_extra or {}
    if extra.get("source_store_id"):
        return extra["source_store_id"] == source.get("store_id")
    return extra.get("source_server") == source.get("location")


def check_forward(
    model: str, source: dict[str, Any], manifest: dict[str, Any], policy: Policy
) -> None:
    """Refuse a bundle that is not newer than every import from its source, or too old.

    Raises:
        StaleBundleError: the message names ``scripts/rollback.py``, the one way back.
    """
    number = int(source["model_version"])
    imported = [
        int((e.model_extra or {})["source_version"])
        for e in ledger.read_ledger(model)
        if e.decision == ledger.PROMOTED
        and (e.model_extra or {}).get("source_version")
        and _same_source(e, source)
    ]
    if imported and number <= max(imported):
        raise StaleBundleError(
            f"refused: {model} v{number} from {source['label']} is not newer than "
            f"v{max(imported)}, which production already imported from there; production only "
            f"moves forward ({ROLLBACK_HINT})"
        )
    exported = datetime.fromisoformat(str(manifest.get("exported_at") or source["exported_at"]))
    age = (datetime.now(UTC) - exported).total_seconds()
    limit = policy.production_promotion.max_bundle_age
    if age > limit:
        raise StaleBundleError(
            f"refused: the bundle of {model} v{number} was exported {age / 3600:.1f} h ago, "
            f"longer than production_promotion.max_bundle_age ({limit / 3600:.1f} h); export "
            f"it again ({ROLLBACK_HINT})"
        )
    if age < -CLOCK_SKEW_SECONDS:
        raise StaleBundleError(
            f"refused: the bundle of {model} v{number} says it was exported in the future"
        )


def _ensure_model(card: dict[str, Any]) -> None:
    client = Client()
    try:
        client.get_model(card["name"])
    except KeyError:
        fields = {k: card.get(k) for k in MODEL_CARD_FIELDS}
        try:
            client.create_model(name=card["name"], tags=card.get("tags") or None, **fields)
        except EntityExistsError:
            pass


def import_bundle(
    files: dict[str, str],
    actor: str,
    state_dir: str | None = None,
    approved_by: str | None = None,
    release_tag: str | None = None,
) -> dict[str, Any]:
    """Verify, gate and register a bundle as production's live version (see module docstring).

    Args:
        files: Every file of the bundle as base64 text (``VerifiedBundle.to_wire()``).
        actor: Who imports (recorded in the ledger).
        state_dir: Where a local list of trusted public keys lives (else the env var).

    Returns:
        ``status`` (``imported`` or ``already-imported``), ``model``, ``version`` (the
        production version name), ``previous`` (the archived holder), ``bundle_sha256``,
        ``ledger_sequence``, ``recovered`` (what was found unfinished and done about it).

    Raises:
        BundleError: the signature, a hash, the key or a model type is refused.
        GateError: production's gates refuse the version.
        StaleBundleError: an older version than production has imported, or a stale bundle.
        ImportConflictError: the production name is taken by another source version.
    """
    keys = trusted_keys(state_dir)
    verified = verify_files(from_wire(files), keys)
    manifest, digest = verified.manifest, verified.digest
    card = verified.json("model_card.json")
    version = verified.json("version.json")
    metrics = verified.json("metrics.json")
    source = verified.json("source.json")
    model = card["name"]
    policy = load_policy()
    results = production_gates(model, version["tags"], metrics, source["stage_at_export"], policy)
    if failed(results):
        raise GateError(
            f"production gate (import of {model} v{source['model_version']})", failed(results)
        )
    name = production_name(source)
    lease = policy.production_promotion.import_lease_seconds
    recovered = recover(model, actor, lease)
    existing = _version(model, name)
    if existing is not None:
        return {**_already(existing, source, digest), "recovered": recovered}
    check_forward(model, source, manifest, policy)
    trained = verified.model()  # from the verified bytes, trusted types only, before any write
    _checkpoint("verified")
    _ensure_model(card)
    owner = _owner()
    _ACTIVE_IMPORTS.add(owner)
    try:
        return _register_and_promote(
            verified, trained, results, policy, owner, actor, approved_by, release_tag, recovered
        )
    finally:
        _ACTIVE_IMPORTS.discard(owner)


def _register_and_promote(
    verified: Any,
    trained: Any,
    results: list[Any],
    policy: Policy,
    owner: str,
    actor: str,
    approved_by: str | None,
    release_tag: str | None,
    recovered: list[str],
) -> dict[str, Any]:
    """Steps 4–6 of the module docstring, for a bundle already verified, gated and new."""
    manifest, digest = verified.manifest, verified.digest
    card = verified.json("model_card.json")
    version = verified.json("version.json")
    source = verified.json("source.json")
    model, name = card["name"], production_name(source)
    lease = policy.production_promotion.import_lease_seconds
    try:
        mv = Client().create_model_version(
            model_name_or_id=model,
            name=name,
            description=f"Imported from {source['label']} v{source['model_version']}. "
            + (version.get("description") or "")
            + f" {OWNER_MARK}{owner}.",
            tags=sorted({*version["tags"], "imported", f"source:{source['label']}"}),
        )
    except EntityExistsError:
        recovered += recover(model, actor, lease)  # another import is creating it: settle
        existing = _version(model, name)
        if existing is None:
            raise
        return {**_already(existing, source, digest), "recovered": recovered}
    _checkpoint("created")
    log_metadata(
        metadata={STATE_KEY: "started", OWNER_KEY: owner, STARTED_KEY: time.time()},
        model_version_id=mv.id,
    )
    _checkpoint("registered")
    target = Model(name=model, version=name)
    link_artifact_to_model(
        save_artifact(trained, name="model", artifact_type=ArtifactType.MODEL, tags=["imported"]),
        model=target,
    )
    link_artifact_to_model(
        save_artifact(verified.json("reference_profile.json"), name="reference_profile"),
        model=target,
    )
    record = {
        "manifest": manifest,
        "source": source,
        "gates_at_export": verified.json("gates.json"),
        "source_ledger": verified.json("ledger.json"),
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
    previous = ledger.read_ledger(model).holders().get("production")
    entries = ledger.append_change(
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
        signing_key_id=manifest["key_id"],
        source_server=source["location"],
        source_store_id=source.get("store_id"),
        source_version=str(source["model_version"]),
        source_model_version_id=source["model_version_id"],
        source_training_run_id=source["training_run_id"],
    )
    _checkpoint("recorded")
    sync_stages(model)
    _checkpoint("staged")
    log_metadata(metadata={STATE_KEY: "complete"}, model_version_id=mv.id)
    logger.info("imported %s %s into production (previous: %s)", model, name, previous)
    return {
        "status": "imported",
        "model": model,
        "version": name,
        "previous": previous,
        "bundle_sha256": digest,
        "ledger_sequence": entries[0].sequence,
        "recovered": recovered,
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
    for mv in depaginate(client.list_model_versions, model=model, sort_by="asc:number"):
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
    history = ledger.read_ledger(model)
    holder = _version(model, "production")
    return {
        "model": model,
        "production": holder.name if holder else None,
        "versions": versions,
        "ledger": [e.model_dump(mode="json") for e in history],
        "holders": history.holders(),
        "ledger_problems": history.verify(),
    }


def score_version(model: str, version: str, rows: list[list[float]]) -> list[list[float]]:
    """Load a production version's model artifact and return its class probabilities for rows.

    A smoke check of what production actually stores (the loaded model, not its metadata).
    """
    import pandas as pd

    trained = Client().get_model_version(model, version).get_model_artifact("model").load()
    columns = getattr(trained, "feature_names_in_", None)
    frame = pd.DataFrame(rows, columns=list(columns) if columns is not None else None)
    return [[float(p) for p in row] for row in trained.predict_proba(frame)]
